"""A month of events in the test world, made through the event services on a test clock.

Every time is Asia/Shanghai, in 2025. The story (township A unless said):

    E1 甲村  reported 02-03, dispatched 02-03 (deadline 03-05), done 02-20, closed 02-21, 满意 02-22
    E2 甲村  reported 02-25, dispatched 02-26, returned by its lead 02-27, dispatched again 03-01
             (deadline 03-31), 03-20 催办; still in progress
    E3 乙村  reported 01-20, dispatched 01-21 (deadline 02-20), done 03-03, closed late 03-04,
             基本满意 03-05
    E4 乙村  reported 03-03, settled on the spot 03-03, closed 03-04
    E5 甲村  reported 03-05, accepted 03-05 12:00, dispatched (deadline 04-04), 督办 03-10; open
    E6 甲村  reported 03-01 00:30 (still February in UTC), rejected
    E7 甲村  reported 03-12, dispatched (deadline 04-11), done 03-15, rework 03-16, done 03-18,
             closed 03-19, 不满意 03-20, which reopens it
    E8 丙村 (township B) reported 03-05, handled by the center itself, closed 03-07
    E9 甲村  reported 02-10, dispatched 02-10 (deadline 03-12), done 03-10, closed 03-11,
             满意 (回访) 03-12

Categories are 邻里纠纷: 30 natural days, so deadlines are the dispatch time + 30 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events import services
from gridgov.events.models import (
    Assignment,
    Category,
    Event,
    EventRequest,
    SupervisionRecord,
    TimelineEntry,
)

AS_OF = "2025-04-10 12:00"


def local(text: str) -> dt.datetime:
    """An aware Asia/Shanghai time from "YYYY-MM-DD HH:MM"."""
    naive = dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    return timezone.make_aware(naive, timezone.get_default_timezone())


class Clock:
    """The services' clock, set by hand."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def set(self, text: str) -> dt.datetime:
        self.now = local(text)
        return self.now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Freeze the event services at the times the test sets. A few timestamps are field
    defaults (`timezone.now`) rather than the services' `_now`: they read the same clock."""
    clock = Clock()
    monkeypatch.setattr(services, "_now", clock)
    for model, name in [
        (Event, "reported_at"),
        (SupervisionRecord, "at"),
        (TimelineEntry, "at"),
        (Assignment, "assigned_at"),
        (EventRequest, "requested_at"),
    ]:
        monkeypatch.setattr(model._meta.get_field(name), "_get_default", clock)
    return clock


@pytest.fixture
def story(world, clock) -> dict[str, Event]:
    """The events above, by name, as they are at the end."""
    category = Category.objects.get(code="dispute-02")
    w = world
    center, handler, leader = w.users["center_a"], w.users["handler_a"], w.users["leader_a"]
    made: dict[str, Event] = {}

    def report(name: str, grid, worker, at: str) -> Event:
        clock.set(at)
        made[name] = services.report_event(
            actor=worker, category=category, title=f"{name} 邻里纠纷", description="测试", grid=grid
        )
        return made[name]

    def step(name: str, action, at: str, **kwargs) -> Event:
        clock.set(at)
        event = w.refresh(made[name])
        result = action(event, version=event.version, **kwargs)
        made[name] = w.refresh(made[name])
        return result

    def supervise(name: str, at: str, actor, level: str) -> None:
        clock.set(at)
        services.supervise_event(w.refresh(made[name]), actor=actor, level=level, note="请抓紧")

    a1, a2, b1 = w.grid_a1, w.grid_a2, w.grid_b1
    worker_a1, worker_a2 = w.users["worker_a1"], w.users["worker_a2"]

    report("E3", a2, worker_a2, "2025-01-20 09:00")
    step("E3", services.accept_event, "2025-01-20 10:00", actor=center)
    step("E3", services.dispatch_event, "2025-01-21 10:00", actor=center, department=w.police_a)
    step("E3", services.take_event, "2025-01-21 11:00", actor=handler)

    report("E1", a1, worker_a1, "2025-02-03 09:00")
    step("E1", services.accept_event, "2025-02-03 10:00", actor=center)
    step("E1", services.dispatch_event, "2025-02-03 11:00", actor=center, department=w.police_a)
    step("E1", services.take_event, "2025-02-04 09:00", actor=handler)
    step("E1", services.report_done, "2025-02-20 09:00", actor=handler, note="已调解")
    step("E1", services.verify_event, "2025-02-21 09:00", actor=worker_a1, passed=True)
    step("E1", services.rate_event, "2025-02-22 09:00", actor=worker_a1, rating="satisfied")

    report("E9", a1, worker_a1, "2025-02-10 09:00")
    step("E9", services.accept_event, "2025-02-10 09:30", actor=center)
    step("E9", services.dispatch_event, "2025-02-10 10:00", actor=center, department=w.police_a)
    step("E9", services.take_event, "2025-02-10 11:00", actor=handler)

    report("E2", a1, worker_a1, "2025-02-25 09:00")
    step("E2", services.accept_event, "2025-02-25 10:00", actor=center)
    step("E2", services.dispatch_event, "2025-02-26 10:00", actor=center, department=w.police_a)
    step("E2", services.return_event, "2025-02-27 09:00", actor=handler, reason="不属本所")
    step("E2", services.dispatch_event, "2025-03-01 10:00", actor=center, department=w.police_a)
    step("E2", services.take_event, "2025-03-01 11:00", actor=handler)

    report("E6", a1, worker_a1, "2025-03-01 00:30")
    step("E6", services.reject_event, "2025-03-01 09:00", actor=center, reason="不属受理范围")

    step("E3", services.report_done, "2025-03-03 10:00", actor=handler, note="已调解")
    step("E3", services.verify_event, "2025-03-04 09:00", actor=worker_a2, passed=True)
    step("E3", services.rate_event, "2025-03-05 09:00", actor=worker_a2, rating="basically")

    report("E4", a2, worker_a2, "2025-03-03 09:00")
    step("E4", services.settle_on_spot, "2025-03-03 10:00", actor=worker_a2, note="当场劝解")
    step("E4", services.verify_event, "2025-03-04 10:00", actor=w.users["officer_a2"], passed=True)

    report("E5", a1, worker_a1, "2025-03-05 09:00")
    step("E5", services.accept_event, "2025-03-05 12:00", actor=center)
    step("E5", services.dispatch_event, "2025-03-05 13:00", actor=center, department=w.police_a)
    step("E5", services.take_event, "2025-03-06 09:00", actor=handler)
    supervise("E5", "2025-03-10 09:00", leader, "supervise")

    report("E8", b1, w.users["worker_b1"], "2025-03-05 09:00")
    center_b = w.users["center_b"]
    step("E8", services.accept_event, "2025-03-05 10:00", actor=center_b)
    step("E8", services.handle_here, "2025-03-05 11:00", actor=center_b)
    step("E8", services.report_done, "2025-03-06 09:00", actor=center_b, note="已处理")
    step("E8", services.verify_event, "2025-03-07 09:00", actor=w.users["worker_b1"], passed=True)

    step("E9", services.report_done, "2025-03-10 10:00", actor=handler, note="已调解")
    step("E9", services.verify_event, "2025-03-11 09:00", actor=worker_a1, passed=True)
    step("E9", services.rate_event, "2025-03-12 09:00", actor=center, rating="satisfied")

    report("E7", a1, worker_a1, "2025-03-12 09:00")
    step("E7", services.accept_event, "2025-03-12 10:00", actor=center)
    step("E7", services.dispatch_event, "2025-03-12 11:00", actor=center, department=w.police_a)
    step("E7", services.take_event, "2025-03-12 12:00", actor=handler)
    step("E7", services.report_done, "2025-03-15 09:00", actor=handler, note="已处理")
    step(
        "E7",
        services.verify_event,
        "2025-03-16 09:00",
        actor=worker_a1,
        passed=False,
        note="未解决",
    )
    step("E7", services.report_done, "2025-03-18 09:00", actor=handler, note="再次处理")
    step("E7", services.verify_event, "2025-03-19 09:00", actor=worker_a1, passed=True)
    step(
        "E7",
        services.rate_event,
        "2025-03-20 09:00",
        actor=worker_a1,
        rating="dissatisfied",
        comment="问题仍在",
    )

    supervise("E2", "2025-03-20 10:00", center, "remind")
    clock.set(AS_OF)
    return made
