"""The overdue sweep: 脱管/失控 after the grace, set-based, told once, ended by a visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.scoping import unscoped
from gridgov.notifications.models import Notification
from gridgov.special import services
from gridgov.special.models import SpecialStatus, StatusChange
from gridgov.special.tests.support import Clock, at, backdate_world, fresh, open_status, person


@pytest.fixture
def clock(world, monkeypatch):
    backdate_world(world)
    return Clock(monkeypatch, at(2025, 3, 3))


def inbox(user) -> list[str]:
    with unscoped("test"):
        return list(
            Notification.objects.filter(recipient=user, kind="special.lost").values_list(
                "title", flat=True
            )
        )


def test_sweep_marks_lost_only_after_the_grace_and_once(world, clock, settings):
    settings.GRIDGOV_SPECIAL_LOST_AFTER_DAYS = 5
    strict = open_status(
        world, code="correction", grade="strict", officer=world.worker_a1
    )  # due 3-10
    calm = open_status(
        world, person=person(world), grade="stable", officer=world.worker_a1
    )  # due 6-1
    other = open_status(
        world,
        world.center_b,
        person=person(world, grid=world.grid_b1),
        code="drug",
        grade="high",
        officer=world.worker_b1,
    )  # due 3-10
    # Overdue from the 11th, but within the grace until the 15th.
    assert services.sweep_overdue(now=at(2025, 3, 15)) == {"lost": 0}
    result = services.sweep_overdue(now=at(2025, 3, 16))
    assert result == {"lost": 2}
    assert fresh(strict).lost_since == at(2025, 3, 16) and fresh(other).lost_since is not None
    assert fresh(calm).lost_since is None
    assert services.sweep_overdue(now=at(2025, 3, 17)) == {"lost": 0}  # twice: nothing new
    with unscoped("test"):
        assert StatusChange.objects.filter(kind="lost").count() == 2
    assert inbox(world.worker_a1) == ["您负责的 1 名特殊人群逾期未走访,已脱管(失控)"]
    assert inbox(world.worker_b1) == ["您负责的 1 名特殊人群逾期未走访,已脱管(失控)"]
    assert inbox(world.center_a) == ["辖区内 1 名特殊人群逾期未走访,已脱管(失控)"]
    assert inbox(world.center_b) == ["辖区内 1 名特殊人群逾期未走访,已脱管(失控)"]
    assert inbox(world.leader_a) == []


def test_a_visit_ends_the_lost_state_and_the_history_shows_both(world, clock):
    status = open_status(world, code="correction", grade="strict", officer=world.worker_a1)
    services.sweep_overdue(now=at(2025, 3, 25))
    clock.set(at(2025, 3, 26))
    services.log_visit(status, actor=world.worker_a1, kind="report_in", findings="已找到,报到")
    status = fresh(status)
    assert status.lost_since is None and status.next_visit_due == dt.date(2025, 4, 2)
    with unscoped("test"):
        kinds = list(
            StatusChange.objects.filter(status=status)
            .order_by("at", "pk")
            .values_list("kind", flat=True)
        )
    assert kinds == ["opened", "lost", "found"]


def test_ended_statuses_are_never_marked(world, clock):
    status = open_status(world, code="correction", grade="strict")
    services.end_status(status, actor=world.center_a, version=status.version, reason="expired")
    assert services.sweep_overdue(now=at(2025, 6, 1)) == {"lost": 0}


def test_the_sweep_marks_with_one_update_whatever_the_number(world, clock):
    for _ in range(5):
        open_status(world, person=person(world), code="correction", grade="strict")
    with CaptureQueriesContext(connection) as queries:
        assert services.sweep_overdue(now=at(2025, 4, 1)) == {"lost": 5}
    updates = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "special_specialstatus" in q["sql"]
    ]
    assert len(updates) == 1


def test_the_periodic_job_is_registered_and_runs(world, clock):
    from gridgov.core.tasks import PERIODIC_TASKS
    from gridgov.special.tasks import sweep_special_visits

    assert sweep_special_visits in PERIODIC_TASKS
    open_status(world, code="correction", grade="strict")
    clock.set(at(2025, 4, 1))
    assert sweep_special_visits.call() == {"lost": 1}
    with unscoped("test"):
        assert SpecialStatus.objects.filter(lost_since__isnull=False).count() == 1


def test_leaders_see_the_overdue_list_lost_first(world, clock):
    from django.test import Client

    late = open_status(world, person=person(world, name="赵一"), code="correction", grade="strict")
    services.sweep_overdue(now=at(2025, 3, 25))
    clock.set(at(2025, 3, 20))
    open_status(
        world,
        person=person(world, name="钱二"),
        code="correction",
        grade="strict",
        started_on=dt.date(2025, 3, 10),
    )
    client = Client()
    client.force_login(world.leader_a)
    page = client.get("/special/overdue/").content.decode()
    assert page.index("赵*") < page.index("钱*")
    assert "脱管" in page
    only_lost = client.get("/special/overdue/?lost=1").content.decode()
    assert "赵*" in only_lost and "钱*" not in only_lost
    assert late.pk
