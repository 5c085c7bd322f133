ACTIONS = {
    "core.view_audit": "查看变更审计",
    "core.view_access_log": "查看敏感信息访问记录",
}
