"""The figures of the event hub (事件统计), registered with `gridgov.metrics.figures`.

Every count is one queryset function: the user's visible events (`events.view`), kept to the
area's subtree, filtered by one condition on the period. The list page of a count shows that
queryset, so the number and its list always agree. Formulas and record definitions are written out
in docs/metrics.md; GB/T 30428.4 (数字化城市管理信息系统 绩效评价) is the source where it defines
the figure (DOMAIN.md §2.3).

Figures read the events as they are now: a case reopened after closing leaves the 结案数 of the
period it was closed in, and counts again when it is closed again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet

from gridgov.events.choices import CLOCK_STATES, OPEN_STATES, Rating, State, Supervision
from gridgov.events.models import Event, SupervisionRecord, TimelineEntry
from gridgov.metrics.figures import (
    Average,
    Count,
    Dimension,
    Group,
    Period,
    Rate,
    register,
    register_group,
    within,
)

GBT = "GB/T 30428.4-2016"
LOCAL = "gridgov"


def events(user: Any, area: Any) -> QuerySet[Event]:
    """The events `user` may see that happened in `area` or below: where every count starts."""
    return within(Event.objects.for_user(user, "events.view"), area)


def _with_step(user: Any, area: Any, period: Period, action: str, **extra: Any) -> QuerySet:
    """Visible events of the area with a timeline step `action` in the period."""
    steps = within(TimelineEntry.objects.for_user(user, "events.view"), area).filter(
        period.q("at"), action=action, **extra
    )
    return events(user, area).filter(pk__in=steps.values("event_id"))


# --- Counts: one queryset function each -----------------------------------------------------------


def reported(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("reported_at"))


def accepted(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("accepted_at"))


def dispatched(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("first_dispatched_at"))


def accurately_dispatched(user: Any, area: Any, period: Period) -> QuerySet:
    return dispatched(user, area, period).filter(return_count=0)


def returned(user: Any, area: Any, period: Period) -> QuerySet:
    # A lead's return sends the event back to the center (to_state "accepted"); an assisting
    # department's return leaves the event where it was and is not a wrong dispatch.
    return _with_step(user, area, period, "returned", to_state=State.ACCEPTED)


def handled(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(
        period.q("handled_at"), dispatched_at__isnull=False, self_handled=False
    )


def self_handled(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("closed_at"), self_handled=True)


def rework(user: Any, area: Any, period: Period) -> QuerySet:
    return _with_step(user, area, period, "rework")


def due(user: Any, area: Any, period: Period) -> QuerySet:
    # Closed in the period, or its deadline fell in the part of the period already past and it
    # was not closed before the period began (GB/T 30428.4: 处置时限届满 + 已结案).
    return events(user, area).filter(
        period.q("closed_at") | (period.passed_q("deadline") & ~Q(closed_at__lt=period.since))
    )


def closed(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("closed_at"))


def closed_on_time(user: Any, area: Any, period: Period) -> QuerySet:
    return closed(user, area, period).filter(closed_on_time=True)


def closed_late(user: Any, area: Any, period: Period) -> QuerySet:
    return closed(user, area, period).filter(closed_on_time=False)


def open_events(user: Any, area: Any, period: Period) -> QuerySet:
    # The map's points are these records too (metrics/maps.py).
    return events(user, area).filter(state__in=OPEN_STATES)


def overdue_open(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(state__in=CLOCK_STATES, deadline__lt=period.as_of)


def supervised(user: Any, area: Any, period: Period) -> QuerySet:
    records = within(SupervisionRecord.objects.for_user(user, "events.view"), area).filter(
        period.q("at"), level__in=[Supervision.SUPERVISE, Supervision.LISTED]
    )
    return events(user, area).filter(pk__in=records.values("event_id"))


def rated(user: Any, area: Any, period: Period) -> QuerySet:
    return events(user, area).filter(period.q("rated_at")).exclude(rating="")


def satisfied(user: Any, area: Any, period: Period) -> QuerySet:
    return rated(user, area, period).filter(rating__in=[Rating.SATISFIED, Rating.BASICALLY])


def rated_closed(user: Any, area: Any, period: Period) -> QuerySet:
    # Rated after its (last) closing: a rating given before a reopen does not count.
    return closed(user, area, period).filter(rated_at__gte=F("closed_at")).exclude(rating="")


def _hours_between(start: str, end: str) -> Any:
    return lambda: ExpressionWrapper(F(end) - F(start), output_field=DurationField())


# --- Registration ---------------------------------------------------------------------------------


def _prepare_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("category", "kind", "grid").order_by("-reported_at", "-pk")


def export_columns(model: type) -> list[tuple[str, Any]]:
    """The columns of an exported list of events (the dashboard's 导出 Excel)."""
    return [
        ("案件编码", lambda e: e.code),
        ("标题", lambda e: e.title),
        ("事件类型", lambda e: e.kind.name),
        ("事件类别", lambda e: e.category.name),
        ("网格", lambda e: e.grid.name),
        ("状态", lambda e: e.get_state_display()),
        ("上报时间", lambda e: e.reported_at),
        ("办理期限", lambda e: e.deadline),
        ("结案时间", lambda e: e.closed_at),
        ("评价", lambda e: e.get_rating_display()),
    ]


CATEGORY = Dimension(
    code="category", label="事件类别", field="category", name_field="category__name"
)


GROUP = Group(
    code="events",
    title="事件统计",
    action="events.view",
    list_template="events/_event_table.html",
    breakdown=(
        "events.reported",
        "events.due",
        "events.closed",
        "events.closure_rate",
        "events.on_time_closure_rate",
        "events.overdue_open",
        "events.satisfaction_rate",
    ),
    sort_by="events.closure_rate",
    layout=(
        (
            "核心指标",
            (
                "events.closure_rate",
                "events.on_time_closure_rate",
                "events.accurate_dispatch_rate",
                "events.satisfaction_rate",
                "events.rating_rate",
                "events.open",
                "events.overdue_open",
            ),
        ),
        ("结案", ("events.due", "events.closed", "events.closed_on_time", "events.closed_late")),
        (
            "办理量",
            (
                "events.reported",
                "events.accepted",
                "events.dispatched",
                "events.accurately_dispatched",
                "events.returned",
                "events.handled",
                "events.self_handled",
                "events.rework",
                "events.supervised",
            ),
        ),
        ("评价", ("events.rated", "events.satisfied", "events.rated_closed")),
        ("时效", ("events.avg_accept_hours", "events.avg_handle_hours")),
    ),
    prepare_list=_prepare_list,
    key=(
        "events.reported",
        "events.closure_rate",
        "events.on_time_closure_rate",
        "events.satisfaction_rate",
        "events.overdue_open",
    ),
    dimensions=(
        CATEGORY,
        Dimension(code="kind", label="事件类型", field="kind", name_field="kind__name"),
    ),
    export_columns=export_columns,
)

FIGURES = [
    # Counts first: rates and averages name them.
    Count(
        code="events.reported",
        label="上报数",
        records=reported,
        source=GBT,
        formula="统计期内上报(登记)的事件数,含不予受理和合并的事件。",
    ),
    Count(
        code="events.accepted",
        label="受理数",
        records=accepted,
        source=GBT,
        formula="统计期内受理的事件数(受理时间在统计期内;就地自行处置的事件处置时即视为受理)。",
    ),
    Count(
        code="events.dispatched",
        label="派遣数",
        records=dispatched,
        source=GBT,
        formula="统计期内首次派遣的事件数(首次派遣时间在统计期内,含中心自办);再次派遣不重复计。",
    ),
    Count(
        code="events.accurately_dispatched",
        label="准确派遣数",
        better="up",
        records=accurately_dispatched,
        source=GBT,
        formula="派遣数中从未被主办单位退回的事件数。",
    ),
    Count(
        code="events.returned",
        label="退回数",
        better="down",
        records=returned,
        source=LOCAL,
        formula="统计期内被主办单位退回综治中心的事件数(一件多次退回计一件;协办单位退回不计)。",
    ),
    Count(
        code="events.handled",
        label="处置数",
        records=handled,
        source=GBT,
        formula="统计期内承办单位办结反馈的派遣事件数(办结反馈时间在统计期内;不含自行处置)。",
    ),
    Count(
        code="events.self_handled",
        label="自行处置数",
        records=self_handled,
        source=GBT,
        formula="统计期内结案的事件中,由网格员或村(社区)就地自行处置的事件数。",
    ),
    Count(
        code="events.rework",
        label="返工数",
        better="down",
        records=rework,
        source=GBT,
        formula="统计期内核查不通过、发回返工的事件数(一件多次返工计一件)。",
    ),
    Count(
        code="events.supervised",
        label="督办数",
        records=supervised,
        source=LOCAL,
        formula="统计期内被督办或挂牌督办(含系统超期自动督办)的事件数;催办不计。",
    ),
    Count(
        code="events.due",
        label="应结案数",
        records=due,
        source=GBT,
        formula=(
            "统计期内结案的事件,加上办理期限在统计期内且已届满、统计期开始前尚未结案的事件"
            "(每件计一次)。"
        ),
    ),
    Count(
        code="events.closed",
        label="结案数",
        better="up",
        records=closed,
        source=GBT,
        formula="统计期内核查通过结案的事件数(结案时间在统计期内)。",
    ),
    Count(
        code="events.closed_on_time",
        label="按期结案数",
        better="up",
        records=closed_on_time,
        source=GBT,
        formula="结案数中在办理期限内结案的事件数(未派遣、无期限的自行处置事件计为按期)。",
    ),
    Count(
        code="events.closed_late",
        label="超期结案数",
        better="down",
        records=closed_late,
        source=GBT,
        formula="结案数中超过办理期限才结案的事件数。",
    ),
    Count(
        code="events.open",
        label="在办事件",
        snapshot=True,
        records=open_events,
        source=LOCAL,
        formula="当前尚未办结的事件数(待受理、待派遣、待签收、办理中、挂账、待核查);为当前时点数,不随统计期变化。",
    ),
    Count(
        code="events.overdue_open",
        label="超期未办结",
        better="down",
        snapshot=True,
        records=overdue_open,
        source=LOCAL,
        formula="当前处于计时状态(待签收、办理中、待核查)且已过办理期限的事件数;为当前时点数,不随统计期变化。",
    ),
    Count(
        code="events.rated",
        label="参评数",
        records=rated,
        source=LOCAL,
        formula="统计期内作出评价(满意、基本满意、不满意)的事件数;以事件最近一次评价为准。",
    ),
    Count(
        code="events.satisfied",
        label="满意数",
        better="up",
        records=satisfied,
        source=LOCAL,
        formula="参评数中评价为满意或基本满意的事件数。",
    ),
    Count(
        code="events.rated_closed",
        label="已评价结案数",
        records=rated_closed,
        source=LOCAL,
        formula="结案数中在结案后已作出评价的事件数。",
    ),
    # Rates.
    Rate(
        code="events.closure_rate",
        label="结案率",
        better="up",
        numerator="events.closed",
        denominator="events.due",
        source=GBT,
        formula="结案率 = 结案数 ÷ 应结案数 × 100%。",
    ),
    Rate(
        code="events.on_time_closure_rate",
        label="按期结案率",
        better="up",
        numerator="events.closed_on_time",
        denominator="events.due",
        source=GBT,
        formula="按期结案率 = 按期结案数 ÷ 应结案数 × 100%。",
    ),
    Rate(
        code="events.accurate_dispatch_rate",
        label="准确派遣率",
        better="up",
        numerator="events.accurately_dispatched",
        denominator="events.dispatched",
        source=GBT,
        formula="准确派遣率 = 准确派遣数 ÷ 派遣数 × 100% =(派遣数 − 其中被退回数)÷ 派遣数。",
    ),
    Rate(
        code="events.satisfaction_rate",
        label="满意率",
        better="up",
        numerator="events.satisfied",
        denominator="events.rated",
        source=LOCAL,
        formula="满意率 =(满意 + 基本满意)÷ 参评数 × 100%。",
    ),
    Rate(
        code="events.rating_rate",
        label="参评率",
        better="up",
        numerator="events.rated_closed",
        denominator="events.closed",
        source=LOCAL,
        formula="参评率 = 已评价结案数 ÷ 结案数 × 100%。",
    ),
    # Averages.
    Average(
        code="events.avg_accept_hours",
        label="平均受理时长",
        better="down",
        over="events.accepted",
        expression=_hours_between("reported_at", "accepted_at"),
        scale=3600,
        source=GBT,
        formula="受理数所含事件从上报到受理的时长(自然小时)的平均值。",
    ),
    Average(
        code="events.avg_handle_hours",
        label="平均处置时长",
        better="down",
        over="events.handled",
        expression=_hours_between("dispatched_at", "handled_at"),
        scale=3600,
        source=GBT,
        formula="处置数所含事件从(最近一次)派遣到办结反馈的时长(自然小时)的平均值。",
    ),
]

register_group(GROUP)
register(*FIGURES)
