"""Special-population figures: 管控率, 走访率 and overdue per area and period, drillable, and
counted only from what the user may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from gridgov.metrics.figures import Evaluator, Period, figures
from gridgov.special import services
from gridgov.special.tests.support import Clock, at, backdate_world, open_status, person


@pytest.fixture
def scene(world, monkeypatch):
    """March 2025 in township A: three strict correction subjects (weekly) and an HIV-risk
    person; one visited on time, one late, one never (lost)."""
    backdate_world(world)
    clock = Clock(monkeypatch, at(2025, 3, 3))
    on_time = open_status(
        world, person=person(world, name="甲一"), code="correction", grade="strict"
    )
    late = open_status(world, person=person(world, name="乙二"), code="correction", grade="strict")
    never = open_status(world, person=person(world, name="丙三"), code="correction", grade="strict")
    hiv = open_status(world, person=person(world, name="丁四"), code="hiv", grade="low")
    drug_gone = open_status(
        world,
        person=person(world, name="戊五"),
        code="drug",
        grade="low",
        details={"control_state": "03"},
    )
    clock.set(at(2025, 3, 10))
    services.log_visit(on_time, actor=world.worker_a1, kind="report_in", findings="报到")
    clock.set(at(2025, 3, 12))
    services.log_visit(late, actor=world.worker_a1, kind="report_in", findings="迟到")
    services.sweep_overdue(now=at(2025, 3, 18))  # never: due 3-10, lost after 7 days
    clock.set(at(2025, 3, 15))
    return {"clock": clock, "never": never, "hiv": hiv, "drug_gone": drug_gone}


MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 14), as_of=at(2025, 3, 15))


def values(user, area, period=MARCH) -> dict[str, object]:
    ev = Evaluator(user, area, period)
    return {f.code: ev(f.code).value for f in figures("special")}


def test_figures_for_the_center_and_for_the_leader(world, scene):
    center = values(world.center_a, world.township_a)
    assert center["special.should_care"] == 4  # the three + HIV; the drug user who died is out
    assert center["special.lost"] == 1
    assert center["special.in_care"] == 3
    assert center["special.care_rate"] == 75.0
    # Due in 1–14 March: on_time (3-10, on time), late (3-10, late), never (3-10, missed), and
    # on_time again (3-17 is after the period): 3 due, 1 on time.
    assert center["special.visits_due"] == 3
    assert center["special.visited_on_time"] == 1
    assert round(center["special.visit_rate"], 2) == 33.33
    assert center["special.overdue"] == 1
    leader = values(world.leader_a, world.township_a)
    assert leader["special.should_care"] == 3  # no HIV grant: not counted
    assert leader["special.lost"] == 1


def test_each_count_equals_its_records(world, scene):
    ev = Evaluator(world.center_a, world.township_a, MARCH)
    for figure in figures("special"):
        if figure.kind == "count":
            assert ev(figure.code).value == ev.records(figure.code).count()


def test_a_user_without_the_grant_gets_no_figures(world, scene):
    client = Client()
    client.force_login(world.handler_a)
    assert client.get("/metrics/?group=special").status_code == 403
    assert (
        client.get(f"/metrics/special.lost/records/?area={world.township_a.pk}").status_code == 403
    )
    assert values(world.handler_a, world.township_a)["special.should_care"] == 0


def test_the_figures_page_and_drill_down(world, scene):
    client = Client()
    client.force_login(world.center_a)
    page = client.get(
        f"/metrics/?group=special&area={world.township_a.pk}&start=2025-03-01&end=2025-03-14"
    )
    assert page.status_code == 200 and "管控率" in page.content.decode()
    records = client.get(
        f"/metrics/special.lost/records/?area={world.township_a.pk}&start=2025-03-01&end=2025-03-14"
    ).content.decode()
    assert "丙*" in records and "甲*" not in records
