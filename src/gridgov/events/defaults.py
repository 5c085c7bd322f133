"""The default kinds and categories of events, with their time limits (处置时限).

Disputes follow GB/T 31000 code table 5.56 (first level); city-management limits follow the
数字城管 examples in DOMAIN.md §2.3; the rest are common local practice. The administrator
changes them on the configuration page; this table only seeds a new installation.
"""

from __future__ import annotations

H, D, N = "work_hours", "work_days", "natural_days"

# kind code, kind name, [(category code, name, (value, unit), urgent (value, unit) or None)]
DEFAULT_KINDS: list[
    tuple[str, str, list[tuple[str, str, tuple[int, str], tuple[int, str] | None]]]
] = [
    (
        "dispute",
        "矛盾纠纷",
        [
            ("dispute-01", "婚恋家庭纠纷", (30, N), (5, D)),
            ("dispute-02", "邻里纠纷", (30, N), (5, D)),
            ("dispute-03", "人格权纠纷", (30, N), (5, D)),
            ("dispute-04", "物权纠纷", (30, N), (5, D)),
            ("dispute-05", "侵权纠纷", (30, N), (5, D)),
            ("dispute-06", "合同纠纷", (30, N), (5, D)),
            ("dispute-07", "劳动人事争议", (30, N), (3, D)),
            ("dispute-08", "金融借贷纠纷", (30, N), (5, D)),
            ("dispute-09", "土地及资源权属纠纷", (30, N), (5, D)),
            ("dispute-10", "其他民商事纠纷", (30, N), (5, D)),
            ("dispute-11", "城乡建设发展纠纷", (30, N), (5, D)),
            ("dispute-12", "涉民政纠纷", (30, N), (5, D)),
            ("dispute-13", "其他行政执法纠纷", (30, N), (5, D)),
            ("dispute-14", "涉法涉诉纠纷", (30, N), (5, D)),
            ("dispute-15", "涉组织涉纪检纠纷", (30, N), (5, D)),
            ("dispute-16", "涉民族宗教纠纷", (15, N), (2, D)),
            ("dispute-99", "其他纠纷", (30, N), (5, D)),
        ],
    ),
    (
        "hazard",
        "安全隐患",
        [
            ("hazard-fire", "消防安全隐患", (3, D), (4, H)),
            ("hazard-production", "安全生产隐患", (3, D), (4, H)),
            ("hazard-building", "危房及建筑安全隐患", (5, D), (1, D)),
            ("hazard-traffic", "道路交通安全隐患", (3, D), (4, H)),
            ("hazard-chemical", "危化物品隐患", (1, D), (2, H)),
            ("hazard-gas", "燃气安全隐患", (1, D), (2, H)),
            ("hazard-flood", "防汛防台隐患", (1, D), (2, H)),
            ("hazard-other", "其他安全隐患", (3, D), (1, D)),
        ],
    ),
    (
        "order",
        "治安问题",
        [
            ("order-spot", "治安乱点", (5, D), (1, D)),
            ("order-gang", "涉黑涉恶线索", (3, D), (4, H)),
            ("order-vice", "黄赌毒线索", (3, D), (4, H)),
            ("order-theft", "盗窃诈骗线索", (3, D), (1, D)),
            ("order-other", "其他治安问题", (3, D), (1, D)),
        ],
    ),
    (
        "petition",
        "信访线索",
        [
            ("petition-group", "群体性上访苗头", (1, D), (2, H)),
            ("petition-skip", "越级上访苗头", (1, D), (2, H)),
            ("petition-extreme", "个人极端倾向", (4, H), (1, H)),
            ("petition-other", "其他信访线索", (3, D), (1, D)),
        ],
    ),
    (
        "city",
        "城市管理",
        [
            ("city-garbage", "暴露垃圾", (4, H), (2, H)),
            ("city-cleaning", "道路保洁", (2, H), (1, H)),
            ("city-water", "道路积水", (4, H), (2, H)),
            ("city-construction", "私搭乱建", (7, D), (4, H)),
            ("city-street", "占道经营", (1, D), (2, H)),
            ("city-facility", "公共设施损坏", (3, D), (4, H)),
            ("city-other", "其他城市管理问题", (3, D), (1, D)),
        ],
    ),
    (
        "service",
        "服务诉求",
        [
            ("service-consult", "政策咨询", (5, D), (1, D)),
            ("service-relief", "困难帮扶", (5, D), (1, D)),
            ("service-agency", "代办服务", (5, D), (2, D)),
            ("service-other", "其他诉求", (5, D), (2, D)),
        ],
    ),
]


def seed_defaults(EventKind, Category) -> int:
    """Create the default kinds and categories that do not exist yet. Returns how many rows."""
    made = 0
    for kind_order, (kind_code, kind_name, categories) in enumerate(DEFAULT_KINDS):
        kind, created = EventKind.objects.get_or_create(
            code=kind_code, defaults={"name": kind_name, "order": kind_order}
        )
        made += created
        for order, (code, name, (value, unit), urgent) in enumerate(categories):
            _, created = Category.objects.get_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "name": name,
                    "order": order,
                    "sla_value": value,
                    "sla_unit": unit,
                    "urgent_sla_value": urgent[0] if urgent else None,
                    "urgent_sla_unit": urgent[1] if urgent else "",
                },
            )
            made += created
    return made
