"""Who may take which step of the workflow: a matrix of every transition against the personas.

Each cell loads the event through the read door the pages use (`get_for_user_or_404` with
events.view: invisible means NotFound), then calls the service (NotPermitted when the persona
sees the event but may not act). A refusal writes nothing; an allowed step moves the event as
the DESIGN table says; the actions offered on the event page (`selectors.available_actions`)
agree with the services. Then: wrong states (InvalidTransition), stale versions (Conflict),
what a department sees, and each role's queue (我的待办)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from gridgov.core.errors import Conflict, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import get_for_user_or_404, unscoped
from gridgov.events import selectors, services
from gridgov.events.choices import State
from gridgov.events.models import Assignment, Event, EventRequest, TimelineEntry
from gridgov.events.tests.support import (
    Clock,
    accepted,
    backdate_world,
    closed,
    counts,
    dispatched,
    in_progress,
    justice_a,
    police_b,
    reload,
    report,
    self_handled,
    suspended,
    verifying,
    with_pending_extension,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "center_a",
    "center_b",
    "worker_a1",
    "worker_b1",
    "handler_a",
    "officer_a1",
    "leader_a",
    "admin",
]
# Who sees an event of 甲村第一网格 through events.view, before and after it is dispatched to
# 横街派出所 (a department sees only what was assigned to it).
SEES = {"center_a", "worker_a1", "officer_a1", "leader_a", "admin"}
SEES_ONCE_DISPATCHED = SEES | {"handler_a"}
OK = "ok"


@dataclass(frozen=True)
class Step:
    setup: Callable[[Any], Any]  # world -> the event (or (event, request))
    act: Callable[[Any, Any, Any], Any]  # (world, actor, target) -> result
    allowed: frozenset[str]
    sees: frozenset[str]
    to_state: str  # the event's state after an allowed step
    offered: str  # the name in selectors.available_actions


def _merge_setup(world):
    target = report(world, title="同一噪音源")
    return report(world, title="噪音扰民"), target


def _decide_setup(world):
    return with_pending_extension(world)


def _event_of(target):
    return target[0] if isinstance(target, tuple) else target


def _supervise(level):
    return lambda w, a, e: services.supervise_event(e, actor=a, level=level, note="请加快办理")


STEPS: dict[str, Step] = {
    "accept": Step(
        report,
        lambda w, a, e: services.accept_event(e, actor=a, version=e.version),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.ACCEPTED,
        "accept",
    ),
    "reject": Step(
        report,
        lambda w, a, e: services.reject_event(e, actor=a, version=e.version, reason="重复上报"),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.REJECTED,
        "reject",
    ),
    "merge": Step(
        _merge_setup,
        lambda w, a, t: services.merge_event(t[0], actor=a, version=t[0].version, into=t[1]),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.MERGED,
        "merge",
    ),
    "escalate": Step(
        accepted,
        lambda w, a, e: services.escalate_event(e, actor=a, version=e.version, reason="需区级协调"),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.REPORTED,
        "escalate",
    ),
    "dispatch": Step(
        accepted,
        lambda w, a, e: services.dispatch_event(
            e, actor=a, version=e.version, department=w.police_a
        ),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.DISPATCHED,
        "dispatch",
    ),
    "handle_here": Step(
        accepted,
        lambda w, a, e: services.handle_here(e, actor=a, version=e.version),
        frozenset({"center_a"}),
        frozenset(SEES),
        State.IN_PROGRESS,
        "handle_here",
    ),
    "settle": Step(
        accepted,
        lambda w, a, e: services.settle_on_spot(e, actor=a, version=e.version, note="已现场处置"),
        frozenset({"worker_a1", "officer_a1"}),
        frozenset(SEES),
        State.VERIFYING,
        "settle",
    ),
    "take": Step(
        dispatched,
        lambda w, a, e: services.take_event(e, actor=a, version=e.version),
        frozenset({"handler_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "take",
    ),
    "return": Step(
        dispatched,
        lambda w, a, e: services.return_event(e, actor=a, version=e.version, reason="非本所职责"),
        frozenset({"handler_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.ACCEPTED,
        "return",
    ),
    "done": Step(
        in_progress,
        lambda w, a, e: services.report_done(e, actor=a, version=e.version, note="已办结"),
        frozenset({"handler_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.VERIFYING,
        "done",
    ),
    "extend": Step(
        in_progress,
        lambda w, a, e: services.request_extension(
            e, actor=a, version=e.version, reason="需协调", value=1, unit="work_days"
        ),
        frozenset({"handler_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "extend",
    ),
    "suspend": Step(
        in_progress,
        lambda w, a, e: services.request_suspension(e, actor=a, version=e.version, reason="暂缓"),
        frozenset({"handler_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "suspend",
    ),
    "decide": Step(
        _decide_setup,
        lambda w, a, t: services.decide_request(
            t[1], actor=a, version=t[1].version, grant=True, note="同意"
        ),
        frozenset({"center_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "decide",
    ),
    "resume": Step(
        suspended,
        lambda w, a, e: services.resume_event(e, actor=a, version=e.version),
        frozenset({"center_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "resume",
    ),
    "verify": Step(
        verifying,
        lambda w, a, e: services.verify_event(e, actor=a, version=e.version, passed=True),
        frozenset({"worker_a1", "officer_a1"}),  # the reporter and the village; not the handler
        frozenset(SEES_ONCE_DISPATCHED),
        State.CLOSED,
        "verify",
    ),
    "rate": Step(
        closed,
        lambda w, a, e: services.rate_event(e, actor=a, version=e.version, rating="satisfied"),
        frozenset({"worker_a1", "center_a"}),  # the reporter, or the center's 回访
        frozenset(SEES_ONCE_DISPATCHED),
        State.RATED,
        "rate",
    ),
    "reopen": Step(
        closed,
        lambda w, a, e: services.reopen_event(e, actor=a, version=e.version, reason="再次反映"),
        frozenset({"center_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "reopen",
    ),
    "remind": Step(
        in_progress,
        _supervise("remind"),
        frozenset({"center_a", "leader_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "remind",
    ),
    "supervise": Step(
        in_progress,
        _supervise("supervise"),
        frozenset({"leader_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "supervise",
    ),
    "listed": Step(
        in_progress,
        _supervise("listed"),
        frozenset({"leader_a"}),
        frozenset(SEES_ONCE_DISPATCHED),
        State.IN_PROGRESS,
        "listed",
    ),
}


def expected(step: Step, persona: str) -> Any:
    if persona in step.allowed:
        return OK
    return NotPermitted if persona in step.sees else NotFound


def _offered(actor, event, name) -> bool:
    if name in ("remind", "supervise", "listed"):
        return name in selectors.supervision_levels(actor, event)
    return name in selectors.available_actions(actor, event)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(STEPS))
def test_permission_matrix(world, name, persona):
    step = STEPS[name]
    actor = world.users[persona]
    target = step.setup(world)
    event = reload(_event_of(target))
    before, version = counts(), event.version
    outcome = expected(step, persona)

    def through_the_door():
        seen = get_for_user_or_404(Event, actor, "events.view", pk=event.pk)
        if persona in step.sees:  # the page then lists what the persona may do
            assert _offered(actor, seen, step.offered) == (outcome == OK), (
                f"{persona} offered {selectors.available_actions(actor, seen)}"
            )
        if isinstance(target, tuple):
            return step.act(world, actor, (seen, target[1]))
        return step.act(world, actor, seen)

    if outcome == OK:
        through_the_door()
        after = reload(event)
        assert after.state == step.to_state
        assert after.version > version
        assert counts()["timeline"] > before["timeline"]
    else:
        with pytest.raises(outcome):
            through_the_door()
        after = reload(event)
        assert (after.state, after.version) == (event.state, version)
        assert counts() == before


def test_the_page_offers_no_step_the_service_would_refuse(world):
    justice, justice_handler = justice_a(world)
    event = dispatched(world, assisting=(justice,))
    event = services.take_event(event, actor=justice_handler, version=event.version)
    # the assisting department has signed, the lead not yet: its part cannot be reported yet
    assert "done" not in selectors.available_actions(justice_handler, event)
    with pytest.raises(InvalidTransition):
        services.report_done(event, actor=justice_handler, version=event.version, note="已配合")
    event = services.take_event(event, actor=world.handler_a, version=event.version)
    assert "done" in selectors.available_actions(justice_handler, event)
    # while a request waits, the lead cannot make another
    assert {"extend", "suspend"} <= set(selectors.available_actions(world.handler_a, event))
    services.request_extension(
        event,
        actor=world.handler_a,
        version=event.version,
        reason="需协调",
        value=1,
        unit="work_days",
    )
    event = reload(event)
    offered = selectors.available_actions(world.handler_a, event)
    assert "extend" not in offered and "suspend" not in offered
    with pytest.raises(InvalidTransition):
        services.request_suspension(event, actor=world.handler_a, version=event.version, reason="x")


# --- Wrong states ----------------------------------------------------------------------------------

WRONG_STATE: dict[str, tuple[Callable[[Any], Any], str]] = {
    "accept": (accepted, "center_a"),
    "reject": (accepted, "center_a"),
    "escalate": (dispatched, "center_a"),
    "dispatch": (report, "center_a"),
    "handle_here": (report, "center_a"),
    "settle": (dispatched, "worker_a1"),
    "take": (verifying, "handler_a"),
    "return": (verifying, "handler_a"),
    "done": (dispatched, "handler_a"),
    "extend": (verifying, "handler_a"),
    "suspend": (dispatched, "handler_a"),
    "resume": (in_progress, "center_a"),
    "verify": (in_progress, "worker_a1"),
    "rate": (verifying, "worker_a1"),
    "reopen": (in_progress, "center_a"),
    "remind": (closed, "center_a"),
    "supervise": (closed, "leader_a"),
}


@pytest.mark.parametrize("name", list(WRONG_STATE))
def test_a_step_in_the_wrong_state_is_an_invalid_transition(world, name):
    setup, persona = WRONG_STATE[name]
    event = setup(world)
    before = counts()
    with pytest.raises(InvalidTransition) as exc:
        STEPS[name].act(world, world.users[persona], event)
    assert exc.value.message.startswith("事件") or "办结" in exc.value.message
    assert counts() == before
    assert reload(event).version == event.version


def test_merging_a_dispatched_event_and_deciding_twice_are_invalid_transitions(world):
    moving, target = dispatched(world), report(world)
    with pytest.raises(InvalidTransition):
        services.merge_event(moving, actor=world.center_a, version=moving.version, into=target)
    _, request = with_pending_extension(world)
    request = services.decide_request(
        request, actor=world.center_a, version=request.version, grant=False, note="不同意"
    )
    before = counts()
    with pytest.raises(InvalidTransition):
        services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    assert counts() == before


# --- Stale versions --------------------------------------------------------------------------------

VERSIONED = [
    name
    for name in STEPS
    if name not in ("remind", "supervise", "listed")  # supervision takes no version
]


@pytest.mark.parametrize("name", VERSIONED)
def test_a_stale_version_is_a_conflict(world, name):
    step = STEPS[name]
    persona = sorted(step.allowed)[0]
    target = step.setup(world)
    if isinstance(target, tuple) and name == "decide":
        stale = (target[0], EventRequest._base_manager.get(pk=target[1].pk))
        stale[1].version -= 1
    elif isinstance(target, tuple):
        stale = (reload(target[0]), target[1])
        stale[0].version -= 1
    else:
        stale = reload(target)
        stale.version -= 1
    before = counts()
    with pytest.raises(Conflict):
        step.act(world, world.users[persona], stale)
    assert counts() == before


# --- What a department sees ------------------------------------------------------------------------


def test_a_department_handler_sees_only_the_events_assigned_to_it(world):
    justice, justice_handler = justice_a(world)
    _, handler_b = police_b(world)
    mine = dispatched(world)
    theirs = accepted(world)
    theirs = services.dispatch_event(
        theirs, actor=world.center_a, version=theirs.version, department=justice
    )
    unassigned = accepted(world)
    reported = report(world)

    def seen(user, model=Event):
        return set(model.objects.for_user(user, "events.view").values_list("pk", flat=True))

    assert seen(world.handler_a) == {mine.pk}
    assert seen(justice_handler) == {theirs.pk}
    assert seen(handler_b) == set()
    assert Event.objects.for_user(world.handler_a, "events.handle").get() == mine
    assert seen(world.center_a) == {mine.pk, theirs.pk, unassigned.pk, reported.pk}
    # and only the rows of those events
    with unscoped("test"):
        my_rows = set(Assignment.objects.filter(event=mine).values_list("pk", flat=True))
        my_steps = set(TimelineEntry.objects.filter(event=mine).values_list("pk", flat=True))
    assert seen(world.handler_a, Assignment) == my_rows
    assert seen(world.handler_a, TimelineEntry) == my_steps
    # a returned dispatch stays visible to the department as history
    mine = services.return_event(mine, actor=world.handler_a, version=mine.version, reason="非本所")
    assert seen(world.handler_a) == {mine.pk}
    with pytest.raises(NotFound):
        get_for_user_or_404(Event, world.handler_a, "events.view", pk=unassigned.pk)


# --- Queues (我的待办) -------------------------------------------------------------------------------


@pytest.fixture
def scene(world, monkeypatch):
    """One event in each place a queue looks, the overdue one dispatched ten days ago."""
    backdate_world(world)
    real_now = timezone.now()
    clock = Clock(monkeypatch, real_now - dt.timedelta(days=10))
    events = {"overdue": in_progress(world)}
    clock.set(real_now)
    events |= {
        "reported": report(world),
        "accepted": accepted(world),
        "dispatched": dispatched(world),
        "in_progress": in_progress(world),
        "verifying": verifying(world),
        "self_handled": self_handled(world),
        "requesting": with_pending_extension(world)[0],
        "closed": closed(world),
        "elsewhere": report(world, actor=world.worker_b1, grid=world.grid_b1),
    }
    supervised = in_progress(world)
    services.supervise_event(supervised, actor=world.leader_a, level="supervise", note="督办")
    events["supervised"] = supervised
    services.sweep_deadlines(now=real_now)
    assert reload(events["overdue"]).overdue
    assert not reload(events["in_progress"]).overdue
    return events


QUEUES = {
    "center_a": {"reported", "accepted", "requesting"},
    "center_b": {"elsewhere"},
    "worker_a1": {"verifying"},  # not the one it settled itself
    "worker_b1": set(),
    "handler_a": {"overdue", "dispatched", "in_progress", "requesting", "supervised"},
    "officer_a1": {"verifying", "self_handled"},
    "leader_a": {"overdue", "supervised"},
    "admin": set(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_queue_for_each_role(world, scene, persona):
    names = {pk: name for name, event in scene.items() for pk in [event.pk]}
    queue = selectors.queue_for(world.users[persona])
    assert {names[e.pk] for e in queue} == QUEUES[persona]


def test_the_queue_puts_the_earliest_deadline_first(world, scene):
    queue = list(selectors.queue_for(world.handler_a))
    assert queue[0].pk == scene["overdue"].pk
    deadlines = [e.deadline for e in queue]
    assert deadlines == sorted(deadlines)
