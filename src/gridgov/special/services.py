"""Every change to the special populations: open a status (列管), change its grade or officer,
edit its details, end it; log a visit; hand it over between areas; the overdue sweep; the
configuration of types and visit rules; the registry's merge hook and the petitions flag.

Each write is one function in one transaction: it re-reads the row under a lock with the version
the actor saw, checks the role over the status's area (and `special.hiv` for a restricted type),
validates, writes the row, its history row (StatusChange) and the audit entry, and tells the
people who act next.

Who acts where:
- special.manage over the status's area: open, grade, officer, details, end, start a handover;
- special.manage over the receiving area: accept or reject a handover (naming the new officer);
- special.visit over the status's area: log visits (the officer need not be the one visiting);
- special.configure anywhere: types and visit rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.core import audit, workcalendar
from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed
from gridgov.core.uploads import check_upload
from gridgov.special import details as details_mod
from gridgov.special import selectors
from gridgov.special.choices import (
    RESTRICTED_ACTION,
    ChangeKind,
    DrugTestResult,
    EndReason,
    Grade,
    HandoverState,
    HelperRole,
    HelpMeasure,
    VisitKind,
)
from gridgov.special.models import (
    Handover,
    SpecialStatus,
    SpecialType,
    StatusChange,
    Visit,
    VisitRule,
)

VISIT_UNITS = (workcalendar.DurationUnit.NATURAL_DAYS, workcalendar.DurationUnit.WORK_DAYS)


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate(_now())


# --- Helpers -------------------------------------------------------------------------------------


def _require(actor: Any, action: str, status_type: SpecialType, path: str) -> None:
    require(actor, action, path)
    if status_type.restricted:
        require(actor, RESTRICTED_ACTION, path)


def _require_open(status: SpecialStatus, doing: str) -> None:
    if not status.is_open:
        raise InvalidTransition(f"该记录已解除列管,不能{doing}。")


def _locked(status: SpecialStatus, version: int | None) -> SpecialStatus:
    status = lock_current(status, expected_version=version)
    with unscoped("the locked status's type"):
        status.type = SpecialType.objects.get(pk=status.type_id)
    return status


def rule_for(type_id: int, grade: str) -> VisitRule | None:
    """The visit rule of a type and grade: the grade's own, else the type's rule for every grade."""
    rules = {r.grade: r for r in VisitRule.objects.filter(type_id=type_id, grade__in=[grade, ""])}
    return rules.get(grade) or rules.get("")


def due_after(day: dt.date, value: int, unit: str) -> dt.date:
    """The day a visit is due `value` `unit` after a visit on `day` (工作日 skip holidays)."""
    if unit == workcalendar.DurationUnit.NATURAL_DAYS:
        return day + dt.timedelta(days=value)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return timezone.localdate(workcalendar.add_duration(start, value, unit))


def next_due(status: SpecialStatus, rule: VisitRule | None) -> dt.date | None:
    """When the next visit is due: the rule's interval after the last visit (or the opening)."""
    if rule is None or not status.is_open:
        return None
    base = status.last_visit_on or status.started_on
    return due_after(base, rule.interval_value, rule.interval_unit)


def _reschedule(status: SpecialStatus) -> None:
    status.next_visit_due = next_due(status, rule_for(status.type_id, status.grade))


def _change(
    status: SpecialStatus,
    kind: str,
    *,
    actor: Any,
    before: str = "",
    after: str = "",
    note: str = "",
) -> StatusChange:
    change = StatusChange(
        status=status,
        area_path=status.area_path,
        kind=kind,
        from_value=before[:200],
        to_value=after[:200],
        note=(note or "")[:500],
        actor=actor if getattr(actor, "pk", None) else None,
        at=_now(),
    )
    change.save()
    return change


def _grade_label(grade: str) -> str:
    return dict(Grade.choices).get(grade, grade) if grade else "未定级"


def _officer_label(officer: Any) -> str:
    return (officer.full_name or officer.username) if officer else "未指定"


def _check_grade(status_type: SpecialType, grade: str) -> str:
    grade = grade or ""
    if status_type.grades and grade not in status_type.grades:
        names = "、".join(label for _, label in status_type.grade_choices())
        raise Invalid(f"{status_type.name}的等级须为:{names}。", field="grade")
    if not status_type.grades and grade:
        raise Invalid(f"{status_type.name}不分等级。", field="grade")
    return grade


def _check_officer(officer: Any, status_type: SpecialType, path: str) -> None:
    """The responsible officer must be able to see and visit the status where it is."""
    if officer is None:
        return
    rights = jurisdiction(officer)
    if not officer.is_active or not rights.allows("special.visit", path):
        raise Invalid(
            f"“{_officer_label(officer)}”在该区域没有走访特殊人群的职责,不能作为责任人。",
            field="officer",
        )
    if status_type.restricted and not rights.allows(RESTRICTED_ACTION, path):
        raise Invalid(
            f"“{_officer_label(officer)}”无权查看{status_type.name},不能作为责任人。",
            field="officer",
        )


def _clean_team(team: Iterable[Any] | None) -> list[dict[str, str]]:
    """帮教小组: [{"role": HelperRole, "name": "…"}], names required, at most 20 members."""
    cleaned: list[dict[str, str]] = []
    for member in team or ():
        if not isinstance(member, dict):
            raise Invalid("帮教小组成员格式不正确。", field="team")
        role = str(member.get("role") or "")
        name = str(member.get("name") or "").strip()
        if not role and not name:
            continue
        if role not in HelperRole.values:
            raise Invalid(f"帮教小组成员身份“{role}”不正确。", field="team")
        if not name or len(name) > 50:
            raise Invalid("请填写帮教小组成员姓名(不超过 50 字)。", field="team")
        cleaned.append({"role": role, "name": name})
    if len(cleaned) > 20:
        raise Invalid("帮教小组最多 20 人。", field="team")
    return cleaned


def _clean_measures(measures: Iterable[str] | None) -> list[str]:
    values = sorted({str(m) for m in measures or () if m})
    wrong = [m for m in values if m not in HelpMeasure.values]
    if wrong:
        raise Invalid(f"帮扶措施“{wrong[0]}”不正确。", field="measures")
    return values


def _link(status: SpecialStatus) -> str:
    return reverse("special:detail", args=[status.pk])


def _notify(
    users: Iterable[Any], status: SpecialStatus, kind: str, title: str, body: str = ""
) -> None:
    from gridgov.notifications.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(
            users,
            kind=f"special.{kind}",
            title=title,
            body=body,
            link=_link(status),
            area_path=status.area_path,
        )


def _label(status: SpecialStatus) -> str:
    # Notices name the type and a masked name only: the inbox is not the file.
    with unscoped("the status's person, for a notice"):
        name = status.person.name
    return f"{status.type.name}“{selectors.mask_name(name)}”"


# --- Opening -------------------------------------------------------------------------------------


@transaction.atomic
def open_status(
    *,
    actor: Any,
    person: Any,
    type: SpecialType,
    grade: str = "",
    area: Any = None,
    officer: Any = None,
    started_on: dt.date | None = None,
    details: dict[str, Any] | None = None,
    team: Iterable[Any] | None = None,
    measures: Iterable[str] | None = None,
    note: str = "",
    system: bool = False,
) -> SpecialStatus:
    """Put a registry person under special care as `type` (列管), in `area` (default: the
    person's grid). Who: special.manage over the area and registry.view over the person
    (special.hiv too for a restricted type); `system=True` is for other modules' flags, whose
    raiser has authorised it. Writes the status, its `opened` history row and the audit entry.
    Raises Invalid (type, grade, details, officer, dates), InvalidTransition (the person is not
    present, or already has an open status of this type), NotPermitted."""
    from gridgov.areas.models import Area
    from gridgov.registry.codes import PersonStatus
    from gridgov.registry.models import Person

    if type is None or not type.is_active:
        raise Invalid("请选择在用的特殊人群类型。", field="type")
    with unscoped("lock the person: one open status per type"):
        person = Person.objects.select_for_update().select_related("grid").get(pk=person.pk)
    if not system and not jurisdiction(actor).allows("registry.view", person.area_path):
        raise NotFound()
    if person.status != PersonStatus.PRESENT:
        raise InvalidTransition(f"“{person.name}”{person.get_status_display()},不能列管。")
    if area is None:
        area = person.grid
    else:
        with unscoped("the responsible area"):
            area = Area.objects.get(pk=area.pk)
    if not area.is_active:
        raise Invalid("请选择在用的责任区域。", field="area")
    if not system:
        _require(actor, "special.manage", type, area.path)
    with unscoped("one open status per person and type"):
        if SpecialStatus.objects.filter(person=person, type=type, ended_on__isnull=True).exists():
            raise InvalidTransition(f"“{person.name}”已作为{type.name}在管,不能重复列管。")
    details = details_mod.clean(type.code, details)
    grade = _check_grade(type, grade or details_mod.suggested_grade(type.code, details))
    started_on = started_on or _today()
    if started_on > _today():
        raise Invalid("列管日期不能晚于今天。", field="started_on")
    _check_officer(officer, type, area.path)
    status = SpecialStatus(
        person=person,
        type=type,
        grade=grade,
        area=area,
        area_path=area.path,
        officer=officer,
        team=_clean_team(team),
        measures=_clean_measures(measures),
        details=details,
        started_on=started_on,
    )
    _reschedule(status)
    full_clean_or_invalid(status, exclude=["person", "type", "area", "officer"])
    with audit.action(actor, "special.status.opened"):
        status.save()
        _change(
            status,
            ChangeKind.OPENED,
            actor=actor,
            after=f"{_grade_label(grade)} · {_officer_label(officer)}",
            note=note,
        )
    if officer is not None:
        _notify([officer], status, "assigned", f"您被指定为{_label(status)}的责任人")
    else:
        paths = selectors.township_paths({status.area_path})
        center = paths.get(status.area_path, status.area_path)
        _notify(
            selectors.managers(center, restricted=type.restricted),
            status,
            "opened",
            f"新列管{_label(status)},请指定责任人",
            note,
        )
    return status


# --- Changes -------------------------------------------------------------------------------------


@transaction.atomic
def change_grade(
    status: SpecialStatus, *, actor: Any, version: int, grade: str, note: str = ""
) -> SpecialStatus:
    """Raise or lower the grade (动态调级). The next visit is due by the new grade's rule,
    counted from the last visit: a stricter grade can make a visit due at once. Who:
    special.manage over the status's area."""
    status = _locked(status, version)
    _require(actor, "special.manage", status.type, status.area_path)
    _require_open(status, "调整等级")
    grade = _check_grade(status.type, grade)
    if grade == status.grade:
        raise Invalid("等级没有变化。", field="grade")
    before = status.grade
    status.grade = grade
    _reschedule(status)
    with audit.action(actor, "special.status.grade"):
        save_changed(status)
        _change(
            status,
            ChangeKind.GRADE,
            actor=actor,
            before=_grade_label(before),
            after=_grade_label(grade),
            note=note,
        )
    return status


@transaction.atomic
def change_officer(
    status: SpecialStatus, *, actor: Any, version: int, officer: Any, note: str = ""
) -> SpecialStatus:
    """Make `officer` responsible (更换责任人); they must be able to visit it where it is."""
    status = _locked(status, version)
    _require(actor, "special.manage", status.type, status.area_path)
    _require_open(status, "更换责任人")
    if officer is None:
        raise Invalid("请选择责任人。", field="officer")
    if officer.pk == status.officer_id:
        raise Invalid("责任人没有变化。", field="officer")
    _check_officer(officer, status.type, status.area_path)
    with unscoped("the former officer's name"):
        before = status.officer
    status.officer = officer
    with audit.action(actor, "special.status.officer"):
        save_changed(status)
        _change(
            status,
            ChangeKind.OFFICER,
            actor=actor,
            before=_officer_label(before),
            after=_officer_label(officer),
            note=note,
        )
    _notify([officer], status, "assigned", f"您被指定为{_label(status)}的责任人")
    return status


@transaction.atomic
def update_status(
    status: SpecialStatus,
    *,
    actor: Any,
    version: int,
    details: dict[str, Any] | None = None,
    team: Iterable[Any] | None = None,
    measures: Iterable[str] | None = None,
) -> SpecialStatus:
    """Edit the type's details (GB/T items), the helpers' team or the help measures. Only what
    is passed changes."""
    status = _locked(status, version)
    _require(actor, "special.manage", status.type, status.area_path)
    _require_open(status, "修改")
    if details is not None:
        status.details = details_mod.clean(status.type.code, details, previous=status.details)
    if team is not None:
        status.team = _clean_team(team)
    if measures is not None:
        status.measures = _clean_measures(measures)
    with audit.action(actor, "special.status.updated"):
        save_changed(status)
        _change(status, ChangeKind.DETAILS, actor=actor)
    return status


@transaction.atomic
def end_status(
    status: SpecialStatus,
    *,
    actor: Any,
    version: int,
    reason: str,
    ended_on: dt.date | None = None,
    note: str = "",
) -> SpecialStatus:
    """End the status (解除列管): no more visits are due. Refused while a handover is pending
    (withdraw it first) so that neither side is left with a half-moved record."""
    status = _locked(status, version)
    _require(actor, "special.manage", status.type, status.area_path)
    _require_open(status, "解除")
    if reason not in EndReason.values:
        raise Invalid("请选择解除原因。", field="reason")
    ended_on = ended_on or _today()
    if ended_on > _today() or ended_on < status.started_on:
        raise Invalid("解除日期须在列管日期与今天之间。", field="ended_on")
    if selectors.pending_handover_of(status) is not None:
        raise InvalidTransition("该人员有待接收的交接,请先撤回交接再解除列管。")
    status.ended_on, status.end_reason, status.end_note = ended_on, reason, (note or "")[:500]
    status.next_visit_due = None
    status.lost_since = None
    with audit.action(actor, "special.status.ended"):
        save_changed(status)
        _change(
            status,
            ChangeKind.ENDED,
            actor=actor,
            after=EndReason(reason).label,
            note=note,
        )
    return status


# --- Visits --------------------------------------------------------------------------------------


@transaction.atomic
def log_visit(
    status: SpecialStatus,
    *,
    actor: Any,
    kind: str,
    findings: str,
    visited_on: dt.date | None = None,
    place: str = "",
    test_result: str = "",
    photo: UploadedFile | None = None,
    client_id: uuid.UUID | str | None = None,
    event: dict[str, Any] | None = None,
) -> Visit:
    """Log a visit (走访、谈话、报到、尿检 …) made on `visited_on`. It answers the visit then due
    (on time if made by that day), moves the next due date by the rule, and ends a 脱管/失控
    state. With `event` ({category, title, description}) the visit also reports an event to the
    hub, with the person as a party. A repeated `client_id` returns the first visit. Who:
    special.visit over the status's area."""
    if client_id:
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError as exc:
            raise Invalid("客户端编号格式不正确。", field="client_id") from exc
        with unscoped("idempotent visit: same client id"):
            earlier = Visit.objects.filter(client_id=client_id).first()
        if earlier is not None:
            if earlier.by_id != actor.pk:
                raise Invalid("该客户端编号已被使用。", field="client_id")
            earlier.repeated = True
            return earlier
    status = _locked(status, None)
    _require(actor, "special.visit", status.type, status.area_path)
    _require_open(status, "登记走访")
    if kind not in VisitKind.values:
        raise Invalid("请选择走访方式。", field="kind")
    visited_on = visited_on or _today()
    if visited_on > _today():
        raise Invalid("走访日期不能晚于今天。", field="visited_on")
    if visited_on < status.started_on:
        raise Invalid("走访日期不能早于列管日期。", field="visited_on")
    findings = (findings or "").strip()
    if not findings:
        raise Invalid("请填写走访情况。", field="findings")
    if len(findings) > 2000:
        raise Invalid("走访情况不能超过 2000 字。", field="findings")
    if kind == VisitKind.DRUG_TEST and test_result not in DrugTestResult.values:
        raise Invalid("请填写尿检结果。", field="test_result")
    if kind != VisitKind.DRUG_TEST and test_result:
        raise Invalid("只有尿检需要填写检测结果。", field="test_result")
    photo_type = check_upload(photo, field="photo", images_only=True)[0] if photo else ""
    due_on = status.next_visit_due
    visit = Visit(
        status=status,
        area_path=status.area_path,
        client_id=client_id or None,
        kind=kind,
        visited_on=visited_on,
        place=(place or "").strip()[:200],
        findings=findings,
        test_result=test_result or "",
        photo_type=photo_type,
        due_on=due_on,
        on_time=due_on is None or visited_on <= due_on,
        by=actor,
    )
    with audit.action(actor, "special.visit.logged"):
        if photo:
            visit.photo.save(photo.name, photo, save=False)
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError:
            with unscoped("idempotent visit race"):
                earlier = Visit.objects.filter(client_id=client_id).first() if client_id else None
            if earlier is None:
                raise
            earlier.repeated = True
            return earlier
        if status.last_visit_on is None or visited_on >= status.last_visit_on:
            status.last_visit_on = visited_on
            _reschedule(status)
        if status.lost_since is not None:
            status.lost_since = None
            _change(status, ChangeKind.FOUND, actor=actor, note=f"{visited_on:%Y-%m-%d} 已走访")
        save_changed(status)
        if event:
            visit.event = _raise_event(status, visit, actor=actor, **event)
            visit.save(update_fields=["event"])
    return visit


def _raise_event(
    status: SpecialStatus,
    visit: Visit,
    *,
    actor: Any,
    category: Any,
    title: str,
    description: str,
    priority: str = "normal",
) -> Any:
    """Report what the visit found to the event hub (where the person is kept). The event says
    nothing of the special status: the hub's handlers see the matter, not the file."""
    from gridgov.events.services import report_event

    with unscoped("the status's person and grid, for the event"):
        person = status.person
        grid = status.area if status.area.level == Level.GRID else person.grid
    return report_event(
        actor=actor,
        category=category,
        title=title,
        description=description,
        grid=grid,
        place=visit.place,
        priority=priority,
        persons=[person],
    )


# --- Handovers -----------------------------------------------------------------------------------


@transaction.atomic
def start_handover(
    status: SpecialStatus, *, actor: Any, version: int, to_area: Any, reason: str
) -> Handover:
    """Hand the status over to `to_area` where the person now lives (交接). The sending area stays
    responsible until the receiving area accepts. Who: special.manage over the status's area."""
    from gridgov.areas.models import Area

    status = _locked(status, version)
    _require(actor, "special.manage", status.type, status.area_path)
    _require_open(status, "交接")
    if to_area is None:
        raise Invalid("请选择接收区域。", field="to_area")
    with unscoped("the receiving area"):
        to_area = Area.objects.get(pk=to_area.pk)
    if not to_area.is_active:
        raise Invalid("请选择在用的接收区域。", field="to_area")
    if to_area.pk == status.area_id:
        raise Invalid("接收区域与当前责任区域相同。", field="to_area")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写交接原因。", field="reason")
    if selectors.pending_handover_of(status) is not None:
        raise InvalidTransition("该人员已有待接收的交接。")
    with unscoped("the sending area"):
        from_area = status.area
    handover = Handover(
        status=status,
        area_path=status.area_path,
        from_area=from_area,
        to_area=to_area,
        to_area_path=to_area.path,
        reason=reason[:500],
        started_by=actor,
        started_at=_now(),
    )
    with audit.action(actor, "special.handover.started"):
        handover.save()
        save_changed(status)  # the status's version moves: a stale form cannot end it now
    receivers = selectors.managers(to_area.path, restricted=status.type.restricted)
    _notify(
        receivers,
        status,
        "handover",
        f"{from_area.name}移交{_label(status)},请接收并指定责任人",
        reason,
    )
    return handover


def _locked_handover(handover: Handover, version: int | None) -> Handover:
    handover = lock_current(handover, expected_version=version)
    if not handover.is_pending:
        raise InvalidTransition(f"该交接{handover.get_state_display()},不能再办理。")
    return handover


@transaction.atomic
def accept_handover(
    handover: Handover, *, actor: Any, version: int, officer: Any, note: str = ""
) -> Handover:
    """The receiving area accepts and names the new officer: the status, its visits and its
    history move to the receiving area in this transaction. Who: special.manage over the
    receiving area."""
    handover = _locked_handover(handover, version)
    status = _locked(handover.status, None)
    _require(actor, "special.manage", status.type, handover.to_area_path)
    _require_open(status, "接收")
    if officer is None:
        raise Invalid("请指定新的责任人。", field="officer")
    _check_officer(officer, status.type, handover.to_area_path)
    with unscoped("handover areas and former officer"):
        from_area, to_area, before_officer = handover.from_area, handover.to_area, status.officer
    old_path = status.area_path
    status.area, status.area_path, status.officer = to_area, to_area.path, officer
    handover.state = HandoverState.ACCEPTED
    handover.decided_by, handover.decided_at = actor, _now()
    handover.decision_note, handover.new_officer = (note or "")[:500], officer
    with audit.action(actor, "special.handover.accepted"):
        save_changed(status)
        save_changed(handover)
        with unscoped("a handed-over status's own records follow it"):
            Visit.objects.filter(status=status, area_path=old_path).update(area_path=to_area.path)
            StatusChange.objects.filter(status=status, area_path=old_path).update(
                area_path=to_area.path
            )
        _change(
            status,
            ChangeKind.HANDOVER,
            actor=actor,
            before=from_area.name,
            after=to_area.name,
            note=handover.reason,
        )
        _change(
            status,
            ChangeKind.OFFICER,
            actor=actor,
            before=_officer_label(before_officer),
            after=_officer_label(officer),
            note="交接接收",
        )
    if not jurisdiction(actor).allows("special.view", status.area_path):
        raise NotPermitted()  # pragma: no cover - the receiver holds the area they accepted into
    _notify([officer], status, "assigned", f"您被指定为{_label(status)}的责任人")
    _notify(
        selectors.managers(old_path, restricted=status.type.restricted),
        status,
        "handover_done",
        f"{to_area.name}已接收{_label(status)}",
    )
    return handover


@transaction.atomic
def reject_handover(handover: Handover, *, actor: Any, version: int, reason: str) -> Handover:
    """The receiving area refuses (e.g. the person does not live there): the sender keeps it."""
    handover = _locked_handover(handover, version)
    with unscoped("the handover's status"):
        status = handover.status
    _require(actor, "special.manage", status.type, handover.to_area_path)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写拒收理由。", field="reason")
    handover.state = HandoverState.REJECTED
    handover.decided_by, handover.decided_at, handover.decision_note = actor, _now(), reason[:500]
    with audit.action(actor, "special.handover.rejected"):
        save_changed(handover)
    _notify(
        selectors.managers(handover.area_path, restricted=status.type.restricted),
        status,
        "handover_rejected",
        f"交接被拒收:{_label(status)}",
        reason,
    )
    return handover


@transaction.atomic
def cancel_handover(handover: Handover, *, actor: Any, version: int, reason: str = "") -> Handover:
    """The sending area withdraws a pending handover (撤回)."""
    handover = _locked_handover(handover, version)
    with unscoped("the handover's status"):
        status = handover.status
    _require(actor, "special.manage", status.type, handover.area_path)
    handover.state = HandoverState.CANCELLED
    handover.decided_by, handover.decided_at = actor, _now()
    handover.decision_note = (reason or "").strip()[:500]
    with audit.action(actor, "special.handover.cancelled"):
        save_changed(handover)
    return handover


# --- The overdue sweep (脱管/失控) ---------------------------------------------------------------


def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark open statuses whose visit has been overdue longer than the grace
    (GRIDGOV_SPECIAL_LOST_AFTER_DAYS) as 脱管/失控, in one UPDATE; write their history rows in
    bulk and one audit entry; tell each officer and each township center once, with a count.
    Safe to run twice: a status already lost is not marked again (a visit ends the state)."""
    from gridgov.accounts.system import system_actor

    now = now or _now()
    today = timezone.localdate(now)
    grace = int(getattr(settings, "GRIDGOV_SPECIAL_LOST_AFTER_DAYS", 7))
    cutoff = today - dt.timedelta(days=grace)
    with unscoped("special visit sweep"), transaction.atomic():
        marked = SpecialStatus.objects.filter(
            ended_on__isnull=True, lost_since__isnull=True, next_visit_due__lt=cutoff
        ).update(lost_since=now, version=F("version") + 1)
        if not marked:
            return {"lost": 0}
        rows = list(
            SpecialStatus.objects.filter(lost_since=now, ended_on__isnull=True).values_list(
                "pk", "area_path", "officer_id", "next_visit_due"
            )
        )
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    status_id=pk,
                    area_path=path,
                    kind=ChangeKind.LOST,
                    to_value="脱管(失控)",
                    note=f"应于 {due:%Y-%m-%d} 走访,逾期超过 {grace} 天未走访",
                    at=now,
                )
                for pk, path, _officer, due in rows
            ],
            batch_size=2000,
        )
        actor = system_actor()
        audit.record_bulk(
            actor,
            "special.status.lost",
            model=SpecialStatus,
            object_repr=f"{len(rows)} 名特殊人群脱管(失控)",
            changes={"脱管(失控)": f"{len(rows)} 人"},
        )
        _lost_notices(rows)
    return {"lost": len(rows)}


def _lost_notices(rows: list[tuple[Any, str, Any, Any]]) -> None:
    """One digest per officer and per township center: "您负责的 3 名特殊人群已脱管"."""
    from gridgov.accounts.models import User
    from gridgov.notifications.services import notify

    link = reverse("special:overdue") + "?lost=1"
    by_officer = Counter(officer for _pk, _path, officer, _due in rows if officer)
    for user in User.objects.filter(pk__in=list(by_officer), is_active=True):
        notify(
            [user],
            kind="special.lost",
            title=f"您负责的 {by_officer[user.pk]} 名特殊人群逾期未走访,已脱管(失控)",
            link=link,
        )
    townships = selectors.township_paths({path for _pk, path, _o, _d in rows})
    by_center = Counter(townships.get(path, path) for _pk, path, _o, _d in rows)
    for center_path, count in by_center.items():
        # The township's own desk, not everyone above it.
        staff = [
            u
            for u in selectors.managers(center_path, restricted=True)
            if center_path in _membership_paths(u)
        ]
        if staff:
            notify(
                staff,
                kind="special.lost",
                title=f"辖区内 {count} 名特殊人群逾期未走访,已脱管(失控)",
                link=link,
                area_path=center_path,
            )


def _membership_paths(user: Any) -> set[str]:
    from gridgov.accounts.models import Membership

    return set(
        Membership._base_manager.filter(Membership.active_q(), user=user).values_list(
            "area_path", flat=True
        )
    )


# --- Configuration -------------------------------------------------------------------------------


def _require_configure(actor: Any) -> None:
    if not jurisdiction(actor).allows_anywhere("special.configure"):
        raise NotPermitted("只有系统管理员可以维护特殊人群类型与走访规则。")


@transaction.atomic
def set_rule(
    *,
    actor: Any,
    type: SpecialType,
    grade: str,
    interval_value: int,
    interval_unit: str,
    visit_kinds: Iterable[str],
    note: str = "",
) -> VisitRule:
    """Create or change the visit rule of a type and grade, then move the next due date of every
    open status it governs (counted from each one's last visit)."""
    _require_configure(actor)
    grade = grade or ""
    if grade and grade not in type.grades:
        raise Invalid(f"{type.name}没有这个等级。", field="grade")
    if not isinstance(interval_value, int) or not 1 <= interval_value <= 366:
        raise Invalid("走访周期须为 1 至 366 之间的整数。", field="interval_value")
    if interval_unit not in VISIT_UNITS:
        raise Invalid("走访周期的单位须为自然日或工作日。", field="interval_unit")
    kinds = sorted({str(k) for k in visit_kinds or ()})
    if not kinds:
        raise Invalid("请至少选择一种走访方式。", field="visit_kinds")
    if any(k not in VisitKind.values for k in kinds):
        raise Invalid("走访方式不正确。", field="visit_kinds")
    rule = VisitRule.objects.select_for_update().filter(type=type, grade=grade).first()
    rule = rule or VisitRule(type=type, grade=grade)
    rule.interval_value, rule.interval_unit = interval_value, interval_unit
    rule.visit_kinds, rule.note = kinds, (note or "").strip()[:200]
    with audit.action(actor, "special.config.changed"):
        rule.save()
        _reschedule_type(type, grade)
    return rule


def _reschedule_type(status_type: SpecialType, grade: str) -> int:
    """Recompute the next due date of the open statuses one rule governs (config changes are
    rare; the dates follow the working-day calendar, so they are computed here, then written in
    bulk)."""
    with unscoped("rule change: reschedule"):
        statuses = SpecialStatus.objects.filter(type=status_type, ended_on__isnull=True)
        if grade:
            statuses = statuses.filter(grade=grade)
        else:
            own = VisitRule.objects.filter(type=status_type).exclude(grade="").values("grade")
            statuses = statuses.exclude(grade__in=own)
        changed = []
        for status in statuses.only(
            "pk", "type_id", "grade", "started_on", "last_visit_on", "ended_on", "next_visit_due"
        ):
            before = status.next_visit_due
            _reschedule(status)
            if status.next_visit_due != before:
                changed.append(status)
        SpecialStatus.objects.bulk_update(changed, ["next_visit_due"], batch_size=1000)
    return len(changed)


@transaction.atomic
def update_type(
    status_type: SpecialType,
    *,
    actor: Any,
    name: str,
    is_active: bool,
    restricted: bool,
    order: int = 0,
) -> SpecialType:
    """Rename a type, switch it off or on, or mark it restricted (seen only with special.hiv)."""
    _require_configure(actor)
    status_type = SpecialType.objects.select_for_update().get(pk=status_type.pk)
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写名称。", field="name")
    status_type.name, status_type.is_active = name[:50], bool(is_active)
    status_type.restricted, status_type.order = bool(restricted), order or 0
    with audit.action(actor, "special.config.changed"):
        status_type.save()
    return status_type


# --- Other modules' hooks ------------------------------------------------------------------------


def move_statuses_on_merge(keep: Any, drop: Any, actor: Any) -> None:
    """The registry merges a duplicate: the dropped record's statuses follow the kept one. Where
    both have an open status of the same type, the dropped one's is ended (合并), history kept."""
    with unscoped("registry merge: move special statuses"):
        statuses = list(SpecialStatus.objects.select_for_update().filter(person=drop))
        kept_open = set(
            SpecialStatus.objects.filter(person=keep, ended_on__isnull=True).values_list(
                "type_id", flat=True
            )
        )
    with audit.action(actor, "special.status.merged"):
        for status in statuses:
            if status.is_open and status.type_id in kept_open:
                status.ended_on, status.end_reason = _today(), EndReason.MERGED
                status.end_note = "重复档案合并,保留档案已有同类在管记录"
                status.next_visit_due = status.lost_since = None
            status.person = keep
            save_changed(status)
            _change(status, ChangeKind.MERGED, actor=actor, note="重复档案合并")


def open_from_flag(flag: Any, actor: Any) -> SpecialStatus | None:
    """The petitions module flags a key petitioner (registry.flags): open a 重点信访人员 status on
    the person, unless one is open already (then that one is returned). Nothing happens when the
    type is switched off or the person is no longer present."""
    from gridgov.registry.codes import PersonStatus

    with unscoped("key petitioner flag: existing status"):
        status_type = SpecialType.objects.filter(code="key_petitioner", is_active=True).first()
        if status_type is None or flag.person is None:
            return None
        existing = SpecialStatus.objects.filter(
            person_id=flag.person.pk, type=status_type, ended_on__isnull=True
        ).first()
    if existing is not None:
        return existing
    if flag.person.status != PersonStatus.PRESENT:
        return None
    grade = Grade.MEDIUM if Grade.MEDIUM in status_type.grades else ""
    return open_status(
        actor=actor,
        person=flag.person,
        type=status_type,
        grade=grade,
        details={"matter": flag.reason[:500], "flag_source": flag.source[:100]},
        note=flag.reason,
        system=True,
    )
