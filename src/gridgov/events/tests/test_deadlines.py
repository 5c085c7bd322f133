"""Deadlines of the event hub: the clock set at dispatch (holidays and make-up working days
counted), the sweep (yellow, red, automatic 督办 after the grace), the lamp and the countdown.

"Now" is frozen by patching `events.services._now` and `django.utils.timezone.now` (see
support.Clock); the personas' memberships are backdated so they hold office on the frozen day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.core.scoping import unscoped
from gridgov.events import selectors, services
from gridgov.events.choices import Light, Priority, State, Supervision
from gridgov.events.models import Event, SupervisionRecord
from gridgov.events.tests.support import (
    Clock,
    accepted,
    actions,
    at,
    backdate_world,
    category,
    closed,
    county_center,
    dispatched,
    in_progress,
    inbox,
    recipients,
    reload,
    report,
    timeline,
    verifying,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(world, monkeypatch):
    backdate_world(world)
    return Clock(monkeypatch, at(2026, 6, 8, 10))  # an ordinary Monday


def _dispatch(world, event):
    return services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )


# --- The clock set at dispatch ---------------------------------------------------------------------


def test_three_working_days_from_30_september_end_on_the_make_up_saturday(world, clock):
    # 1–7 October 2026 are the National Day holidays; Thu 8, Fri 9 and Sat 10 October (调休) work
    # (core/tests/test_workcalendar.py), so 3 工作日 from Wed 30 Sept are 8, 9 and 10 October.
    clock.set(at(2026, 9, 30, 10))
    event = _dispatch(world, accepted(world))
    assert (event.sla_value, event.sla_unit) == (3, "work_days")
    assert event.dispatched_at == at(2026, 9, 30, 10)
    assert event.deadline == at(2026, 10, 10, 17, 30)
    assert event.deadline.weekday() == 5  # a Saturday
    assert event.warn_at == event.deadline - (event.deadline - event.dispatched_at) / 4
    assert event.warn_at == at(2026, 10, 8, 3, 37) + dt.timedelta(seconds=30)
    assert "3 工作日" in timeline(event)[-1].note


def test_working_hours_skip_the_holiday(world, clock):
    # urgent fire hazard: 4 工作时. From 16:00 on 30 Sept: 1.5 h that day, 2.5 h on 8 October.
    clock.set(at(2026, 9, 30, 16))
    event = _dispatch(world, accepted(world, priority=Priority.URGENT))
    assert (event.sla_value, event.sla_unit) == (4, "work_hours")
    assert event.deadline == at(2026, 10, 8, 11, 30)


def test_natural_days_ignore_the_holiday(world, clock):
    clock.set(at(2026, 9, 30, 10))
    event = _dispatch(world, accepted(world, category=category("dispute-02")))
    assert (event.sla_value, event.sla_unit) == (30, "natural_days")
    assert event.deadline == at(2026, 10, 30, 10)


def test_an_extension_over_the_holiday_counts_working_days_from_the_old_deadline(world, clock):
    clock.set(at(2026, 9, 24, 10))  # Thursday; 3 工作日 are 28, 29, 30 September
    event = in_progress(world)
    assert event.deadline == at(2026, 9, 30, 17, 30)
    request = services.request_extension(
        event,
        actor=world.handler_a,
        version=event.version,
        reason="节前无法协调",
        value=2,
        unit="work_days",
    )
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    assert reload(event).deadline == at(2026, 10, 9, 17, 30)  # 8 and 9 October


def test_an_extension_granted_too_late_warns_at_its_deadline_not_after_it(world, clock):
    # found by test_workflow_stateful: the warning time was computed back from "now", so an
    # extension still ending in the past put warn_at after the deadline
    event = in_progress(world)  # due Thu 11 June 17:30
    request = services.request_extension(
        event,
        actor=world.handler_a,
        version=event.version,
        reason="需协调",
        value=1,
        unit="work_days",
    )
    clock.set(at(2026, 6, 22, 10))  # long overdue
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    event = reload(event)
    assert event.deadline == at(2026, 6, 12, 17, 30)
    assert event.warn_at <= event.deadline
    assert event.overdue and event.warned
    assert event.light(clock.now) == Light.RED


# --- The sweep -------------------------------------------------------------------------------------


def test_sweep_yellow_then_red_then_automatic_supervision_after_the_grace(world, clock, settings):
    settings.GRIDGOV_EVENT_ESCALATE_AFTER_HOURS = 24
    county = county_center(world)
    event = in_progress(world)
    deadline, warn_at = event.deadline, event.warn_at
    assert deadline == at(2026, 6, 11, 17, 30)  # Mon 10:00 + 3 工作日 = Thursday's close
    steps = len(timeline(event))

    def sweep(moment):
        clock.set(moment)
        return services.sweep_deadlines(now=moment)

    # green: nothing to do
    assert sweep(warn_at - dt.timedelta(minutes=1)) == {"warned": 0, "overdue": 0, "escalated": 0}
    assert event.light(clock.now) == Light.GREEN

    # yellow: warned once, no timeline entry, the handler is told
    assert sweep(warn_at) == {"warned": 1, "overdue": 0, "escalated": 0}
    event = reload(event)
    assert event.warned and not event.overdue
    assert event.light(clock.now) == Light.YELLOW
    assert len(timeline(event)) == steps
    [notice] = inbox(world.handler_a, "events.warning")
    assert notice.title == "您有 1 件事件临近办理期限"
    assert recipients("events.warning") == {"handler_a"}
    assert sweep(warn_at + dt.timedelta(hours=1)) == {"warned": 0, "overdue": 0, "escalated": 0}

    # red: overdue, one timeline entry, handler and center told
    assert sweep(deadline) == {"warned": 0, "overdue": 1, "escalated": 0}
    event = reload(event)
    assert event.overdue and event.light(clock.now) == Light.RED
    entry = timeline(event)[-1]
    assert (entry.action, entry.from_state, entry.to_state) == (
        "overdue",
        "in_progress",
        "in_progress",
    )
    assert entry.at == deadline and entry.actor is None
    assert recipients("events.overdue") == {"handler_a", "center_a"}
    assert "已超期" in inbox(world.center_a, "events.overdue")[0].title

    # within the grace: no escalation yet
    assert sweep(deadline + dt.timedelta(hours=23)) == {"warned": 0, "overdue": 0, "escalated": 0}

    # after the grace: automatic 督办 by the system, told to the center above and the leaders
    assert sweep(deadline + dt.timedelta(hours=24)) == {"warned": 0, "overdue": 0, "escalated": 1}
    event = reload(event)
    assert event.overdue_escalated and event.supervision == Supervision.SUPERVISE
    assert event.state == State.IN_PROGRESS
    with unscoped("test"):
        [record] = SupervisionRecord.objects.filter(event=event)
    assert record.automatic and record.level == Supervision.SUPERVISE
    assert record.by == world.system
    assert actions(event)[-2:] == ["overdue", "supervised"]
    assert recipients("events.escalated") == {"handler_a", "center_a", county.username, "leader_a"}
    assert (
        inbox(world.leader_a, "events.escalated")[0].title
        == "您有 1 件事件超期未办结,已被系统自动督办"
    )
    assert swept_audit_entries() == 3  # one per run that changed something: yellow, red, 督办

    # a second run finds nothing new and writes nothing
    count = len(timeline(event))
    assert sweep(deadline + dt.timedelta(hours=30)) == {"warned": 0, "overdue": 0, "escalated": 0}
    assert len(timeline(event)) == count
    assert reload(event).version == event.version


def swept_audit_entries() -> int:
    from auditlog.models import LogEntry

    return LogEntry.objects.filter(additional_data__action="events.deadline.swept").count()


def test_automatic_supervision_keeps_a_higher_level_and_the_leaders_deadline(world, clock):
    event = in_progress(world)
    listed_until = event.deadline + dt.timedelta(days=30)
    services.supervise_event(
        event, actor=world.leader_a, level=Supervision.LISTED, note="挂牌", deadline=listed_until
    )
    reminded = in_progress(world)
    services.supervise_event(
        reminded, actor=world.center_a, level=Supervision.REMIND, note="请抓紧"
    )
    late = event.deadline + dt.timedelta(days=3)
    clock.set(late)
    # one run marks both red and escalates them: overdue for longer than the grace already
    assert services.sweep_deadlines(now=late) == {"warned": 0, "overdue": 2, "escalated": 2}
    assert actions(event)[-2:] == ["overdue", "supervised"]
    event, reminded = reload(event), reload(reminded)
    assert (event.supervision, event.supervision_deadline) == (Supervision.LISTED, listed_until)
    assert reminded.supervision == Supervision.SUPERVISE
    with unscoped("test"):
        assert SupervisionRecord.objects.filter(event=event, automatic=True).count() == 1


def test_sweep_counts_only_events_whose_clock_runs(world, clock):
    waiting = report(world)  # no clock yet
    returned = dispatched(world)
    returned = services.return_event(
        returned, actor=world.handler_a, version=returned.version, reason="不属于本所"
    )
    running = [dispatched(world), in_progress(world), verifying(world)]
    finished = closed(world)
    parked = in_progress(world)
    request = services.request_suspension(
        parked, actor=world.handler_a, version=parked.version, reason="当事人外出"
    )
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    later = at(2026, 7, 1, 10)  # every deadline long past
    clock.set(later)
    result = services.sweep_deadlines(now=later)
    assert result["overdue"] == 3 and result["warned"] == 0
    for event in running:
        assert reload(event).overdue, event.state
    for event in (waiting, returned, finished, parked):
        event = reload(event)
        assert not event.overdue and not event.warned, event.state
        assert "overdue" not in actions(event)
    # running events are escalated (they are past the grace); the others are left alone
    assert result["escalated"] == 3
    assert reload(parked).supervision == ""


def test_a_suspended_event_is_not_marked_overdue_and_resumes_with_its_time_left(world, clock):
    event = in_progress(world)
    left = event.deadline - clock.now
    request = services.request_suspension(
        event, actor=world.handler_a, version=event.version, reason="等待鉴定结果"
    )
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    clock.advance(days=20)
    assert services.sweep_deadlines(now=clock.now)["overdue"] == 0
    event = reload(event)
    assert event.state == State.SUSPENDED and not event.overdue
    assert selectors.remaining_text(event, clock.now) == ""
    event = services.resume_event(event, actor=world.center_a, version=event.version)
    assert event.deadline - clock.now == left
    assert event.light(clock.now) == Light.GREEN
    assert services.sweep_deadlines(now=clock.now) == {"warned": 0, "overdue": 0, "escalated": 0}


def test_the_lamp_of_a_suspended_event_is_off(world, clock):
    event = in_progress(world)
    request = services.request_suspension(
        event, actor=world.handler_a, version=event.version, reason="等待鉴定结果"
    )
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    event = reload(event)
    assert event.light(event.deadline + dt.timedelta(days=1)) == Light.NONE


def test_sweep_handles_many_events_in_one_pass(world, clock):
    events = [dispatched(world) for _ in range(5)]
    moment = events[-1].deadline + dt.timedelta(minutes=1)
    clock.set(moment)
    assert services.sweep_deadlines(now=moment)["overdue"] == 5
    # one digest per person, not one notice per event
    [notice] = inbox(world.handler_a, "events.overdue")
    assert notice.title == "您有 5 件事件已超期"
    with unscoped("test"):
        assert Event.objects.filter(overdue=True).count() == 5


# --- The lamp and the countdown --------------------------------------------------------------------


def test_the_lamp(world, clock):
    event = report(world)
    assert event.light(clock.now) == Light.NONE
    event = dispatched(world)
    assert event.light(event.dispatched_at) == Light.GREEN
    assert event.light(event.warn_at - dt.timedelta(seconds=1)) == Light.GREEN
    assert event.light(event.warn_at) == Light.YELLOW
    assert event.light(event.deadline - dt.timedelta(seconds=1)) == Light.YELLOW
    assert event.light(event.deadline) == Light.RED
    done = closed(world)
    assert done.deadline is not None
    assert done.light(done.deadline + dt.timedelta(days=1)) == Light.NONE


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (dt.timedelta(days=3, hours=4, minutes=20), "剩 3 天 4 小时"),
        (dt.timedelta(days=2), "剩 2 天"),
        (dt.timedelta(hours=4, minutes=20), "剩 5 小时"),
        (dt.timedelta(hours=1), "剩 1 小时"),
        (dt.timedelta(minutes=30), "剩 30 分钟"),
        (dt.timedelta(seconds=20), "剩 1 分钟"),
        (dt.timedelta(0), "超期 1 分钟"),
        (-dt.timedelta(minutes=5), "超期 5 分钟"),
        (-dt.timedelta(hours=2), "超期 2 小时"),
        (-dt.timedelta(days=1, hours=2, minutes=30), "超期 1 天 2 小时"),
    ],
)
def test_remaining_text(world, clock, offset, text):
    event = dispatched(world)
    assert selectors.remaining_text(event, event.deadline - offset) == text


def test_remaining_text_is_empty_without_a_running_clock(world, clock):
    assert selectors.remaining_text(report(world)) == ""
    done = closed(world)
    assert selectors.remaining_text(done, done.deadline - dt.timedelta(hours=1)) == ""
