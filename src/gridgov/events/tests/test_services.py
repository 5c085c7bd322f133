"""The event workflow's services, one rule at a time (DESIGN.md "The event workflow").

Each transition: what it changes, the one timeline entry it writes (from/to states), the audit
entry with its action code, who is told, and the refusals (in Chinese, nothing written)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid

import pytest
from django.utils import timezone

from gridgov.core import workcalendar
from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.events import selectors, services
from gridgov.events.choices import (
    AssignmentRole,
    AssignmentState,
    Priority,
    RequestKind,
    RequestState,
    Source,
    State,
    Supervision,
)
from gridgov.events.models import Event, EventParty, RoutingRule, SupervisionRecord
from gridgov.events.tests.support import (
    Clock,
    accepted,
    actions,
    assignments,
    category,
    closed,
    counts,
    county_center,
    dispatched,
    in_progress,
    inbox,
    justice_a,
    police_b,
    rated,
    recipients,
    reload,
    report,
    self_handled,
    step_checker,
    suspended,
    timeline,
    verifying,
    with_pending_extension,
)

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^(\d{8})[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$")
ZHANG = "11010519491231002X"
LI = "33020319800101001X"
# A point inside 甲村第一网格 (square(121.40, 29.87) in the personas), one in 丙村第一网格.
IN_A1 = {"lat": 29.875, "lng": 121.405}
IN_B1 = {"lat": 29.875, "lng": 121.305}


def refused(exc_type, call, *, field=None):
    """`call()` raises `exc_type` with a Chinese message and writes nothing at all."""
    before = counts()
    with pytest.raises(exc_type) as exc:
        call()
    assert_chinese(exc)
    if field is not None:
        assert field in exc.value.as_dict(), exc.value.as_dict()
    assert counts() == before
    return exc.value


def person(world, id_number=ZHANG, name="张三丰"):
    from gridgov.registry import services as registry

    return registry.register_person(
        actor=world.worker_a1,
        id_number=id_number,
        grid=world.grid_a1,
        name=name,
        residence_type="registered",
    )


# --- Intake --------------------------------------------------------------------------------------


def test_report_in_a_grid_gives_a_case_code_the_township_center_and_one_step(world):
    event = report(world)
    assert event.state == State.REPORTED
    assert (event.grid, event.area_path) == (world.grid_a1, world.grid_a1.path)
    assert (event.center, event.center_path) == (world.township_a, world.township_a.path)
    assert event.reporter == world.worker_a1
    assert (event.kind, event.priority, event.source) == (
        category().kind,
        Priority.NORMAL,
        Source.GRID_WORKER,
    )
    match = CODE.match(event.code)
    assert match and match.group(1) == f"{timezone.localdate():%Y%m%d}"
    [entry] = timeline(event)
    assert (entry.action, entry.from_state, entry.to_state) == ("reported", "", "reported")
    assert entry.actor == world.worker_a1
    assert_audited(event, "events.event.reported", world.worker_a1)
    assert_audited(entry, "events.event.reported", world.worker_a1)
    assert recipients("events.reported") == {"center_a"}
    assert "新事件待受理" in inbox(world.center_a, "events.reported")[0].title


def test_report_from_a_standard_address_takes_its_grid(world):
    from gridgov.registry import services as registry

    address = registry.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12号"
    )
    event = report(world, grid=None, address=address)
    assert event.grid == world.grid_a1 and event.address == address
    error = refused(
        Invalid, lambda: report(world, grid=world.grid_a1_virtual, address=address), field="address"
    )
    assert "不在所选网格内" in error.message


def test_report_from_a_point_locates_the_grid(world):
    event = report(world, grid=None, **IN_A1)
    assert event.grid == world.grid_a1
    assert (event.lat, event.lng) == (IN_A1["lat"], IN_A1["lng"])
    assert event.center == world.township_a
    # the center of township A sees 乙村's grid too
    in_a2 = report(world, actor=world.center_a, grid=None, lat=29.875, lng=121.415)
    assert in_a2.grid == world.grid_a2


def test_report_from_a_point_outside_every_visible_grid_is_refused(world):
    error = refused(Invalid, lambda: report(world, grid=None, **IN_B1), field="grid")
    assert "不在您可见的任何网格内" in error.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"description": "长" * 4001}, "description"),
        ({"grid": None, "lat": 29.875}, "lat"),
        ({"grid": None, "lat": 95.0, "lng": 121.4}, "lat"),
        ({"grid": None}, "grid"),
        ({"priority": "high"}, "priority"),
        ({"source": "mail"}, "source"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"category": None}, "category"),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, dict) else v,
)
def test_report_refuses_invalid_input_in_chinese_and_writes_nothing(world, fields, field):
    refused(Invalid, lambda: report(world, **fields), field=field)


def test_report_refuses_a_village_as_grid_a_future_time_and_an_inactive_category(world):
    refused(Invalid, lambda: report(world, grid=world.village_a1), field="grid")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    refused(Invalid, lambda: report(world, occurred_at=tomorrow), field="occurred_at")
    services.update_category(category(), actor=world.admin, is_active=False)
    refused(Invalid, lambda: report(world), field="category")


def test_report_outside_jurisdiction_is_not_permitted(world):
    refused(NotPermitted, lambda: report(world, grid=world.grid_b1))
    refused(NotPermitted, lambda: report(world, actor=world.handler_a))


def test_same_client_id_twice_is_one_event(world):
    client_id = uuid.uuid4()
    first = report(world, client_id=client_id)
    before = counts()
    again = report(world, client_id=str(client_id), title="网络重试")
    assert again.pk == first.pk and again.title == first.title
    assert counts() == before
    with unscoped("test"):
        assert Event.objects.filter(client_id=client_id).count() == 1
    assert actions(first) == ["reported"]


def test_a_client_id_of_another_reporter_is_refused(world):
    client_id = uuid.uuid4()
    report(world, client_id=client_id)
    error = refused(
        Invalid,
        lambda: report(world, actor=world.worker_a2, grid=world.grid_a2, client_id=client_id),
        field="client_id",
    )
    assert "已被使用" in error.message


def test_case_codes_are_unique_and_a_collision_is_retried(world, monkeypatch):
    codes = {report(world).code for _ in range(12)}
    assert len(codes) == 12 and all(CODE.match(c) for c in codes)
    taken = "20260101AAAAAA"
    sequence = iter([taken, taken, "20260101BBBBBB"])
    monkeypatch.setattr(services, "_new_code", lambda: next(sequence))
    first = report(world)
    second = report(world)
    assert (first.code, second.code) == (taken, "20260101BBBBBB")
    assert actions(second) == ["reported"]


def test_center_is_the_grids_township(world):
    event = report(world, actor=world.worker_b1, grid=world.grid_b1)
    assert event.center == world.township_b and event.center_path == world.township_b.path
    assert recipients("events.reported") == {"center_b"}
    assert services.center_of(world.grid_a2) == world.township_a


# --- Routing rules (直报与抄告) ------------------------------------------------------------------


def _rule(world, *, min_priority=Priority.URGENT, target_level="county", copy=()):
    rule = RoutingRule(
        area=world.township_a,
        area_path=world.township_a.path,
        category=category(),
        min_priority=min_priority,
        target_level=target_level,
    )
    rule.save()
    with unscoped("test: the rule's departments"):
        rule.copy_departments.set(copy)
    return rule


def test_routing_rule_sends_an_urgent_event_to_the_county_and_copies_a_department(world):
    county = county_center(world)
    _rule(world, copy=[world.police_a])
    event = report(world, priority=Priority.URGENT)
    assert event.state == State.REPORTED
    assert (event.center, event.center_path) == (world.district, world.district.path)
    [copy] = assignments(event)
    assert (copy.department, copy.role, copy.state) == (
        world.police_a,
        AssignmentRole.COPY,
        AssignmentState.DONE,
    )
    entries = timeline(event)
    assert [(e.action, e.from_state, e.to_state) for e in entries] == [
        ("reported", "", "reported"),
        ("copied", "reported", "reported"),
    ]
    assert "横街派出所" in entries[1].note
    assert_audited(entries[1], "events.event.reported", world.worker_a1)
    assert recipients("events.reported") == {county.username}
    assert recipients("events.copied") == {"handler_a"}
    # the copied department sees the event; a copy waits for nothing from it
    assert Event.objects.for_user(world.handler_a, "events.view").filter(pk=event.pk).exists()
    assert not selectors.queue_for(world.handler_a).filter(pk=event.pk).exists()
    # the township center no longer handles it; the county center does
    with pytest.raises(NotPermitted):
        services.accept_event(event, actor=world.center_a, version=event.version)
    assert services.accept_event(event, actor=county, version=event.version).state == State.ACCEPTED


def test_routing_rule_leaves_a_normal_event_alone(world):
    _rule(world, copy=[world.police_a])
    event = report(world)
    assert event.center == world.township_a
    assert assignments(event) == [] and actions(event) == ["reported"]


def test_routing_rule_for_every_priority_only_copies(world):
    _rule(world, min_priority=Priority.NORMAL, target_level="", copy=[world.police_a])
    event = report(world)
    assert event.center == world.township_a
    assert actions(event) == ["reported", "copied"]


# --- Accept, reject, merge, escalate -------------------------------------------------------------


def test_accept(world):
    event = report(world)
    check = step_checker(event)
    event = services.accept_event(event, actor=world.center_a, version=event.version)
    assert event.state == State.ACCEPTED and event.accepted_at is not None
    check("accepted", "reported", "accepted", "events.event.accepted", world.center_a)


def test_reject_needs_a_reason_and_tells_the_reporter(world):
    event = report(world)
    refused(
        Invalid,
        lambda: services.reject_event(
            event, actor=world.center_a, version=event.version, reason=" "
        ),
        field="reason",
    )
    check = step_checker(event)
    event = services.reject_event(
        event, actor=world.center_a, version=event.version, reason="不属于受理范围"
    )
    assert event.state == State.REJECTED and event.reject_reason == "不属于受理范围"
    entry = check("rejected", "reported", "rejected", "events.event.rejected", world.center_a)
    assert entry.note == "不属于受理范围"
    [notice] = inbox(world.worker_a1, "events.reporter")
    assert "不予受理" in notice.title


def test_merge_copies_the_parties_and_keeps_both_timelines(world):
    zhang, li = person(world), person(world, LI, "李四")
    target = report(world, title="噪音扰民", persons=[li])
    duplicate = report(world, title="噪音扰民(重复)", persons=[zhang, li])
    duplicate = services.accept_event(duplicate, actor=world.center_a, version=duplicate.version)
    check_dup, check_target = step_checker(duplicate), step_checker(target)
    target_version = reload(target).version
    merged = services.merge_event(
        duplicate, actor=world.center_a, version=duplicate.version, into=target, note="同一噪音源"
    )
    assert merged.state == State.MERGED and merged.merged_into_id == target.pk
    check_dup("merged", "accepted", "merged", "events.event.merged", world.center_a)
    entry = check_target("merged_in", "reported", "reported", "events.event.merged", world.center_a)
    assert duplicate.code in entry.note and "同一噪音源" in entry.note
    assert actions(duplicate) == ["reported", "accepted", "merged"]
    assert actions(target) == ["reported", "merged_in"]
    assert reload(target).version == target_version + 1
    with unscoped("test"):
        target_people = sorted(
            EventParty.objects.filter(event=target).values_list("person_id", flat=True)
        )
        kept = sorted(
            EventParty.objects.filter(event=duplicate).values_list("person_id", flat=True)
        )
    assert target_people == sorted([zhang.pk, li.pk])  # 李四 not twice
    assert kept == sorted([zhang.pk, li.pk])  # the duplicate keeps its own parties
    assert any("已并入" in n.title for n in inbox(world.worker_a1, "events.reporter"))


def test_merge_refusals(world):
    duplicate = report(world)
    finished = closed(world)
    error = refused(
        InvalidTransition,
        lambda: services.merge_event(
            duplicate, actor=world.center_a, version=duplicate.version, into=finished
        ),
    )
    assert "已办结" in error.message
    refused(
        Invalid,
        lambda: services.merge_event(
            duplicate, actor=world.center_a, version=duplicate.version, into=duplicate
        ),
        field="into",
    )
    elsewhere = report(world, actor=world.worker_b1, grid=world.grid_b1)
    refused(
        NotFound,
        lambda: services.merge_event(
            duplicate, actor=world.center_a, version=duplicate.version, into=elsewhere
        ),
    )
    moving = dispatched(world)
    refused(
        InvalidTransition,
        lambda: services.merge_event(
            moving, actor=world.center_a, version=moving.version, into=duplicate
        ),
    )


def test_escalate_goes_to_the_county_center_which_cannot_escalate_further(world):
    county = county_center(world)
    event = accepted(world)
    refused(
        Invalid,
        lambda: services.escalate_event(
            event, actor=world.center_a, version=event.version, reason=""
        ),
        field="reason",
    )
    check = step_checker(event)
    event = services.escalate_event(
        event, actor=world.center_a, version=event.version, reason="涉及两镇,需区级协调"
    )
    assert event.state == State.REPORTED and event.escalations == 1
    assert (event.center, event.center_path) == (world.district, world.district.path)
    check("escalated", "accepted", "reported", "events.event.escalated", world.center_a)
    assert recipients("events.reported") == {"center_a", county.username}
    assert len(inbox(county, "events.reported")) == 1
    with pytest.raises(NotPermitted):
        services.accept_event(event, actor=world.center_a, version=event.version)
    error = refused(
        InvalidTransition,
        lambda: services.escalate_event(
            event, actor=county, version=event.version, reason="再上报"
        ),
    )
    assert "最高一级" in error.message
    event = services.accept_event(event, actor=county, version=event.version)
    assert event.state == State.ACCEPTED


# --- Dispatch, handle here, settle on the spot ---------------------------------------------------


def test_dispatch_to_a_lead_and_an_assisting_department_starts_the_clock(world):
    justice, justice_handler = justice_a(world)
    event = accepted(world)
    check = step_checker(event)
    event = services.dispatch_event(
        event,
        actor=world.center_a,
        version=event.version,
        department=world.police_a,
        assisting=[justice, world.police_a, justice],  # the lead, or a repeat, is ignored
        note="请尽快处理",
    )
    assert event.state == State.DISPATCHED
    entry = check("dispatched", "accepted", "dispatched", "events.event.dispatched", world.center_a)
    assert "横街派出所、横街司法所(协办)" in entry.note and "3 工作日" in entry.note
    rows = assignments(event)
    assert [(a.department, a.role, a.state) for a in rows] == [
        (world.police_a, AssignmentRole.LEAD, AssignmentState.PENDING),
        (justice, AssignmentRole.ASSIST, AssignmentState.PENDING),
    ]
    assert (event.sla_value, event.sla_unit) == (3, "work_days")
    assert event.first_dispatched_at == event.dispatched_at
    assert event.deadline == workcalendar.add_duration(event.dispatched_at, 3, "work_days")
    assert event.dispatched_at < event.warn_at < event.deadline
    assert event.warn_at == event.deadline - (event.deadline - event.dispatched_at) / 4
    assert not (event.warned or event.overdue or event.overdue_escalated)
    assert recipients("events.dispatched") == {"handler_a", justice_handler.username}


def test_dispatch_of_an_urgent_event_uses_the_urgent_time_limit(world):
    event = dispatched(world, priority=Priority.URGENT)
    assert (event.sla_value, event.sla_unit) == (4, "work_hours")
    assert event.deadline == workcalendar.add_duration(event.dispatched_at, 4, "work_hours")


def test_dispatch_refusals(world):
    other, _ = police_b(world)
    event = accepted(world)

    def dispatch(**kw):
        return lambda: services.dispatch_event(
            event, actor=world.center_a, version=event.version, **kw
        )

    error = refused(Invalid, dispatch(department=other), field="department")
    assert "不属于横街镇辖区" in error.message
    refused(Invalid, dispatch(department=world.police_a, assisting=[other]), field="department")
    refused(Invalid, dispatch(), field="department")
    refused(Invalid, dispatch(department=world.police_a, area=world.village_a1), field="department")
    refused(Invalid, dispatch(area=world.township_a), field="area")  # that is 自办
    refused(Invalid, dispatch(area=world.village_a2), field="area")  # not where it happened
    refused(Invalid, dispatch(area=world.village_b1), field="area")
    fresh = report(world)
    refused(
        InvalidTransition,
        lambda: services.dispatch_event(
            fresh, actor=world.center_a, version=fresh.version, department=world.police_a
        ),
    )


def test_dispatch_to_a_village_is_signed_for_by_its_officer(world):
    event = accepted(world)
    event = services.dispatch_event(
        event, actor=world.center_a, version=event.version, area=world.village_a1
    )
    assert recipients("events.dispatched") == {"officer_a1"}
    with pytest.raises(NotPermitted):  # the township's staff do not sign for their villages
        services.take_event(event, actor=world.center_a, version=event.version)
    event = services.take_event(event, actor=world.officer_a1, version=event.version)
    assert event.state == State.IN_PROGRESS


def test_handle_here(world):
    event = accepted(world)
    check = step_checker(event)
    event = services.handle_here(
        event, actor=world.center_a, version=event.version, note="中心自办"
    )
    assert event.state == State.IN_PROGRESS and event.deadline is not None
    check("handled_here", "accepted", "in_progress", "events.event.handled_here", world.center_a)
    [lead] = assignments(event)
    assert (lead.area, lead.role, lead.state, lead.taken_by) == (
        world.township_a,
        AssignmentRole.LEAD,
        AssignmentState.TAKEN,
        world.center_a,
    )
    event = services.report_done(event, actor=world.center_a, version=event.version, note="已处理")
    assert event.state == State.VERIFYING and event.handled_by == world.center_a
    event = services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)
    assert event.state == State.CLOSED


def test_settle_on_the_spot_goes_to_verification_by_someone_else(world):
    event = accepted(world)
    refused(
        Invalid,
        lambda: services.settle_on_spot(
            event, actor=world.officer_a1, version=event.version, note=""
        ),
        field="note",
    )
    refused(
        NotPermitted,
        lambda: services.settle_on_spot(
            event, actor=world.center_a, version=event.version, note="已处置"
        ),
    )
    check = step_checker(event)
    event = services.settle_on_spot(
        event, actor=world.officer_a1, version=event.version, note="已现场调解"
    )
    assert event.state == State.VERIFYING and event.self_handled
    assert event.handled_by == world.officer_a1 and event.deadline is None
    check("self_handled", "accepted", "verifying", "events.event.self_handled", world.officer_a1)
    assert recipients("events.verify") == {"worker_a1"}
    refused(
        NotPermitted,
        lambda: services.verify_event(
            event, actor=world.officer_a1, version=event.version, passed=True
        ),
    )
    event = services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)
    assert event.state == State.CLOSED and event.closed_on_time


def test_report_already_settled_goes_straight_to_verifying(world):
    event = report(world, settled_note="已当场劝离")
    assert event.state == State.VERIFYING and event.self_handled
    assert [(e.action, e.from_state, e.to_state) for e in timeline(event)] == [
        ("reported", "", "reported"),
        ("self_handled", "reported", "verifying"),
    ]
    # whoever settled it cannot verify it, even as its reporter
    with pytest.raises(NotPermitted):
        services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)
    assert (
        services.verify_event(
            event, actor=world.officer_a1, version=event.version, passed=True
        ).state
        == State.CLOSED
    )


# --- Take, return, report done -------------------------------------------------------------------


def test_take_by_the_lead_starts_the_handling(world):
    event = dispatched(world)
    check = step_checker(event)
    event = services.take_event(event, actor=world.handler_a, version=event.version)
    assert event.state == State.IN_PROGRESS
    entry = check("taken", "dispatched", "in_progress", "events.event.taken", world.handler_a)
    assert entry.note == "横街派出所签收"
    [lead] = assignments(event)
    assert (lead.state, lead.taken_by) == (AssignmentState.TAKEN, world.handler_a)
    assert lead.taken_at is not None


def test_an_assisting_department_signs_for_its_part_only(world):
    justice, justice_handler = justice_a(world)
    event = dispatched(world, assisting=(justice,))
    check = step_checker(event)
    event = services.take_event(event, actor=justice_handler, version=event.version)
    assert event.state == State.DISPATCHED
    entry = check("taken", "dispatched", "dispatched", "events.event.taken", justice_handler)
    assert "(协办)" in entry.note
    # it reports done only once the lead has signed, and only its part
    with pytest.raises(InvalidTransition):
        services.report_done(event, actor=justice_handler, version=event.version, note="已配合")
    event = services.take_event(event, actor=world.handler_a, version=event.version)
    check = step_checker(event)
    event = services.report_done(event, actor=justice_handler, version=event.version, note="已调解")
    assert event.state == State.IN_PROGRESS and event.handled_by is None
    check("assist_done", "in_progress", "in_progress", "events.event.done", justice_handler)
    states = {a.role: a.state for a in assignments(event)}
    assert states == {AssignmentRole.LEAD: "taken", AssignmentRole.ASSIST: "done"}
    assert recipients("events.verify") == set()


def test_return_needs_a_reason(world):
    event = dispatched(world)
    refused(
        Invalid,
        lambda: services.return_event(
            event, actor=world.handler_a, version=event.version, reason=""
        ),
        field="reason",
    )


@pytest.mark.parametrize("taken_first", [False, True], ids=["pending", "taken"])
def test_lead_return_goes_back_to_the_center_and_withdraws_the_assisting(world, taken_first):
    justice, _ = justice_a(world)
    event = dispatched(world, assisting=(justice,))
    if taken_first:
        event = services.take_event(event, actor=world.handler_a, version=event.version)
    before = event.state
    check = step_checker(event)
    event = services.return_event(
        event, actor=world.handler_a, version=event.version, reason="不属于本所职责"
    )
    assert event.state == State.ACCEPTED and event.return_count == 1
    assert event.deadline is None and event.warn_at is None
    entry = check("returned", before, "accepted", "events.event.returned", world.handler_a)
    assert entry.note == "横街派出所退回:不属于本所职责"
    lead, assist = assignments(event)
    assert (lead.state, lead.note) == (AssignmentState.RETURNED, "不属于本所职责")
    assert assist.state == AssignmentState.WITHDRAWN and assist.finished_at is not None
    [notice] = inbox(world.center_a, "events.returned")
    assert notice.body == "不属于本所职责"
    # the center dispatches again; the clock restarts
    event = services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=justice
    )
    assert event.state == State.DISPATCHED and event.deadline is not None
    assert event.return_count == 1


def test_assisting_return_leaves_the_event_with_its_lead(world):
    justice, justice_handler = justice_a(world)
    event = dispatched(world, assisting=(justice,))
    check = step_checker(event)
    event = services.return_event(
        event, actor=justice_handler, version=event.version, reason="无需司法所参与"
    )
    assert event.state == State.DISPATCHED and event.return_count == 0
    check("returned", "dispatched", "dispatched", "events.event.returned", justice_handler)
    lead, assist = assignments(event)
    assert (lead.state, assist.state) == (AssignmentState.PENDING, AssignmentState.RETURNED)
    assert inbox(world.center_a, "events.returned") == []


def test_report_done_by_the_lead_goes_to_verification(world):
    event = in_progress(world)
    refused(
        Invalid,
        lambda: services.report_done(event, actor=world.handler_a, version=event.version, note=" "),
        field="note",
    )
    check = step_checker(event)
    event = services.report_done(
        event, actor=world.handler_a, version=event.version, note="已清理楼道"
    )
    assert event.state == State.VERIFYING
    assert event.handled_by == world.handler_a and event.handled_at is not None
    entry = check("done", "in_progress", "verifying", "events.event.done", world.handler_a)
    assert entry.note == "横街派出所:已清理楼道"
    [lead] = assignments(event)
    assert lead.state == AssignmentState.DONE
    assert recipients("events.verify") == {"worker_a1", "officer_a1"}


# --- Extension and suspension ----------------------------------------------------------------------


def test_extension_is_requested_once_and_a_grant_moves_the_deadline(world):
    event = in_progress(world)
    check = step_checker(event)
    request = services.request_extension(
        event,
        actor=world.handler_a,
        version=event.version,
        reason="需协调物业",
        value=2,
        unit="work_days",
    )
    assert (request.kind, request.state) == (RequestKind.EXTENSION, RequestState.PENDING)
    assert (request.extra_value, request.extra_unit) == (2, "work_days")
    check(
        "extension_requested", "in_progress", "in_progress", "events.request.made", world.handler_a
    )
    assert_audited(request, "events.request.made", world.handler_a)
    assert recipients("events.request") == {"center_a"}
    event = reload(event)
    refused(
        InvalidTransition,
        lambda: services.request_extension(
            event,
            actor=world.handler_a,
            version=event.version,
            reason="再延",
            value=1,
            unit="work_days",
        ),
    )
    old_deadline = event.deadline
    check = step_checker(event)
    request = services.decide_request(
        request, actor=world.center_a, version=request.version, grant=True, note="同意"
    )
    assert request.state == RequestState.GRANTED and request.decided_by == world.center_a
    check("request_granted", "in_progress", "in_progress", "events.request.decided", world.center_a)
    assert_audited(request, "events.request.decided", world.center_a)
    event = reload(event)
    assert event.extended
    assert event.deadline == workcalendar.add_duration(old_deadline, 2, "work_days")
    assert event.warn_at < event.deadline
    assert recipients("events.request_decided") == {"handler_a"}
    error = refused(
        InvalidTransition,
        lambda: services.request_extension(
            event,
            actor=world.handler_a,
            version=event.version,
            reason="还要延",
            value=1,
            unit="work_days",
        ),
    )
    assert "已延期过一次" in error.message
    refused(
        InvalidTransition,
        lambda: services.decide_request(
            request, actor=world.center_a, version=request.version, grant=True
        ),
    )


def test_refused_extension_keeps_the_deadline_and_needs_a_note(world):
    event, request = with_pending_extension(world)
    refused(
        Invalid,
        lambda: services.decide_request(
            request, actor=world.center_a, version=request.version, grant=False
        ),
        field="note",
    )
    check = step_checker(event)
    request = services.decide_request(
        request, actor=world.center_a, version=request.version, grant=False, note="时限充足"
    )
    assert request.state == RequestState.REFUSED
    check("request_refused", "in_progress", "in_progress", "events.request.decided", world.center_a)
    after = reload(event)
    assert after.deadline == event.deadline and not after.extended


@pytest.mark.parametrize(
    ("value", "unit", "field"),
    [(0, "work_days", "value"), (400, "work_days", "value"), (2, "weeks", "unit")],
)
def test_extension_request_input_is_checked(world, value, unit, field):
    event = in_progress(world)
    refused(
        Invalid,
        lambda: services.request_extension(
            event,
            actor=world.handler_a,
            version=event.version,
            reason="需协调",
            value=value,
            unit=unit,
        ),
        field=field,
    )


def test_only_the_lead_asks_for_more_time_or_a_suspension(world):
    justice, justice_handler = justice_a(world)
    event = dispatched(world, assisting=(justice,))
    event = services.take_event(event, actor=world.handler_a, version=event.version)
    for call in (
        lambda: services.request_extension(
            event,
            actor=justice_handler,
            version=event.version,
            reason="x",
            value=1,
            unit="work_days",
        ),
        lambda: services.request_suspension(
            event, actor=justice_handler, version=event.version, reason="x"
        ),
    ):
        refused(NotPermitted, call)


def test_suspension_parks_the_event_and_resume_shifts_the_deadline(world, monkeypatch):
    clock = Clock(monkeypatch)
    waiting = dispatched(world)
    refused(
        InvalidTransition,
        lambda: services.request_suspension(
            waiting, actor=world.handler_a, version=waiting.version, reason="x"
        ),
    )
    event = in_progress(world)
    request = services.request_suspension(
        event, actor=world.handler_a, version=event.version, reason="当事人外出务工"
    )
    event = reload(event)
    check = step_checker(event)
    services.decide_request(request, actor=world.center_a, version=request.version, grant=True)
    check("request_granted", "in_progress", "suspended", "events.request.decided", world.center_a)
    event = reload(event)
    assert event.state == State.SUSPENDED and event.suspended_at == clock.now
    deadline, warn_at = event.deadline, event.warn_at
    clock.advance(days=5, hours=3)
    check = step_checker(event)
    event = services.resume_event(event, actor=world.center_a, version=event.version, note="已返乡")
    assert event.state == State.IN_PROGRESS and event.suspended_at is None
    check("resumed", "suspended", "in_progress", "events.event.resumed", world.center_a)
    assert event.deadline == deadline + dt.timedelta(days=5, hours=3)
    assert event.warn_at == warn_at + dt.timedelta(days=5, hours=3)
    assert recipients("events.resumed") == {"handler_a"}
    refused(
        InvalidTransition,
        lambda: services.resume_event(event, actor=world.center_a, version=event.version),
    )


def test_a_request_does_not_outlive_the_handling_it_was_for(world):
    event, request = with_pending_extension(world)
    services.report_done(event, actor=world.handler_a, version=event.version, note="已办结")
    assert reload(request).state != RequestState.PENDING


def test_a_pending_request_blocks_another(world):
    event, _ = with_pending_extension(world)
    error = refused(
        InvalidTransition,
        lambda: services.request_suspension(
            event, actor=world.handler_a, version=event.version, reason="挂账"
        ),
    )
    assert "待审批" in error.message


# --- Verify ----------------------------------------------------------------------------------------


def test_verify_passed_closes_and_tells_the_reporter(world):
    event = verifying(world)
    refused(
        NotPermitted,
        lambda: services.verify_event(
            event, actor=world.handler_a, version=event.version, passed=True
        ),
    )
    check = step_checker(event)
    event = services.verify_event(
        event, actor=world.officer_a1, version=event.version, passed=True, note="现场已清理"
    )
    assert event.state == State.CLOSED and event.closed_at is not None and event.closed_on_time
    check("verified", "verifying", "closed", "events.event.closed", world.officer_a1)
    assert any("已结案" in n.title for n in inbox(world.worker_a1, "events.reporter"))


def test_the_reporter_may_verify_without_being_a_verifier(world):
    event = verifying(world, actor=world.center_a)
    event = services.verify_event(event, actor=world.center_a, version=event.version, passed=True)
    assert event.state == State.CLOSED


def test_verify_not_passed_sends_it_back_for_rework(world):
    event = verifying(world)
    refused(
        Invalid,
        lambda: services.verify_event(
            event, actor=world.worker_a1, version=event.version, passed=False
        ),
        field="note",
    )
    check = step_checker(event)
    event = services.verify_event(
        event, actor=world.worker_a1, version=event.version, passed=False, note="仍有纸箱"
    )
    assert event.state == State.IN_PROGRESS and event.rework_count == 1
    assert event.handled_by is None and event.handled_at is None
    check("rework", "verifying", "in_progress", "events.event.rework", world.worker_a1)
    [lead] = assignments(event)
    assert lead.state == AssignmentState.TAKEN and lead.finished_at is None
    [notice] = inbox(world.handler_a, "events.rework")
    assert notice.body == "仍有纸箱"
    # the lead reports again, and may be verified this time
    event = services.report_done(event, actor=world.handler_a, version=event.version, note="再清")
    event = services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)
    assert event.state == State.CLOSED and event.rework_count == 1


def test_self_handled_not_passed_goes_to_the_center(world):
    event = self_handled(world)
    check = step_checker(event)
    event = services.verify_event(
        event, actor=world.officer_a1, version=event.version, passed=False, note="未处置到位"
    )
    assert event.state == State.ACCEPTED and not event.self_handled
    assert event.rework_count == 1
    check("rework", "verifying", "accepted", "events.event.rework", world.officer_a1)
    event = services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )
    assert event.state == State.DISPATCHED


def test_self_handled_rework_tells_the_center(world):
    event = self_handled(world)
    before = len(inbox(world.center_a))
    services.verify_event(
        event, actor=world.officer_a1, version=event.version, passed=False, note="未处置到位"
    )
    assert len(inbox(world.center_a)) > before


def test_closing_after_the_deadline_is_not_on_time(world, monkeypatch):
    clock = Clock(monkeypatch)
    event = verifying(world)
    clock.set(event.deadline + dt.timedelta(minutes=1))
    event = services.verify_event(event, actor=world.worker_a1, version=event.version, passed=True)
    assert event.state == State.CLOSED and event.closed_on_time is False


# --- Rate and reopen ---------------------------------------------------------------------------------


def test_rate_satisfied(world):
    event = closed(world)
    check = step_checker(event)
    event = services.rate_event(
        event, actor=world.worker_a1, version=event.version, rating="satisfied", comment=" 很快 "
    )
    assert event.state == State.RATED
    assert (event.rating, event.rating_comment) == ("satisfied", "很快")
    assert event.rated_at is not None
    entry = check("rated", "closed", "rated", "events.event.rated", world.worker_a1)
    assert entry.note == "满意:很快"


def test_rate_refusals(world):
    event = closed(world)
    for kwargs, field in (({"rating": "great"}, "rating"), ({"rating": "dissatisfied"}, "comment")):
        refused(
            Invalid,
            lambda kwargs=kwargs: services.rate_event(
                event, actor=world.worker_a1, version=event.version, **kwargs
            ),
            field=field,
        )
    refused(
        NotPermitted,
        lambda: services.rate_event(
            event, actor=world.officer_a1, version=event.version, rating="satisfied"
        ),
    )
    # the center rates on the reporter's behalf (回访)
    event = services.rate_event(
        event, actor=world.center_a, version=event.version, rating="basically"
    )
    assert event.state == State.RATED and event.rating == "basically"


def test_dissatisfied_reopens_when_the_rule_says_so(world, settings):
    settings.GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED = True
    event = closed(world)
    check = step_checker(event)
    event = services.rate_event(
        event,
        actor=world.worker_a1,
        version=event.version,
        rating="dissatisfied",
        comment="又堆上了",
    )
    assert event.state == State.IN_PROGRESS and event.reopen_count == 1
    assert event.rating == "dissatisfied" and event.closed_at is None
    check("reopened", "closed", "in_progress", "events.event.rated", world.worker_a1, new=2)
    rated_entry, reopened_entry = timeline(event)[-2:]
    assert rated_entry.action == "rated" and rated_entry.note == "不满意:又堆上了"
    assert reopened_entry.action == "reopened"
    [lead] = assignments(event)
    assert lead.state == AssignmentState.TAKEN
    assert any("评价不满意" in n.body for n in inbox(world.handler_a, "events.rework"))


def test_dissatisfied_is_only_recorded_when_the_rule_says_no(world, settings):
    settings.GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED = False
    event = closed(world)
    check = step_checker(event)
    event = services.rate_event(
        event, actor=world.worker_a1, version=event.version, rating="dissatisfied", comment="太慢"
    )
    assert event.state == State.RATED and event.reopen_count == 0
    check("rated", "closed", "rated", "events.event.rated", world.worker_a1)


def test_dissatisfied_with_a_self_handled_event_does_not_reopen(world, settings):
    settings.GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED = True
    event = self_handled(world)
    event = services.verify_event(event, actor=world.officer_a1, version=event.version, passed=True)
    event = services.rate_event(
        event, actor=world.worker_a1, version=event.version, rating="dissatisfied", comment="不满意"
    )
    assert event.state == State.RATED


@pytest.mark.parametrize("build", [closed, rated], ids=["closed", "rated"])
def test_reopen_within_the_window(world, build):
    event = build(world)
    before = event.state
    refused(
        Invalid,
        lambda: services.reopen_event(
            event, actor=world.center_a, version=event.version, reason=""
        ),
        field="reason",
    )
    check = step_checker(event)
    event = services.reopen_event(
        event, actor=world.center_a, version=event.version, reason="群众再次反映"
    )
    assert event.state == State.IN_PROGRESS and event.reopen_count == 1
    assert event.closed_at is None and event.closed_on_time is None
    check("reopened", before, "in_progress", "events.event.reopened", world.center_a)
    assert inbox(world.handler_a, "events.rework")


def test_reopen_window(world, monkeypatch, settings):
    settings.GRIDGOV_EVENT_REOPEN_DAYS = 30
    clock = Clock(monkeypatch)
    event = closed(world)
    clock.advance(days=30, minutes=1)
    error = refused(
        InvalidTransition,
        lambda: services.reopen_event(
            event, actor=world.center_a, version=event.version, reason="再办"
        ),
    )
    assert "30 天" in error.message
    settings.GRIDGOV_EVENT_REOPEN_DAYS = 60
    event = services.reopen_event(event, actor=world.center_a, version=event.version, reason="再办")
    assert event.state == State.IN_PROGRESS


def test_a_self_handled_event_is_not_reopened(world):
    event = self_handled(world)
    event = services.verify_event(event, actor=world.officer_a1, version=event.version, passed=True)
    refused(
        InvalidTransition,
        lambda: services.reopen_event(
            event, actor=world.center_a, version=event.version, reason="再办"
        ),
    )


def test_a_self_handled_event_once_dispatched_and_returned_is_not_reopened(world):
    """Dispatched, returned, then settled on the spot: nobody holds it any more, so reopening
    would leave it 办理中 with no assignee. It is refused like any self-handled event."""
    event = dispatched(world)
    event = services.return_event(
        event, actor=world.handler_a, version=event.version, reason="非本所"
    )
    event = services.settle_on_spot(
        event, actor=world.worker_a1, version=event.version, note="已处置"
    )
    event = services.verify_event(event, actor=world.officer_a1, version=event.version, passed=True)
    refused(
        InvalidTransition,
        lambda: services.reopen_event(
            event, actor=world.center_a, version=event.version, reason="再办"
        ),
    )
    assert "reopen" not in selectors.available_actions(world.center_a, event)


# --- Supervision -------------------------------------------------------------------------------------


def test_supervision_levels_by_role_and_the_highest_is_kept(world):
    event = in_progress(world)
    for actor, level in (
        (world.worker_a1, Supervision.REMIND),
        (world.worker_a1, Supervision.SUPERVISE),
        (world.center_a, Supervision.SUPERVISE),
        (world.center_a, Supervision.LISTED),
        (world.officer_a1, Supervision.REMIND),
        (world.handler_a, Supervision.REMIND),
    ):
        refused(
            NotPermitted,
            lambda actor=actor, level=level: services.supervise_event(
                event, actor=actor, level=level, note="请加快"
            ),
        )
    check = step_checker(event)
    record = services.supervise_event(event, actor=world.center_a, level="remind", note="请加快")
    assert (record.level, record.by, record.automatic) == ("remind", world.center_a, False)
    check("supervised", "in_progress", "in_progress", "events.event.supervised", world.center_a)
    assert_audited(record, "events.event.supervised", world.center_a)
    assert reload(event).supervision == Supervision.REMIND
    assert recipients("events.supervised") == {"handler_a", "center_a"}

    deadline = timezone.now() + dt.timedelta(days=2)
    services.supervise_event(
        event, actor=world.leader_a, level="listed", note="挂牌督办", deadline=deadline
    )
    assert reload(event).supervision == Supervision.LISTED
    services.supervise_event(event, actor=world.leader_a, level="supervise", note="督办")
    services.supervise_event(event, actor=world.center_a, level="remind", note="再催")
    current = reload(event)
    assert current.supervision == Supervision.LISTED
    assert current.supervision_deadline == deadline
    assert current.state == State.IN_PROGRESS
    with unscoped("test"):
        assert SupervisionRecord.objects.filter(event=event).count() == 4
    assert actions(event)[-4:] == ["supervised"] * 4


def test_supervision_refusals(world):
    event = in_progress(world)
    refused(
        Invalid,
        lambda: services.supervise_event(event, actor=world.leader_a, level="supervise", note=" "),
        field="note",
    )
    refused(
        Invalid,
        lambda: services.supervise_event(event, actor=world.leader_a, level="yellow", note="x"),
        field="level",
    )
    refused(
        Invalid,
        lambda: services.supervise_event(
            event,
            actor=world.leader_a,
            level="supervise",
            note="x",
            deadline=timezone.now() - dt.timedelta(hours=1),
        ),
        field="deadline",
    )
    done = closed(world)
    refused(
        InvalidTransition,
        lambda: services.supervise_event(done, actor=world.leader_a, level="supervise", note="x"),
    )


# --- Notifications and the whole path ----------------------------------------------------------------


def test_the_suspended_builder_and_timeline_of_a_full_path(world):
    event = suspended(world)
    assert event.state == State.SUSPENDED
    assert actions(event) == [
        "reported",
        "accepted",
        "dispatched",
        "taken",
        "suspension_requested",
        "request_granted",
    ]
    entries = timeline(event)
    for previous, entry in itertools.pairwise(entries):
        assert entry.from_state == previous.to_state, (previous.action, entry.action)
