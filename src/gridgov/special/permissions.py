ACTIONS = {
    "special.view": "查看特殊人群(重点人员)档案与走访记录(列表脱敏,打开档案记入访问日志)",
    "special.manage": "列管、调整等级与责任人、发起与接收交接、解除列管",
    "special.visit": "登记走访、谈话、报到、尿检等记录",
    "special.hiv": "查看与办理受限类型(艾滋病危险人员等)",
    "special.configure": "维护特殊人群类型与走访规则",
}
