ACTIONS = {
    "areas.view": "查看区域、网格与人员分配",
    "areas.manage": "新建、修改、移动、撤销区域",
    "areas.assign": "分配网格人员",
}
