"""Builders and assertions the event-hub tests share: events in any state (always through the
services), a controllable clock, timeline and inbox reads, extra departments and people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.utils import timezone

from gridgov.accounts import services as accounts
from gridgov.accounts.models import Membership
from gridgov.accounts.roles import Role
from gridgov.areas.models import GridAssignment
from gridgov.core.scoping import forget_jurisdiction, unscoped
from gridgov.core.testing.helpers import assert_audited, make_user
from gridgov.core.testing.personas import World
from gridgov.events import services
from gridgov.events.models import (
    Assignment,
    Category,
    Event,
    EventRequest,
    SupervisionRecord,
    TimelineEntry,
)
from gridgov.notifications.models import Notification

FIRE = "hazard-fire"  # 3 工作日; urgent 4 工作时
TZ = timezone.get_default_timezone()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware Asia/Shanghai moment."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def category(code: str = FIRE) -> Category:
    return Category.objects.get(code=code)


# --- The clock -----------------------------------------------------------------------------------


class Clock:
    """`services._now` and `django.utils.timezone.now` frozen at a moment the test moves."""

    def __init__(self, monkeypatch: Any, start: dt.datetime | None = None) -> None:
        self.now = start or timezone.now()
        monkeypatch.setattr(services, "_now", lambda: self.now)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now


def backdate_world(world: World, since: dt.date = dt.date(2020, 1, 1)) -> None:
    """Let the personas' memberships start long ago, so a clock set in the past still finds
    them in office (they were granted "today" when the world was built)."""
    with unscoped("test: backdate the personas' memberships"):
        Membership._base_manager.update(valid_from=since)
        GridAssignment._base_manager.update(start_date=since)
    for user in world.users.values():
        forget_jurisdiction(user)
        if hasattr(user, "_gridgov_event_departments"):
            delattr(user, "_gridgov_event_departments")


# --- More people and departments -----------------------------------------------------------------


def county_center(world: World) -> Any:
    """A center-staff member of the district (the county center above both townships)."""
    user = make_user(world, "center_county", "区中心")
    accounts.grant_membership(user, actor=world.system, role=Role.CENTER_STAFF, area=world.district)
    return fresh_user(user)


def justice_a(world: World) -> tuple[Any, Any]:
    """A second department of township A (司法所) with its handler."""
    department = accounts.create_department(
        actor=world.system, area=world.township_a, name="横街司法所", kind="justice"
    )
    user = make_user(world, "handler_a_justice", "甲司法")
    accounts.grant_membership(
        user, actor=world.system, role=Role.DEPARTMENT_HANDLER, department=department
    )
    return department, fresh_user(user)


def police_b(world: World) -> tuple[Any, Any]:
    """A department of township B (集士港派出所) with its handler."""
    department = accounts.create_department(
        actor=world.system, area=world.township_b, name="集士港派出所", kind="police"
    )
    user = make_user(world, "handler_b", "乙民警")
    accounts.grant_membership(
        user, actor=world.system, role=Role.DEPARTMENT_HANDLER, department=department
    )
    return department, fresh_user(user)


def fresh_user(user: Any) -> Any:
    return type(user)._base_manager.get(pk=user.pk)


# --- Events in every state -----------------------------------------------------------------------


def report(world: World, actor: Any = None, **fields: Any) -> Event:
    values = {
        "category": category(),
        "title": "楼道堆放杂物",
        "description": "3 号楼楼道堆放纸箱,堵塞消防通道",
        "grid": world.grid_a1,
    } | fields
    return services.report_event(actor=actor or world.worker_a1, **values)


def accepted(world: World, **fields: Any) -> Event:
    event = report(world, **fields)
    return services.accept_event(event, actor=world.center_a, version=event.version)


def dispatched(world: World, *, assisting: tuple = (), **fields: Any) -> Event:
    event = accepted(world, **fields)
    return services.dispatch_event(
        event,
        actor=world.center_a,
        version=event.version,
        department=world.police_a,
        assisting=assisting,
    )


def in_progress(world: World, **fields: Any) -> Event:
    event = dispatched(world, **fields)
    return services.take_event(event, actor=world.handler_a, version=event.version)


def verifying(world: World, **fields: Any) -> Event:
    event = in_progress(world, **fields)
    return services.report_done(event, actor=world.handler_a, version=event.version, note="已清理")


def closed(world: World, **fields: Any) -> Event:
    event = verifying(world, **fields)
    return services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)


def rated(world: World, **fields: Any) -> Event:
    event = closed(world, **fields)
    return services.rate_event(
        event, actor=world.worker_a1, version=event.version, rating="satisfied"
    )


def suspended(world: World, **fields: Any) -> Event:
    event = in_progress(world, **fields)
    request = services.request_suspension(
        event, actor=world.handler_a, version=event.version, reason="当事人外出务工,暂无法处理"
    )
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    return reload(event)


def self_handled(world: World, **fields: Any) -> Event:
    event = report(world, **fields)
    return services.settle_on_spot(
        event, actor=world.worker_a1, version=event.version, note="已现场劝离"
    )


def with_pending_extension(world: World) -> tuple[Event, EventRequest]:
    event = in_progress(world)
    request = services.request_extension(
        event,
        actor=world.handler_a,
        version=event.version,
        reason="需协调物业",
        value=2,
        unit="work_days",
    )
    return reload(event), request


def reload(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


# --- Reading what happened -----------------------------------------------------------------------


def timeline(event: Event) -> list[TimelineEntry]:
    return list(TimelineEntry._base_manager.filter(event_id=event.pk).order_by("at", "pk"))


def actions(event: Event) -> list[str]:
    return [entry.action for entry in timeline(event)]


def assignments(event: Event) -> list[Assignment]:
    return list(Assignment._base_manager.filter(event_id=event.pk).order_by("pk"))


def inbox(user: Any, kind: str | None = None) -> list[Notification]:
    with unscoped("test: a user's notifications"):
        rows = Notification.objects.filter(recipient_id=user.pk)
        if kind:
            rows = rows.filter(kind=kind)
        return list(rows.order_by("pk"))


def recipients(kind: str) -> set[str]:
    """Usernames that received a notification of `kind`."""
    with unscoped("test: recipients of a kind"):
        return set(
            Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
        )


def counts() -> dict[str, int]:
    """Row counts of everything an event service writes, to prove a refusal wrote nothing."""
    with unscoped("test: row counts"):
        return {
            "event": Event._base_manager.count(),
            "timeline": TimelineEntry._base_manager.count(),
            "assignment": Assignment._base_manager.count(),
            "request": EventRequest._base_manager.count(),
            "supervision": SupervisionRecord._base_manager.count(),
            "notification": Notification._base_manager.count(),
            "audit": LogEntry.objects.count(),
        }


def step_checker(event: Event) -> Any:
    """Snapshot an event's timeline; the returned function asserts that exactly `new` entries
    were added since, the last one being `action` from `from_state` to `to_state`, audited under
    `code` for `actor` (the event too, when its state changed)."""
    before = len(timeline(event))

    def check(
        action: str,
        from_state: str,
        to_state: str,
        code: str,
        actor: Any,
        *,
        new: int = 1,
    ) -> TimelineEntry:
        entries = timeline(event)
        assert len(entries) == before + new, [e.action for e in entries[before:]]
        last = entries[-1] if new == 1 else next(e for e in entries[before:] if e.action == action)
        assert (last.action, last.from_state, last.to_state) == (action, from_state, to_state)
        assert last.actor_id == getattr(actor, "pk", None)
        assert_audited(last, code, actor)
        current = reload(event)
        if from_state != to_state:
            assert current.state == to_state
            assert_audited(current, code, actor)
        return last

    return check
