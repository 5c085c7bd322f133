ACTIONS = {
    "events.view": "查看事件(部门只见派给本部门的事件)",
    "events.report": "上报、登记事件",
    "events.self_handle": "就地自行处置事件(网格、村社区)",
    "events.accept": "受理、不予受理、合并、派遣、升级、自办事件;审批延期与挂账(综治中心)",
    "events.handle": "签收、退回、办结反馈派给本部门或本区域的事件",
    "events.verify": "核查办结的事件",
    "events.remind": "催办事件",
    "events.supervise": "督办、挂牌督办事件(领导)",
    "events.configure": "维护事件类型、类别与办理时限",
}
