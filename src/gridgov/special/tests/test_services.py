"""Services of the special populations: opening, grades and the visit schedule, officers,
details, visits, ending; each with its refusals and its history and audit rows."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.special import services
from gridgov.special.choices import ChangeKind
from gridgov.special.models import SpecialStatus, StatusChange, Visit
from gridgov.special.tests.support import (
    Clock,
    at,
    backdate_world,
    fresh,
    kind,
    open_status,
    person,
)


@pytest.fixture
def clock(world, monkeypatch):
    backdate_world(world)
    return Clock(monkeypatch, at(2025, 3, 3))


def changes(status) -> list[str]:
    with unscoped("test: history"):
        return list(
            StatusChange.objects.filter(status=status)
            .order_by("at", "pk")
            .values_list("kind", flat=True)
        )


# --- Opening -------------------------------------------------------------------------------------


def test_open_status_schedules_the_first_visit_by_type_and_grade(world, clock):
    status = open_status(world, grade="stable", officer=world.worker_a1)
    assert (status.area, status.area_path) == (world.grid_a1, world.grid_a1.path)
    assert status.started_on == dt.date(2025, 3, 3)
    assert status.next_visit_due == dt.date(2025, 3, 3) + dt.timedelta(days=90)
    assert changes(status) == [ChangeKind.OPENED]
    assert_audited(status, "special.status.opened", world.center_a)


def test_open_status_derives_the_mental_grade_from_the_danger_level(world, clock):
    status = open_status(world, details={"danger_level": "05", "diagnosis": "01"})
    assert status.grade == "unstable"
    assert status.next_visit_due == dt.date(2025, 3, 10)


def test_open_status_twice_of_one_type_is_refused_but_another_type_is_not(world, clock):
    first = open_status(world, grade="stable")
    with pytest.raises(InvalidTransition) as exc:
        open_status(world, person=first.person, grade="stable")
    assert_chinese(exc)
    other = open_status(world, person=first.person, code="drug", grade="low")
    assert other.pk != first.pk


def test_open_status_refuses_a_grade_of_another_type_and_bad_details(world, clock):
    with pytest.raises(Invalid) as exc:
        open_status(world, grade="strict")
    assert exc.value.field == "grade"
    with pytest.raises(Invalid) as exc:
        open_status(world, code="correction", grade="strict", details={"correction_kind": "05"})
    assert exc.value.field == "correction_kind"  # 剥夺政治权利 is no longer community correction
    with pytest.raises(Invalid):
        open_status(world, details={"danger_level": "9"})
    with pytest.raises(Invalid):
        open_status(world, details={"nonsense": "1"})
    with unscoped("test"):
        assert not SpecialStatus.objects.exists()


def test_open_status_needs_the_manage_role_over_the_area(world, clock):
    who = person(world)
    for user in (world.worker_a1, world.leader_a, world.handler_a, world.center_b):
        with pytest.raises((NotPermitted, NotFound)):
            open_status(world, user, person=who, grade="stable")
    assert open_status(world, world.officer_a1, person=who, grade="stable").pk


def test_a_restricted_type_needs_the_hiv_grant_to_open_and_its_officer_too(world, clock):
    with pytest.raises(NotPermitted):
        open_status(world, world.officer_a1, code="hiv", grade="high")
    with pytest.raises(Invalid) as exc:
        open_status(world, code="hiv", grade="high", officer=world.worker_a1)
    assert exc.value.field == "officer"
    status = open_status(world, code="hiv", grade="high", officer=world.center_a)
    assert status.officer == world.center_a


def test_the_officer_must_be_able_to_visit_the_area(world, clock):
    with pytest.raises(Invalid) as exc:
        open_status(world, grade="stable", officer=world.worker_b1)
    assert exc.value.field == "officer"
    with pytest.raises(Invalid):
        open_status(world, grade="stable", officer=world.leader_a)


# --- Grades and the schedule ---------------------------------------------------------------------


def test_visit_schedule_follows_the_grade_as_it_changes(world, clock):
    status = open_status(world, grade="stable", officer=world.worker_a1)
    assert status.next_visit_due == dt.date(2025, 6, 1)
    clock.set(at(2025, 3, 10))
    visit = services.log_visit(status, actor=world.worker_a1, kind="followup", findings="情绪平稳")
    status = fresh(status)
    assert (visit.due_on, visit.on_time) == (dt.date(2025, 6, 1), True)
    assert status.next_visit_due == dt.date(2025, 6, 8)  # 90 days after the visit
    # Worse: basically stable → every 2 weeks, from the last visit.
    clock.set(at(2025, 3, 12))
    status = services.change_grade(
        status, actor=world.center_a, version=status.version, grade="basically_stable", note="复发"
    )
    assert status.next_visit_due == dt.date(2025, 3, 24)
    # Worse still: unstable → one week from the last visit: already due on the 17th.
    status = services.change_grade(
        status, actor=world.officer_a1, version=status.version, grade="unstable"
    )
    assert status.next_visit_due == dt.date(2025, 3, 17)
    # Better again: back to 3 months.
    status = services.change_grade(
        status, actor=world.center_a, version=status.version, grade="stable"
    )
    assert status.next_visit_due == dt.date(2025, 6, 8)
    assert changes(status) == ["opened", "grade", "grade", "grade"]
    assert_audited(status, "special.status.grade", world.center_a)


def test_a_late_visit_is_not_on_time_and_moves_the_schedule_from_its_day(world, clock):
    status = open_status(world, code="correction", grade="strict", officer=world.worker_a1)
    assert status.next_visit_due == dt.date(2025, 3, 10)
    clock.set(at(2025, 3, 14))
    visit = services.log_visit(status, actor=world.worker_a1, kind="report_in", findings="按时报到")
    assert (visit.due_on, visit.on_time) == (dt.date(2025, 3, 10), False)
    assert fresh(status).next_visit_due == dt.date(2025, 3, 21)


def test_change_grade_refuses_a_stale_version_the_same_grade_and_an_ended_status(world, clock):
    from gridgov.core.errors import Conflict

    status = open_status(world, grade="stable")
    with pytest.raises(Conflict):
        services.change_grade(
            status, actor=world.center_a, version=status.version + 1, grade="unstable"
        )
    with pytest.raises(Invalid):
        services.change_grade(status, actor=world.center_a, version=status.version, grade="stable")
    with pytest.raises(NotPermitted):
        services.change_grade(
            status, actor=world.worker_a1, version=status.version, grade="unstable"
        )
    status = services.end_status(
        status, actor=world.center_a, version=status.version, reason="deceased"
    )
    with pytest.raises(InvalidTransition):
        services.change_grade(
            status, actor=world.center_a, version=status.version, grade="unstable"
        )


def test_change_officer_keeps_the_history_and_tells_the_new_one(world, clock):
    from gridgov.notifications.models import Notification

    status = open_status(world, grade="stable", officer=world.worker_a1)
    status = services.change_officer(
        status, actor=world.center_a, version=status.version, officer=world.officer_a1, note="调岗"
    )
    assert status.officer == world.officer_a1
    with unscoped("test"):
        row = StatusChange.objects.filter(status=status, kind="officer").get()
        assert (row.from_value, row.to_value, row.note) == ("甲网格员", "甲专干", "调岗")
        assert Notification.objects.filter(
            recipient=world.officer_a1, kind="special.assigned"
        ).exists()
    assert_audited(status, "special.status.officer", world.center_a)


def test_update_status_keeps_details_team_and_measures(world, clock):
    status = open_status(world, grade="stable")
    status = services.update_status(
        status,
        actor=world.officer_a1,
        version=status.version,
        details={
            "diagnosis": "01",
            "subsidy": True,
            "subsidy_amount": "1200",
            "first_onset": "2019-05-01",
        },
        team=[{"role": "family", "name": "张母"}, {"role": "doctor", "name": "李医生"}],
        measures=["dibao", "medical"],
    )
    assert status.details == {
        "diagnosis": "01",
        "subsidy": True,
        "subsidy_amount": 1200,
        "first_onset": "2019-05-01",
    }
    assert status.measure_labels() == ["纳入低保", "医疗救助"]
    with pytest.raises(Invalid):
        services.update_status(
            status, actor=world.center_a, version=status.version, team=[{"role": "x", "name": "a"}]
        )


def test_end_status_stops_the_schedule(world, clock):
    status = open_status(world, grade="stable")
    with pytest.raises(Invalid):
        services.end_status(status, actor=world.center_a, version=status.version, reason="nonsense")
    status = services.end_status(
        status, actor=world.center_a, version=status.version, reason="recovered"
    )
    assert (status.ended_on, status.next_visit_due) == (dt.date(2025, 3, 3), None)
    with pytest.raises(InvalidTransition):
        services.log_visit(status, actor=world.worker_a1, kind="talk", findings="x")
    # A new status of the same type may be opened after the old one ended.
    assert open_status(world, person=status.person, grade="unstable").pk != status.pk


# --- Visits --------------------------------------------------------------------------------------


def test_log_visit_checks_who_when_and_what(world, clock):
    status = open_status(world, code="drug", grade="high")
    for user in (world.worker_a2, world.worker_b1, world.leader_a, world.handler_a):
        with pytest.raises(NotPermitted):
            services.log_visit(status, actor=user, kind="home_visit", findings="见面")
    with pytest.raises(Invalid) as exc:
        services.log_visit(status, actor=world.worker_a1, kind="drug_test", findings="尿检")
    assert exc.value.field == "test_result"
    with pytest.raises(Invalid):
        services.log_visit(
            status, actor=world.worker_a1, kind="talk", findings="x", visited_on=dt.date(2025, 3, 4)
        )
    with pytest.raises(Invalid):
        services.log_visit(status, actor=world.worker_a1, kind="talk", findings="  ")
    visit = services.log_visit(
        status, actor=world.worker_a1, kind="drug_test", test_result="negative", findings="阴性"
    )
    assert visit.area_path == status.area_path
    assert_audited(visit, "special.visit.logged", world.worker_a1)


def test_log_visit_with_the_same_client_id_makes_one_visit(world, clock):
    import uuid

    status = open_status(world, grade="stable")
    key = uuid.uuid4()
    first = services.log_visit(
        status, actor=world.worker_a1, kind="talk", findings="a", client_id=key
    )
    again = services.log_visit(
        status, actor=world.worker_a1, kind="talk", findings="a", client_id=key
    )
    assert again.pk == first.pk and again.repeated
    with unscoped("test"):
        assert Visit.objects.count() == 1
    with pytest.raises(Invalid):
        services.log_visit(status, actor=world.officer_a1, kind="talk", findings="a", client_id=key)


def test_log_visit_keeps_a_checked_photo_and_refuses_other_files(world, clock):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    status = open_status(world, grade="stable")
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(buffer, "PNG")
    photo = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
    visit = services.log_visit(
        status, actor=world.worker_a1, kind="home_visit", findings="在家", photo=photo
    )
    assert visit.photo and visit.photo_type == "image/png"
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(Invalid) as exc:
        services.log_visit(
            status, actor=world.worker_a1, kind="home_visit", findings="在家", photo=fake
        )
    assert exc.value.field == "photo"


def test_a_visit_can_raise_an_event_in_the_hub_with_the_person(world, clock):
    from gridgov.events.models import Category, EventParty

    status = open_status(world, grade="stable")
    visit = services.log_visit(
        status,
        actor=world.worker_a1,
        kind="home_visit",
        findings="与邻居发生争吵",
        place="3 号楼",
        event={
            "category": Category.objects.get(code="dispute-02"),
            "title": "邻里纠纷",
            "description": "走访中发现与邻居因噪音争吵。",
        },
    )
    assert visit.event is not None and visit.event.grid == world.grid_a1
    with unscoped("test"):
        assert EventParty.objects.filter(event=visit.event, person=status.person).exists()
    assert "精神" not in visit.event.description


def test_a_refused_event_leaves_no_visit(world, clock):
    from gridgov.events.models import Category

    status = open_status(world, grade="stable")
    with pytest.raises(Invalid):
        services.log_visit(
            status,
            actor=world.worker_a1,
            kind="home_visit",
            findings="x",
            event={
                "category": Category.objects.get(code="dispute-02"),
                "title": "",
                "description": "",
            },
        )
    with unscoped("test"):
        assert not Visit.objects.exists()
    assert fresh(status).last_visit_on is None


# --- Rules ---------------------------------------------------------------------------------------


def test_set_rule_reschedules_the_open_statuses_it_governs(world, clock):
    status = open_status(world, grade="stable")
    other = open_status(world, person=person(world, 1), grade="unstable")
    with pytest.raises(NotPermitted):
        services.set_rule(
            actor=world.center_a,
            type=kind("mental"),
            grade="stable",
            interval_value=60,
            interval_unit="natural_days",
            visit_kinds=["followup"],
        )
    with pytest.raises(Invalid):
        services.set_rule(
            actor=world.admin,
            type=kind("mental"),
            grade="stable",
            interval_value=60,
            interval_unit="work_hours",
            visit_kinds=["followup"],
        )
    services.set_rule(
        actor=world.admin,
        type=kind("mental"),
        grade="stable",
        interval_value=60,
        interval_unit="natural_days",
        visit_kinds=["followup"],
    )
    assert fresh(status).next_visit_due == dt.date(2025, 5, 2)
    assert fresh(other).next_visit_due == dt.date(2025, 3, 10)
    services.set_rule(
        actor=world.admin,
        type=kind("mental"),
        grade="stable",
        interval_value=3,
        interval_unit="work_days",
        visit_kinds=["followup"],
    )
    assert fresh(status).next_visit_due == dt.date(2025, 3, 6)


def test_a_type_without_a_rule_has_no_due_date(world, clock):
    from gridgov.special.models import VisitRule

    VisitRule.objects.filter(type__code="youth").delete()
    status = open_status(world, code="youth", grade="low")
    assert status.next_visit_due is None
    services.log_visit(status, actor=world.worker_a1, kind="talk", findings="谈话")
    assert fresh(status).next_visit_due is None
