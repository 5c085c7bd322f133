"""Every change to an event: intake and each step of the workflow (DESIGN.md, DOMAIN.md §2.4).

Each transition is one function in one transaction: it re-reads the event under a row lock with
the version the actor saw (a second person acting at once gets a Conflict), checks who may do it
(role + jurisdiction + being the assignee), refuses a step that does not fit the state, writes the
event and its timeline entry, and tells the people who act next (after commit).

Who acts where:
- the center (events.accept at the event's `center_path`): accept, reject, merge, dispatch,
  handle here, escalate, decide requests, reopen, rate on behalf of a reporter (回访);
- the assignee (a handler of the department, or events.handle over the area dispatched to):
  take, return, report done, ask for an extension or a suspension;
- the verifier (events.verify over the grid, or the reporter), never the one who reported it done;
- leaders (events.supervise; events.remind for 催办): supervision.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core import audit, workcalendar
from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import jurisdiction, require, unscoped
from gridgov.core.services import (
    full_clean_or_invalid,
    insert_from_query,
    lock_current,
    save_changed,
)
from gridgov.core.uploads import check_upload
from gridgov.events import notices, selectors
from gridgov.events.choices import (
    ASSIGNMENT_OPEN,
    CLOCK_STATES,
    FINISHED_STATES,
    OPEN_STATES,
    SUPERVISION_RANK,
    AssignmentRole,
    AssignmentState,
    PartyRole,
    Priority,
    Rating,
    RequestKind,
    RequestState,
    Source,
    State,
    Supervision,
)
from gridgov.events.models import (
    Assignment,
    Attachment,
    Category,
    Event,
    EventParty,
    EventRequest,
    RoutingRule,
    SupervisionRecord,
    TimelineEntry,
)

# Case codes: the date, then six characters nobody confuses when read out on the phone.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The lamp turns yellow when a quarter of the time allowed is left.
WARN_FRACTION = 0.25

MAX_UPLOADS = 9


# --- Helpers -------------------------------------------------------------------------------------


_clock: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "events_clock", default=None
)


def _now() -> dt.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Record the steps inside the block as happening at `moment`: for the demo's history and
    for loading past cases from another system, never for a user's live action."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def _new_code() -> str:
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
    return f"{timezone.localtime(_now()):%Y%m%d}{suffix}"


def _step(
    event: Event,
    *,
    actor: Any,
    action: str,
    from_state: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> TimelineEntry:
    """The timeline entry of a step; the caller saves the event in the same transaction."""
    entry = TimelineEntry(
        event=event,
        area_path=event.area_path,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=event.state,
        note=note,
        at=at or _now(),
    )
    entry.save()
    return entry


def _locked(event: Event, version: int | None) -> Event:
    return lock_current(event, expected_version=version)


def _require_state(event: Event, *states: str, doing: str) -> None:
    owner = selectors.workflow_owner(event)
    if owner:
        raise InvalidTransition(f"该事件按{owner}程序办理,请在{owner}页面{doing}。")
    if event.state not in states:
        raise InvalidTransition(f"事件当前为“{event.get_state_display()}”,不能{doing}。")


def _require_center(actor: Any, event: Event) -> None:
    if not jurisdiction(actor).allows("events.accept", event.center_path):
        raise NotPermitted(f"只有{event.center.name}综治中心可以办理此步骤。")


def _clean_text(value: str | None, *, field: str, label: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    return text


def center_of(grid: Area) -> Area:
    """The center that first receives an event of `grid`: its township (乡镇/街道综治中心)."""
    with unscoped("an event's center is the grid's township"):
        center = (
            Area.objects.filter(path__in=grid.ancestor_paths(), level=Level.TOWNSHIP)
            .order_by("-path")
            .first()
        )
    if center is None:
        raise Invalid("该网格不属于任何乡镇(街道),无法确定受理中心。", field="grid")
    return center


def _parent_center(center: Area) -> Area:
    with unscoped("escalation target"):
        parent = center.parent
    if parent is None or parent.level not in (Level.COUNTY, Level.CITY, Level.PROVINCE):
        raise InvalidTransition("已是最高一级综治中心,不能再上报。")
    return parent


def _set_clock(event: Event, start: dt.datetime) -> None:
    _start_clock(event, start, *event.category.sla_for(event.priority))


def _start_clock(event: Event, start: dt.datetime, value: int, unit: str) -> None:
    """A fresh deadline `value` `unit`s from `start`, its lamp green."""
    event.sla_value, event.sla_unit = value, unit
    event.dispatched_at = start
    event.first_dispatched_at = event.first_dispatched_at or start
    event.deadline = workcalendar.add_duration(start, value, unit)
    event.warn_at = event.deadline - (event.deadline - start) * WARN_FRACTION
    event.warned = event.overdue = event.overdue_escalated = False
    event.extended = False


def _push_deadline(event: Event, value: int, unit: str, now: dt.datetime) -> None:
    """The deadline moved on by `value` `unit`s (an extension). One that still ends in the past
    warns at its deadline, never after it; the flags say where the lamp stands now."""
    event.deadline = workcalendar.add_duration(event.deadline or now, value, unit)
    left = max(event.deadline - now, dt.timedelta(0))
    event.warn_at = event.deadline - left * WARN_FRACTION
    event.extended = True
    event.warned = event.warn_at <= now
    event.overdue = event.deadline <= now


def _attach(
    event: Event, files: Iterable[UploadedFile], *, actor: Any, entry: TimelineEntry | None
) -> list[Attachment]:
    files = list(files or [])
    if len(files) > MAX_UPLOADS:
        raise Invalid(f"一次最多上传 {MAX_UPLOADS} 个文件。", field="files")
    checked = [(upload, *check_upload(upload)) for upload in files]
    stored = []
    for upload, content_type, is_image in checked:
        attachment = Attachment(
            event=event,
            entry=entry,
            area_path=event.area_path,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            is_image=is_image,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# --- Intake --------------------------------------------------------------------------------------


def _routing_rule(grid: Area, category: Category, priority: str) -> RoutingRule | None:
    with unscoped("routing rules of the grid's areas"):
        rules = (
            RoutingRule.objects.filter(
                is_active=True, category=category, area_path__in=grid.ancestor_paths()
            )
            .prefetch_related("copy_departments")
            .order_by("-area_path")
        )
        for rule in rules:
            if rule.min_priority == Priority.NORMAL or priority == Priority.URGENT:
                return rule
    return None


@transaction.atomic
def report_event(
    *,
    actor: Any,
    category: Category,
    title: str,
    description: str,
    grid: Area | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: Any = None,
    place: str = "",
    priority: str = Priority.NORMAL,
    source: str = Source.GRID_WORKER,
    occurred_at: dt.datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    persons: Iterable[Any] = (),
    units: Iterable[Any] = (),
    files: Iterable[UploadedFile] = (),
    client_id: uuid.UUID | str | None = None,
    settled_note: str = "",
) -> Event:
    """Take in an event (一案一码). A point without a grid resolves to its grid; an address
    implies its grid. A `client_id` seen before returns the first event, never a second one.
    With `settled_note`, a grid worker reports something already settled on the spot."""
    if client_id:
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError as exc:
            raise Invalid("客户端编号格式不正确。", field="client_id") from exc
    if category is None or not category.is_active or not category.kind.is_active:
        raise Invalid("请选择在用的事件类别。", field="category")
    title = _clean_text(title, field="title", label="标题")[:100]
    description = _clean_text(description, field="description", label="事件描述")
    if len(description) > 4000:
        raise Invalid("事件描述不能超过 4000 字。", field="description")
    if (lat is None) != (lng is None):
        raise Invalid("经纬度须同时提供。", field="lat")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("经纬度超出范围。", field="lat")
    if address is not None:
        with unscoped("address's grid"):
            address_grid = address.grid
        if grid is not None and grid.pk != address_grid.pk:
            raise Invalid("所选地址不在所选网格内。", field="address")
        grid = address_grid
    if grid is None and lat is not None:
        from gridgov.areas.services import locate_grid

        grid = locate_grid(actor=actor, lat=lat, lng=lng)
        if grid is None:
            raise Invalid("该位置不在您可见的任何网格内,请手动选择网格。", field="grid")
    if grid is None:
        raise Invalid("请选择事件所在网格,或提供位置。", field="grid")
    if grid.level != Level.GRID or not grid.is_active:
        raise Invalid("请选择在用的网格。", field="grid")
    require(actor, "events.report", grid.path)
    occurred_at = occurred_at or _now()
    if occurred_at > _now() + dt.timedelta(minutes=10):
        raise Invalid("发生时间不能晚于现在。", field="occurred_at")
    if priority not in Priority.values:
        raise Invalid("紧急程度不正确。", field="priority")
    if source not in Source.values:
        raise Invalid("事件来源不正确。", field="source")
    from gridgov.registry.services import phone_fields

    phone_token, phone_hash, phone_masked = phone_fields(contact_phone)

    rule = _routing_rule(grid, category, priority)
    center = center_of(grid)
    if rule is not None and rule.target_level:
        with unscoped("routing target"):
            higher = (
                Area.objects.filter(path__in=grid.ancestor_paths(), level=rule.target_level)
                .order_by("-path")
                .first()
            )
        center = higher or center
    event = Event(
        code=_new_code(),
        client_id=client_id or None,
        kind=category.kind,
        category=category,
        title=title,
        description=description,
        priority=priority,
        source=source,
        occurred_at=occurred_at,
        grid=grid,
        area_path=grid.path,
        address=address,
        place=(place or "").strip()[:200],
        lat=lat,
        lng=lng,
        reporter=actor,
        contact_name=(contact_name or "").strip()[:50],
        contact_phone_token=phone_token,
        contact_phone_hash=phone_hash,
        contact_phone_masked=phone_masked,
        state=State.REPORTED,
        reported_at=_now(),
        center=center,
        center_path=center.path,
    )
    # code and client_id are unique in the database: a clash is retried or answered below, so
    # model validation need not look them up again; nor the rows the arguments already are.
    full_clean_or_invalid(
        event, exclude=["code", "client_id", "reporter", "center", "grid", "kind", "category"]
    )
    with audit.action(actor, "events.event.reported"):
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    event.save()
                break
            except IntegrityError:
                # A client id seen before (a retry, or a doubled submission racing this one):
                # the first event is the answer. Looked up only then, not on every report.
                earlier = _reported_before(client_id, actor)
                if earlier is not None:
                    return earlier
                event.pk = None
                event.code = _new_code()
        else:  # pragma: no cover - six random characters colliding five times
            raise Invalid("案件编码生成失败,请重试。")
        _add_parties(event, persons=persons, units=units, actor=actor)
        entry = _step(event, actor=actor, action="reported", from_state="", note=description[:200])
        _attach(event, files, actor=actor, entry=entry)
        if rule is not None:
            _copy_to(event, rule, actor=actor)
    notices.reported(event)
    if settled_note:
        event = settle_on_spot(event, actor=actor, version=event.version, note=settled_note)
    return event


def _reported_before(client_id: uuid.UUID | None, actor: Any) -> Event | None:
    """The event first reported with `client_id`, marked `repeated`; refused when somebody else
    reported it (a client id is not shared)."""
    if not client_id:
        return None
    with unscoped("idempotent intake: same client id"):
        earlier = Event.objects.filter(client_id=client_id).first()
    if earlier is None:
        return None
    if earlier.reporter_id != actor.pk:
        raise Invalid("该客户端编号已被使用。", field="client_id")
    earlier.repeated = True  # tells the API door to answer 200, not 201
    return earlier


def _add_parties(event: Event, *, persons: Iterable[Any], units: Iterable[Any], actor: Any) -> None:
    from gridgov.registry.models import Person, Unit

    seen: set[tuple[str, int]] = set()
    for item in persons or ():
        person, role = item if isinstance(item, tuple) else (item, PartyRole.PARTY)
        if not isinstance(person, Person):
            raise Invalid("涉及人员须为已登记的人员。", field="persons")
        if not jurisdiction(actor).allows("registry.view", person.area_path):
            raise NotFound("未找到涉及人员。")
        if ("p", person.pk) not in seen:
            seen.add(("p", person.pk))
            EventParty(event=event, area_path=event.area_path, person=person, role=role).save()
    for item in units or ():
        unit, role = item if isinstance(item, tuple) else (item, PartyRole.PARTY)
        if not isinstance(unit, Unit):
            raise Invalid("涉及单位须为已登记的单位。", field="units")
        if not jurisdiction(actor).allows("registry.view", unit.area_path):
            raise NotFound("未找到涉及单位。")
        if ("u", unit.pk) not in seen:
            seen.add(("u", unit.pk))
            EventParty(event=event, area_path=event.area_path, unit=unit, role=role).save()


def _copy_to(event: Event, rule: RoutingRule, *, actor: Any) -> None:
    departments = list(rule.copy_departments.all())
    for department in departments:
        Assignment(
            event=event,
            area_path=event.area_path,
            department=department,
            role=AssignmentRole.COPY,
            state=AssignmentState.DONE,
            assigned_by=actor,
            assigned_at=_now(),
        ).save()
    if departments:
        names = "、".join(d.name for d in departments)
        _step(event, actor=actor, action="copied", from_state=event.state, note=f"抄告:{names}")
        notices.copied(event, departments)


# --- The center ----------------------------------------------------------------------------------


@transaction.atomic
def accept_event(event: Event, *, actor: Any, version: int, note: str = "") -> Event:
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.REPORTED, doing="受理")
    before = event.state
    event.state = State.ACCEPTED
    event.accepted_at = _now()
    with audit.action(actor, "events.event.accepted"):
        save_changed(event)
        _step(event, actor=actor, action="accepted", from_state=before, note=note.strip())
    return event


@transaction.atomic
def reject_event(event: Event, *, actor: Any, version: int, reason: str) -> Event:
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.REPORTED, doing="不予受理")
    reason = _clean_text(reason, field="reason", label="不予受理的理由")
    before = event.state
    event.state = State.REJECTED
    event.reject_reason = reason[:500]
    with audit.action(actor, "events.event.rejected"):
        save_changed(event)
        _step(event, actor=actor, action="rejected", from_state=before, note=reason)
    notices.to_reporter(event, f"您上报的事件“{event.title}”不予受理:{reason}")
    return event


@transaction.atomic
def merge_event(event: Event, *, actor: Any, version: int, into: Event, note: str = "") -> Event:
    """Merge a duplicate into an open event: the duplicate ends as 已合并, its involved persons
    join the target, and both timelines say so (both histories are kept)."""
    if into.pk == event.pk:
        raise Invalid("不能与自身合并。", field="into")
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.REPORTED, State.ACCEPTED, doing="合并")
    target = lock_current(into, expected_version=None)
    if not jurisdiction(actor).allows("events.view", target.area_path):
        raise NotFound("未找到目标事件。")
    if target.state not in OPEN_STATES:
        raise InvalidTransition(f"目标事件{target.code}已办结,不能并入。", field="into")
    before = event.state
    event.state = State.MERGED
    event.merged_into = target
    with audit.action(actor, "events.event.merged"):
        save_changed(event)
        _step(event, actor=actor, action="merged", from_state=before, note=f"并入{target.code}")
        with unscoped("parties of the merged event"):
            moved = [
                (p.person_id, p.unit_id, p.role)
                for p in EventParty.objects.filter(event=event)
                if not EventParty.objects.filter(
                    event=target, person_id=p.person_id, unit_id=p.unit_id
                ).exists()
            ]
        for person_id, unit_id, role in moved:
            EventParty(
                event=target,
                area_path=target.area_path,
                person_id=person_id,
                unit_id=unit_id,
                role=role,
            ).save()
        save_changed(target)
        _step(
            target,
            actor=actor,
            action="merged_in",
            from_state=target.state,
            note=f"并入重复事件{event.code}" + (f":{note.strip()}" if note.strip() else ""),
        )
    notices.to_reporter(event, f"您上报的事件“{event.title}”已并入{target.code}一并办理。")
    return event


def _dispatch_targets(event: Event, department: Any, area: Any) -> None:
    if (department is None) == (area is None):
        raise Invalid("请选择一个主办部门或下级区域。", field="department")
    if department is not None:
        if not department.is_active:
            raise Invalid(f"{department.name}已撤销。", field="department")
        if not event.center_path.startswith(department.area_path) and not (
            department.area_path.startswith(event.center_path)
        ):
            raise Invalid(f"{department.name}不属于{event.center.name}辖区。", field="department")
    if area is not None:
        if not area.is_active or not area.path.startswith(event.center_path):
            raise Invalid("只能派遣给本中心辖区内的下级区域。", field="area")
        if area.path == event.center_path:
            raise Invalid("由本中心办理请选择“自办”。", field="area")
        if not event.area_path.startswith(area.path):
            raise Invalid("只能派遣给事件所在的村(社区)或网格。", field="area")


@transaction.atomic
def dispatch_event(
    event: Event,
    *,
    actor: Any,
    version: int,
    department: Any = None,
    area: Any = None,
    assisting: Iterable[Any] = (),
    note: str = "",
) -> Event:
    """Send an accepted event to its lead (a department, or a lower area) with others assisting
    (会办). The clock starts now, from the category's time limit."""
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.ACCEPTED, doing="派遣")
    _dispatch_targets(event, department, area)
    # Each assisting department once, never the lead again.
    assisting = list(
        {d.pk: d for d in assisting or () if department is None or d.pk != department.pk}.values()
    )
    for other in assisting:
        _dispatch_targets(event, other, None)
    now = _now()
    before = event.state
    event.state = State.DISPATCHED
    _set_clock(event, now)
    lead = Assignment(
        event=event,
        area_path=event.area_path,
        department=department,
        area=area,
        role=AssignmentRole.LEAD,
        assigned_by=actor,
        assigned_at=now,
        note=note.strip()[:500],
    )
    with audit.action(actor, "events.event.dispatched"):
        save_changed(event)
        lead.save()
        for other in assisting:
            Assignment(
                event=event,
                area_path=event.area_path,
                department=other,
                role=AssignmentRole.ASSIST,
                assigned_by=actor,
                assigned_at=now,
            ).save()
        names = lead.assignee_name + "".join(f"、{d.name}(协办)" for d in assisting)
        limit = workcalendar.describe(event.sla_value, event.sla_unit)
        _step(
            event,
            actor=actor,
            action="dispatched",
            from_state=before,
            note=f"派遣至{names},时限 {limit}" + (f";{note.strip()}" if note.strip() else ""),
        )
    notices.dispatched(event)
    return event


@transaction.atomic
def handle_here(event: Event, *, actor: Any, version: int, note: str = "") -> Event:
    """The center handles the event itself (自办): it is its own lead, already signed for."""
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.ACCEPTED, doing="自办")
    now = _now()
    before = event.state
    event.state = State.IN_PROGRESS
    _set_clock(event, now)
    with audit.action(actor, "events.event.handled_here"):
        save_changed(event)
        Assignment(
            event=event,
            area_path=event.area_path,
            area=event.center,
            role=AssignmentRole.LEAD,
            state=AssignmentState.TAKEN,
            assigned_by=actor,
            assigned_at=now,
            taken_by=actor,
            taken_at=now,
        ).save()
        _step(event, actor=actor, action="handled_here", from_state=before, note=note.strip())
    return event


@transaction.atomic
def escalate_event(event: Event, *, actor: Any, version: int, reason: str) -> Event:
    """What this level cannot settle goes up (小事不出村、大事不出镇): to the parent center's
    intake."""
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.REPORTED, State.ACCEPTED, doing="上报上级")
    reason = _clean_text(reason, field="reason", label="上报理由")
    parent = _parent_center(event.center)
    before = event.state
    event.state = State.REPORTED
    event.center = parent
    event.center_path = parent.path
    event.escalations += 1
    with audit.action(actor, "events.event.escalated"):
        save_changed(event)
        _step(event, actor=actor, action="escalated", from_state=before, note=reason)
    notices.reported(event)
    return event


# --- Settling on the spot ------------------------------------------------------------------------


@transaction.atomic
def settle_on_spot(
    event: Event, *, actor: Any, version: int, note: str, files: Iterable[UploadedFile] = ()
) -> Event:
    """A grid worker or village officer settled it where it happened (自行处置): it goes straight
    to verification by someone else."""
    event = _locked(event, version)
    if not jurisdiction(actor).allows("events.self_handle", event.area_path):
        raise NotPermitted("只有所在网格或村(社区)可以自行处置。")
    _require_state(event, State.REPORTED, State.ACCEPTED, doing="自行处置")
    note = _clean_text(note, field="note", label="处置情况")
    before = event.state
    now = _now()
    event.state = State.VERIFYING
    event.self_handled = True
    event.handled_at = now
    event.handled_by = actor
    event.accepted_at = event.accepted_at or now
    with audit.action(actor, "events.event.self_handled"):
        save_changed(event)
        entry = _step(event, actor=actor, action="self_handled", from_state=before, note=note)
        _attach(event, files, actor=actor, entry=entry)
    notices.to_verify(event)
    return event


# --- The assignee --------------------------------------------------------------------------------


def _my_assignment(event: Event, actor: Any, *states: str) -> Assignment:
    with unscoped("the event's assignments, checked against the actor below"):
        rows = list(
            # Lock the assignment rows only: department and area are outer joins, which
            # PostgreSQL cannot lock.
            Assignment.objects.select_for_update(of=("self",))
            .filter(event=event, state__in=states or ASSIGNMENT_OPEN)
            .exclude(role=AssignmentRole.COPY)
            .select_related("department", "area")
            .order_by("role", "pk")  # "assist" < "lead": the lead wins below
        )
    mine = [a for a in rows if selectors.is_assignee(actor, a)]
    if not mine:
        raise NotPermitted("该事件未派给您所在的部门或区域。")
    leads = [a for a in mine if a.role == AssignmentRole.LEAD]
    return leads[0] if leads else mine[0]


@transaction.atomic
def take_event(event: Event, *, actor: Any, version: int) -> Event:
    """Sign for a dispatch (签收). The lead's signature moves the event to 办理中."""
    event = _locked(event, version)
    _require_state(event, State.DISPATCHED, State.IN_PROGRESS, doing="签收")
    assignment = _my_assignment(event, actor, AssignmentState.PENDING)
    now = _now()
    assignment.state = AssignmentState.TAKEN
    assignment.taken_by, assignment.taken_at = actor, now
    before = event.state
    if assignment.role == AssignmentRole.LEAD:
        event.state = State.IN_PROGRESS
    with audit.action(actor, "events.event.taken"):
        save_changed(assignment)
        save_changed(event)
        _step(
            event,
            actor=actor,
            action="taken",
            from_state=before,
            note=f"{assignment.assignee_name}签收"
            + ("" if assignment.role == "lead" else "(协办)"),
        )
    return event


@transaction.atomic
def return_event(event: Event, *, actor: Any, version: int, reason: str) -> Event:
    """Return a dispatch that is not ours (退回, with a reason). The lead's return sends the
    event back to the center for re-dispatch and counts against 准确派遣率."""
    event = _locked(event, version)
    _require_state(event, State.DISPATCHED, State.IN_PROGRESS, doing="退回")
    reason = _clean_text(reason, field="reason", label="退回理由")
    assignment = _my_assignment(event, actor)
    now = _now()
    assignment.state = AssignmentState.RETURNED
    assignment.finished_at = now
    assignment.note = reason[:500]
    before = event.state
    with audit.action(actor, "events.event.returned"):
        if assignment.role == AssignmentRole.LEAD:
            _withdraw_pending(event, now)
        save_changed(assignment)
        if assignment.role == AssignmentRole.LEAD:
            event.state = State.ACCEPTED
            event.return_count += 1
            event.deadline = event.warn_at = None
            event.warned = event.overdue = False
            with unscoped("withdraw the assisting dispatches with their lead"):
                for other in Assignment.objects.filter(
                    event=event, state__in=ASSIGNMENT_OPEN, role=AssignmentRole.ASSIST
                ):
                    other.state = AssignmentState.WITHDRAWN
                    other.finished_at = now
                    save_changed(other)
        save_changed(event)
        _step(
            event,
            actor=actor,
            action="returned",
            from_state=before,
            note=f"{assignment.assignee_name}退回:{reason}",
        )
    if assignment.role == AssignmentRole.LEAD:
        notices.returned(event, reason)
    return event


@transaction.atomic
def report_done(
    event: Event,
    *,
    actor: Any,
    version: int,
    note: str,
    files: Iterable[UploadedFile] = (),
) -> Event:
    """Report the handling done with evidence (办结反馈). The lead's report sends the event to
    verification; an assisting department reports its part only."""
    event = _locked(event, version)
    _require_state(event, State.IN_PROGRESS, doing="办结反馈")
    note = _clean_text(note, field="note", label="办理情况")
    assignment = _my_assignment(event, actor, AssignmentState.TAKEN)
    now = _now()
    assignment.state = AssignmentState.DONE
    assignment.finished_at = now
    before = event.state
    if assignment.role == AssignmentRole.LEAD:
        event.state = State.VERIFYING
        event.handled_at, event.handled_by = now, actor
    with audit.action(actor, "events.event.done"):
        if assignment.role == AssignmentRole.LEAD:
            _withdraw_pending(event, now)
        save_changed(assignment)
        save_changed(event)
        entry = _step(
            event,
            actor=actor,
            action="done" if assignment.role == AssignmentRole.LEAD else "assist_done",
            from_state=before,
            note=f"{assignment.assignee_name}:{note}",
        )
        _attach(event, files, actor=actor, entry=entry)
    if assignment.role == AssignmentRole.LEAD:
        notices.to_verify(event)
    return event


@transaction.atomic
def request_extension(
    event: Event, *, actor: Any, version: int, reason: str, value: int, unit: str
) -> EventRequest:
    """Ask the center for more time, once per event."""
    event = _locked(event, version)
    _require_state(event, State.DISPATCHED, State.IN_PROGRESS, doing="申请延期")
    _require_lead(event, actor, "申请延期")
    reason = _clean_text(reason, field="reason", label="延期理由")
    if unit not in workcalendar.DurationUnit.values:
        raise Invalid("延长单位不正确。", field="unit")
    if not value or value < 1 or value > 365:
        raise Invalid("延长时限应在 1 到 365 之间。", field="value")
    if event.extended:
        raise InvalidTransition("该事件已延期过一次,不能再次申请。")
    note = f"申请延长 {workcalendar.describe(value, unit)}:{reason}"
    return _make_request(
        event, actor, RequestKind.EXTENSION, reason, note, extra_value=value, extra_unit=unit
    )


@transaction.atomic
def request_suspension(event: Event, *, actor: Any, version: int, reason: str) -> EventRequest:
    """Ask the center to park a case that cannot be solved now (挂账, into the 问题库)."""
    event = _locked(event, version)
    _require_state(event, State.IN_PROGRESS, doing="申请挂账")
    _require_lead(event, actor, "申请挂账")
    reason = _clean_text(reason, field="reason", label="挂账理由")
    return _make_request(event, actor, RequestKind.SUSPENSION, reason, f"申请挂账:{reason}")


def _require_lead(event: Event, actor: Any, doing: str) -> None:
    if _my_assignment(event, actor).role != AssignmentRole.LEAD:
        raise NotPermitted(f"只有主办单位可以{doing}。")


def _make_request(
    event: Event, actor: Any, kind: str, reason: str, note: str, **extra: Any
) -> EventRequest:
    """The request row, its timeline step and the center's notice; one pending at a time."""
    _no_pending(event)
    request = EventRequest(
        event=event,
        area_path=event.area_path,
        kind=kind,
        reason=reason[:500],
        requested_by=actor,
        requested_at=_now(),
        **extra,
    )
    with audit.action(actor, "events.request.made"):
        request.save()
        save_changed(event)
        _step(event, actor=actor, action=f"{kind}_requested", from_state=event.state, note=note)
    notices.request_made(event, request)
    return request


def _withdraw_pending(event: Event, now: dt.datetime) -> None:
    """A request waiting for the center ends with the handling it was for (done or returned)."""
    with unscoped("pending requests of the event"):
        for request in EventRequest.objects.filter(event=event, state=RequestState.PENDING):
            request.state = RequestState.WITHDRAWN
            request.decided_at = now
            request.decision_note = "办理已结束,申请自动撤回"
            save_changed(request)


def _no_pending(event: Event) -> None:
    with unscoped("pending requests of the event"):
        if EventRequest.objects.filter(event=event, state=RequestState.PENDING).exists():
            raise InvalidTransition("该事件已有待审批的申请。")


@transaction.atomic
def decide_request(
    request: EventRequest, *, actor: Any, version: int, grant: bool, note: str = ""
) -> EventRequest:
    """The center grants or refuses an extension or a suspension."""
    request = lock_current(request, expected_version=version)
    event = _locked(request.event, None)
    _require_center(actor, event)
    if request.state != RequestState.PENDING:
        raise InvalidTransition("该申请已审批。")
    note = note.strip()
    if not grant and not note:
        raise Invalid("不批准时请填写意见。", field="note")
    now = _now()
    request.state = RequestState.GRANTED if grant else RequestState.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, now, note[:500]
    before = event.state
    label = request.get_kind_display()
    with audit.action(actor, "events.request.decided"):
        save_changed(request)
        if grant and request.kind == RequestKind.EXTENSION:
            if event.state not in (State.DISPATCHED, State.IN_PROGRESS):
                raise InvalidTransition("事件已不在办理中,不能延期。")
            _push_deadline(event, request.extra_value, request.extra_unit, now)
        elif grant and request.kind == RequestKind.SUSPENSION:
            if event.state != State.IN_PROGRESS:
                raise InvalidTransition("事件已不在办理中,不能挂账。")
            event.state = State.SUSPENDED
            event.suspended_at = now
        save_changed(event)
        verdict = "批准" if grant else "不批准"
        _step(
            event,
            actor=actor,
            action="request_granted" if grant else "request_refused",
            from_state=before,
            note=f"{label}{verdict}" + (f":{note}" if note else ""),
        )
    notices.request_decided(event, request)
    return request


@transaction.atomic
def resume_event(event: Event, *, actor: Any, version: int, note: str = "") -> Event:
    """Take a suspended case out of the 问题库: the clock goes on with the time it had left."""
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, State.SUSPENDED, doing="恢复办理")
    now = _now()
    if event.deadline and event.suspended_at:
        paused = now - event.suspended_at
        event.deadline += paused
        event.warn_at = event.warn_at + paused if event.warn_at else None
    event.suspended_at = None
    event.state = State.IN_PROGRESS
    with audit.action(actor, "events.event.resumed"):
        save_changed(event)
        _step(event, actor=actor, action="resumed", from_state=State.SUSPENDED, note=note.strip())
    notices.resumed(event)
    return event


# --- Verification, closing, rating ---------------------------------------------------------------


def may_verify(actor: Any, event: Event) -> bool:
    if event.handled_by_id == actor.pk:
        return False
    return event.reporter_id == actor.pk or jurisdiction(actor).allows(
        "events.verify", event.area_path
    )


@transaction.atomic
def verify_event(
    event: Event,
    *,
    actor: Any,
    version: int,
    passed: bool,
    note: str = "",
    files: Iterable[UploadedFile] = (),
) -> Event:
    """Check the result on site: confirmed closes the event, not confirmed sends it back for
    rework (返工). Whoever reported it done cannot verify it."""
    event = _locked(event, version)
    _require_state(event, State.VERIFYING, doing="核查")
    if event.handled_by_id == actor.pk:
        raise NotPermitted("办结反馈人不能核查自己办理的事件。")
    if not may_verify(actor, event):
        raise NotPermitted("只有上报人或所在网格(村社区)的核查人员可以核查。")
    note = note.strip()
    now = _now()
    before = event.state
    if passed:
        event.state = State.CLOSED
        event.closed_at = now
        event.closed_on_time = event.deadline is None or now <= event.deadline
        code = "events.event.closed"
    else:
        if not note:
            raise Invalid("核查不通过时请说明原因。", field="note")
        if event.self_handled:
            # Nobody was dispatched: the center takes it from here.
            event.state = State.ACCEPTED
            event.self_handled = False
        else:
            event.state = State.IN_PROGRESS
            _reopen_lead(event)
        event.rework_count += 1
        event.handled_at = event.handled_by = None
        code = "events.event.rework"
    with audit.action(actor, code):
        save_changed(event)
        entry = _step(
            event,
            actor=actor,
            action="verified" if passed else "rework",
            from_state=before,
            note=note,
        )
        _attach(event, files, actor=actor, entry=entry)
    if passed:
        notices.closed(event)
    elif event.state == State.ACCEPTED:
        notices.settling_failed(event, note)
    else:
        notices.rework(event, note)
    return event


def _reopen_lead(event: Event) -> None:
    with unscoped("the lead assignment goes back to work"):
        lead = (
            Assignment.objects.filter(event=event, role=AssignmentRole.LEAD)
            .exclude(state__in=[AssignmentState.RETURNED, AssignmentState.WITHDRAWN])
            .order_by("-assigned_at", "-pk")
            .first()
        )
    if lead is not None:
        lead.state = AssignmentState.TAKEN
        lead.finished_at = None
        save_changed(lead)


def _reopen(event: Event) -> None:
    event.state = State.IN_PROGRESS
    event.reopen_count += 1
    # 重办 gets the category's full time limit again, from now.
    _set_clock(event, _now())
    event.closed_at = None
    event.closed_on_time = None
    event.handled_at = event.handled_by = None
    _reopen_lead(event)


@transaction.atomic
def rate_event(event: Event, *, actor: Any, version: int, rating: str, comment: str = "") -> Event:
    """The reporter's rating (or the center's 回访 on their behalf). 不满意 reopens the case when
    the installation's rule says so (GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED)."""
    event = _locked(event, version)
    _require_state(event, State.CLOSED, doing="评价")
    if event.reporter_id != actor.pk and not jurisdiction(actor).allows(
        "events.accept", event.center_path
    ):
        raise NotPermitted("只有上报人或受理中心(回访)可以评价。")
    if rating not in Rating.values:
        raise Invalid("请选择满意、基本满意或不满意。", field="rating")
    comment = comment.strip()
    if rating == Rating.DISSATISFIED and not comment:
        raise Invalid("不满意时请说明原因。", field="comment")
    before = event.state
    event.rating, event.rating_comment, event.rated_at = rating, comment[:500], _now()
    reopen = rating == Rating.DISSATISFIED and getattr(
        settings, "GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED", True
    )
    if reopen and not event.self_handled and event.dispatched_at:
        _reopen(event)
    else:
        event.state = State.RATED
    with audit.action(actor, "events.event.rated"):
        save_changed(event)
        _step(
            event,
            actor=actor,
            action="rated",
            from_state=before,
            note=f"{Rating(rating).label}" + (f":{comment}" if comment else ""),
        )
        if event.state == State.IN_PROGRESS:
            _step(event, actor=actor, action="reopened", from_state=before, note="评价不满意,重办")
    if event.state == State.IN_PROGRESS:
        notices.rework(event, f"评价不满意:{comment}")
    return event


@transaction.atomic
def reopen_event(event: Event, *, actor: Any, version: int, reason: str) -> Event:
    """The center reopens a closed case within the window (GRIDGOV_EVENT_REOPEN_DAYS)."""
    event = _locked(event, version)
    _require_center(actor, event)
    _require_state(event, *FINISHED_STATES, doing="重新办理")
    reason = _clean_text(reason, field="reason", label="重办理由")
    days = getattr(settings, "GRIDGOV_EVENT_REOPEN_DAYS", 30)
    if event.closed_at and _now() - event.closed_at > dt.timedelta(days=days):
        raise InvalidTransition(f"结案已超过 {days} 天,请作为新事件上报。")
    if event.self_handled or not event.dispatched_at:
        raise InvalidTransition("自行处置的事件请作为新事件上报。")
    before = event.state
    _reopen(event)
    with audit.action(actor, "events.event.reopened"):
        save_changed(event)
        _step(event, actor=actor, action="reopened", from_state=before, note=reason)
    notices.rework(event, reason)
    return event


# --- Supervision ---------------------------------------------------------------------------------


@transaction.atomic
def supervise_event(
    event: Event,
    *,
    actor: Any,
    level: str,
    note: str,
    deadline: dt.datetime | None = None,
    automatic: bool = False,
) -> SupervisionRecord:
    """催办 (center or leader), 督办 or 挂牌督办 (leader) an open event. The event keeps its
    highest level; every record is kept. No version: supervising does not touch what others edit."""
    event = _locked(event, None)
    if level not in Supervision.values:
        raise Invalid("督办级别不正确。", field="level")
    action = "events.remind" if level == Supervision.REMIND else "events.supervise"
    if not automatic:
        if level == Supervision.REMIND and jurisdiction(actor).allows(
            "events.accept", event.center_path
        ):
            pass
        elif not jurisdiction(actor).allows(action, event.area_path):
            raise NotPermitted("您不能对该事件" + Supervision(level).label + "。")
    if event.state not in OPEN_STATES:
        raise InvalidTransition("事件已办结,无需督办。")
    note = _clean_text(note, field="note", label="督办意见")
    if deadline is not None and deadline <= _now():
        raise Invalid("督办期限应晚于现在。", field="deadline")
    record = SupervisionRecord(
        event=event,
        area_path=event.area_path,
        level=level,
        note=note[:500],
        deadline=deadline,
        by=actor,
        at=_now(),
        automatic=automatic,
    )
    if SUPERVISION_RANK[level] >= SUPERVISION_RANK.get(event.supervision, 0):
        event.supervision = level
        event.supervision_deadline = deadline or event.supervision_deadline
    with audit.action(actor, "events.event.supervised"):
        record.save()
        save_changed(event)
        _step(
            event,
            actor=actor,
            action="supervised",
            from_state=event.state,
            note=f"{Supervision(level).label}:{note}",
        )
    notices.supervised(event, record)
    return record


# --- The deadline sweep --------------------------------------------------------------------------


def sweep_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark events whose deadline is near (yellow) or past (red), tell their handlers and the
    center, and escalate those overdue for longer than the grace
    (GRIDGOV_EVENT_ESCALATE_AFTER_HOURS) with an automatic 督办 to the center above.

    Set-based: the flags are set by two UPDATEs that stamp the rows they mark with `now`, and
    the timeline entries, supervision records and notices are made from that stamp inside the
    database, so 500,000 open events take seconds. An event that is both newly red and past the
    grace (a sweep after downtime) is written once. Safe to run twice (a second run finds
    nothing new); the version is left alone, so nobody's open form goes stale because of a lamp."""
    from gridgov.accounts.system import system_actor

    now = now or _now()
    grace = dt.timedelta(hours=getattr(settings, "GRIDGOV_EVENT_ESCALATE_AFTER_HOURS", 24))
    since = now - grace
    actor = system_actor()
    at = Value(now, output_field=models.DateTimeField())
    automatic_rank = SUPERVISION_RANK[_SUPERVISE]
    lower = [level for level, rank in SUPERVISION_RANK.items() if rank < automatic_rank]
    newly_red = Q(overdue=False)
    to_escalate = Q(overdue_escalated=False, deadline__lte=since)
    with unscoped("deadline sweep"):
        running = Event.objects.filter(state__in=list(CLOCK_STATES))
        # The rows this run marks, found again by its stamp; the deadline condition lets the
        # database read them from the index of running deadlines, not the whole table.
        yellow = running.filter(warned_at=now, deadline__gt=now)
        red = running.filter(overdue_at=now, deadline__lte=now)
        late = running.filter(escalated_at=now, deadline__lte=since)
        with transaction.atomic():
            warned = running.filter(warned=False, warn_at__lte=now, deadline__gt=now).update(
                warned=True, warned_at=now
            )
        with transaction.atomic():
            # In each CASE the columns are the row's values before this UPDATE.
            marked = running.filter(newly_red | to_escalate, deadline__lte=now).update(
                overdue=True,
                warned=True,
                overdue_at=Case(When(newly_red, then=at), default=F("overdue_at")),
                overdue_escalated=Case(
                    When(to_escalate, then=Value(True)), default=F("overdue_escalated")
                ),
                escalated_at=Case(When(to_escalate, then=at), default=F("escalated_at")),
                supervision=Case(
                    When(
                        to_escalate & (Q(supervision="") | Q(supervision__in=lower)),
                        then=Value(_SUPERVISE),
                    ),
                    default=F("supervision"),
                ),
            )
            overdue = escalated = 0
            if marked:
                overdue = _steps_from(red, action="overdue", note="已超过办理期限", at=now)
                escalated = _supervise_escalated(late, at=now, actor=actor)
            if overdue or escalated or warned:
                audit.record_bulk(
                    actor,
                    "events.deadline.swept",
                    model=Event,
                    object_repr="办理期限巡检",
                    changes={
                        "标记临期": f"{warned} 件",
                        "标记超期": f"{overdue} 件",
                        "超期自动督办": f"{escalated} 件",
                    },
                )
    none = Event.objects.none()
    notices.deadline_sweep(
        warned=yellow if warned else none,
        overdue=red if overdue else none,
        escalated=late if escalated else none,
    )
    return {"warned": warned, "overdue": overdue, "escalated": escalated}


_SUPERVISE = Supervision.SUPERVISE
AUTOMATIC_SUPERVISION_NOTE = "超期未办结,系统自动督办并报上级中心"


def _supervise_escalated(events: Any, *, at: dt.datetime, actor: Any) -> int:
    """The automatic 督办 of `events` (their level is already raised), as `supervise_event`
    would record it one at a time: a supervision record and a timeline entry each."""
    moment = Value(at, output_field=models.DateTimeField())
    count = insert_from_query(
        SupervisionRecord,
        {
            "event": F("pk"),
            "area_path": F("area_path"),
            "level": Value(_SUPERVISE),
            "note": Value(AUTOMATIC_SUPERVISION_NOTE),
            "by": Value(actor.pk),
            "at": moment,
            "automatic": Value(True),
            "created_at": moment,
            "updated_at": moment,
        },
        events,
    )
    if count:
        _steps_from(
            events,
            action="supervised",
            note=f"{Supervision.SUPERVISE.label}:{AUTOMATIC_SUPERVISION_NOTE}",
            at=at,
        )
    return count


def _steps_from(events: Any, *, action: str, note: str, at: dt.datetime) -> int:
    """A timeline entry by the system for each of `events`, its state unchanged, written by the
    database from the event rows."""
    moment = Value(at, output_field=models.DateTimeField())
    return insert_from_query(
        TimelineEntry,
        {
            "event": F("pk"),
            "area_path": F("area_path"),
            "action": Value(action),
            "from_state": F("state"),
            "to_state": F("state"),
            "note": Value(note),
            "at": moment,
            "created_at": moment,
            "updated_at": moment,
        },
        events,
    )


# --- Configuration -------------------------------------------------------------------------------

# What the administrator may change on a category (the page form shows exactly these).
CATEGORY_FIELDS = (
    "name",
    "order",
    "is_active",
    "sla_value",
    "sla_unit",
    "urgent_sla_value",
    "urgent_sla_unit",
)


@transaction.atomic
def update_category(category: Category, *, actor: Any, **values: Any) -> Category:
    """Change a category's name, order, use or time limits. Events already dispatched keep the
    deadline they were given; the new limit applies from the next dispatch."""
    if not jurisdiction(actor).allows_anywhere("events.configure"):
        raise NotPermitted("只有系统管理员可以维护事件类别与时限。")
    with unscoped("configuration row"):
        category = Category.objects.select_for_update().get(pk=category.pk)
    for name in CATEGORY_FIELDS:
        if name in values:
            setattr(category, name, values[name])
    category.name = (category.name or "").strip()
    if not category.name:
        raise Invalid("请填写名称。", field="name")
    if not category.sla_value or category.sla_value < 1:
        raise Invalid("处置时限至少为 1。", field="sla_value")
    if category.sla_unit not in workcalendar.DurationUnit.values:
        raise Invalid("时限单位不正确。", field="sla_unit")
    if (
        category.urgent_sla_value
        and category.urgent_sla_unit not in workcalendar.DurationUnit.values
    ):
        raise Invalid("请选择紧急时限的单位。", field="urgent_sla_unit")
    with audit.action(actor, "events.config.changed"):
        category.save()
    return category


# --- Steps other apps record on an event ---------------------------------------------------------


def record_step(event: Event, *, actor: Any, action: str, note: str = "") -> TimelineEntry:
    """A step another app takes on an event (a dispute's mediation session, agreement, follow-up
    visit …), written to the event's timeline with its state unchanged. The event row itself is
    not touched, so nobody's open form goes stale. The caller has checked the actor and runs this
    inside its own transaction and audit action; labels come from
    templatetags.event_tags.register_step_labels."""
    return _step(event, actor=actor, action=action, from_state=event.state, note=note[:2000])


# --- The registry's merge hook -------------------------------------------------------------------


def move_parties_on_merge(keep: Any, drop: Any, actor: Any) -> None:
    """When the registry merges two people, the dropped one's events follow the kept one."""
    with unscoped("registry merge: move event parties"):
        for party in EventParty.objects.filter(person=drop):
            if EventParty.objects.filter(event_id=party.event_id, person=keep).exists():
                continue
            party.person = keep
            save_changed(party)


# --- Kinds with legal time limits of their own (petitions) ---------------------------------------


def own_clock_step(
    event: Event,
    *,
    actor: Any,
    action: str,
    state: str | None = None,
    clock: tuple[dt.datetime, int, str] | None = None,
    extend: tuple[int, str] | None = None,
    note: str = "",
) -> Event:
    """One step of a kind whose stages carry time limits of their own (a petition's 受理告知,
    办理, 复查, 复核: petitions/services.py). Moves the event to `state`, starts a fresh
    deadline `clock` = (start, value, unit) or pushes the current one by `extend` = (value,
    unit), and writes the timeline step `action`. The lamp, queues, deadline sweep, supervision
    and figures then treat the event like any other, reading only these fields. Entering a
    finished state stamps closed_at/closed_on_time (and the handling time); leaving one clears
    them. The caller has locked the event, checked the actor, and runs this inside its own
    transaction and audit action."""
    before = event.state
    now = _now()
    if state is not None:
        if state not in State.values:
            raise ValueError(f"unknown event state {state!r}")
        event.state = state
    if clock is not None:
        _start_clock(event, *clock)
    if extend is not None and event.deadline is not None:
        _push_deadline(event, *extend, now)
    if event.state in FINISHED_STATES and before not in FINISHED_STATES:
        event.closed_at = now
        event.closed_on_time = event.deadline is None or now <= event.deadline
        event.handled_at, event.handled_by = now, actor if getattr(actor, "pk", None) else None
    elif event.state not in FINISHED_STATES and before in FINISHED_STATES:
        event.closed_at = event.closed_on_time = None
        event.handled_at = event.handled_by = None
    save_changed(event)
    _step(event, actor=actor, action=action, from_state=before, note=note)
    return event


# --- Routing rules (直报与抄告) -------------------------------------------------------------------
#
# A rule names an area and a category: an event of that category reported under the area (and
# urgent, unless the rule says every priority) goes straight to the center at `target_level` and
# is copied to `copy_departments` (report_event, _routing_rule, _copy_to). Events already
# reported keep their center; a rule applies from the next report. Rules are never deleted.

# A township's center receives every event of its grids anyway: a rule sends higher.
ROUTING_TARGET_LEVELS = (Level.COUNTY, Level.CITY, Level.PROVINCE)


def _level_rank(level: str) -> int:
    """0 for a province … 5 for a grid: a smaller rank is a higher level."""
    return list(Level.values).index(level)


def _require_configure(actor: Any, area: Area) -> None:
    if not jurisdiction(actor).allows("events.configure", area.path):
        raise NotPermitted(f"您无权设置{area.name}的事件直报规则。")


def _department_names(departments: Iterable[Any]) -> str:
    return "、".join(d.name for d in sorted(departments, key=lambda d: (d.area_path, d.name)))


def _reachable(actor: Any, department: Any) -> bool:
    return jurisdiction(actor).allows("accounts.view", department.area_path)


def _clean_routing(
    area: Area,
    *,
    actor: Any,
    category: Category,
    min_priority: str,
    target_level: str,
    departments: list[Any],
    already: Iterable[Any] = (),
) -> None:
    """Refuse a rule that cannot work as written; nothing is written yet. Departments `already`
    copied are not refused for having been retired since (the rule can still be edited)."""
    if category is None or not category.is_active or not category.kind.is_active:
        raise Invalid("请选择在用的事件类别。", field="category")
    if min_priority not in Priority.values:
        raise Invalid("适用紧急程度不正确。", field="min_priority")
    if target_level:
        if target_level not in Level.values:
            raise Invalid("直报层级不正确。", field="target_level")
        if _level_rank(target_level) >= _level_rank(area.level):
            raise Invalid(
                f"直报层级须高于适用区域本身的层级({area.name}为{area.get_level_display()})。",
                field="target_level",
            )
        if target_level not in ROUTING_TARGET_LEVELS:
            raise Invalid(
                "直报层级须为区县或以上:乡镇(街道)综治中心本就受理辖区内的事件。",
                field="target_level",
            )
        with unscoped("routing rule: the target center above the rule's area"):
            target_exists = Area.objects.filter(
                Area.active_q(), path__in=area.ancestor_paths(), level=target_level
            ).exists()
        if not target_exists:
            raise Invalid(
                f"{area.name}之上没有在用的{Level(target_level).label}区域,无法直报。",
                field="target_level",
            )
    for department in departments:
        if not department.is_active and department not in already:
            raise Invalid(f"{department.name}已撤销,不能抄告。", field="copy_departments")
        if not (
            area.path.startswith(department.area_path) or department.area_path.startswith(area.path)
        ):
            raise Invalid(
                f"{department.name}既不在{area.name}辖区内,也不属于其上级区域,不能抄告。",
                field="copy_departments",
            )
    if not target_level and not departments:
        raise Invalid("请选择直报层级或抄告部门,至少一项。", field="target_level")


def _no_twin_rule(area: Area, category: Category, *, other_than: int | None = None) -> None:
    """One active rule per area and category: report_event applies the nearest rule, and two at
    the same place would leave the choice to chance. The caller holds the area's row lock."""
    with unscoped("routing rule: one active rule per area and category"):
        twins = RoutingRule.objects.filter(area=area, category=category, is_active=True)
        if other_than is not None:
            twins = twins.exclude(pk=other_than)
        taken = twins.exists()
    if taken:
        raise Invalid(
            f"{area.name}已有“{category.name}”的在用直报规则,请修改该规则。", field="category"
        )


def _set_copy_departments(rule: RoutingRule, before: list[Any], after: list[Any]) -> None:
    """Write the copied departments and audit the change: auditlog diffs the rule's own columns
    only, so the many-to-many change gets its own entry (under the enclosing action code)."""
    from auditlog.models import LogEntry

    if {d.pk for d in before} == {d.pk for d in after}:
        return
    with unscoped("routing rule: its copied departments"):
        rule.copy_departments.set(after)
    LogEntry.objects.log_create(
        rule,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"copy_departments": [_department_names(before), _department_names(after)]},
    )


@transaction.atomic
def create_routing_rule(
    *,
    actor: Any,
    area: Area,
    category: Category,
    min_priority: str = Priority.URGENT,
    target_level: str = "",
    copy_departments: Iterable[Any] = (),
) -> RoutingRule:
    """A rule for `area` (events.configure there): an event of `category` reported under it, if
    at least `min_priority`, goes straight to the center at `target_level` (county or above) and
    is copied to `copy_departments` (each within the actor's reach, on the area's line). Raises
    NotPermitted, or Invalid for a rule that could not work (one active rule per area and
    category)."""
    area = lock_current(area, expected_version=None)  # serializes rules of the same area
    _require_configure(actor, area)
    if not area.is_active:
        raise Invalid("该区域已撤销。", field="area")
    departments = list({d.pk: d for d in copy_departments or ()}.values())
    for department in departments:
        if not _reachable(actor, department):
            raise Invalid(
                f"{department.name}不在您的管辖范围内,不能抄告。", field="copy_departments"
            )
    target_level = target_level or ""
    _clean_routing(
        area,
        actor=actor,
        category=category,
        min_priority=min_priority,
        target_level=target_level,
        departments=departments,
    )
    _no_twin_rule(area, category)
    rule = RoutingRule(
        area=area,
        area_path=area.path,
        category=category,
        min_priority=min_priority,
        target_level=target_level,
    )
    full_clean_or_invalid(rule)
    with audit.action(actor, "events.routing_rule.created"):
        rule.save()
        _set_copy_departments(rule, [], departments)
    return rule


@transaction.atomic
def update_routing_rule(
    rule: RoutingRule,
    *,
    actor: Any,
    version: int,
    category: Category | None = None,
    min_priority: str | None = None,
    target_level: str | None = None,
    copy_departments: Iterable[Any] | None = None,
) -> RoutingRule:
    """Change an active rule's category, priority, target level or copied departments (None
    leaves a value as it is). Copied departments outside the actor's reach, set by someone above
    them, stay as they are: the actor neither sees nor removes them. Raises Conflict for a stale
    `version`, NotPermitted, InvalidTransition for a deactivated rule, Invalid."""
    rule = lock_current(rule, expected_version=version)
    with unscoped("routing rule: its area"):
        area = rule.area
    _require_configure(actor, area)
    if not rule.is_active:
        raise InvalidTransition("已停用的直报规则不能修改,请新建规则。")
    lock_current(area, expected_version=None)
    with unscoped("routing rule: its copied departments"):
        before = list(rule.copy_departments.all())
    after = before
    if copy_departments is not None:
        chosen = list({d.pk: d for d in copy_departments}.values())
        for department in chosen:
            if not _reachable(actor, department) and department not in before:
                raise Invalid(
                    f"{department.name}不在您的管辖范围内,不能抄告。", field="copy_departments"
                )
        kept = [d for d in before if not _reachable(actor, d) and d not in chosen]
        after = chosen + kept
    if category is not None:
        rule.category = category
    if min_priority is not None:
        rule.min_priority = min_priority
    if target_level is not None:
        rule.target_level = target_level
    _clean_routing(
        area,
        actor=actor,
        category=rule.category,
        min_priority=rule.min_priority,
        target_level=rule.target_level,
        departments=after,
        already=before,
    )
    _no_twin_rule(area, rule.category, other_than=rule.pk)
    full_clean_or_invalid(rule)
    with audit.action(actor, "events.routing_rule.updated"):
        save_changed(rule)
        _set_copy_departments(rule, before, after)
    return rule


@transaction.atomic
def deactivate_routing_rule(rule: RoutingRule, *, actor: Any, version: int) -> RoutingRule:
    """Stop applying a rule (停用). The row stays, with its history; events already routed by it
    keep their center and copies. Raises Conflict, NotPermitted, InvalidTransition."""
    rule = lock_current(rule, expected_version=version)
    with unscoped("routing rule: its area"):
        area = rule.area
    _require_configure(actor, area)
    if not rule.is_active:
        raise InvalidTransition("该直报规则已停用。")
    rule.is_active = False
    with audit.action(actor, "events.routing_rule.deactivated"):
        save_changed(rule)
    return rule
