ACTIONS = {
    "metrics.manage_targets": "设置、修改和停用统计指标的目标值(对该区域及其下级区域生效)",
    "metrics.report": "查看和导出乡镇(街道)综治工作统计报表",
}
