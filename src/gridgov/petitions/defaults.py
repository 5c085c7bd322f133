"""The matter categories of petitions (信访事项内容分类), seeded under the hub's petition kind.

A petition's event needs a category; the hub's own petition categories are leads (苗头) that a
grid worker reports, so registered petitions get these. Their hub time limit is the handling
limit for display only: a petition's deadlines come from `petitions.config`.
"""

from __future__ import annotations

from typing import Any

PETITION_KIND = "petition"
PREFIX = "petition-m-"

MATTERS: list[tuple[str, str]] = [
    ("petition-m-land", "征地拆迁类信访"),
    ("petition-m-labor", "劳动社保类信访"),
    ("petition-m-rural", "农村农业类信访"),
    ("petition-m-urban", "城乡建设类信访"),
    ("petition-m-environment", "生态环境类信访"),
    ("petition-m-law", "涉法涉诉类信访"),
    ("petition-m-civil", "民政与社会保障类信访"),
    ("petition-m-discipline", "纪检监察类信访"),
    ("petition-m-other", "其他信访事项"),
]


def seed_matters(EventKind: Any, Category: Any) -> int:
    """Create the petition kind (if missing) and the matter categories. Returns rows made."""
    kind, made = EventKind.objects.get_or_create(
        code=PETITION_KIND, defaults={"name": "信访", "order": 3}
    )
    made = int(made)
    for order, (code, name) in enumerate(MATTERS, start=100):
        _, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "order": order,
                "sla_value": 60,
                "sla_unit": "natural_days",
            },
        )
        made += created
    return made


def ensure_matters() -> int:
    """Seed the categories with the live models (tests whose flush removed them, the demo)."""
    from gridgov.core.scoping import unscoped
    from gridgov.events.models import Category, EventKind

    with unscoped("petition matter categories"):
        return seed_matters(EventKind, Category)
