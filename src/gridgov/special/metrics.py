"""The figures of the special populations (特殊人群统计), registered with
`gridgov.metrics.figures`.

Every count is one queryset of statuses: the user's visible statuses (`special.view`, which
leaves out restricted types without `special.hiv`), kept to the area's subtree, filtered by one
condition. Formulas are written out in docs/metrics.md (DOMAIN.md §6: 管控率 = 在控人数 ÷
应管控人数, excluding 死亡、出国境、戒断三年; 见面率/走访率 = 本期已按期走访 ÷ 应走访).

- 应管控人数, 在管人数, 脱管人数 and 逾期未走访 are states at `as_of` (snapshot figures);
- 应走访人数 and 按期走访人数 count statuses with a visit due in the period, each status once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from gridgov.metrics.figures import (
    Count,
    Dimension,
    Group,
    Period,
    Rate,
    register,
    register_group,
    within,
)
from gridgov.special.choices import DRUG_CONTROL_EXCLUDED
from gridgov.special.models import SpecialStatus, Visit

LOCAL = "gridgov"


def statuses(user: Any, area: Any) -> QuerySet[SpecialStatus]:
    """The statuses `user` may see in `area` or below: where every count starts."""
    return within(SpecialStatus.objects.for_user(user, "special.view"), area)


def _day(period: Period) -> Any:
    from django.utils import timezone

    return timezone.localtime(period.as_of).date()


def should_care(user: Any, area: Any, period: Period) -> QuerySet:
    day = _day(period)
    excluded = Q(type__code="drug", details__control_state__in=list(DRUG_CONTROL_EXCLUDED))
    return (
        statuses(user, area)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day)
        .exclude(excluded)
    )


def in_care(user: Any, area: Any, period: Period) -> QuerySet:
    return should_care(user, area, period).filter(lost_since__isnull=True)


def lost(user: Any, area: Any, period: Period) -> QuerySet:
    return should_care(user, area, period).filter(lost_since__isnull=False)


def overdue(user: Any, area: Any, period: Period) -> QuerySet:
    return statuses(user, area).filter(ended_on__isnull=True, next_visit_due__lt=_day(period))


def _visits_due_in(period: Period, **extra: Any) -> Exists:
    return Exists(
        Visit._base_manager.filter(
            status=OuterRef("pk"), due_on__gte=period.start, due_on__lte=period.end, **extra
        )
    )


def _missed_in(period: Period) -> Q:
    """Still open, its visit was due in the part of the period already past, and not made."""
    return Q(
        ended_on__isnull=True,
        next_visit_due__gte=period.start,
        next_visit_due__lte=period.end,
        next_visit_due__lt=_day(period),
    )


def visits_due(user: Any, area: Any, period: Period) -> QuerySet:
    return statuses(user, area).filter(_visits_due_in(period) | _missed_in(period))


def visited_on_time(user: Any, area: Any, period: Period) -> QuerySet:
    return (
        visits_due(user, area, period)
        .exclude(_visits_due_in(period, on_time=False))
        .exclude(_missed_in(period))
    )


def _prepare_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("person", "type", "area", "officer").order_by(
        "next_visit_due", "pk"
    )


def _export_columns(model: type) -> list[tuple[str, Any]]:
    """The columns of an exported list of statuses, masked as the list shows them."""
    from gridgov.special.selectors import mask_name

    return [
        ("姓名", lambda s: mask_name(s.person.name)),
        ("公民身份号码", lambda s: s.person.id_masked),
        ("类型", lambda s: s.type.name),
        ("等级", lambda s: s.get_grade_display()),
        ("责任区域", lambda s: s.area.name),
        ("责任人", lambda s: (s.officer.full_name or s.officer.username) if s.officer else ""),
        ("列管日期", lambda s: s.started_on),
        ("下次走访", lambda s: s.next_visit_due),
        ("脱管(失控)", lambda s: s.lost_since is not None),
        ("解除日期", lambda s: s.ended_on),
    ]


GROUP = Group(
    code="special",
    title="特殊人群统计",
    action="special.view",
    list_template="special/_status_table.html",
    breakdown=(
        "special.should_care",
        "special.in_care",
        "special.care_rate",
        "special.visits_due",
        "special.visit_rate",
        "special.overdue",
        "special.lost",
    ),
    sort_by="special.care_rate",
    layout=(
        (
            "核心指标",
            ("special.care_rate", "special.visit_rate", "special.overdue", "special.lost"),
        ),
        ("管控", ("special.should_care", "special.in_care", "special.lost")),
        ("走访", ("special.visits_due", "special.visited_on_time", "special.overdue")),
    ),
    prepare_list=_prepare_list,
    key=(
        "special.care_rate",
        "special.visit_rate",
        "special.should_care",
        "special.lost",
        "special.overdue",
    ),
    dimensions=(
        Dimension(code="type", label="人员类型", field="type", name_field="type__name"),
        Dimension(code="grade", label="管理等级", field="grade"),
    ),
    export_columns=_export_columns,
)

FIGURES = [
    Count(
        code="special.should_care",
        label="应管控人数",
        snapshot=True,
        unit="人",
        records=should_care,
        source=LOCAL,
        formula="当前在管(已列管、未解除)的人数;吸毒人员中管控情况为死亡、出国(境)、社会面戒断三年未复吸的不计。",
    ),
    Count(
        code="special.in_care",
        label="在管人数",
        better="up",
        snapshot=True,
        unit="人",
        records=in_care,
        source=LOCAL,
        formula="应管控人数中未处于脱管(失控)状态的人数。",
    ),
    Count(
        code="special.lost",
        label="脱管(失控)人数",
        better="down",
        snapshot=True,
        unit="人",
        records=lost,
        source=LOCAL,
        formula="应管控人数中,走访逾期超过规定天数、被标记为脱管(失控)且尚未恢复走访的人数。",
    ),
    Count(
        code="special.overdue",
        label="逾期未走访",
        better="down",
        snapshot=True,
        unit="人",
        records=overdue,
        source=LOCAL,
        formula="当前在管、下次走访日期已过仍未走访的人数(含已脱管的)。",
    ),
    Count(
        code="special.visits_due",
        label="应走访人数",
        unit="人",
        records=visits_due,
        source=LOCAL,
        formula="统计期内有走访到期的在管人员数:有应走访日期在期内的走访记录,或应走访日期在期内已过而未走访;每人计一次。",
    ),
    Count(
        code="special.visited_on_time",
        label="按期走访人数",
        better="up",
        unit="人",
        records=visited_on_time,
        source=LOCAL,
        formula="应走访人数中,期内每次到期的走访都在应走访日期当天或之前完成的人数。",
    ),
    Rate(
        code="special.care_rate",
        label="管控率",
        better="up",
        snapshot=True,
        numerator="special.in_care",
        denominator="special.should_care",
        source=LOCAL,
        formula="管控率 = 在管人数 ÷ 应管控人数 × 100%。",
    ),
    Rate(
        code="special.visit_rate",
        label="走访率",
        better="up",
        numerator="special.visited_on_time",
        denominator="special.visits_due",
        source=LOCAL,
        formula="走访率 = 按期走访人数 ÷ 应走访人数 × 100%。",
    ),
]

register_group(GROUP)
register(*FIGURES)
