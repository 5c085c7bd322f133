"""Code tables of the person core and the registry (GB/T 31000-2015 §5 and the national
standards it references; DOMAIN.md §1.5–1.6). Codes are strings, as the standard exchanges them.
"""

from django.db import models


class Sex(models.TextChoices):
    """GB/T 2261.1."""

    UNKNOWN = "0", "未知的性别"
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNSTATED = "9", "未说明的性别"


_ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]

# GB/T 3304: 01–56 in the standard's order, 97 其他, 98 外国血统中国籍人士.
ETHNICITY_CHOICES = [
    *[(f"{i:02d}", name) for i, name in enumerate(_ETHNICITIES, 1)],
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]


class Marital(models.TextChoices):
    """GB/T 2261.2."""

    SINGLE = "10", "未婚"
    MARRIED = "20", "已婚"
    FIRST_MARRIAGE = "21", "初婚"
    REMARRIED = "22", "再婚"
    REMARRIED_SAME = "23", "复婚"
    WIDOWED = "30", "丧偶"
    DIVORCED = "40", "离婚"
    UNSTATED = "90", "未说明的婚姻状况"


class Political(models.TextChoices):
    """GB/T 4762."""

    CPC = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL = "03", "共青团员"
    RCCK = "04", "民革会员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSL = "11", "台盟盟员"
    NON_PARTY = "12", "无党派民主人士"
    MASSES = "13", "群众"


class Education(models.TextChoices):
    """GB/T 4658 (first level)."""

    POSTGRADUATE = "10", "研究生教育"
    DOCTORATE = "11", "博士研究生"
    MASTER = "14", "硕士研究生"
    BACHELOR = "20", "大学本科"
    COLLEGE = "30", "大学专科"
    VOCATIONAL = "40", "中等职业教育"
    SENIOR = "60", "普通高级中学"
    JUNIOR = "70", "初级中学"
    PRIMARY = "80", "小学"
    OTHER = "90", "其他"


class Religion(models.TextChoices):
    """GA 214.12."""

    NONE = "00", "无宗教信仰"
    BUDDHISM = "10", "佛教"
    LAMAISM = "20", "喇嘛教"
    TAOISM = "30", "道教"
    CATHOLIC = "40", "天主教"
    PROTESTANT = "50", "基督教"
    ORTHODOX = "60", "东正教"
    ISLAM = "70", "伊斯兰教"
    OTHER = "99", "其他"


class ResidenceType(models.TextChoices):
    """实有人口的类别."""

    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"
    OVERSEAS = "overseas", "境外人员"
    UNREGISTERED = "unregistered", "未落户人员"


class PersonStatus(models.TextChoices):
    PRESENT = "present", "在册"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已死亡"
    MERGED = "merged", "已合并"  # a duplicate record merged into another (Person.merged_into)


class InflowReason(models.TextChoices):
    """GB/T 31000 5.11 流入原因."""

    WORK = "01", "务工"
    FARMING = "02", "务农"
    BUSINESS = "03", "经商"
    STUDY = "04", "学习培训"
    MARRIAGE = "05", "婚嫁"
    FAMILY = "06", "随迁"
    MEDICAL = "07", "治病疗养"
    RELATIVES = "08", "投亲靠友"
    TRANSFER = "09", "工作调动"
    OTHER = "99", "其他"


class PermitType(models.TextChoices):
    """GB/T 31000 5.12 办证类型."""

    RESIDENCE_PERMIT = "01", "居住证"
    TEMPORARY = "02", "暂住证"
    OTHER = "99", "其他"


class DwellingType(models.TextChoices):
    """GB/T 31000 5.13 住所类型."""

    OWN = "01", "自购房屋"
    RENTED = "02", "租赁房屋"
    LODGING = "03", "寄宿"
    BORROWED = "04", "借住"
    DORMITORY = "05", "单位宿舍"
    TEMPORARY = "06", "临时性宿舍"
    WORKER_APARTMENT = "07", "农民工公寓"
    OTHER = "99", "其他"


class BuildingUse(models.TextChoices):
    """GB/T 31000 5.17 建筑用途."""

    RESIDENTIAL = "01", "住宅"
    COMMERCIAL = "02", "商业"
    OFFICE = "03", "办公"
    INDUSTRIAL = "04", "工业"
    STORAGE = "05", "仓储"
    MIXED = "06", "商住混用"
    OTHER = "99", "其他"


class RentalUse(models.TextChoices):
    """GB/T 31000 5.18 出租用途."""

    DORMITORY = "01", "宿舍"
    HOME = "02", "住房"
    SHOP = "03", "商铺"
    OFFICE = "04", "办公"
    WAREHOUSE = "05", "仓库"
    FACTORY = "06", "厂房"
    OTHER = "99", "其他"


class RentalHazard(models.TextChoices):
    """GB/T 31000 5.19 隐患类型(出租房)."""

    NONE = "00", "无"
    FIRE = "01", "火灾隐患"
    PUBLIC_ORDER = "02", "治安隐患"
    DISPUTE = "03", "矛盾纠纷隐患"
    HAZMAT = "04", "危化物品隐患"
    INFECTION = "05", "疾病传染隐患"
    OTHER = "99", "其他"


class Occupancy(models.TextChoices):
    SELF = "self", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"


class Ownership(models.TextChoices):
    PRIVATE = "private", "私有"
    PUBLIC = "public", "公有"
    COLLECTIVE = "collective", "集体"
    UNIT = "unit", "单位自管"
    OTHER = "other", "其他"


class LivingArrangement(models.TextChoices):
    """居住类型 (人房关系)."""

    OWN = "own", "自住"
    TENANT = "tenant", "租住"
    LODGER = "lodger", "寄住"


class UnitType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    MARKET = "market", "市场"
    SHOP = "shop", "商铺"
    HOTEL = "hotel", "旅馆"
    INTERNET_CAFE = "internet_cafe", "网吧"
    SOCIAL_ORG = "social_org", "社会组织"
    GOVERNMENT = "government", "机关事业单位"
    OTHER = "other", "其他"


class EnterpriseCategory(models.TextChoices):
    """GB/T 31000 5.44 企业类别."""

    DOMESTIC = "01", "内资企业"
    FOREIGN = "02", "外资企业"
    INDIVIDUAL = "03", "个体工商户"
    COOPERATIVE = "04", "农民专业合作社"
    OTHER = "99", "其他企业"


class SocialOrgType(models.TextChoices):
    """GB/T 31000 5.47 社会组织类型."""

    ASSOCIATION = "01", "社会团体"
    PRIVATE_NON_ENTERPRISE = "02", "民办非企业单位"
    FOUNDATION = "03", "基金会"
    OTHER = "99", "其他"


class SafetyHazard(models.TextChoices):
    """GB/T 31000 5.45 安全隐患类型."""

    NONE = "00", "无"
    PUBLIC_ORDER = "01", "治安隐患"
    FIRE = "02", "消防隐患"
    DISPUTE = "03", "矛盾纠纷隐患"
    LABOUR = "04", "劳资纠纷隐患"
    OTHER = "99", "其他"


class Attention(models.TextChoices):
    """GB/T 31000 5.46 关注程度."""

    HIGH = "01", "高"
    MEDIUM = "02", "中"
    LOW = "03", "低"


class LetterKind(models.TextChoices):
    """Responsibility letters a unit signs."""

    FLOATING_POPULATION = "floating", "流动人口服务管理责任状"
    FIRE_SAFETY = "fire", "消防安全责任书"
    PUBLIC_ORDER = "order", "治安保卫责任书"
    PRODUCTION_SAFETY = "production", "安全生产责任书"
    OTHER = "other", "其他责任书"
