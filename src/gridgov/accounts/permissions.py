ACTIONS = {
    "accounts.view": "查看账号、任职与部门",
    "accounts.manage": "管理账号、任职与部门",
}
