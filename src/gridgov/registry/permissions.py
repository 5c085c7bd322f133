ACTIONS = {
    "registry.view": "查看标准地址、房屋、人口与单位(身份证号、手机号为脱敏形式)",
    "registry.change": "登记、修改标准地址、房屋、人口与单位",
    "registry.reveal": "查看身份证号、手机号明文(记入访问日志)",
    "registry.import": "批量导入、导出基础数据",
}
