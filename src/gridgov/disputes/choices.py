"""Code tables of disputes: GB/T 31000-2015 §5 (5.55 事件规模, 5.56 事件类别 two-level,
5.57 主要当事人人员类别, 5.58 化解方式) and the local choices of mediation, screening and
the supervised list.

Codes are strings, as the standard's exchange format has them (DOMAIN.md §1.7).
"""

from __future__ import annotations

from django.db import models

# --- GB/T 31000 5.56 事件类别: 2 digits = first level, 4 digits = second level ------------

# First level code -> (name, [(second level code, name)]). Every first level has its xx99 其他
# (the table's note "xx99 = 其他").
CATEGORY_TREE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "01": ("婚恋家庭", [("0101", "恋爱及婚姻"), ("0102", "抚养赡养监护"), ("0103", "分家与继承")]),
    "02": (
        "邻里",
        [
            ("0201", "用水排水通行通风采光"),
            ("0202", "相邻土地建筑利用"),
            ("0203", "相邻污染损害防止"),
        ],
    ),
    "03": (
        "人格权",
        [("0301", "姓名肖像"), ("0302", "名誉隐私"), ("0303", "身体健康及人身自由")],
    ),
    "04": (
        "物权相关",
        [("0401", "财物返还及损害赔偿"), ("0402", "物业及其管理"), ("0403", "房屋等不动产登记")],
    ),
    "05": (
        "侵权相关",
        [
            ("0501", "教育机构"),
            ("0502", "医疗损害"),
            ("0503", "交通事故"),
            ("0504", "环境污染"),
            ("0505", "产品责任"),
            ("0506", "网络侵权"),
            ("0507", "劳务损害"),
        ],
    ),
    "06": (
        "合同及相关",
        [
            ("0601", "消费及服务"),
            ("0602", "房产买卖租赁"),
            ("0603", "交易贸易"),
            ("0604", "运输仓储"),
        ],
    ),
    "07": (
        "劳动人事争议",
        [
            ("0701", "劳动合同、劳务派遣"),
            ("0702", "社会保险"),
            ("0703", "福利待遇"),
            ("0704", "人事争议"),
        ],
    ),
    "08": (
        "金融借贷",
        [
            ("0801", "证券基金期货"),
            ("0802", "投资信托理财"),
            ("0803", "保险"),
            ("0804", "借贷及担保"),
        ],
    ),
    "09": (
        "土地及资源权属",
        [
            ("0901", "土地承包经营"),
            ("0902", "宅基地使用"),
            ("0903", "山林矿产"),
            ("0904", "水域水利"),
        ],
    ),
    "10": (
        "其他民商事",
        [
            ("1001", "知识产权"),
            ("1002", "公司企业设立解散"),
            ("1003", "海事海商"),
            ("1004", "竞争纠纷"),
            ("1005", "票据与信用证"),
            ("1006", "无因管理与不当得利"),
        ],
    ),
    "11": (
        "城乡建设发展",
        [
            ("1101", "国有土地上房屋征收"),
            ("1102", "农村集体土地征用"),
            ("1103", "城乡规划及拆违"),
            ("1104", "基础设施建设及市政市容"),
            ("1105", "移民安置"),
        ],
    ),
    "12": (
        "涉民政",
        [("1201", "村(社区)选举和管理"), ("1202", "优抚救助"), ("1203", "区划边界")],
    ),
    "13": (
        "其他行政执法",
        [
            ("1301", "城市管理"),
            ("1302", "教育文体管理"),
            ("1303", "工商税务管理"),
            ("1304", "安全生产管理"),
            ("1305", "交通运输管理"),
            ("1306", "海事渔事管理"),
            ("1307", "计划生育管理"),
        ],
    ),
    "14": (
        "涉法涉诉",
        [("1401", "涉公安"), ("1402", "涉检察院"), ("1403", "涉法院"), ("1404", "涉司法行政机关")],
    ),
    "15": ("涉组织涉纪检", [("1501", "组织人事"), ("1502", "干部作风")]),
    "16": ("涉民族宗教", [("1601", "涉民族问题"), ("1602", "涉宗教问题")]),
    "99": ("其他", []),
}


def _subcategories() -> list[tuple[str, str]]:
    rows = []
    for first, (name, children) in CATEGORY_TREE.items():
        for code, label in children:
            rows.append((code, f"{name} · {label}"))
        rows.append((f"{first}99", f"{name} · 其他"))
    return rows


SUBCATEGORY_CHOICES = _subcategories()
SUBCATEGORY_LABELS = dict(SUBCATEGORY_CHOICES)


def first_level_of_event_category(category_code: str) -> str:
    """The 5.56 first-level code of an event-hub dispute category ("dispute-07" -> "07"), or ""
    for a category that is not one of them."""
    prefix, _, tail = (category_code or "").partition("-")
    return tail if prefix == "dispute" and tail in CATEGORY_TREE else ""


class Scale(models.TextChoices):
    """GB/T 31000 5.55 事件规模."""

    INDIVIDUAL = "01", "个体性事件"
    GROUP = "02", "一般群体性事件"
    MAJOR_GROUP = "03", "重大群体性事件"


class PersonCategory(models.TextChoices):
    """GB/T 31000 5.57 主要当事人人员类别 (专项分类优先于一般分类)."""

    STAFF = "0101", "机关企事业单位从业人员"
    FARMING = "0102", "农林牧渔从业人员"
    SELF_EMPLOYED = "0103", "个体或自由职业人员"
    SOLDIER = "0104", "军人"
    RETIRED = "0105", "离退休人员"
    STUDENT = "0106", "学生"
    UNEMPLOYED = "0107", "无业人员"
    OTHER_GENERAL = "0199", "其他人员"
    RESTRUCTURED = "0201", "涉企事业单位改制人员"
    VETERAN = "0202", "军队退役人员"
    FORMER_TEACHER = "0203", "原民办、国企教师"
    SOE_RETIREE = "0204", "国有企业退休职工"
    RETURNED_YOUTH = "0205", "返城知青"
    BEREAVED_PARENT = "0206", "失独人员"
    MIGRANT_WORKER = "0207", "农村进城务工人员"
    OTHER_GROUP = "0299", "其他群体性诉求人员"


class Method(models.TextChoices):
    """GB/T 31000 5.58 化解方式 (two-level; the mediation ways first)."""

    JUDICIAL = "0101", "司法调解"
    ADMINISTRATIVE = "0102", "行政调解"
    PEOPLES = "0103", "人民调解"
    ARBITRAL_MEDIATION = "0104", "仲裁调解"
    COMMERCIAL = "0105", "商事调解"
    TRADE = "0106", "行业调解"
    LAWYER = "0107", "律师调解"
    OTHER_MEDIATION = "0199", "其他调解"
    CIVIL_ARBITRATION = "0201", "民商事仲裁"
    LAND_ARBITRATION = "0202", "农村土地承包经营纠纷仲裁"
    LABOUR_ARBITRATION = "0203", "劳动人事争议仲裁"
    OTHER_ARBITRATION = "0204", "其他仲裁"
    REVIEW = "03", "行政复议"
    RULING = "04", "行政裁决"
    LITIGATION = "05", "诉讼"
    NEGOTIATION = "06", "协商和解"


class Linkage(models.TextChoices):
    """The links of 三调联动 / 多元化解: a mediation taken in from a court, the police, the
    procuratorate or the petition office."""

    NONE = "", "无"
    COURT = "court", "诉调对接"
    POLICE = "police", "公调对接"
    PROCURATORATE = "procuratorate", "检调对接"
    PETITION = "petition", "访调对接"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"
    THIRD = "third", "第三人"
    PARTY = "party", "当事人"


class RiskLevel(models.TextChoices):
    """Three colours of the risk assessment (红橙黄, DOMAIN.md §5.3)."""

    NONE = "", "未评估"
    RED = "red", "红色(立即上报)"
    ORANGE = "orange", "橙色(当天处置)"
    YELLOW = "yellow", "黄色(就地化解)"


class Committee(models.TextChoices):
    """The organisation that mediates (人民调解委员会 of a village, a township, or a trade)."""

    VILLAGE = "village", "村(居)人民调解委员会"
    TOWNSHIP = "township", "乡镇(街道)人民调解委员会"
    TRADE = "trade", "行业性专业性人民调解委员会"
    AUTHORITY = "authority", "行政机关"
    COURT = "court", "人民法院"
    OTHER = "other", "其他调解组织"


class MediationState(models.TextChoices):
    OPEN = "open", "调解中"
    SUCCEEDED = "succeeded", "调解成功"
    FAILED = "failed", "调解不成"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", "书面协议"
    ORAL = "oral", "口头协议"


class FailureRoute(models.TextChoices):
    """Where a dispute goes when mediation fails (人民调解法 第26条: 告知其他途径)."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    ADMINISTRATIVE = "administrative", "行政处理"
    PETITION = "petition", "信访"
    OTHER_MEDIATION = "other_mediation", "转其他调解组织"
    WITHDRAWN = "withdrawn", "当事人撤回"
    OTHER = "other", "其他"


class Confirmation(models.TextChoices):
    """司法确认: requested of a court within 30 days of the agreement (人民调解法 第33条)."""

    PENDING = "pending", "已申请,待裁定"
    CONFIRMED = "confirmed", "已确认有效"
    REFUSED = "refused", "不予确认"


class Performance(models.TextChoices):
    UNKNOWN = "", "未核实"
    PERFORMED = "performed", "已履行"
    PARTLY = "partly", "部分履行"
    NOT_PERFORMED = "not_performed", "未履行"


class VisitWay(models.TextChoices):
    HOME = "home", "上门回访"
    PHONE = "phone", "电话回访"
    OTHER = "other", "其他"


class FileKind(models.TextChoices):
    AGREEMENT = "agreement", "调解协议书扫描件"
    RECORD = "record", "调解笔录"
    CONFIRMATION = "confirmation", "司法确认文书"
    OTHER = "other", "其他材料"


class ScreeningPeriod(models.TextChoices):
    """How often a village files its screening report (DOMAIN.md §5.3: set per area)."""

    WEEK = "week", "每周"
    HALF_MONTH = "half_month", "每半月"
    MONTH = "month", "每月"


class ListingState(models.TextChoices):
    LISTED = "listed", "挂牌督办中"
    CROSSED_OFF = "crossed_off", "已销号"
