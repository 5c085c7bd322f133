"""Code tables of the special populations (GB/T 31000-2015 §5, DOMAIN.md §1.5, §6).

Codes are strings, as the standard exchanges them. Grades, visit kinds, helpers' roles, help
measures and the states of a status, a visit and a handover are gridgov's own (the standard has
no visit or handover tables; DOMAIN.md §1.7).
"""

from django.db import models

# The action that lets a user see (and handle) types marked restricted (HIV-risk persons).
RESTRICTED_ACTION = "special.hiv"


class Grade(models.TextChoices):
    """风险/管理等级. Each type names the grades it uses (SpecialType.grades)."""

    STRICT = "strict", "严管"
    NORMAL = "normal", "普管"
    LENIENT = "lenient", "宽管"
    KEY = "key", "重点帮教"
    GENERAL = "general", "一般帮教"
    UNSTABLE = "unstable", "不稳定"
    BASICALLY_STABLE = "basically_stable", "基本稳定"
    STABLE = "stable", "稳定"
    HIGH = "high", "高风险"
    MEDIUM = "medium", "中风险"
    LOW = "low", "低风险"


class VisitKind(models.TextChoices):
    HOME_VISIT = "home_visit", "上门走访"
    TALK = "talk", "个别谈话"
    REPORT_IN = "report_in", "报到"
    THOUGHT_REPORT = "thought_report", "思想汇报"
    COMMUNITY_SERVICE = "community_service", "公益活动"
    DRUG_TEST = "drug_test", "尿检"
    FOLLOWUP = "followup", "随访(含危险性评估)"
    PHONE = "phone", "电话联系"
    OTHER = "other", "其他"


class DrugTestResult(models.TextChoices):
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    REFUSED = "refused", "拒检"


class HelperRole(models.TextChoices):
    """帮教小组 members (after GB/T 31000 5.28 矫正小组人员组成)."""

    OFFICER = "officer", "司法所/派出所工作人员"
    GRID_WORKER = "grid_worker", "网格员"
    VILLAGE = "village", "村(居)委会人员"
    SOCIAL_WORKER = "social_worker", "社会工作者"
    DOCTOR = "doctor", "基层医务人员"
    FAMILY = "family", "家庭成员或监护人"
    VOLUNTEER = "volunteer", "志愿者"
    EMPLOYER = "employer", "所在单位人员"
    OTHER = "other", "其他"


class HelpMeasure(models.TextChoices):
    EMPLOYMENT = "employment", "就业帮扶"
    RELIEF = "relief", "临时救助"
    DIBAO = "dibao", "纳入低保"
    SCHOOLING = "schooling", "就学帮扶"
    MEDICAL = "medical", "医疗救助"
    HOUSING = "housing", "住房保障"
    TRAINING = "training", "技能培训"
    LEGAL = "legal", "法律援助"
    COUNSELLING = "counselling", "心理疏导"
    OTHER = "other", "其他"


class EndReason(models.TextChoices):
    EXPIRED = "expired", "期满解除"
    RECOVERED = "recovered", "病情稳定/戒断,解除列管"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出本地(无接收地)"
    IMPRISONED = "imprisoned", "收监/羁押"
    MERGED = "merged", "重复档案合并"
    OTHER = "other", "其他"


class ChangeKind(models.TextChoices):
    OPENED = "opened", "列管"
    GRADE = "grade", "调整等级"
    OFFICER = "officer", "更换责任人"
    DETAILS = "details", "修改信息"
    HANDOVER = "handover", "交接至新区域"
    LOST = "lost", "脱管(失控)"
    FOUND = "found", "恢复在管"
    ENDED = "ended", "解除列管"
    MERGED = "merged", "重复档案合并"


class HandoverState(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已拒收"
    CANCELLED = "cancelled", "已撤回"


# --- GB/T 31000 code tables used by the per-type details (details.py) ---------------------------

OFFENCE = [  # 5.20 罪名分类
    ("01", "危害国家安全罪"),
    ("02", "危害公共安全罪"),
    ("03", "破坏社会主义市场经济秩序罪"),
    ("04", "侵犯公民人身权利、民主权利罪"),
    ("05", "侵犯财产罪"),
    ("06", "妨害社会管理秩序罪"),
    ("07", "危害国防利益罪"),
    ("08", "贪污贿赂罪"),
    ("09", "渎职罪"),
    ("10", "军人违反职责罪"),
]
RELEASE_RISK = [("01", "重点帮教人员"), ("02", "一般帮教人员")]  # 5.21
HANDOVER_STATE = [  # 5.22 衔接情况
    ("01", "基层政府接回"),
    ("02", "监所送回原籍"),
    ("03", "司法所接回"),
    ("04", "公安机关落实管控措施"),
    ("05", "基层组织接回"),
    ("06", "人员自返"),
    ("99", "其他衔接情况"),
]
PLACEMENT = [  # 5.23 安置情况
    ("01", "落实责任田"),
    ("02", "公益性岗位安置"),
    ("03", "企业认证为安置基地安置"),
    ("04", "建设政府投入为主的安置基地安置"),
    ("05", "从事个体经营"),
    ("06", "企业和经济实体吸纳就业"),
    ("07", "自主创业"),
    ("99", "其他安置方式"),
]
CORRECTION_KIND = [  # 5.24 矫正类别; 05 kept for exchange, refused for new records (§1.7)
    ("01", "管制"),
    ("02", "缓刑"),
    ("03", "假释"),
    ("04", "暂予监外执行"),
    ("05", "剥夺政治权利"),
]
CORRECTION_KIND_RETIRED = {"05"}
RECEIVE_WAY = [("01", "自行报到"), ("02", "狱所押送"), ("03", "当庭交接"), ("99", "其他")]  # 5.25
FOUR_HISTORIES = [("01", "吸毒史"), ("02", "逃脱史"), ("03", "自杀史"), ("04", "袭警史")]  # 5.26
THREE_INVOLVEMENTS = [("01", "涉毒"), ("02", "涉黑"), ("03", "涉枪")]  # 5.27
CORRECTION_TEAM = [  # 5.28
    ("01", "司法所工作人员"),
    ("02", "社会工作者"),
    ("03", "志愿者"),
    ("04", "村(居)委会人员"),
    ("05", "所在单位人员"),
    ("06", "就读学校人员"),
    ("07", "家庭成员或监护人"),
    ("08", "保证人"),
    ("99", "其他"),
]
CORRECTION_END = [  # 5.29
    ("01", "期满解除"),
    ("02", "收监执行"),
    ("03", "死亡"),
    ("04", "居住地变更"),
    ("99", "其他"),
]
FAMILY_ECONOMY = [  # 5.30
    ("01", "无固定经济来源"),
    ("02", "有固定经济来源"),
    ("03", "低收入家庭"),
    ("04", "贫困"),
    ("99", "其他"),
]
DIAGNOSIS = [  # 5.31
    ("01", "精神分裂症"),
    ("02", "分裂情感性障碍"),
    ("03", "持久的妄想性障碍(偏执性精神病)"),
    ("04", "双相(情感)障碍"),
    ("05", "癫痫所致精神障碍"),
    ("06", "精神发育迟滞伴发精神障碍"),
    ("07", "重度抑郁发作"),
    ("08", "精神活性物质所致精神障碍"),
    ("99", "其他"),
]
DANGER_LEVEL = [  # 5.32 目前危险性评估等级 (0 lowest, 5 highest)
    ("01", "0级"),
    ("02", "1级"),
    ("03", "2级"),
    ("04", "3级"),
    ("05", "4级"),
    ("06", "5级"),
]
TREATMENT = [  # 5.33
    ("01", "住院治疗"),
    ("02", "居家服用抗精神病药物治疗"),
    ("03", "其他治疗"),
    ("04", "未接受过治疗"),
]
HOSPITALISATION_REASON = [  # 5.34
    ("01", "已发生危害他人安全的行为"),
    ("02", "存在危害他人安全的危险"),
    ("99", "其他"),
]
MENTAL_MANAGERS = [  # 5.35
    ("01", "基层医务人员"),
    ("02", "片区民警"),
    ("03", "民政干事"),
    ("04", "助残员"),
    ("05", "村(居)委会干部"),
    ("99", "其他"),
]
MENTAL_HELP = [  # 5.36
    ("01", "民政"),
    ("02", "卫生"),
    ("03", "公安"),
    ("04", "残联"),
    ("05", "街道办事处或乡镇政府"),
    ("06", "非政府组织"),
    ("99", "其他"),
]
DRUG_CONTROL = [  # 5.37 管控情况
    ("01", "在控"),
    ("02", "失控"),
    ("03", "死亡"),
    ("04", "出国(境)"),
    ("05", "社会面戒断三年未复吸"),
    ("06", "社会面戒断不满三年"),
]
# 5.37 codes that take a person out of 应管控 (DOMAIN.md §6: 死亡、出国境、戒断3年).
DRUG_CONTROL_EXCLUDED = ("03", "04", "05")
DRUG_MEASURE = [  # 禁毒法: 社区戒毒, 社区康复 (gridgov's table)
    ("01", "社区戒毒"),
    ("02", "社区康复"),
    ("03", "强制隔离戒毒"),
    ("04", "自愿戒毒"),
    ("99", "其他"),
]
INFECTION_ROUTE = [  # 5.38
    ("01", "异性性传播"),
    ("02", "同性性传播"),
    ("03", "注射毒品传播"),
    ("04", "母婴传播"),
    ("05", "输血及使用血制品传播"),
    ("06", "性接触加注射毒品传播"),
    ("07", "既往采血浆传播"),
    ("99", "不详"),
]
HIV_ATTENTION = [  # 5.39
    ("00", "无"),
    ("01", "故意传播"),
    ("02", "造谣传谣"),
    ("03", "恐吓"),
    ("04", "聚众上访"),
    ("05", "非正常维权"),
    ("06", "非正常上访"),
]
HIV_TREATMENT = [  # 5.40 收治情况
    ("00", "无"),
    ("01", "羁押"),
    ("02", "抗病毒治疗"),
    ("03", "戒毒药物维持治疗"),
    ("99", "其他"),
]
YOUTH_CATEGORY = [  # 5.41
    ("01", "闲散青少年"),
    ("02", "有不良行为或严重不良行为青少年"),
    ("03", "流浪乞讨未成年人"),
    ("04", "服刑人员未成年子女"),
    ("05", "农村留守儿童"),
    ("99", "其他"),
]
YOUTH_FAMILY = [  # 5.42
    ("01", "低收入家庭"),
    ("02", "单亲家庭"),
    ("03", "流动家庭"),
    ("04", "扶养人受教育水平相对较低"),
    ("05", "与父母关系不融洽"),
    ("06", "家庭成员的不良行为多"),
    ("99", "其他"),
]
YOUTH_HELP = [
    ("01", "教育矫治"),
    ("02", "思想引导"),
    ("03", "困难帮扶"),
    ("04", "心理关爱"),
    ("99", "其他"),
]  # 5.43
