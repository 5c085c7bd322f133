"""Random walks through the workflow (hypothesis.stateful): random steps by random personas on a
few events, with time passing and the deadline sweep in between.

Whatever happens, a step either succeeds with a transition the DESIGN table allows, writing a
timeline entry and raising the event's version, or is refused with a DomainError that leaves
every event as it was. Invariants hold after every step (see the `invariant` methods).

Each example runs inside a savepoint of the test's transaction that is rolled back at its end,
so examples are independent; the world (people, areas, departments) is built once per test.
The state machine is driven by `run_state_machine_as_test` inside an ordinary pytest-django
test rather than through `WorkflowMachine.TestCase`: a unittest TestCase class would get no
per-example database reset (Hypothesis calls no setup/teardown hooks around the examples of a
state machine), and pytest-django does not apply `django_db` to plain unittest classes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gridgov.core.errors import DomainError
from gridgov.core.scoping import get_for_user_or_404
from gridgov.events import selectors, services
from gridgov.events.choices import (
    ASSIGNMENT_OPEN,
    FINISHED_STATES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    Rating,
    State,
    Supervision,
)
from gridgov.events.models import Assignment, Event
from gridgov.events.tests.support import (
    at,
    backdate_world,
    category,
    county_center,
    justice_a,
    police_b,
    timeline,
)

S = State
# (from, to) pairs each step may produce: the DESIGN table, plus the same-state steps the
# implementation records (an assisting department's part, requests, supervision, escalation
# from intake) and the rules it documents (self-handled rework goes back to the center).
ALLOWED: dict[str, set[tuple[str, str]]] = {
    "accept": {(S.REPORTED, S.ACCEPTED)},
    "reject": {(S.REPORTED, S.REJECTED)},
    "merge": {(S.REPORTED, S.MERGED), (S.ACCEPTED, S.MERGED)},
    "escalate": {(S.REPORTED, S.REPORTED), (S.ACCEPTED, S.REPORTED)},
    "dispatch": {(S.ACCEPTED, S.DISPATCHED)},
    "handle_here": {(S.ACCEPTED, S.IN_PROGRESS)},
    "settle": {(S.REPORTED, S.VERIFYING), (S.ACCEPTED, S.VERIFYING)},
    "take": {
        (S.DISPATCHED, S.IN_PROGRESS),
        (S.DISPATCHED, S.DISPATCHED),
        (S.IN_PROGRESS, S.IN_PROGRESS),
    },
    "return": {
        (S.DISPATCHED, S.ACCEPTED),
        (S.IN_PROGRESS, S.ACCEPTED),
        (S.DISPATCHED, S.DISPATCHED),
        (S.IN_PROGRESS, S.IN_PROGRESS),
    },
    "done": {(S.IN_PROGRESS, S.VERIFYING), (S.IN_PROGRESS, S.IN_PROGRESS)},
    "extend": {(S.DISPATCHED, S.DISPATCHED), (S.IN_PROGRESS, S.IN_PROGRESS)},
    "suspend": {(S.IN_PROGRESS, S.IN_PROGRESS)},
    "decide": {(s, s) for s in S.values} | {(S.IN_PROGRESS, S.SUSPENDED)},
    "resume": {(S.SUSPENDED, S.IN_PROGRESS)},
    "verify": {(S.VERIFYING, S.CLOSED), (S.VERIFYING, S.IN_PROGRESS), (S.VERIFYING, S.ACCEPTED)},
    "rate": {(S.CLOSED, S.RATED), (S.CLOSED, S.IN_PROGRESS)},
    "reopen": {(S.CLOSED, S.IN_PROGRESS), (S.RATED, S.IN_PROGRESS)},
    "supervise": {(s, s) for s in OPEN_STATES},
}
ACTIONS = sorted(ALLOWED)
PERSONAS = [
    "center_a",
    "center_b",
    "center_county",
    "worker_a1",
    "worker_a2",
    "worker_b1",
    "officer_a1",
    "officer_a2",
    "handler_a",
    "handler_a_justice",
    "handler_b",
    "leader_a",
    "admin",
]
# The steps that can move an event on from each state: drawn most of the time (with a persona
# who would usually take them), so that walks get deep into the workflow.
APPLICABLE = {
    state: [
        name
        for name in ACTIONS
        if any(
            before == state and (name != "decide" or before in (S.DISPATCHED, S.IN_PROGRESS))
            for before, _ in ALLOWED[name]
        )
    ]
    for state in S.values
}
MAX_EVENTS = 4
# Steps the event page offers (selectors.available_actions) that the machine takes with valid
# input: the service must then not refuse them. (Left out: those whose input the machine draws
# at random, and 'escalate' at the county, 'reopen' after the window and 'decide' on a request
# left from an earlier handling, which the page offers although the service refuses.)
OFFERED_SUCCEED = {
    "accept",
    "reject",
    "handle_here",
    "settle",
    "take",
    "return",
    "done",
    "extend",
    "suspend",
    "resume",
    "verify",
    "rate",
}
# Offered steps that lead away from the main path (or end it early), drawn less often.
SIDE_STEPS = {"supervise", "escalate", "merge", "reject"}


class WorkflowMachine(RuleBasedStateMachine):
    world: Any = None  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.now = at(2026, 6, 8, 9)  # a Monday morning, before any holiday
        self._patches = [
            mock.patch.object(services, "_now", self.clock),
            mock.patch.object(timezone, "now", self.clock),
        ]
        for patch in self._patches:
            patch.start()
        self.pks: list[int] = []
        self.changes = 0

    def teardown(self) -> None:
        for patch in reversed(self._patches):
            patch.stop()
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- helpers ---

    def clock(self) -> dt.datetime:
        return self.now

    def user(self, name: str) -> Any:
        return self.world.users[name]

    def events(self) -> list[Event]:
        return list(Event._base_manager.filter(pk__in=self.pks).order_by("pk"))

    def snapshot(self) -> dict[int, tuple[str, int, int]]:
        return {e.pk: (e.state, e.version, len(timeline(e))) for e in self.events()}

    def report(self, actor: str, grid: Any, **fields: Any) -> None:
        event = services.report_event(
            actor=self.user(actor),
            category=category(),
            title="随机事件",
            description="状态机生成的事件",
            grid=grid,
            **fields,
        )
        self.pks.append(event.pk)

    # --- rules ---

    @initialize()
    def three_events(self) -> None:
        w = self.world
        self.report("worker_a1", w.grid_a1)
        self.report("center_a", w.grid_a2)
        self.report("worker_b1", w.grid_b1)

    @precondition(lambda self: len(self.pks) < MAX_EVENTS)
    @rule(settled=st.booleans(), urgent=st.booleans())
    def report_another(self, settled: bool, urgent: bool) -> None:
        self.report(
            "worker_a1",
            self.world.grid_a1,
            priority="urgent" if urgent else "normal",
            settled_note="已当场处置" if settled else "",
        )

    @rule(hours=st.integers(min_value=1, max_value=24 * 45))
    def time_passes_and_the_sweep_runs(self, hours: int) -> None:
        before = self.snapshot()
        self.now = self.now + dt.timedelta(hours=hours)
        result = services.sweep_deadlines(now=self.now)
        after = self.snapshot()
        for pk, (state, version, steps) in after.items():
            old_state, old_version, old_steps = before[pk]
            assert state == old_state, "the sweep never changes a state"
            assert steps >= old_steps
            # only an automatic 督办 (a service step) raises the version; flags do not
            assert version in (old_version, old_version + 1)
        for event in self.events():
            if event.overdue:
                assert event.deadline <= self.now and event.warned
        assert result["escalated"] <= len(after)

    def natural(self, name: str, event: Event) -> list[str]:
        """Who would usually take step `name` on `event`."""
        w = self.world
        in_a = event.area_path.startswith(w.township_a.path)
        center = "center_a" if in_a else "center_b"
        if event.area_path == w.grid_a1.path:
            field = ["worker_a1", "officer_a1"]
        elif event.area_path == w.grid_a2.path:
            field = ["worker_a2", "officer_a2", "center_a"]  # center_a reported it
        else:
            field = ["worker_b1"]
        handlers = (
            ["handler_a", "handler_a_justice", "officer_a1", "officer_a2", "center_a"]
            if in_a
            else ["handler_b", "center_b"]
        )
        return {
            "settle": field,
            "verify": field,
            "rate": [event.reporter.username, center],
            "take": handlers,
            "return": handlers,
            "done": handlers,
            "extend": handlers,
            "suspend": handlers,
            "supervise": ["leader_a", center],
        }.get(name, [center, "center_county"])

    @rule(
        index=st.integers(min_value=0, max_value=MAX_EVENTS - 1),
        aimed=st.integers(min_value=0, max_value=3),
        what=st.integers(min_value=0, max_value=len(ACTIONS) - 1),
        who=st.integers(min_value=0, max_value=len(PERSONAS) - 1),
        choice=st.integers(min_value=0, max_value=5),
        flag=st.booleans(),
    )
    def step(self, index: int, aimed: int, what: int, who: int, choice: int, flag: bool) -> None:
        """A step on one event: aimed (3 in 4) means a step its state allows, by a persona
        who would usually take it; otherwise any step by anyone."""
        pks = self.pks
        event = Event._base_manager.get(pk=pks[index % len(pks)])
        aimed_ = aimed < 3
        names = APPLICABLE[event.state] if aimed_ and APPLICABLE[event.state] else ACTIONS
        name = names[what % len(names)]
        candidates = self.natural(name, event) if aimed_ else PERSONAS
        self.take_step(name, self.user(candidates[who % len(candidates)]), event, choice, flag)

    @rule(
        index=st.integers(min_value=0, max_value=MAX_EVENTS - 1),
        pick=st.integers(min_value=0, max_value=40),
        choice=st.integers(min_value=0, max_value=5),
        flag=st.booleans(),
    )
    def offered_step(self, index: int, pick: int, choice: int, flag: bool) -> None:
        """One of the steps the event page offers someone (selectors.available_actions): the
        walk follows the workflow forward, and the offers are tried against the services."""
        event = Event._base_manager.get(pk=self.pks[index % len(self.pks)])
        offers = [
            (persona, name)
            for persona in PERSONAS
            for name in selectors.available_actions(self.user(persona), event)
            if name in ALLOWED
        ]
        names = sorted({name for _, name in offers})  # each step as likely, however many offer it
        onward = [name for name in names if name not in SIDE_STEPS]
        if pick < 30 and onward:  # mostly along the workflow, now and then aside
            names = onward
        if names:
            name = names[pick % len(names)]
            personas = [persona for persona, offered in offers if offered == name]
            persona = personas[pick // len(names) % len(personas)]
            self.take_step(name, self.user(persona), event, choice, flag, offered=True)

    @rule(
        index=st.integers(min_value=0, max_value=MAX_EVENTS - 1),
        steps=st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=40),
                st.integers(min_value=0, max_value=5),
                st.booleans(),
            ),
            min_size=2,
            max_size=8,
        ),
    )
    def offered_steps(self, index: int, steps: list[tuple[int, int, bool]]) -> None:
        """Several offered steps in a row on one event: walks reach rework, suspension,
        rating and reopening within a few rules."""
        for pick, choice, flag in steps:
            self.offered_step(index=index, pick=pick, choice=choice, flag=flag)

    def take_step(
        self, name: str, actor: Any, event: Event, choice: int, flag: bool, offered: bool = False
    ) -> None:
        before = self.snapshot()
        refusal = None
        try:
            changed = self.act(name, actor, event, choice, flag)
        except DomainError as error:
            refusal = error
        if refusal is not None:
            assert refusal.message, "a refusal explains itself"
            assert not (offered and name in OFFERED_SUCCEED), (
                f"{actor.username} was offered {name} on a {event.state} event, "
                f"then refused: {refusal!r}"
            )
            assert self.snapshot() == before, f"{name} refused ({refusal!r}) but wrote"
            return
        if changed is None:  # nothing to act on (no pending request)
            assert self.snapshot() == before
            return
        self.changes += 1
        after = self.snapshot()
        for pk in after:
            old_state, old_version, old_steps = before.get(pk, (None, 0, 0))
            state, version, steps = after[pk]
            if pk not in changed:
                assert after[pk] == before[pk], f"{name} touched another event"
                continue
            if pk == changed[0]:
                assert (old_state, state) in ALLOWED[name], f"{name}: {old_state} -> {state}"
            else:  # the event a duplicate was merged into keeps its state
                assert state == old_state and state in OPEN_STATES
            assert version > old_version, f"{name} did not raise the version"
            assert steps >= old_steps + 1, f"{name} wrote no timeline entry"
            last = timeline(Event._base_manager.get(pk=pk))[-1]
            assert last.to_state == state
            if last.action == "supervised":
                assert last.from_state == last.to_state

    @rule(
        index=st.integers(min_value=0, max_value=MAX_EVENTS - 1),
        aimed=st.integers(min_value=0, max_value=3),
        what=st.integers(min_value=0, max_value=len(ACTIONS) - 1),
        who=st.integers(min_value=0, max_value=len(PERSONAS) - 1),
        choice=st.integers(min_value=0, max_value=5),
        flag=st.booleans(),
    )
    def another_step(self, **draws: Any) -> None:
        """The same as `step`: a second rule so that steps come more often than time passing."""
        self.step(**draws)

    def act(
        self, name: str, actor: Any, event: Event, choice: int, flag: bool
    ) -> tuple[int, ...] | None:
        """Take step `name`; the events it changed (the acted-on one first), or None."""
        w = self.world
        seen = get_for_user_or_404(Event, actor, "events.view", pk=event.pk)
        v = seen.version
        if name == "accept":
            services.accept_event(seen, actor=actor, version=v)
        elif name == "reject":
            services.reject_event(seen, actor=actor, version=v, reason="不予受理")
        elif name == "merge":
            into = Event._base_manager.get(pk=self.pks[choice % len(self.pks)])
            services.merge_event(seen, actor=actor, version=v, into=into)
            return (seen.pk, into.pk)
        elif name == "escalate":
            services.escalate_event(seen, actor=actor, version=v, reason="需上级协调")
        elif name == "dispatch":
            justice = w.justice
            village = w.village_a1 if seen.area_path.startswith(w.village_a1.path) else w.village_a2
            targets = [
                {"department": w.police_a},
                {"department": justice},
                {"department": w.police_b_dept},
                {"area": village},
                {"area": w.village_b1},
                {"department": w.police_a, "assisting": [justice]},
            ]
            target = targets[choice]
            if flag and "department" in target and "assisting" not in target:
                target = {**target, "assisting": [justice]}
            services.dispatch_event(seen, actor=actor, version=v, **target)
        elif name == "handle_here":
            services.handle_here(seen, actor=actor, version=v)
        elif name == "settle":
            services.settle_on_spot(seen, actor=actor, version=v, note="已现场处置")
        elif name == "take":
            services.take_event(seen, actor=actor, version=v)
        elif name == "return":
            services.return_event(seen, actor=actor, version=v, reason="不属于本单位")
        elif name == "done":
            services.report_done(seen, actor=actor, version=v, note="已办结")
        elif name == "extend":
            services.request_extension(
                seen, actor=actor, version=v, reason="需延期", value=choice + 1, unit="work_days"
            )
        elif name == "suspend":
            services.request_suspension(seen, actor=actor, version=v, reason="暂无法解决")
        elif name == "decide":
            request = selectors.pending_request(seen)
            if request is None:
                return None
            services.decide_request(
                request, actor=actor, version=request.version, grant=flag, note="审批意见"
            )
        elif name == "resume":
            services.resume_event(seen, actor=actor, version=v)
        elif name == "verify":
            services.verify_event(seen, actor=actor, version=v, passed=flag, note="复核意见")
        elif name == "rate":
            rating = Rating.values[choice % 3]
            comment = "" if flag and rating != Rating.DISSATISFIED else "评价意见"
            services.rate_event(seen, actor=actor, version=v, rating=rating, comment=comment)
        elif name == "reopen":
            services.reopen_event(seen, actor=actor, version=v, reason="群众再次反映")
        elif name == "supervise":
            level = Supervision.values[choice % 3]
            services.supervise_event(seen, actor=actor, level=level, note="请加快办理")
        return (seen.pk,)

    # --- invariants ---

    @invariant()
    def states_are_states(self) -> None:
        for event in self.events():
            assert event.state in State.values

    @invariant()
    def finished_events_were_verified_after_their_last_handling(self) -> None:
        for event in self.events():
            if event.state not in FINISHED_STATES:
                continue
            names = [entry.action for entry in timeline(event)]
            handled = max(i for i, a in enumerate(names) if a in ("done", "self_handled"))
            assert "verified" in names[handled + 1 :], names

    @invariant()
    def the_timeline_tells_the_story(self) -> None:
        for event in self.events():
            entries = timeline(event)
            assert entries[0].action == "reported" and entries[0].from_state == ""
            assert entries[-1].to_state == event.state
            for previous, entry in itertools.pairwise(entries):
                if (previous.action, entry.action) == ("rated", "reopened") and (
                    previous.to_state == State.IN_PROGRESS
                ):
                    # a 不满意 that reopens writes both steps from 已结案 (rate_event)
                    assert (previous.from_state, entry.from_state) == (S.CLOSED, S.CLOSED)
                    continue
                assert entry.from_state == previous.to_state, (previous.action, entry.action)

    @invariant()
    def someone_holds_every_event_being_handled(self) -> None:
        """An event 待签收 has one pending lead, 办理中 or 挂账 one lead at work; an event at a
        center has none. Otherwise nobody could move it on."""
        for event in self.events():
            leads = list(
                Assignment._base_manager.filter(
                    event_id=event.pk, role=AssignmentRole.LEAD, state__in=ASSIGNMENT_OPEN
                ).values_list("state", flat=True)
            )
            if event.state == State.DISPATCHED:
                assert leads == [AssignmentState.PENDING], leads
            elif event.state in (State.IN_PROGRESS, State.SUSPENDED):
                assert leads == [AssignmentState.TAKEN], leads
            else:
                assert leads == [], (event.state, leads)
            if event.state in (State.DISPATCHED, State.IN_PROGRESS, State.SUSPENDED):
                assert event.deadline is not None and event.warn_at <= event.deadline

    @invariant()
    def paths_follow_their_areas(self) -> None:
        for event in self.events():
            assert event.area_path == event.grid.path
            assert event.center_path == event.center.path
            assert event.area_path.startswith(event.center_path)
            assert (event.state == State.MERGED) == (event.merged_into_id is not None)
            assert event.merged_into_id != event.pk


@pytest.mark.django_db(transaction=False)
def test_random_walks_through_the_workflow(world):
    backdate_world(world)
    world.users["center_county"] = county_center(world)
    world.justice, world.users["handler_a_justice"] = justice_a(world)
    world.police_b_dept, world.users["handler_b"] = police_b(world)
    WorkflowMachine.world = world
    try:
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                max_examples=30,
                stateful_step_count=25,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        WorkflowMachine.world = None
