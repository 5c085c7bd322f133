"""Every change to a dispute's records (DOMAIN.md §5): its details and parties, its mediation
(sessions, agreement, judicial confirmation, performance, follow-up visits, files), the villages'
screening reports with the missing-report check, and the supervised list (挂牌督办, 销号).

A dispute is an event of the hub, so each step here also writes a step on the event's timeline
(`events.services.record_step`), and the hub's own steps are called where the dispute needs
them: concluding a mediation may settle the event on the spot or report it done; listing a major
dispute is the hub's 挂牌督办. Each function is one transaction: permission (role + jurisdiction,
or being the event's assignee), version check, validation with Chinese messages, writes, audit.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core import audit, workcalendar
from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed
from gridgov.core.uploads import check_upload
from gridgov.disputes import periods
from gridgov.disputes.choices import (
    SUBCATEGORY_LABELS,
    AgreementForm,
    Committee,
    Confirmation,
    FailureRoute,
    FileKind,
    Linkage,
    ListingState,
    MediationState,
    Method,
    PartyRole,
    Performance,
    PersonCategory,
    RiskLevel,
    Scale,
    ScreeningPeriod,
    VisitWay,
    first_level_of_event_category,
)
from gridgov.disputes.models import (
    DisputeDetail,
    DisputeParty,
    FollowUpVisit,
    MajorListing,
    Mediation,
    MediationFile,
    MediationSession,
    ScreeningPolicy,
    ScreeningReminder,
    ScreeningReport,
)
from gridgov.events import services as event_services
from gridgov.events.choices import (
    ASSIGNMENT_OPEN,
    FINISHED_STATES,
    OPEN_STATES,
    AssignmentRole,
    State,
    Supervision,
)
from gridgov.events.models import Assignment, Event, EventParty

DISPUTE_KIND = "dispute"
# A group event (一般/重大群体性事件) involves at least this many people (as a collective petition).
GROUP_MIN_PEOPLE = 5
# Mediation ways: the 5.58 mediation codes (01xx) and negotiated settlement (06 协商和解).
MEDIATION_METHODS = frozenset(
    m for m in Method.values if m.startswith("01") or m == Method.NEGOTIATION
)

MAX_UPLOADS = 9

# Labels of the steps this app writes on the event's timeline (events' step_label shows them).
STEP_LABELS = {
    "dispute_recorded": "登记纠纷详情",
    "dispute_changed": "修改纠纷详情",
    "mediation_started": "受理调解",
    "mediation_session": "调解记录",
    "mediation_agreed": "调解成功,达成协议",
    "mediation_failed": "调解不成",
    "judicial_confirmation": "司法确认",
    "agreement_performance": "协议履行",
    "follow_up": "回访",
    "listing_crossed_off": "挂牌督办销号",
}


# --- Helpers -------------------------------------------------------------------------------------


_clock: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "disputes_clock", default=None
)


def now() -> dt.datetime:
    return _clock.get() or timezone.now()


def today() -> dt.date:
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Record the steps inside the block as happening at `moment`, and the event hub's steps with
    them: for the demo's history and for loading past records from another system, never for a
    user's live action."""
    token = _clock.set(moment)
    try:
        with event_services.as_of(moment):
            yield
    finally:
        _clock.reset(token)


def mediation_norm_months() -> int:
    """People's mediation normally ends within a month (司法部《人民调解工作若干规定》第33条)."""
    return int(getattr(settings, "GRIDGOV_MEDIATION_NORM_MONTHS", 1))


def confirmation_limit() -> tuple[int, str]:
    """Judicial confirmation is asked within 30 days of the agreement (人民调解法 第33条)."""
    value, unit = getattr(
        settings,
        "GRIDGOV_JUDICIAL_CONFIRMATION_LIMIT",
        (30, workcalendar.DurationUnit.NATURAL_DAYS),
    )
    return int(value), str(unit)


def confirmation_due(agreement_on: dt.date) -> dt.date:
    """The last day to ask a court for judicial confirmation of an agreement."""
    start = timezone.make_aware(
        dt.datetime.combine(agreement_on, dt.time.min), timezone.get_default_timezone()
    )
    return timezone.localtime(workcalendar.add_duration(start, *confirmation_limit())).date()


def _text(
    value: str | None, *, field: str, label: str, required: bool = True, limit: int = 0
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if limit and len(text) > limit:
        raise Invalid(f"{label}不能超过 {limit} 字。", field=field)
    return text


def _date(
    value: Any, *, field: str, label: str, not_before: dt.date | None = None, before_label: str = ""
) -> dt.date:
    if not isinstance(value, dt.date):
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if value > today():
        raise Invalid(f"{label}不能晚于今天。", field=field)
    if not_before is not None and value < not_before:
        raise Invalid(f"{label}不能早于{before_label}({not_before:%Y-%m-%d})。", field=field)
    return value


def _choice(value: str, choices: Any, *, field: str, label: str, blank: bool = False) -> str:
    value = value or ""
    if blank and value == "":
        return value
    if value not in choices:
        raise Invalid(f"{label}不正确。", field=field)
    return value


def _is_assignee(actor: Any, event: Event) -> bool:
    """Whether `actor` acts for one of the event's open dispatches (a 司法所 mediating it)."""
    from gridgov.events.selectors import is_assignee

    with unscoped("the event's open dispatches, matched against the actor"):
        rows = list(
            Assignment.objects.filter(event_id=event.pk, state__in=ASSIGNMENT_OPEN)
            .exclude(role=AssignmentRole.COPY)
            .select_related("department", "area")
        )
    return any(is_assignee(actor, row) for row in rows)


def may(actor: Any, action: str, event: Event) -> bool:
    """`action` on a dispute: by role over the event's area, or (record, mediate) as the assignee
    the event was dispatched to."""
    if jurisdiction(actor).allows(action, event.area_path):
        return True
    return action in ("disputes.record", "disputes.mediate") and _is_assignee(actor, event)


def _check(actor: Any, action: str, event: Event, refusal: str) -> None:
    rights = jurisdiction(actor)
    if not (
        rights.allows("disputes.view", event.area_path)
        or rights.allows("events.view", event.area_path)
        or _is_assignee(actor, event)
    ):
        raise NotFound("未找到该纠纷。")
    if not may(actor, action, event):
        raise NotPermitted(refusal)


def _event_of(detail: DisputeDetail) -> Event:
    with unscoped("the dispute's own event"):
        return Event.objects.select_related("category", "grid").get(pk=detail.event_id)


def _step(event: Event, actor: Any, action: str, note: str = "") -> None:
    event_services.record_step(event, actor=actor, action=action, note=note)


def _cadre(user: Any, event: Event, *, field: str, label: str) -> Any:
    """A user named on a dispute (包案人, 调解员, 责任人): active and able to see it."""
    if user is None:
        return None
    if not user.is_active:
        raise Invalid(f"{label}“{user.full_name or user.username}”已停用。", field=field)
    if not (
        jurisdiction(user).allows("disputes.view", event.area_path) or _is_assignee(user, event)
    ):
        raise Invalid(
            f"{label}“{user.full_name or user.username}”不能查看该纠纷,请选择辖区内的人员。",
            field=field,
        )
    return user


# --- Details ------------------------------------------------------------------------------------

DETAIL_FIELDS = (
    "subcategory",
    "scale",
    "amount",
    "people_count",
    "risk_collective",
    "risk_extreme",
    "risk_skip_petition",
    "risk_level",
    "is_major",
    "owner",
    "assessment",
)


def _apply_details(detail: DisputeDetail, event: Event, values: dict[str, Any]) -> None:
    for name in DETAIL_FIELDS:
        if name in values:
            setattr(detail, name, values[name])
    first = first_level_of_event_category(event.category.code)
    if detail.subcategory not in SUBCATEGORY_LABELS:
        raise Invalid("请选择纠纷类别(GB/T 31000 事件类别二级)。", field="subcategory")
    if first and detail.subcategory[:2] != first:
        raise Invalid(
            f"纠纷类别应属于事件类别“{event.category.name}”,请选择其下的二级类别,"
            "或先更正事件类别。",
            field="subcategory",
        )
    _choice(detail.scale, Scale.values, field="scale", label="事件规模")
    _choice(detail.risk_level, RiskLevel.values, field="risk_level", label="风险等级", blank=True)
    if detail.amount is not None:
        try:
            detail.amount = Decimal(str(detail.amount))
        except InvalidOperation as exc:
            raise Invalid("涉及金额不正确。", field="amount") from exc
        if detail.amount < 0:
            raise Invalid("涉及金额不能为负数。", field="amount")
    if not detail.people_count or detail.people_count < 1:
        raise Invalid("涉及人数至少为 1。", field="people_count")
    if detail.scale != Scale.INDIVIDUAL and detail.people_count < GROUP_MIN_PEOPLE:
        raise Invalid(
            f"群体性事件涉及人数应不少于 {GROUP_MIN_PEOPLE} 人,请核对规模或人数。",
            field="people_count",
        )
    detail.assessment = _text(
        detail.assessment, field="assessment", label="研判意见", required=False, limit=2000
    )
    detail.owner = _cadre(detail.owner, event, field="owner", label="包案人")


@transaction.atomic
def record_dispute(event: Event, *, actor: Any, **values: Any) -> DisputeDetail:
    """Record the details of a dispute event (研判: 类别, 规模, 风险, 是否重大, 包案人). The
    persons and units reported with the event become its parties. Who: disputes.record over
    the event's area, or the event's assignee. Raises Invalid (nothing written), NotPermitted,
    InvalidTransition for a rejected or merged event."""
    event = lock_current(event, expected_version=None)
    _check(actor, "disputes.record", event, "您不能登记该纠纷的详情。")
    if event.kind.code != DISPUTE_KIND:
        raise Invalid("只有“矛盾纠纷”类事件可以登记纠纷详情。", field="event")
    if event.state in (State.REJECTED, State.MERGED):
        raise InvalidTransition(f"事件当前为“{event.get_state_display()}”,不能登记纠纷详情。")
    with unscoped("one detail per event"):
        if DisputeDetail.objects.filter(event_id=event.pk).exists():
            raise InvalidTransition("该纠纷已登记详情,请修改已有详情。")
    detail = DisputeDetail(
        event=event, area_path=event.area_path, recorded_by=actor, subcategory="", people_count=2
    )
    _apply_details(detail, event, values)
    full_clean_or_invalid(detail, exclude=["event", "owner", "recorded_by"])
    with audit.action(actor, "disputes.detail.recorded"):
        detail.save()
        with unscoped("the event's reported parties become the dispute's"):
            reported = list(EventParty.objects.filter(event_id=event.pk).order_by("pk"))
        for party in reported:
            DisputeParty(
                dispute=detail,
                area_path=detail.area_path,
                person_id=party.person_id,
                unit_id=party.unit_id,
                role=PartyRole.PARTY,
            ).save()
        _step(event, actor, "dispute_recorded", _summary(detail))
    return detail


def _summary(detail: DisputeDetail) -> str:
    parts = [
        detail.get_subcategory_display(),
        detail.get_scale_display(),
        f"{detail.people_count} 人",
    ]
    if detail.amount is not None:
        parts.append(f"涉及金额 {detail.amount} 元")
    if detail.risks:
        parts.append("风险:" + "、".join(detail.risks))
    if detail.is_major:
        parts.append("重大纠纷")
    return ";".join(parts)


@transaction.atomic
def update_dispute(
    detail: DisputeDetail, *, actor: Any, version: int, **values: Any
) -> DisputeDetail:
    """Change a dispute's details (a new assessment, another owner). Same rights and rules as
    `record_dispute`; a stale `version` is a Conflict."""
    detail = lock_current(detail, expected_version=version)
    event = _event_of(detail)
    _check(actor, "disputes.record", event, "您不能修改该纠纷的详情。")
    _apply_details(detail, event, values)
    full_clean_or_invalid(detail, exclude=["event", "owner", "recorded_by"])
    with audit.action(actor, "disputes.detail.changed"):
        save_changed(detail)
        _step(event, actor, "dispute_changed", _summary(detail))
    return detail


@transaction.atomic
def add_party(
    detail: DisputeDetail,
    *,
    actor: Any,
    role: str,
    person: Any = None,
    unit: Any = None,
    person_category: str = "",
    is_main: bool = False,
) -> DisputeParty:
    """Add a registered person or unit as a party, with their role (and, for a person, the
    5.57 category). The actor must see the person or unit in the registry."""
    from gridgov.registry.models import Person, Unit

    detail = lock_current(detail, expected_version=None)
    event = _event_of(detail)
    _check(actor, "disputes.record", event, "您不能修改该纠纷的当事人。")
    if (person is None) == (unit is None):
        raise Invalid("请选择一名人员或一个单位。", field="person")
    target = person or unit
    if not isinstance(target, Person | Unit):
        raise Invalid("当事人须为已登记的人员或单位。", field="person")
    if not jurisdiction(actor).allows("registry.view", target.area_path):
        raise NotFound("未找到该人员或单位。")
    _choice(role, PartyRole.values, field="role", label="当事人角色")
    _choice(
        person_category,
        PersonCategory.values,
        field="person_category",
        label="人员类别",
        blank=True,
    )
    if unit is not None and person_category:
        raise Invalid("单位当事人无需填写人员类别。", field="person_category")
    with unscoped("duplicate party check"):
        same = DisputeParty.objects.filter(dispute=detail, removed_at__isnull=True)
        same = same.filter(person=person) if person is not None else same.filter(unit=unit)
        if same.exists():
            raise Invalid(f"“{target.name}”已是该纠纷的当事人。", field="person")
    party = DisputeParty(
        dispute=detail,
        area_path=detail.area_path,
        person=person,
        unit=unit,
        role=role,
        person_category=person_category,
        is_main=bool(is_main),
    )
    with audit.action(actor, "disputes.party.added"):
        party.save()
    return party


@transaction.atomic
def remove_party(party: DisputeParty, *, actor: Any, version: int) -> DisputeParty:
    """Take a party off the dispute (kept, with the time it was removed)."""
    party = lock_current(party, expected_version=version)
    with unscoped("the party's dispute"):
        detail = DisputeDetail.objects.get(pk=party.dispute_id)
    _check(actor, "disputes.record", _event_of(detail), "您不能修改该纠纷的当事人。")
    if party.removed_at is not None:
        raise InvalidTransition("该当事人已移除。")
    party.removed_at = now()
    with audit.action(actor, "disputes.party.removed"):
        save_changed(party)
    return party


# --- Mediation ----------------------------------------------------------------------------------


def _mediation_event(mediation: Mediation) -> Event:
    with unscoped("the mediation's dispute and event"):
        detail = DisputeDetail.objects.get(pk=mediation.dispute_id)
    return _event_of(detail)


def _mediators(users: Iterable[Any], event: Event) -> list[Any]:
    unique = {u.pk: u for u in users or ()}
    return [_cadre(u, event, field="mediators", label="调解员") for u in unique.values()]


@transaction.atomic
def start_mediation(
    detail: DisputeDetail,
    *,
    actor: Any,
    committee: str,
    organisation: str,
    method: str = Method.PEOPLES,
    linkage: str = "",
    mediators: Iterable[Any] = (),
    other_mediators: str = "",
    started_on: dt.date | None = None,
) -> Mediation:
    """Take the dispute up for mediation: the organisation, the way (5.58) and its link, the
    mediators. The norm date (`norm_due_on`) is a month after `started_on`. One mediation at a
    time; the event must still be open."""
    detail = lock_current(detail, expected_version=None)
    event = _event_of(detail)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    if event.state not in OPEN_STATES:
        raise InvalidTransition(f"事件当前为“{event.get_state_display()}”,不能再受理调解。")
    with unscoped("one open mediation per dispute"):
        if Mediation.objects.filter(dispute=detail, state=MediationState.OPEN).exists():
            raise InvalidTransition("该纠纷已有进行中的调解,请先登记其结果。")
    _choice(committee, Committee.values, field="committee", label="调解组织类型")
    organisation = _text(organisation, field="organisation", label="调解组织名称", limit=100)
    if method not in MEDIATION_METHODS:
        raise Invalid("请选择调解方式(人民调解、行政调解、司法调解等)。", field="method")
    _choice(linkage, Linkage.values, field="linkage", label="对接方式", blank=True)
    reported_on = timezone.localtime(event.reported_at).date()
    started_on = _date(
        started_on or today(),
        field="started_on",
        label="受理调解日期",
        not_before=reported_on,
        before_label="事件上报日期",
    )
    people = _mediators(mediators, event)
    other_mediators = _text(
        other_mediators, field="other_mediators", label="其他调解员", required=False, limit=200
    )
    if not people and not other_mediators:
        raise Invalid("请至少指定一名调解员。", field="mediators")
    mediation = Mediation(
        dispute=detail,
        area_path=detail.area_path,
        committee=committee,
        organisation=organisation,
        method=method,
        linkage=linkage,
        other_mediators=other_mediators,
        started_on=started_on,
        norm_due_on=periods.add_months(started_on, mediation_norm_months()),
        recorded_by=actor,
    )
    with audit.action(actor, "disputes.mediation.started"):
        mediation.save()
        mediation.mediators.set(people)
        names = "、".join(
            [p.full_name or p.username for p in people]
            + ([other_mediators] if other_mediators else [])
        )
        link = f",{Linkage(linkage).label}" if linkage else ""
        _step(
            event,
            actor,
            "mediation_started",
            f"{organisation}受理调解({Method(method).label}{link}),调解员:{names};"
            f"规范调结日期 {mediation.norm_due_on:%Y-%m-%d}",
        )
    return mediation


@transaction.atomic
def record_session(
    mediation: Mediation,
    *,
    actor: Any,
    held_on: dt.date,
    attendees: str,
    notes: str,
    place: str = "",
) -> MediationSession:
    """One sitting of an open mediation, with who attended and the record (笔录)."""
    mediation = lock_current(mediation, expected_version=None)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    if not mediation.is_open:
        raise InvalidTransition("调解已结束,不能再登记调解记录。")
    held_on = _date(
        held_on,
        field="held_on",
        label="调解日期",
        not_before=mediation.started_on,
        before_label="受理调解日期",
    )
    session = MediationSession(
        mediation=mediation,
        area_path=mediation.area_path,
        held_on=held_on,
        place=_text(place, field="place", label="地点", required=False, limit=100),
        attendees=_text(attendees, field="attendees", label="参加人员", limit=500),
        notes=_text(notes, field="notes", label="调解记录", limit=8000),
        recorded_by=actor,
    )
    with audit.action(actor, "disputes.mediation.session"):
        session.save()
        _step(event, actor, "mediation_session", f"{held_on:%Y-%m-%d} 参加:{session.attendees}")
    return session


def _finish_event(event: Event, actor: Any, note: str) -> None:
    """Tell the hub the matter is settled: settled on the spot (village, grid) when nobody was
    dispatched, else the assignee's 办结反馈. Either way someone else verifies it."""
    event = lock_current(event, expected_version=None)
    if event.state in (State.REPORTED, State.ACCEPTED):
        event_services.settle_on_spot(event, actor=actor, version=event.version, note=note)
    elif event.state == State.IN_PROGRESS:
        event_services.report_done(event, actor=actor, version=event.version, note=note)
    else:
        raise InvalidTransition(
            f"事件当前为“{event.get_state_display()}”,请在事件页面办理后续步骤。",
            field="finish_event",
        )


def _end_date(value: Any, mediation: Mediation, *, field: str, label: str) -> dt.date:
    return _date(
        value or today(),
        field=field,
        label=label,
        not_before=mediation.started_on,
        before_label="受理调解日期",
    )


@transaction.atomic
def conclude_agreement(
    mediation: Mediation,
    *,
    actor: Any,
    version: int,
    agreement_form: str,
    agreement_text: str,
    agreement_on: dt.date | None = None,
    files: Iterable[UploadedFile] = (),
    finish_event: bool = False,
) -> Mediation:
    """调解成功: the agreement (written, or oral as the mediator recorded it) takes effect on
    `agreement_on`; judicial confirmation may be asked until 30 days after. With `finish_event`,
    the event is settled on the spot or reported done in the same transaction."""
    mediation = lock_current(mediation, expected_version=version)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    if not mediation.is_open:
        raise InvalidTransition("调解已结束。")
    _choice(agreement_form, AgreementForm.values, field="agreement_form", label="协议形式")
    text = _text(agreement_text, field="agreement_text", label="协议内容", limit=8000)
    agreement_on = _end_date(agreement_on, mediation, field="agreement_on", label="协议生效日期")
    mediation.state = MediationState.SUCCEEDED
    mediation.ended_on = agreement_on
    mediation.agreement_form = agreement_form
    mediation.agreement_text = text
    mediation.agreement_on = agreement_on
    mediation.confirmation_due_on = (
        confirmation_due(agreement_on) if agreement_form == AgreementForm.WRITTEN else None
    )
    with audit.action(actor, "disputes.mediation.agreed"):
        save_changed(mediation)
        _store_files(mediation, files, kind=FileKind.AGREEMENT, actor=actor)
        due = (
            f";司法确认申请截止 {mediation.confirmation_due_on:%Y-%m-%d}"
            if mediation.confirmation_due_on
            else ""
        )
        _step(
            event,
            actor,
            "mediation_agreed",
            f"{AgreementForm(agreement_form).label},{agreement_on:%Y-%m-%d} 生效{due}",
        )
        if finish_event:
            _finish_event(event, actor, f"调解成功,达成{AgreementForm(agreement_form).label}。")
    return mediation


@transaction.atomic
def record_failure(
    mediation: Mediation,
    *,
    actor: Any,
    version: int,
    failure_route: str,
    note: str,
    ended_on: dt.date | None = None,
    finish_event: bool = False,
) -> Mediation:
    """调解不成: mediation ends and the parties are told the other ways (诉讼, 仲裁, 行政处理 …;
    人民调解法 第26条). The note says what they were told."""
    mediation = lock_current(mediation, expected_version=version)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    if not mediation.is_open:
        raise InvalidTransition("调解已结束。")
    _choice(failure_route, FailureRoute.values, field="failure_route", label="调解不成去向")
    note = _text(note, field="note", label="调解不成的情况及告知当事人的途径", limit=2000)
    mediation.ended_on = _end_date(ended_on, mediation, field="ended_on", label="终止调解日期")
    mediation.state = MediationState.FAILED
    mediation.failure_route = failure_route
    mediation.outcome_note = note
    with audit.action(actor, "disputes.mediation.failed"):
        save_changed(mediation)
        _step(event, actor, "mediation_failed", f"去向:{FailureRoute(failure_route).label};{note}")
        if finish_event:
            _finish_event(
                event, actor, f"调解不成,已告知当事人{FailureRoute(failure_route).label}途径。"
            )
    return mediation


def _require_agreement(mediation: Mediation, *, written: bool = False) -> None:
    if mediation.state != MediationState.SUCCEEDED:
        raise InvalidTransition("调解尚未达成协议。")
    if written and mediation.agreement_form != AgreementForm.WRITTEN:
        raise InvalidTransition("口头协议不能申请司法确认。")


@transaction.atomic
def record_confirmation(
    mediation: Mediation,
    *,
    actor: Any,
    version: int,
    requested_on: dt.date,
    court: str,
    result: str = Confirmation.PENDING,
    decided_on: dt.date | None = None,
) -> Mediation:
    """司法确认 of a written agreement: asked (jointly by the parties) within 30 days of the
    agreement taking effect, then the court's ruling."""
    mediation = lock_current(mediation, expected_version=version)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    _require_agreement(mediation, written=True)
    requested_on = _date(
        requested_on,
        field="requested_on",
        label="申请日期",
        not_before=mediation.agreement_on,
        before_label="协议生效日期",
    )
    if mediation.confirmation_due_on and requested_on > mediation.confirmation_due_on:
        raise Invalid(
            "司法确认应在协议生效之日起 30 日内申请"
            f"(截止 {mediation.confirmation_due_on:%Y-%m-%d}),"
            "已超过期限的,当事人可就协议向法院起诉。",
            field="requested_on",
        )
    _choice(result, Confirmation.values, field="result", label="司法确认结果")
    if result == Confirmation.PENDING:
        decided_on = None
    else:
        decided_on = _date(
            decided_on,
            field="decided_on",
            label="裁定日期",
            not_before=requested_on,
            before_label="申请日期",
        )
    mediation.confirmation_requested_on = requested_on
    mediation.confirmation_court = _text(court, field="court", label="受理法院", limit=100)
    mediation.confirmation = result
    mediation.confirmation_decided_on = decided_on
    with audit.action(actor, "disputes.mediation.confirmation"):
        save_changed(mediation)
        _step(
            event,
            actor,
            "judicial_confirmation",
            f"{requested_on:%Y-%m-%d} 向{mediation.confirmation_court}申请;"
            f"{Confirmation(result).label}",
        )
    return mediation


def _set_performance(mediation: Mediation, performance: str, on: dt.date) -> None:
    if performance and (
        mediation.performance_checked_on is None or on >= mediation.performance_checked_on
    ):
        mediation.performance = performance
        mediation.performance_checked_on = on


@transaction.atomic
def record_performance(
    mediation: Mediation, *, actor: Any, version: int, performance: str, checked_on: dt.date
) -> Mediation:
    """Whether the agreement was carried out (调委会监督履行, 人民调解法 第31条)."""
    mediation = lock_current(mediation, expected_version=version)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的调解。")
    _require_agreement(mediation)
    _choice(
        performance, [p for p in Performance.values if p], field="performance", label="履行情况"
    )
    checked_on = _date(
        checked_on,
        field="checked_on",
        label="核实日期",
        not_before=mediation.agreement_on,
        before_label="协议生效日期",
    )
    mediation.performance_checked_on = None
    _set_performance(mediation, performance, checked_on)
    with audit.action(actor, "disputes.mediation.performance"):
        save_changed(mediation)
        _step(event, actor, "agreement_performance", Performance(performance).label)
    return mediation


@transaction.atomic
def record_visit(
    mediation: Mediation,
    *,
    actor: Any,
    visited_on: dt.date,
    way: str,
    notes: str,
    performance: str = "",
) -> FollowUpVisit:
    """A follow-up visit (回访) after the agreement; its finding on performance, if any, becomes
    the agreement's latest known performance."""
    mediation = lock_current(mediation, expected_version=None)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能登记该纠纷的回访。")
    _require_agreement(mediation)
    visited_on = _date(
        visited_on,
        field="visited_on",
        label="回访日期",
        not_before=mediation.agreement_on,
        before_label="协议生效日期",
    )
    _choice(way, VisitWay.values, field="way", label="回访方式")
    _choice(performance, Performance.values, field="performance", label="履行情况", blank=True)
    visit = FollowUpVisit(
        mediation=mediation,
        area_path=mediation.area_path,
        visited_on=visited_on,
        way=way,
        performance=performance,
        notes=_text(notes, field="notes", label="回访记录", limit=4000),
        visitor=actor,
    )
    with audit.action(actor, "disputes.mediation.visit"):
        visit.save()
        if performance:
            _set_performance(mediation, performance, visited_on)
            save_changed(mediation)
        found = f";{Performance(performance).label}" if performance else ""
        _step(event, actor, "follow_up", f"{visited_on:%Y-%m-%d} {VisitWay(way).label}{found}")
    return visit


def _store_files(
    mediation: Mediation, files: Iterable[UploadedFile], *, kind: str, actor: Any
) -> list[MediationFile]:
    files = list(files or [])
    if len(files) > MAX_UPLOADS:
        raise Invalid(f"一次最多上传 {MAX_UPLOADS} 个文件。", field="files")
    _choice(kind, FileKind.values, field="kind", label="材料类型")
    checked = [(upload, *check_upload(upload)) for upload in files]
    stored = []
    for upload, content_type, is_image in checked:
        item = MediationFile(
            mediation=mediation,
            area_path=mediation.area_path,
            kind=kind,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            is_image=is_image,
            uploaded_by=actor,
        )
        item.file.save(upload.name, upload, save=False)
        item.save()
        stored.append(item)
    return stored


@transaction.atomic
def add_mediation_files(
    mediation: Mediation, *, actor: Any, files: Iterable[UploadedFile], kind: str
) -> list[MediationFile]:
    """Scans of the agreement, session records, the court's ruling …"""
    mediation = lock_current(mediation, expected_version=None)
    event = _mediation_event(mediation)
    _check(actor, "disputes.mediate", event, "您不能上传该纠纷的调解材料。")
    if not list(files or []):
        raise Invalid("请选择要上传的文件。", field="files")
    with audit.action(actor, "disputes.mediation.file"):
        return _store_files(mediation, files, kind=kind, actor=actor)


# --- Screening reports ----------------------------------------------------------------------------


def screening_starts(villages: Iterable[Area]) -> dict[int, dt.date]:
    """The day each village's screening began: the day it was registered, or the start of the
    first period it reported for if that is earlier (reports loaded for the time before)."""
    villages = list(villages)
    starts = {v.pk: timezone.localtime(v.created_at).date() for v in villages}
    with unscoped("the first period each village reported for (a date, no content)"):
        first = (
            ScreeningReport.objects.filter(area_id__in=list(starts))
            .order_by()
            .values("area_id")
            .annotate(first=Min("period_start"))
        )
        for row in first:
            starts[row["area_id"]] = min(starts[row["area_id"]], row["first"])
    return starts


def policy_period(area: Area) -> str:
    """The screening period that applies to `area`: the nearest policy at or above it."""
    with unscoped("screening policy of the area and its ancestors"):
        policy = (
            ScreeningPolicy.objects.filter(area_path__in=area.ancestor_paths())
            .order_by("-area_path")
            .first()
        )
    return policy.period if policy else periods.default_period()


def policy_periods(areas: Iterable[Area]) -> dict[int, str]:
    """`policy_period` of many areas (by pk) with one query: the nearest policy at or above each."""
    areas = list(areas)
    wanted = sorted({path for area in areas for path in area.ancestor_paths()})
    with unscoped("screening policies of the areas and their ancestors"):
        found = dict(
            ScreeningPolicy.objects.filter(area_path__in=wanted).values_list("area_path", "period")
        )
    kinds: dict[int, str] = {}
    for area in areas:
        kind = periods.default_period()
        for path in area.ancestor_paths():  # top first: a nearer policy replaces a farther one
            kind = found.get(path, kind)
        kinds[area.pk] = kind
    return kinds


@transaction.atomic
def set_screening_period(area: Area, *, actor: Any, period: str) -> ScreeningPolicy:
    """How often the villages under `area` (a township, a county, or one village) report."""
    require(actor, "disputes.configure", area.path)
    if area.level == Level.GRID:
        raise Invalid("排查上报周期按村(社区)或以上区域设置。", field="area")
    _choice(period, ScreeningPeriod.values, field="period", label="上报周期")
    with unscoped("the area's policy"):
        policy = ScreeningPolicy.objects.select_for_update().filter(area=area).first()
    with audit.action(actor, "disputes.screening.policy"):
        if policy is None:
            policy = ScreeningPolicy(area=area, area_path=area.path, period=period, set_by=actor)
            policy.save()
        elif policy.period != period:
            policy.period = period
            policy.set_by = actor
            save_changed(policy)
    return policy


def _report_disputes(actor: Any, area: Area, events: Iterable[Event]) -> list[Event]:
    found = []
    for event in events or ():
        if not isinstance(event, Event):
            raise Invalid("排查发现的纠纷须为已上报的矛盾纠纷事件。", field="disputes")
        if not jurisdiction(actor).allows("events.view", event.area_path):
            raise NotFound("未找到排查发现的纠纷。")
        if not event.area_path.startswith(area.path):
            raise Invalid(
                f"纠纷{event.code}不在{area.name},不能列入本村(社区)的报告。", field="disputes"
            )
        if event.kind.code != DISPUTE_KIND:
            raise Invalid(f"事件{event.code}不是矛盾纠纷。", field="disputes")
        if event.state in (State.REJECTED, State.MERGED):
            raise Invalid(
                f"纠纷{event.code}已{event.get_state_display()},不能列入报告。", field="disputes"
            )
        if event not in found:
            found.append(event)
    return found


def _report_content(
    report: ScreeningReport,
    actor: Any,
    area: Area,
    *,
    is_zero: bool,
    disputes: Iterable[Event],
    unstable_factors: str,
    persons_of_concern: str,
    note: str,
) -> list[Event]:
    events = _report_disputes(actor, area, disputes)
    report.unstable_factors = _text(
        unstable_factors, field="unstable_factors", label="不稳定因素", required=False, limit=4000
    )
    report.persons_of_concern = _text(
        persons_of_concern,
        field="persons_of_concern",
        label="重点关注人员",
        required=False,
        limit=2000,
    )
    report.note = _text(note, field="note", label="说明", required=False, limit=2000)
    report.is_zero = bool(is_zero)
    found_something = bool(events or report.unstable_factors or report.persons_of_concern)
    if report.is_zero and found_something:
        raise Invalid(
            "零报告表示本期未发现纠纷和不稳定因素,请去掉“零报告”或清空所填内容。", field="is_zero"
        )
    if not report.is_zero and not found_something:
        raise Invalid(
            "请填写排查发现的纠纷、不稳定因素或重点关注人员;本期确无发现的,请选择“零报告”。",
            field="is_zero",
        )
    return events


@transaction.atomic
def file_screening_report(
    *,
    actor: Any,
    area: Area,
    day: dt.date | None = None,
    is_zero: bool = False,
    disputes: Iterable[Event] = (),
    unstable_factors: str = "",
    persons_of_concern: str = "",
    note: str = "",
) -> ScreeningReport:
    """A village's (community's) report for the screening period holding `day` (default today):
    the disputes found, unstable factors, persons of concern, or an explicit zero report. One
    report per period; a report filed after its due day is kept and marked late."""
    require(actor, "disputes.report", area.path)
    if area.level != Level.VILLAGE or not area.is_active:
        raise Invalid("排查报告由在用的村(社区)上报。", field="area")
    moment = now()
    window = periods.window_containing(policy_period(area), day or today())
    if window.start > timezone.localtime(moment).date():
        raise Invalid("排查期尚未开始,不能上报。", field="day")
    with unscoped("one report per village and period"):
        if ScreeningReport.objects.filter(area=area, period_start=window.start).exists():
            raise InvalidTransition(
                f"{area.name}{window.label}的排查报告已上报,如需更正请修改该报告。"
            )
    report = ScreeningReport(
        area=area,
        area_path=area.path,
        period=window.kind,
        period_start=window.start,
        period_end=window.end,
        due_on=window.due_on,
        filed_by=actor,
        filed_at=moment,
        on_time=timezone.localtime(moment).date() <= window.due_on,
    )
    events = _report_content(
        report,
        actor,
        area,
        is_zero=is_zero,
        disputes=disputes,
        unstable_factors=unstable_factors,
        persons_of_concern=persons_of_concern,
        note=note,
    )
    with audit.action(actor, "disputes.screening.filed"):
        report.save()
        with unscoped("the report's dispute links, each checked above"):
            report.disputes.set(events)
    return report


@transaction.atomic
def amend_screening_report(
    report: ScreeningReport,
    *,
    actor: Any,
    version: int,
    is_zero: bool = False,
    disputes: Iterable[Event] = (),
    unstable_factors: str = "",
    persons_of_concern: str = "",
    note: str = "",
) -> ScreeningReport:
    """Correct a filed report (the same rules as filing it); when it was filed stays as it was."""
    report = lock_current(report, expected_version=version)
    require(actor, "disputes.report", report.area_path)
    with unscoped("the report's village"):
        area = Area.objects.get(pk=report.area_id)
    events = _report_content(
        report,
        actor,
        area,
        is_zero=is_zero,
        disputes=disputes,
        unstable_factors=unstable_factors,
        persons_of_concern=persons_of_concern,
        note=note,
    )
    with audit.action(actor, "disputes.screening.amended"):
        save_changed(report)
        with unscoped("the report's dispute links, each checked above"):
            report.disputes.set(events)
    return report


def warn_missing_reports(*, on: dt.date | None = None) -> dict[str, int]:
    """The background check: every active village whose report for its last overdue period is
    missing gets one warning (its village officers), and each township's center hears how many of
    its villages are missing. A reminder row per village and period keeps a second run quiet."""
    from gridgov.accounts.models import Membership, User
    from gridgov.accounts.roles import Role
    from gridgov.accounts.system import system_actor
    from gridgov.notifications.services import notify

    on = on or today()
    with unscoped("missing screening reports: every village, the policies, what was done"):
        villages = list(Area.objects.filter(Area.active_q(), level=Level.VILLAGE).order_by("path"))
        policies = dict(ScreeningPolicy.objects.values_list("area_path", "period"))
        # Each village's last overdue window; villages sharing one are checked in one query.
        windows: dict[periods.Window, list[Area]] = {}
        starts = screening_starts(villages)
        for village in villages:
            kind = next(
                (policies[p] for p in reversed(village.ancestor_paths()) if p in policies),
                periods.default_period(),
            )
            window = periods.last_due_window(kind, on)
            if starts[village.pk] <= window.end:
                windows.setdefault(window, []).append(village)
        missing: list[tuple[Area, periods.Window]] = []
        for window, group in windows.items():
            ids = [v.pk for v in group]
            done = set(
                ScreeningReport.objects.filter(area_id__in=ids, period_start=window.start)
                .order_by()
                .values_list("area_id", flat=True)
                .union(
                    ScreeningReminder.objects.filter(area_id__in=ids, period_start=window.start)
                    .order_by()
                    .values_list("area_id", flat=True)
                )
            )
            missing += [(v, window) for v in group if v.pk not in done]
    missing.sort(key=lambda item: item[0].path)
    if not missing:
        return {"missing": 0, "warned": 0}
    actor = system_actor()
    warned = 0
    by_township: dict[str, list[str]] = {}
    for village, window in missing:
        with transaction.atomic():
            officers = list(
                Membership._base_manager.filter(
                    Membership.active_q(), role=Role.VILLAGE_OFFICER, area_path=village.path
                ).values_list("user", flat=True)
            )
            users = list(User.objects.filter(pk__in=officers, is_active=True))
            notify(
                users,
                kind="disputes.screening.missing",
                title=f"{village.name}{window.label}矛盾纠纷排查报告未上报"
                f"(应于 {window.due_on:%m-%d} 前报送)",
                body="没有发现问题的也请上报“零报告”。",
                link=f"/disputes/screening/new/?area={village.pk}&day={window.start:%Y-%m-%d}",
                area_path=village.path,
            )
            with audit.action(actor, "disputes.screening.reminded"):
                ScreeningReminder(
                    area=village,
                    area_path=village.path,
                    period_start=window.start,
                    period_end=window.end,
                    warned_at=now(),
                    recipients=len(users),
                ).save()
        warned += len(users)
        township = village.path.rsplit("/", 2)[0] + "/"
        by_township.setdefault(township, []).append(village.name)
    for township, names in by_township.items():
        staff = list(
            Membership._base_manager.filter(
                Membership.active_q(), role=Role.CENTER_STAFF, area_path=township
            ).values_list("user", flat=True)
        )
        notify(
            User.objects.filter(pk__in=staff, is_active=True),
            kind="disputes.screening.missing",
            title=f"{len(names)} 个村(社区)未按时上报矛盾纠纷排查报告:" + "、".join(names[:10]),
            link="/disputes/screening/missing/",
            area_path=township,
        )
    return {"missing": len(missing), "warned": warned}


# --- The supervised list (挂牌督办, 销号) ----------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(23, 59)), timezone.get_default_timezone()
    )


@transaction.atomic
def list_major(
    detail: DisputeDetail, *, actor: Any, owner: Any, target_on: dt.date, reason: str
) -> MajorListing:
    """Put a major dispute on the supervised list (挂牌督办) with its owner and target date: a
    leader's act, which is also the hub's 挂牌督办 of the event (its supervision and lamp)."""
    detail = lock_current(detail, expected_version=None)
    event = _event_of(detail)
    _check(actor, "disputes.supervise", event, "只有领导可以将纠纷挂牌督办。")
    if not detail.is_major:
        raise InvalidTransition("只有研判为重大纠纷的可以挂牌督办,请先在纠纷详情中标记“重大纠纷”。")
    with unscoped("one open listing per dispute"):
        if MajorListing.objects.filter(dispute=detail, state=ListingState.LISTED).exists():
            raise InvalidTransition("该纠纷已挂牌督办,尚未销号。")
    if event.state not in OPEN_STATES:
        raise InvalidTransition("事件已办结,无需挂牌督办。")
    if owner is None:
        raise Invalid("请指定责任人。", field="owner")
    owner = _cadre(owner, event, field="owner", label="责任人")
    if not isinstance(target_on, dt.date) or target_on <= today():
        raise Invalid("限期化解日期应晚于今天。", field="target_on")
    reason = _text(reason, field="reason", label="挂牌理由", limit=500)
    listing = MajorListing(
        dispute=detail,
        area_path=detail.area_path,
        owner=owner,
        target_on=target_on,
        reason=reason,
        listed_by=actor,
        listed_at=now(),
    )
    with audit.action(actor, "disputes.listing.listed"):
        listing.save()
    event_services.supervise_event(
        event,
        actor=actor,
        level=Supervision.LISTED,
        note=f"{reason}(责任人:{owner.full_name or owner.username},限 {target_on:%Y-%m-%d} 前化解)",
        deadline=_end_of(target_on),
    )
    return listing


def is_resolved(detail: DisputeDetail, event: Event) -> bool:
    """Resolved: the event is closed, or a mediation of it succeeded."""
    if event.state in FINISHED_STATES:
        return True
    with unscoped("the dispute's mediations"):
        return Mediation.objects.filter(dispute=detail, state=MediationState.SUCCEEDED).exists()


@transaction.atomic
def cross_off(
    listing: MajorListing, *, actor: Any, version: int, resolved_on: dt.date, note: str
) -> MajorListing:
    """销号: a leader verifies that the listed dispute is resolved and crosses it off, with the
    date it was resolved. The owner cannot verify their own case."""
    listing = lock_current(listing, expected_version=version)
    with unscoped("the listing's dispute"):
        detail = DisputeDetail.objects.get(pk=listing.dispute_id)
    event = _event_of(detail)
    _check(actor, "disputes.supervise", event, "只有领导可以验收销号。")
    if listing.state != ListingState.LISTED:
        raise InvalidTransition("该挂牌督办已销号。")
    if listing.owner_id == actor.pk:
        raise NotPermitted("责任人不能验收自己包案的纠纷,请由其他领导验收销号。")
    if not is_resolved(detail, event):
        raise InvalidTransition("纠纷尚未化解(事件未结案、也无调解成功记录),不能销号。")
    listed_on = timezone.localtime(listing.listed_at).date()
    resolved_on = _date(
        resolved_on,
        field="resolved_on",
        label="化解日期",
        not_before=listed_on,
        before_label="挂牌日期",
    )
    listing.state = ListingState.CROSSED_OFF
    listing.resolved_on = resolved_on
    listing.crossed_off_at = now()
    listing.verified_by = actor
    listing.verification_note = _text(note, field="note", label="验收意见", limit=500)
    with audit.action(actor, "disputes.listing.crossed_off"):
        save_changed(listing)
        _step(
            event,
            actor,
            "listing_crossed_off",
            f"{resolved_on:%Y-%m-%d} 化解,验收意见:{listing.verification_note}",
        )
    return listing


# --- The registry's merge hook --------------------------------------------------------------------


def move_parties_on_merge(keep: Any, drop: Any, actor: Any) -> None:
    """When the registry merges two people, the dropped one's dispute parties follow the kept one
    (unless the kept one is already a party of that dispute)."""
    with unscoped("registry merge: move dispute parties"):
        for party in DisputeParty.objects.filter(person=drop):
            if DisputeParty.objects.filter(dispute_id=party.dispute_id, person=keep).exists():
                continue
            party.person = keep
            with audit.action(actor, "disputes.party.moved"):
                save_changed(party)
