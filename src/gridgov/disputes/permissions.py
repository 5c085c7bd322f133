ACTIONS = {
    "disputes.view": "查看矛盾纠纷、调解、排查报告与挂牌督办台账",
    "disputes.record": "登记、修改矛盾纠纷详情(当事人、类别、规模、风险、包案人)",
    "disputes.mediate": "登记调解:调解组织、调解员、调解记录、协议、司法确认、履行与回访",
    "disputes.report": "上报本村(社区)矛盾纠纷排查报告(含零报告)",
    "disputes.supervise": "将重大纠纷挂牌督办、验收销号(领导)",
    "disputes.configure": "设置辖区的排查上报周期",
}
