ACTIONS = {
    "petitions.view": "查看信访事项(承办部门只见交其办理的信访事项)",
    "petitions.register": "登记信访事项",
    "petitions.handle": "告知受理、延期、答复、登记复查复核请求、办结、回访评价、标记重点信访人员",
    "petitions.review": "作出复查、复核意见(办理中心的上级)",
    "petitions.lead": "领导包案、领导接访日",
}
