"""The figures of disputes (矛盾纠纷统计), registered with `gridgov.metrics.figures`.

DOMAIN.md §5.4 found no national formula; each is defined once here and in docs/metrics.md.
Every count is one queryset function starting from the user's scoped rows and kept to the area's
subtree (`within`): dispute events (`events.view`, kind 矛盾纠纷) for the case figures, screening
reports (`disputes.view`) and villages (`areas.view`) for the screening figures. The list page of
a count shows that queryset. The township's monthly and quarterly sheets (disputes/sheets.py)
are these figures evaluated per village, so the sheet and the statistics page cannot disagree.

Mediation figures are counted by the day a mediation ended (`ended_on`), not by the day the
dispute was reported: a month's sheet reports what was settled in the month, and a past month's
rate does not move when an old case is settled later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Min, QuerySet
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.disputes import periods, services
from gridgov.disputes.choices import (
    AgreementForm,
    ListingState,
    MediationState,
    Performance,
)
from gridgov.disputes.models import (
    DisputeDetail,
    FollowUpVisit,
    MajorListing,
    Mediation,
    ScreeningReport,
)
from gridgov.events import metrics as event_metrics
from gridgov.events.choices import State
from gridgov.events.models import Event
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

LOCAL = "gridgov"
DISPUTE = services.DISPUTE_KIND


# --- Record sets ------------------------------------------------------------------------------


def disputes(user: Any, area: Any) -> QuerySet[Event]:
    """The dispute events `user` may see in `area` or below: where every case count starts."""
    return within(Event.objects.for_user(user, "events.view"), area).filter(kind__code=DISPUTE)


def _with(user: Any, area: Any, rows: QuerySet, field: str = "dispute__event_id") -> QuerySet:
    return disputes(user, area).filter(pk__in=rows.values(field))


def _mediations(user: Any, area: Any) -> QuerySet[Mediation]:
    return within(Mediation.objects.for_user(user, "disputes.view"), area)


def _ended(user: Any, area: Any, period: Period) -> QuerySet[Mediation]:
    return (
        _mediations(user, area)
        .filter(ended_on__gte=period.start, ended_on__lte=period.end)
        .exclude(state=MediationState.OPEN)
    )


def _reports(user: Any, area: Any) -> QuerySet[ScreeningReport]:
    return within(ScreeningReport.objects.for_user(user, "disputes.view"), area)


# --- Counts: cases ------------------------------------------------------------------------------


def registered(user: Any, area: Any, period: Period) -> QuerySet:
    return (
        disputes(user, area)
        .filter(period.q("reported_at"))
        .exclude(state__in=[State.REJECTED, State.MERGED])
    )


def found(user: Any, area: Any, period: Period) -> QuerySet:
    # The first report may be any the user sees (a village's report lists the disputes of its
    # grids): only the disputes are kept to the area, so a grid counts what its village's
    # reports found there, and the sub-areas of an area add up to it (figures.by_area).
    through = ScreeningReport.disputes.through
    reports = ScreeningReport.objects.for_user(user, "disputes.view")
    first = (
        through.objects.filter(screeningreport__in=reports)
        .values("event_id")
        .annotate(first=Min("screeningreport__period_end"))
        .filter(first__gte=period.start, first__lte=period.end)
        .values("event_id")
    )
    return disputes(user, area).filter(pk__in=first)


def major(user: Any, area: Any, period: Period) -> QuerySet:
    details = within(DisputeDetail.objects.for_user(user, "disputes.view"), area).filter(
        is_major=True
    )
    return registered(user, area, period).filter(pk__in=details.values("event_id"))


def concluded(user: Any, area: Any, period: Period) -> QuerySet:
    return _with(user, area, _ended(user, area, period))


def succeeded(user: Any, area: Any, period: Period) -> QuerySet:
    return _with(user, area, _ended(user, area, period).filter(state=MediationState.SUCCEEDED))


def on_time(user: Any, area: Any, period: Period) -> QuerySet:
    return _with(user, area, _ended(user, area, period).filter(ended_on__lte=F("norm_due_on")))


def written(user: Any, area: Any, period: Period) -> QuerySet:
    rows = _ended(user, area, period).filter(
        state=MediationState.SUCCEEDED, agreement_form=AgreementForm.WRITTEN
    )
    return _with(user, area, rows)


def confirmation_requested(user: Any, area: Any, period: Period) -> QuerySet:
    rows = _ended(user, area, period).filter(
        state=MediationState.SUCCEEDED,
        agreement_form=AgreementForm.WRITTEN,
        confirmation_requested_on__isnull=False,
    )
    return _with(user, area, rows)


def performed(user: Any, area: Any, period: Period) -> QuerySet:
    rows = _ended(user, area, period).filter(
        state=MediationState.SUCCEEDED, performance=Performance.PERFORMED
    )
    return _with(user, area, rows)


def visited(user: Any, area: Any, period: Period) -> QuerySet:
    visits = within(FollowUpVisit.objects.for_user(user, "disputes.view"), area)
    rows = _ended(user, area, period).filter(
        state=MediationState.SUCCEEDED, pk__in=visits.values("mediation_id")
    )
    return _with(user, area, rows)


def listed_open(user: Any, area: Any, period: Period) -> QuerySet:
    rows = within(MajorListing.objects.for_user(user, "disputes.view"), area).filter(
        state=ListingState.LISTED, listed_at__lt=period.as_of
    )
    return _with(user, area, rows)


def crossed_off(user: Any, area: Any, period: Period) -> QuerySet:
    rows = within(MajorListing.objects.for_user(user, "disputes.view"), area).filter(
        state=ListingState.CROSSED_OFF, resolved_on__gte=period.start, resolved_on__lte=period.end
    )
    return _with(user, area, rows)


def _events_of_kind(figure: Any) -> Any:
    """A hub figure's records kept to dispute events (办结, 及时, 满意 … of disputes)."""
    return lambda user, area, period: figure(user, area, period).filter(kind__code=DISPUTE)


# --- Counts: screening ----------------------------------------------------------------------------


def reports_filed(user: Any, area: Any, period: Period) -> QuerySet:
    return _reports(user, area).filter(period_end__gte=period.start, period_end__lte=period.end)


def reports_on_time(user: Any, area: Any, period: Period) -> QuerySet:
    return reports_filed(user, area, period).filter(on_time=True)


def zero_reports(user: Any, area: Any, period: Period) -> QuerySet:
    return reports_filed(user, area, period).filter(is_zero=True)


def due_windows(
    village: Area, period: Period, start: dt.date | None = None, kind: str = ""
) -> list[periods.Window]:
    """The screening periods of `village` ending in `period` whose report was due before
    `as_of` (a current period still open is not yet due), from the day its screening began
    (`start`, services.screening_starts), in its screening period `kind` (policy_period)."""
    as_of = timezone.localtime(period.as_of).date()
    if start is None:
        start = services.screening_starts([village])[village.pk]
    kind = kind or services.policy_period(village)
    return [
        w
        for w in periods.windows_ending_in(kind, period.start, period.end)
        if w.due_on < as_of and start <= w.end
    ]


def _villages(user: Any, area: Any) -> QuerySet[Area]:
    from gridgov.disputes.selectors import visible_villages

    return visible_villages(user, area)


def village_windows(user: Any, area: Any, period: Period) -> dict[Area, list[periods.Window]]:
    """Each visible village under `area` with the periods it had to report for in `period`."""
    villages = list(_villages(user, area))
    starts = services.screening_starts(villages)
    # One query for every village's policy: a district has hundreds of villages.
    kinds = services.policy_periods(villages)
    return {v: due_windows(v, period, starts[v.pk], kinds[v.pk]) for v in villages}


def villages_due(user: Any, area: Any, period: Period) -> QuerySet:
    ids = [v.pk for v, windows in village_windows(user, area, period).items() if windows]
    return _villages(user, area).filter(pk__in=ids)


def villages_reported(user: Any, area: Any, period: Period) -> QuerySet:
    """Villages that filed every report due in the period, each by its due day."""
    due = {v: w for v, w in village_windows(user, area, period).items() if w}
    on_time_filed = set(
        _reports(user, area)
        .filter(on_time=True, area_id__in=[v.pk for v in due])
        .values_list("area_id", "period_start")
    )
    ids = [
        v.pk for v, windows in due.items() if all((v.pk, w.start) in on_time_filed for w in windows)
    ]
    return _villages(user, area).filter(pk__in=ids)


# --- Registration ---------------------------------------------------------------------------------


def _prepare_list(queryset: QuerySet) -> QuerySet:
    if queryset.model is Event:
        return queryset.select_related("category", "kind", "grid").order_by("-reported_at", "-pk")
    if queryset.model is ScreeningReport:
        return queryset.select_related("area", "filed_by").order_by("-period_end", "area_path")
    return queryset.order_by("path")


def _export_columns(model: type) -> list[tuple[str, Any]]:
    """The columns of an exported list: dispute events, screening reports or villages."""
    if model is Event:
        return event_metrics.export_columns(model)
    if model is ScreeningReport:
        return [
            ("村(社区)", lambda r: r.area.name),
            ("排查期起", lambda r: r.period_start),
            ("排查期止", lambda r: r.period_end),
            ("应报日期", lambda r: r.due_on),
            ("零报告", lambda r: r.is_zero),
            ("上报时间", lambda r: r.filed_at),
            ("按时上报", lambda r: r.on_time),
        ]
    return [("区域代码", lambda a: a.code), ("村(社区)", lambda a: a.name)]


# The counts whose records are dispute events (the screening counts list reports or villages).
CASE_COUNTS = tuple(
    f"disputes.{code}"
    for code in (
        "registered",
        "found",
        "major",
        "concluded",
        "succeeded",
        "on_time",
        "written",
        "confirmation_requested",
        "performed",
        "visited",
        "listed_open",
        "crossed_off",
        "due",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "rated_closed",
    )
)


GROUP = Group(
    code="disputes",
    title="矛盾纠纷统计",
    action="disputes.view",
    list_template="disputes/_metric_records.html",
    breakdown=(
        "disputes.found",
        "disputes.registered",
        "disputes.concluded",
        "disputes.succeeded",
        "disputes.success_rate",
        "disputes.major",
        "disputes.screening_rate",
    ),
    sort_by="disputes.success_rate",
    layout=(
        (
            "核心指标",
            (
                "disputes.success_rate",
                "disputes.on_time_rate",
                "disputes.closure_rate",
                "disputes.timely_rate",
                "disputes.satisfaction_rate",
                "disputes.screening_rate",
            ),
        ),
        (
            "排查与受理",
            (
                "disputes.found",
                "disputes.registered",
                "disputes.major",
                "disputes.listed_open",
                "disputes.crossed_off",
            ),
        ),
        (
            "调处",
            (
                "disputes.concluded",
                "disputes.succeeded",
                "disputes.on_time",
                "disputes.written",
                "disputes.confirmation_requested",
                "disputes.confirmation_rate",
                "disputes.performed",
                "disputes.performance_rate",
                "disputes.visited",
                "disputes.visit_rate",
            ),
        ),
        (
            "办结与评价",
            (
                "disputes.due",
                "disputes.closed",
                "disputes.closed_on_time",
                "disputes.rated",
                "disputes.satisfied",
                "disputes.rated_closed",
                "disputes.rating_rate",
            ),
        ),
        (
            "排查上报",
            (
                "disputes.villages_due",
                "disputes.villages_reported",
                "disputes.reports_filed",
                "disputes.reports_on_time",
                "disputes.zero_reports",
                "disputes.report_on_time_rate",
            ),
        ),
    ),
    prepare_list=_prepare_list,
    key=(
        "disputes.found",
        "disputes.registered",
        "disputes.success_rate",
        "disputes.closure_rate",
        "disputes.satisfaction_rate",
        "disputes.screening_rate",
    ),
    dimensions=(
        Dimension(
            code="category",
            label="纠纷类别",
            field="category",
            name_field="category__name",
            counts=CASE_COUNTS,
        ),
    ),
    export_columns=_export_columns,
)


def _count(code: str, label: str, records: Any, formula: str, **extra: Any) -> Count:
    return Count(
        code=f"disputes.{code}",
        label=label,
        records=records,
        source=LOCAL,
        formula=formula,
        **extra,
    )


def _rate(code: str, label: str, numerator: str, denominator: str, formula: str) -> Rate:
    return Rate(
        code=f"disputes.{code}",
        label=label,
        better="up",
        numerator=f"disputes.{numerator}",
        denominator=f"disputes.{denominator}",
        source=LOCAL,
        formula=formula,
    )


FIGURES = [
    _count(
        "registered",
        "纠纷登记数",
        registered,
        "统计期内上报(登记)的矛盾纠纷事件数,不含不予受理和已合并的事件。",
    ),
    _count(
        "found",
        "排查发现数",
        found,
        "首次列入排查报告的纠纷数:该纠纷最早所在排查报告的排查期止日在统计期内。",
    ),
    _count("major", "重大纠纷数", major, "纠纷登记数中研判为重大纠纷的件数。"),
    _count(
        "concluded",
        "调处结束数",
        concluded,
        "统计期内调解结束(调解成功或调解不成,以调结日期计)的纠纷数;一件多次调解计一件。",
    ),
    _count(
        "succeeded",
        "调处成功数",
        succeeded,
        better="up",
        formula="调处结束数中调解成功(达成书面或口头协议)的纠纷数。",
    ),
    _count(
        "on_time",
        "按期调结数",
        on_time,
        better="up",
        formula="调处结束数中在受理调解后一个月(规范调结日期)内结束的纠纷数。",
    ),
    _count(
        "written",
        "书面协议数",
        written,
        "统计期内调解成功且达成书面协议的纠纷数(以协议生效日期计)。",
    ),
    _count(
        "confirmation_requested",
        "申请司法确认数",
        confirmation_requested,
        better="up",
        formula="书面协议数中已申请司法确认的纠纷数。",
    ),
    _count(
        "performed",
        "协议已履行数",
        performed,
        better="up",
        formula="调处成功数中最近一次核实为已履行的纠纷数。",
    ),
    _count(
        "visited", "已回访数", visited, better="up", formula="调处成功数中至少回访一次的纠纷数。"
    ),
    _count(
        "listed_open",
        "挂牌督办在办数",
        listed_open,
        snapshot=True,
        formula="当前仍挂牌督办、尚未销号的重大纠纷数;为当前时点数,不随统计期变化。",
    ),
    _count(
        "crossed_off",
        "销号数",
        crossed_off,
        better="up",
        formula="统计期内化解并验收销号的挂牌督办纠纷数(以化解日期计)。",
    ),
    _count(
        "due",
        "应办结数",
        _events_of_kind(event_metrics.due),
        "事件统计“应结案数”中的矛盾纠纷事件。",
    ),
    _count(
        "closed",
        "办结数",
        _events_of_kind(event_metrics.closed),
        better="up",
        formula="事件统计“结案数”中的矛盾纠纷事件。",
    ),
    _count(
        "closed_on_time",
        "按期办结数",
        _events_of_kind(event_metrics.closed_on_time),
        better="up",
        formula="事件统计“按期结案数”中的矛盾纠纷事件。",
    ),
    _count(
        "rated",
        "参评数",
        _events_of_kind(event_metrics.rated),
        "事件统计“参评数”中的矛盾纠纷事件。",
    ),
    _count(
        "satisfied",
        "满意数",
        _events_of_kind(event_metrics.satisfied),
        better="up",
        formula="参评数中评价为满意或基本满意的纠纷数。",
    ),
    _count(
        "rated_closed",
        "已评价办结数",
        _events_of_kind(event_metrics.rated_closed),
        "办结数中结案后已评价的纠纷数。",
    ),
    _count(
        "villages_due",
        "应报单位数",
        villages_due,
        "辖区内在用的村(社区)中,统计期内有排查期止日且已过应报日期的单位数。",
        area_field="path",  # the records are the villages themselves
    ),
    _count(
        "villages_reported",
        "按时上报单位数",
        villages_reported,
        better="up",
        formula="应报单位中,统计期内每一期排查报告(含零报告)都在应报日期前上报的单位数。",
        area_field="path",
    ),
    _count(
        "reports_filed",
        "排查报告数",
        reports_filed,
        "排查期止日在统计期内的排查报告数(含零报告、迟报)。",
    ),
    _count(
        "reports_on_time",
        "按时上报报告数",
        reports_on_time,
        better="up",
        formula="排查报告数中在应报日期前上报的报告数。",
    ),
    _count("zero_reports", "零报告数", zero_reports, "排查报告数中的零报告数。"),
    _rate(
        "success_rate",
        "调处成功率",
        "succeeded",
        "concluded",
        "调处成功率 = 调处成功数 ÷ 调处结束数 × 100%。",
    ),
    _rate(
        "on_time_rate",
        "按期调结率",
        "on_time",
        "concluded",
        "按期调结率 = 按期调结数 ÷ 调处结束数 × 100%。",
    ),
    _rate(
        "confirmation_rate",
        "司法确认率",
        "confirmation_requested",
        "written",
        "司法确认率 = 申请司法确认数 ÷ 书面协议数 × 100%。",
    ),
    _rate(
        "performance_rate",
        "协议履行率",
        "performed",
        "succeeded",
        "协议履行率 = 协议已履行数 ÷ 调处成功数 × 100%。",
    ),
    _rate(
        "visit_rate", "回访率", "visited", "succeeded", "回访率 = 已回访数 ÷ 调处成功数 × 100%。"
    ),
    _rate("closure_rate", "办结率", "closed", "due", "办结率 = 办结数 ÷ 应办结数 × 100%。"),
    _rate(
        "timely_rate",
        "及时率",
        "closed_on_time",
        "due",
        "及时率(按期办结率)= 按期办结数 ÷ 应办结数 × 100%。",
    ),
    _rate(
        "satisfaction_rate",
        "满意率",
        "satisfied",
        "rated",
        "满意率 =(满意 + 基本满意)÷ 参评数 × 100%。",
    ),
    _rate(
        "rating_rate", "参评率", "rated_closed", "closed", "参评率 = 已评价办结数 ÷ 办结数 × 100%。"
    ),
    _rate(
        "screening_rate",
        "排查上报率",
        "villages_reported",
        "villages_due",
        "排查上报率(零报告上报率)= 按时上报单位数 ÷ 应报单位数 × 100%。",
    ),
    _rate(
        "report_on_time_rate",
        "报告按时率",
        "reports_on_time",
        "reports_filed",
        "报告按时率 = 按时上报报告数 ÷ 排查报告数 × 100%。",
    ),
]

register_group(GROUP)
register(*FIGURES)
