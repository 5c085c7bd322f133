"""Demo targets (指标目标): a few district-wide targets, as the district's administrator keeps
them, and one stricter target the demo township sets for itself through the same administrator,
so the pages show a target inherited and one overridden. Through the service, so the audit is
what real use leaves.

Idempotent: an area that already has an active target for a figure keeps it (counted as existing).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from gridgov.core.scoping import unscoped
from gridgov.metrics import services
from gridgov.metrics.models import Target

KINDS = {"metric_target": "指标目标"}

# (area code, figure code, value, note); the comparison follows the figure's direction.
TARGETS: list[tuple[str, str, str, str]] = [
    ("330203", "events.satisfaction_rate", "98", "区平安建设考核:群众满意率不低于 98%"),
    ("330203", "events.closure_rate", "90", "区平安建设考核:事件结案率不低于 90%"),
    ("330203", "events.overdue_open", "0", "超期未办结事件清零"),
    ("330203", "disputes.success_rate", "95", "矛盾纠纷调处成功率不低于 95%"),
    ("330203", "special.care_rate", "95", "特殊人群管控率不低于 95%"),
    ("330203101", "events.closure_rate", "92", "横街镇年度目标(高于全区)"),
]


def seed_demo_targets(*, created: Counter[str], existing: Counter[str]) -> None:
    """The demo targets in one transaction, set by the demo administrator (or the system)."""
    from gridgov.accounts.models import User
    from gridgov.accounts.system import system_actor
    from gridgov.areas.models import Area

    with transaction.atomic():
        with unscoped("demo seed: who and where"):
            admin = User.objects.filter(username="admin", is_active=True).first()
            areas = {a.code: a for a in Area.objects.filter(code__in={t[0] for t in TARGETS})}
            taken = set(
                Target.objects.filter(is_active=True).values_list("area__code", "figure_code")
            )
        actor = admin or system_actor()
        for code, figure_code, value, note in TARGETS:
            area = areas.get(code)
            if area is None:
                continue
            if (code, figure_code) in taken:
                existing["metric_target"] += 1
                continue
            services.set_target(area, figure_code=figure_code, value=value, note=note, actor=actor)
            created["metric_target"] += 1
