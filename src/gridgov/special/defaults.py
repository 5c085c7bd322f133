"""The default types (GB/T 31000 tables 17–22, plus key petitioners) and visit rules (DOMAIN.md
§6). Local practice varies: these are presets the administrator edits on the rules page; this
table only seeds a new installation (migration 0002) and the tests.

Cadences, with their source:
- 严重精神障碍: 稳定 → 3 个月 (90 天); 基本稳定 → 2 周; 不稳定 → "2 周内", set at 1 周 [DOMAIN §6].
- 社区矫正: 严管 → 每周报到 1 次 + 书面汇报 [51haodu]; 普管 → 每半月; 宽管 → 每月 (local presets).
- 刑满释放: 重点帮教 → 每月; 一般帮教 → 每季度 (每季度帮教一次) [how234].
- 吸毒: 高 → 每周 (见面/尿检); 中 → 每月; 低 → 每季度 (local).
- 艾滋病危险人员, 重点青少年, 重点信访人员: 高 → 每周/每两周; 中 → 每月; 低 → 每季度 (local).
"""

from __future__ import annotations

N = "natural_days"

S, B, U = "stable", "basically_stable", "unstable"
HI, MID, LO = "high", "medium", "low"

# code, name, GB/T table, restricted, grades (strictest first)
DEFAULT_TYPES: list[tuple[str, str, str, bool, list[str]]] = [
    ("released", "刑满释放人员", "表17", False, ["key", "general"]),
    ("correction", "社区矫正对象", "表18", False, ["strict", "normal", "lenient"]),
    ("mental", "严重精神障碍患者", "表19", False, [U, B, S]),
    ("drug", "吸毒人员", "表20", False, [HI, MID, LO]),
    ("hiv", "艾滋病危险人员", "表21", True, [HI, MID, LO]),
    ("youth", "重点青少年", "表22", False, [HI, MID, LO]),
    ("key_petitioner", "重点信访人员", "", False, [HI, MID, LO]),
]

TALK = ["home_visit", "talk"]

# type code, grade, interval (days), visit kinds, note
DEFAULT_RULES: list[tuple[str, str, int, list[str], str]] = [
    ("mental", U, 7, ["followup", "home_visit"], "不稳定:2 周内随访,转诊,必要时报公安协助送院"),
    ("mental", B, 14, ["followup", "home_visit"], "基本稳定:2 周时随访"),
    ("mental", S, 90, ["followup", "home_visit"], "稳定:3 个月时随访;每年不少于 4 次"),
    ("correction", "strict", 7, ["report_in", "thought_report", "talk"], "严管:每周报到并书面汇报"),
    ("correction", "normal", 15, ["report_in", "thought_report", "talk"], "普管:每半月报到"),
    ("correction", "lenient", 30, ["report_in", "thought_report"], "宽管:每月报到"),
    ("released", "key", 30, TALK, "重点帮教:每月走访谈话"),
    ("released", "general", 90, TALK, "一般帮教:每季度帮教一次"),
    ("drug", HI, 7, ["home_visit", "drug_test"], "高风险:每周见面,定期尿检"),
    ("drug", MID, 30, ["home_visit", "drug_test"], "中风险:每月见面"),
    ("drug", LO, 90, ["home_visit"], "低风险:每季度见面"),
    ("hiv", HI, 14, TALK, "帮扶人走访"),
    ("hiv", MID, 30, TALK, "帮扶人走访"),
    ("hiv", LO, 90, TALK, "帮扶人走访"),
    ("youth", HI, 14, TALK, "帮扶人走访"),
    ("youth", MID, 30, TALK, "帮扶人走访"),
    ("youth", LO, 90, TALK, "帮扶人走访"),
    ("key_petitioner", HI, 7, TALK, "稳控:每周走访"),
    ("key_petitioner", MID, 30, TALK, "每月走访"),
    ("key_petitioner", LO, 90, TALK, "每季度走访"),
]


def seed_defaults(SpecialType, VisitRule) -> int:
    """Create the default types and rules that do not exist yet. Returns how many rows."""
    made = 0
    types = {}
    for order, (code, name, table, restricted, grades) in enumerate(DEFAULT_TYPES):
        types[code], created = SpecialType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "gbt_table": table,
                "order": order,
                "restricted": restricted,
                "grades": grades,
            },
        )
        made += created
    for code, grade, days, kinds, note in DEFAULT_RULES:
        _, created = VisitRule.objects.get_or_create(
            type=types[code],
            grade=grade,
            defaults={
                "interval_value": days,
                "interval_unit": N,
                "visit_kinds": kinds,
                "note": note,
            },
        )
        made += created
    return made
