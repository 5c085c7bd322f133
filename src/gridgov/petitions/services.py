"""Every change to a petition (信访事项), stage by stage under the 信访工作条例.

A petition is an event of the hub: registering one reports the event (`events.services.
report_event`, with the petitioners as its parties) and adds the details here, in one
transaction. Each later stage moves the event through the hub's `own_clock_step`, which sets the
event's state and deadline and writes its timeline, so the hub's lamp, queues, overdue sweep,
supervision (督办) and figures apply to petitions unchanged:

| petition stage            | event state | event deadline (petitions.config)          |
|---------------------------|-------------|--------------------------------------------|
| registered 待受理告知      | in_progress | received + "accept" (15 日)                 |
| not_accepted 不予受理      | rejected    | —                                          |
| accepted 办理中            | in_progress | accepted + "handle" (60 日), once extended  |
| replied 已答复             | closed      | — (petitioner may ask for 复查 within 30 日) |
| review_requested 复查中    | in_progress | requested + "review" (30 日)               |
| reviewed 已复查            | closed      | — (may ask for 复核 within 30 日)           |
| re_review_requested 复核中 | in_progress | requested + "re_review" (30 日)            |
| re_reviewed 已复核         | closed      | —                                          |
| closed 已办结              | closed      | —                                          |

Who acts: the center handling the event (petitions.handle at its `center_path`) or a handler of
the responsible department for acceptance, reply and the petitioner's requests; only the center
extends; the organs above the center (petitions.review at its parent) answer 复查 and 复核;
leaders (petitions.lead) take cases and receive petitioners.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core import audit, workcalendar
from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed
from gridgov.events import services as events
from gridgov.events.choices import PartyRole, Source, State
from gridgov.events.models import Category, Event, EventParty
from gridgov.petitions.choices import ANSWERED_STAGES, FINAL_STAGES, Channel, Rating, Stage
from gridgov.petitions.config import config
from gridgov.petitions.defaults import PETITION_KIND
from gridgov.petitions.models import (
    KeyPetitionerFlag,
    LeaderCase,
    Petition,
    Reception,
    ReceptionDay,
)

LEVEL_RANK = {
    Level.PROVINCE: 0,
    Level.CITY: 1,
    Level.COUNTY: 2,
    Level.TOWNSHIP: 3,
    Level.VILLAGE: 4,
    Level.GRID: 5,
}
# Levels at which an organ takes petitions in (信访工作机构): township and above.
LODGING_LEVELS = (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE)

CHANNEL_SOURCE = {
    Channel.VISIT: Source.CITIZEN,
    Channel.LETTER: Source.CITIZEN,
    Channel.ONLINE: Source.CITIZEN,
    Channel.PHONE: Source.HOTLINE,
}

KEY_PETITIONER = "key_petitioner"


def _now() -> dt.datetime:
    # The hub's clock, so that `events.services.as_of` (demo history) and tests move both.
    return events._now()


def _text(value: str | None, *, field: str, label: str, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise Invalid(f"{label}不能超过 {limit} 字。", field=field)
    return text


def _due(start: dt.datetime, name: str) -> dt.datetime:
    value, unit = config().limit(name)
    return workcalendar.add_duration(start, value, unit)


def _parent_path(path: str) -> str:
    segments = path.rstrip("/").split("/")
    return "/".join(segments[:-1]) + "/" if len(segments) > 1 else path


# --- Who may do what -----------------------------------------------------------------------------


def _center_path(petition: Petition) -> str:
    with unscoped("the petition's own event"):
        return Event._base_manager.filter(pk=petition.event_id).values_list(
            "center_path", flat=True
        )[0]


def at_center(actor: Any, petition: Petition) -> bool:
    return jurisdiction(actor).allows("petitions.handle", _center_path(petition))


def may_handle(actor: Any, petition: Petition) -> bool:
    """The center handling it, or a handler of the responsible department."""
    from gridgov.events.selectors import department_ids_of

    return at_center(actor, petition) or petition.department_id in department_ids_of(actor)


def may_review(actor: Any, petition: Petition) -> bool:
    """An organ above the handling center (复查 and 复核 go to the level above)."""
    return jurisdiction(actor).allows("petitions.review", _parent_path(_center_path(petition)))


def _require_handle(actor: Any, petition: Petition) -> None:
    if not may_handle(actor, petition):
        raise NotPermitted("只有办理中心或责任单位可以办理此信访事项。")


def _require_stage(petition: Petition, *stages: str, doing: str) -> None:
    if petition.stage not in stages:
        raise InvalidTransition(f"信访事项当前为“{petition.get_stage_display()}”,不能{doing}。")


def _locked(petition: Petition, version: int | None) -> tuple[Petition, Event]:
    petition = lock_current(petition, expected_version=version)
    with unscoped("the petition's own event"):
        event = Event._base_manager.get(pk=petition.event_id)
    event = lock_current(event, expected_version=None)
    return petition, event


# --- Registration --------------------------------------------------------------------------------


def proper_area_of(grid: Area) -> Area:
    """The area a petition of `grid` is properly lodged at (属地): its ancestor at the
    configured level (the township by default)."""
    level = config().proper_level
    with unscoped("the petitioner's area chain"):
        area = (
            Area.objects.filter(path__in=grid.ancestor_paths(), level=level)
            .order_by("-path")
            .first()
        )
    if area is None:
        raise Invalid("无法确定信访人所在地的属地区域。", field="petitioners")
    return area


def is_skip_level(lodged: Area, proper: Area) -> bool:
    """Lodged at a level above the proper one (越级访), compared in the area hierarchy."""
    return LEVEL_RANK[lodged.level] < LEVEL_RANK[proper.level]


def default_lodged_area(actor: Any, grid: Area) -> Area | None:
    """The deepest area above `grid` where the actor registers petitions: their own desk."""
    paths = jurisdiction(actor).paths_for("petitions.register")
    with unscoped("the grid's area chain"):
        chain = list(
            Area.objects.filter(path__in=grid.ancestor_paths(), level__in=LODGING_LEVELS).order_by(
                "-path"
            )
        )
    for area in chain:
        if paths is None or area.path in paths:
            return area
    return chain[-1] if chain and paths is None else None


def _earlier_petition(
    petitioners: list[Any], category: Category, received_at: dt.datetime, exclude: Event
) -> Petition | None:
    """The latest petition of the same matter (category) by one of the same petitioners within
    the repeat window before this one."""
    since = received_at - dt.timedelta(days=config().repeat_window_days)
    with unscoped("repeat check: earlier petitions of the same petitioners"):
        events_of = EventParty._base_manager.filter(person__in=[p.pk for p in petitioners]).values(
            "event_id"
        )
        return (
            Petition.objects.filter(
                event__category=category,
                event_id__in=events_of,
                received_at__gte=since,
                received_at__lte=received_at,
            )
            .exclude(event=exclude)
            .order_by("-received_at", "-pk")
            .first()
        )


@transaction.atomic
def register_petition(
    *,
    actor: Any,
    petitioners: Iterable[Any],
    title: str,
    matter: str,
    category: Category,
    channel: str,
    department: Any,
    lodged_area: Area | None = None,
    people_count: int | None = None,
    received_at: dt.datetime | None = None,
    previous: Petition | None = None,
    client_id: uuid.UUID | str | None = None,
) -> Petition:
    """Register a petition (登记): the event (through the hub's intake, one case code) with the
    petitioners as parties, and its details; the 15-day clock for the acceptance decision starts
    at `received_at`. Collective when `people_count` reaches the configured five, repeat when
    one of the petitioners lodged the same matter within the window (or `previous` names it),
    skip-level when lodged above the petitioners' proper level. A replayed `client_id` returns
    the first petition. Raises Invalid, NotPermitted, NotFound."""
    from gridgov.registry.codes import PersonStatus
    from gridgov.registry.models import Person

    cfg = config()
    if channel not in Channel.values:
        raise Invalid("请选择信访形式。", field="channel")
    people = []
    for person in petitioners or ():
        if not isinstance(person, Person):
            raise Invalid("信访人须为已登记的人员。", field="petitioners")
        if person.status == PersonStatus.MERGED:
            raise Invalid(f"{person.name}的记录已合并,请选择合并后的记录。", field="petitioners")
        if person.pk not in {p.pk for p in people}:
            people.append(person)
    if not people:
        raise Invalid("请至少选择一名信访人。", field="petitioners")
    if category is None or category.kind.code != PETITION_KIND:
        raise Invalid("请选择信访事项的内容分类。", field="category")
    with unscoped("the first petitioner's grid"):
        grid = Area.objects.get(pk=people[0].grid_id)
    require(actor, "petitions.register", grid.path)
    count = len(people) if people_count is None else int(people_count)
    if count < len(people):
        raise Invalid("信访人数不能少于所选信访人。", field="people_count")
    if count > 100000:
        raise Invalid("信访人数不正确。", field="people_count")
    now = _now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=10):
        raise Invalid("收到时间不能晚于现在。", field="received_at")
    lodged_area = lodged_area or default_lodged_area(actor, grid)
    if lodged_area is None:
        raise Invalid("请选择登记机关所在区域。", field="lodged_area")
    if lodged_area.level not in LODGING_LEVELS or lodged_area.path not in grid.ancestor_paths():
        raise Invalid("登记机关须为信访人所在地的乡镇(街道)或其上级。", field="lodged_area")
    proper = proper_area_of(grid)
    if department is None:
        raise Invalid("请选择责任单位。", field="department")
    if not department.is_active:
        raise Invalid(f"{department.name}已撤销。", field="department")
    if not grid.path.startswith(department.area_path):
        raise Invalid(f"{department.name}不负责信访人所在地。", field="department")
    if previous is not None and not jurisdiction(actor).allows(
        "petitions.view", previous.area_path
    ):
        raise NotFound("未找到前次信访事项。")

    event = events.report_event(
        actor=actor,
        category=category,
        title=title,
        description=matter,
        grid=grid,
        source=CHANNEL_SOURCE[channel],
        occurred_at=received_at,
        contact_name=people[0].name,
        persons=[(p, PartyRole.PARTY) for p in people],
        client_id=client_id,
    )
    if event.repeated:
        with unscoped("replayed registration: the first petition"):
            earlier = Petition.objects.filter(event=event).first()
        if earlier is None:
            raise Invalid("该客户端编号已被使用。", field="client_id")
        return earlier
    earlier = previous or _earlier_petition(people, category, received_at, event)
    event = lock_current(event, expected_version=event.version)
    petition = Petition(
        event=event,
        area_path=event.area_path,
        channel=channel,
        people_count=count,
        collective=count >= cfg.collective_min,
        repeat=earlier is not None,
        previous=earlier,
        lodged_area=lodged_area,
        lodged_level=lodged_area.level,
        proper_area=proper,
        skip_level=is_skip_level(lodged_area, proper),
        department=department,
        stage=Stage.REGISTERED,
        received_at=received_at,
        accept_due=_due(received_at, "accept"),
    )
    full_clean_or_invalid(
        petition, exclude=["event", "previous", "lodged_area", "proper_area", "department"]
    )
    tags = [Channel(channel).label]
    tags += ["集体访"] if petition.collective else []
    tags += ["重复访"] if petition.repeat else []
    tags += ["越级访"] if petition.skip_level else []
    with audit.action(actor, "petitions.petition.registered"):
        events.own_clock_step(
            event,
            actor=actor,
            action="petition_registered",
            state=State.IN_PROGRESS,
            clock=(received_at, *cfg.limit("accept")),
            note=f"{'、'.join(tags)};责任单位:{department.name}",
        )
        petition.save()
    _notify_department(petition, event, f"新信访事项待告知受理:{event.code} {event.title}")
    return petition


def _notify_department(petition: Petition, event: Event, title: str) -> None:
    from gridgov.events.selectors import department_handlers
    from gridgov.notifications.services import notify

    users = list(department_handlers(petition.department_id))
    if users:
        notify(
            users,
            kind="petitions.todo",
            title=title,
            link=f"/petitions/{petition.pk}/",
            area_path=petition.area_path,
        )


# --- Acceptance, handling, reply -----------------------------------------------------------------


@transaction.atomic
def decide_acceptance(
    petition: Petition, *, actor: Any, version: int, accepted: bool, note: str = ""
) -> Petition:
    """Decide whether the petition is accepted and tell the petitioner (告知受理/不予受理).
    Accepted starts the handling clock (60 日 by default); not accepted ends the petition and
    rejects its event, with the reason. Raises NotPermitted, InvalidTransition, Invalid."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)
    _require_stage(petition, Stage.REGISTERED, doing="告知受理")
    note = (note or "").strip()
    if not accepted and not note:
        raise Invalid("不予受理时请说明理由。", field="note")
    if len(note) > 500:
        raise Invalid("意见不能超过 500 字。", field="note")
    now = _now()
    petition.decided_at, petition.decision_note = now, note
    if accepted:
        petition.stage = Stage.ACCEPTED
        petition.accepted_at = now
        with audit.action(actor, "petitions.petition.accepted"):
            events.own_clock_step(
                event,
                actor=actor,
                action="petition_accepted",
                clock=(now, *config().limit("handle")),
                note=note,
            )
            petition.handle_due = event.deadline
            save_changed(petition)
    else:
        petition.stage = Stage.NOT_ACCEPTED
        petition.closed_at = now
        with audit.action(actor, "petitions.petition.not_accepted"):
            events.own_clock_step(
                event, actor=actor, action="petition_not_accepted", state=State.REJECTED, note=note
            )
            save_changed(petition)
    return petition


@transaction.atomic
def extend_handling(
    petition: Petition, *, actor: Any, version: int, value: int, reason: str
) -> Petition:
    """Extend the handling once, by at most the configured limit (30 日), with reasons; only the
    center approves it. The event's deadline moves with it."""
    petition, event = _locked(petition, version)
    if not at_center(actor, petition):
        raise NotPermitted("只有办理中心可以批准延期。")
    _require_stage(petition, Stage.ACCEPTED, doing="延期")
    if petition.extended:
        raise InvalidTransition("该信访事项已延期过一次,不能再次延期。")
    reason = _text(reason, field="reason", label="延期理由", limit=500)
    most, unit = config().limit("extension_max")
    try:
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid("请填写延长时限。", field="value") from exc
    if not 1 <= value <= most:
        raise Invalid(
            f"延长时限应在 1 到 {most} 之间({workcalendar.describe(most, unit)}以内)。",
            field="value",
        )
    petition.extended = True
    petition.extension_reason = reason
    petition.extension_value, petition.extension_unit = value, unit
    with audit.action(actor, "petitions.petition.extended"):
        events.own_clock_step(
            event,
            actor=actor,
            action="petition_extended",
            extend=(value, unit),
            note=f"延长 {workcalendar.describe(value, unit)}:{reason}",
        )
        petition.handle_due = event.deadline
        save_changed(petition)
    return petition


@transaction.atomic
def reply_petition(petition: Petition, *, actor: Any, version: int, reply: str) -> Petition:
    """Answer the petition in writing (书面答复): the handling ends, on time or late, and the
    petitioner's window for a review request (30 日) opens. The event closes."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)
    _require_stage(petition, Stage.ACCEPTED, doing="答复")
    reply = _text(reply, field="reply", label="答复意见")
    now = _now()
    petition.stage = Stage.REPLIED
    petition.reply, petition.replied_at = reply, now
    petition.replied_on_time = petition.handle_due is None or now <= petition.handle_due
    petition.review_request_until = _due(now, "review_request")
    with audit.action(actor, "petitions.petition.replied"):
        events.own_clock_step(
            event, actor=actor, action="petition_replied", state=State.CLOSED, note=reply[:200]
        )
        save_changed(petition)
    return petition


# --- Review (复查) and re-review (复核) -----------------------------------------------------------


def _check_request_time(until: dt.datetime | None, at: dt.datetime, what: str) -> None:
    if at > _now() + dt.timedelta(minutes=10):
        raise Invalid("请求时间不能晚于现在。", field="requested_at")
    if until is not None and at > until:
        raise InvalidTransition(f"已超过请求{what}的期限({until:%Y-%m-%d %H:%M}),不予受理。")


@transaction.atomic
def request_review(
    petition: Petition,
    *,
    actor: Any,
    version: int,
    reason: str,
    requested_at: dt.datetime | None = None,
) -> Petition:
    """Record the petitioner's request for review (复查) within the window after the reply;
    the organ above has 30 日 (by default) from the request to answer."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)
    _require_stage(petition, Stage.REPLIED, doing="请求复查")
    reason = _text(reason, field="reason", label="请求复查的理由", limit=500)
    at = requested_at or _now()
    _check_request_time(petition.review_request_until, at, "复查")
    if petition.replied_at and at < petition.replied_at:
        raise Invalid("请求时间不能早于答复时间。", field="requested_at")
    petition.stage = Stage.REVIEW_REQUESTED
    petition.review_requested_at, petition.review_reason = at, reason
    with audit.action(actor, "petitions.petition.review_requested"):
        events.own_clock_step(
            event,
            actor=actor,
            action="review_requested",
            state=State.IN_PROGRESS,
            clock=(at, *config().limit("review")),
            note=reason,
        )
        petition.review_due = event.deadline
        save_changed(petition)
    return petition


@transaction.atomic
def record_review(petition: Petition, *, actor: Any, version: int, opinion: str) -> Petition:
    """The organ above answers the review (复查意见); the window for a re-review opens."""
    petition, event = _locked(petition, version)
    if not may_review(actor, petition):
        raise NotPermitted("复查意见须由办理中心的上级作出。")
    _require_stage(petition, Stage.REVIEW_REQUESTED, doing="作出复查意见")
    opinion = _text(opinion, field="opinion", label="复查意见")
    now = _now()
    petition.stage = Stage.REVIEWED
    petition.review_opinion, petition.reviewed_at = opinion, now
    petition.re_review_request_until = _due(now, "re_review_request")
    with audit.action(actor, "petitions.petition.reviewed"):
        events.own_clock_step(
            event, actor=actor, action="reviewed", state=State.CLOSED, note=opinion[:200]
        )
        save_changed(petition)
    return petition


@transaction.atomic
def request_re_review(
    petition: Petition,
    *,
    actor: Any,
    version: int,
    reason: str,
    requested_at: dt.datetime | None = None,
) -> Petition:
    """Record the petitioner's request for re-review (复核) within the window after the review."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)
    _require_stage(petition, Stage.REVIEWED, doing="请求复核")
    reason = _text(reason, field="reason", label="请求复核的理由", limit=500)
    at = requested_at or _now()
    _check_request_time(petition.re_review_request_until, at, "复核")
    if petition.reviewed_at and at < petition.reviewed_at:
        raise Invalid("请求时间不能早于复查答复时间。", field="requested_at")
    petition.stage = Stage.RE_REVIEW_REQUESTED
    petition.re_review_requested_at, petition.re_review_reason = at, reason
    with audit.action(actor, "petitions.petition.re_review_requested"):
        events.own_clock_step(
            event,
            actor=actor,
            action="re_review_requested",
            state=State.IN_PROGRESS,
            clock=(at, *config().limit("re_review")),
            note=reason,
        )
        petition.re_review_due = event.deadline
        save_changed(petition)
    return petition


@transaction.atomic
def record_re_review(petition: Petition, *, actor: Any, version: int, opinion: str) -> Petition:
    """The re-review's answer (复核意见): the matter is final; the same facts are not accepted
    again."""
    petition, event = _locked(petition, version)
    if not may_review(actor, petition):
        raise NotPermitted("复核意见须由办理中心的上级作出。")
    _require_stage(petition, Stage.RE_REVIEW_REQUESTED, doing="作出复核意见")
    opinion = _text(opinion, field="opinion", label="复核意见")
    now = _now()
    petition.stage = Stage.RE_REVIEWED
    petition.re_review_opinion, petition.re_reviewed_at = opinion, now
    with audit.action(actor, "petitions.petition.re_reviewed"):
        events.own_clock_step(
            event, actor=actor, action="re_reviewed", state=State.CLOSED, note=opinion[:200]
        )
        save_changed(petition)
    return petition


# --- Closing and rating --------------------------------------------------------------------------


def may_close(petition: Petition, now: dt.datetime | None = None) -> bool:
    """A re-reviewed petition is final; an answered one once the petitioner's window passed."""
    now = now or _now()
    if petition.stage == Stage.RE_REVIEWED:
        return True
    until = petition.request_until
    return petition.stage in (Stage.REPLIED, Stage.REVIEWED) and until is not None and now > until


@transaction.atomic
def close_petition(
    petition: Petition, *, actor: Any, version: int | None, note: str = ""
) -> Petition:
    """End the petition (办结) once no further request is possible: after the re-review, or when
    the window for the next request has passed. The system closes those by itself
    (tasks.close_lapsed_petitions)."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)  # the system actor (the daily job) holds every right
    _require_stage(petition, Stage.REPLIED, Stage.REVIEWED, Stage.RE_REVIEWED, doing="办结")
    if not may_close(petition):
        raise InvalidTransition("信访人仍可在期限内请求复查或复核,期满后方可办结。")
    petition.stage = Stage.CLOSED
    petition.closed_at = _now()
    with audit.action(actor, "petitions.petition.closed"):
        events.record_step(
            event, actor=actor, action="petition_closed", note=(note or "").strip()[:500]
        )
        save_changed(petition)
    return petition


@transaction.atomic
def rate_petition(
    petition: Petition, *, actor: Any, version: int, rating: str, comment: str = ""
) -> Petition:
    """Record the petitioner's rating of the handling (回访评价) once answered; a later rating
    (after a review, say) replaces the earlier one."""
    petition, event = _locked(petition, version)
    _require_handle(actor, petition)
    _require_stage(petition, *ANSWERED_STAGES, doing="评价")
    if rating not in Rating.values:
        raise Invalid("请选择满意、基本满意或不满意。", field="rating")
    comment = (comment or "").strip()
    if rating == Rating.DISSATISFIED and not comment:
        raise Invalid("不满意时请说明原因。", field="comment")
    if len(comment) > 500:
        raise Invalid("评价意见不能超过 500 字。", field="comment")
    petition.rating, petition.rating_comment, petition.rated_at = rating, comment, _now()
    with audit.action(actor, "petitions.petition.rated"):
        events.record_step(
            event,
            actor=actor,
            action="petition_rated",
            note=Rating(rating).label + (f":{comment}" if comment else ""),
        )
        save_changed(petition)
    return petition


# --- Leaders: cases (包案) and reception days (接访日) ----------------------------------------


@transaction.atomic
def take_case(petition: Petition, *, actor: Any, leader: Any = None, note: str = "") -> LeaderCase:
    """A leader takes charge of a petition (领导包案): themselves (petitions.lead), or named by
    the center (petitions.handle) among the leaders over the petition's area."""
    petition, event = _locked(petition, None)
    leader = leader or actor
    if leader.pk == actor.pk:
        require(actor, "petitions.lead", petition.area_path)
    else:
        if not at_center(actor, petition):
            raise NotPermitted("只有办理中心可以指定包案领导。")
        if not jurisdiction(leader).allows("petitions.lead", petition.area_path):
            raise Invalid(f"{leader}不是该地的领导,不能包案。", field="leader")
    if petition.stage in FINAL_STAGES:
        raise InvalidTransition("信访事项已终结,无需包案。")
    with unscoped("open cases of the petition"):
        if LeaderCase.objects.filter(
            petition=petition, leader=leader, ended_at__isnull=True
        ).exists():
            raise InvalidTransition(f"{leader}已在包案。")
    note = (note or "").strip()[:500]
    case = LeaderCase(
        petition=petition,
        area_path=petition.area_path,
        leader=leader,
        assigned_by=actor,
        since=_now(),
        note=note,
    )
    with audit.action(actor, "petitions.leader_case.taken"):
        case.save()
        events.record_step(
            event,
            actor=actor,
            action="leader_case",
            note=f"{leader}包案" + (f":{note}" if note else ""),
        )
    return case


@transaction.atomic
def end_case(case: LeaderCase, *, actor: Any, version: int, note: str = "") -> LeaderCase:
    """End a leader's case: the leader or the center."""
    case = lock_current(case, expected_version=version)
    with unscoped("the case's petition"):
        petition = Petition.objects.get(pk=case.petition_id)
    if case.leader_id != actor.pk and not at_center(actor, petition):
        raise NotPermitted("只有包案领导或办理中心可以结束包案。")
    if case.ended_at is not None:
        raise InvalidTransition("该包案已结束。")
    case.ended_at, case.end_note = _now(), (note or "").strip()[:500]
    petition, event = _locked(petition, None)
    with audit.action(actor, "petitions.leader_case.ended"):
        save_changed(case)
        events.record_step(
            event, actor=actor, action="leader_case_ended", note=f"{case.leader}包案结束"
        )
    return case


def _may_arrange(actor: Any, path: str) -> bool:
    rights = jurisdiction(actor)
    return rights.allows("petitions.lead", path) or rights.allows("petitions.handle", path)


@transaction.atomic
def schedule_reception_day(
    *, actor: Any, area: Area, leader: Any, day: dt.date, place: str, note: str = ""
) -> ReceptionDay:
    """Appoint a leader's reception day (领导接访日) in an area (a village or above)."""
    if area is None or area.level == Level.GRID or not area.is_active:
        raise Invalid("请选择接访的村(社区)、乡镇或以上区域。", field="area")
    if not _may_arrange(actor, area.path):
        raise NotPermitted("您不能为该区域安排领导接访。")
    if leader is None or not jurisdiction(leader).allows("petitions.lead", area.path):
        raise Invalid("接访领导须为该区域的领导。", field="leader")
    if day is None:
        raise Invalid("请选择接访日期。", field="day")
    place = _text(place, field="place", label="接访地点", limit=200)
    reception_day = ReceptionDay(
        area=area,
        area_path=area.path,
        leader=leader,
        day=day,
        place=place,
        note=(note or "").strip()[:500],
        created_by=actor,
    )
    with audit.action(actor, "petitions.reception_day.scheduled"):
        reception_day.save()
    return reception_day


@transaction.atomic
def record_reception(
    reception_day: ReceptionDay,
    *,
    actor: Any,
    person: Any,
    summary: str,
    petition: Petition | None = None,
) -> Reception:
    """Record a petitioner received on a reception day: who, what was raised and agreed, and
    the petition it concerns if any."""
    from django.utils import timezone

    reception_day = lock_current(reception_day, expected_version=None)
    if not _may_arrange(actor, reception_day.area_path):
        raise NotPermitted("您不能记录该接访日的接访情况。")
    if reception_day.day > timezone.localdate(_now()):
        raise InvalidTransition("接访日尚未到,不能记录接访情况。")
    if person is None or not jurisdiction(actor).allows("registry.view", person.area_path):
        raise NotFound("未找到来访人。")
    if petition is not None and not jurisdiction(actor).allows(
        "petitions.view", petition.area_path
    ):
        raise NotFound("未找到涉及的信访事项。")
    summary = _text(summary, field="summary", label="接访情况")
    reception = Reception(
        day=reception_day,
        area_path=reception_day.area_path,
        person=person,
        petition=petition,
        summary=summary,
        recorded_by=actor,
        recorded_at=_now(),
    )
    with audit.action(actor, "petitions.reception.recorded"):
        reception.save()
        save_changed(reception_day)
    return reception


# --- Key petitioners (重点信访人员) ---------------------------------------------------------


def petition_count(person: Any, *, until: dt.datetime | None = None) -> int:
    """How many petitions `person` lodged as a petitioner within the key window before `until`
    (a fact of the person, counted wherever they petitioned)."""
    cfg = config()
    until = until or _now()
    since = until - dt.timedelta(days=cfg.key_window_days)
    with unscoped("key petitioner threshold: the person's petitions"):
        events_of = EventParty._base_manager.filter(person=person).values("event_id")
        return Petition.objects.filter(
            event_id__in=events_of, received_at__gte=since, received_at__lte=until
        ).count()


def petitioners_of(petition: Petition) -> list[Any]:
    from gridgov.registry.models import Person

    with unscoped("the petition's own petitioners"):
        ids = EventParty._base_manager.filter(
            event_id=petition.event_id, person__isnull=False
        ).values("person_id")
        return list(Person.objects.filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def flag_key_petitioner(
    petition: Petition, *, actor: Any, person: Any, reason: str = ""
) -> KeyPetitionerFlag:
    """Flag a petitioner with repeated petitions (the configured threshold, 3 in 12 months by
    default) as a key petitioner through the registry's flag extension point; the module that
    handles the flag (special populations) opens the status. Only the center may do it, and only
    when a module handles the flag."""
    from gridgov.registry import flags

    petition, event = _locked(petition, None)
    if not at_center(actor, petition):
        raise NotPermitted("只有办理中心可以标记重点信访人员。")
    if not flags.handles(KEY_PETITIONER):
        raise InvalidTransition("未安装重点人群模块,不能标记重点信访人员。")
    if person is None or person.pk not in {p.pk for p in petitioners_of(petition)}:
        raise Invalid("只能标记本信访事项的信访人。", field="person")
    cfg = config()
    count = petition_count(person)
    if count < cfg.key_threshold:
        raise Invalid(
            f"{person.name}近 {cfg.key_window_days} 天信访 {count} 次,"
            f"未达到 {cfg.key_threshold} 次的标准。",
            field="person",
        )
    with unscoped("a flag raised once per petition and person"):
        if KeyPetitionerFlag.objects.filter(petition=petition, person=person).exists():
            raise InvalidTransition(f"{person.name}已从本信访事项标记为重点信访人员。")
    reason = (reason or "").strip()[:300] or (
        f"近 {cfg.key_window_days} 天内信访 {count} 次(标准 {cfg.key_threshold} 次)"
    )
    record = KeyPetitionerFlag(
        petition=petition,
        area_path=petition.area_path,
        person=person,
        reason=reason,
        petition_count=count,
        raised_by=actor,
        raised_at=_now(),
    )
    with audit.action(actor, "petitions.key_flag.raised"):
        record.save()
        flags.raise_flag(
            flags.Flag(code=KEY_PETITIONER, person=person, reason=reason, source=event.code),
            actor=actor,
        )
        events.record_step(
            event, actor=actor, action="key_petitioner", note=f"{person.name}:{reason}"
        )
    return record


# --- The registry's merge hook -------------------------------------------------------------------


def move_on_merge(keep: Any, drop: Any, actor: Any) -> None:
    """When the registry merges two people, receptions and flags follow the kept one (event
    parties, the petitioners, move with the hub's own hook)."""
    with unscoped("registry merge: move petition records"):
        for reception in Reception.objects.filter(person=drop):
            reception.person = keep
            save_changed(reception)
        for record in KeyPetitionerFlag.objects.filter(person=drop):
            if not KeyPetitionerFlag.objects.filter(
                petition_id=record.petition_id, person=keep
            ).exists():
                record.person = keep
                save_changed(record)
