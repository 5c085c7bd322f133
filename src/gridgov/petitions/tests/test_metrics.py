"""The petition figures against a hand-computed story (2025, natural days, default limits).

Township A (横街镇) unless said; all registered at the township unless said:

    P5 乙村 phone   received 2024-12-01, accepted 12-02 (due 01-31), extended 20 days (due
                    02-20), answered 03-02 (late), 不满意 03-04
    P2 甲村 visit   6 people (集体访), received 01-05, accepted 01-06 (due 03-07); no answer yet
    P1 甲村 online  received 01-10, accepted 01-12 (due 03-13), answered 03-10, 满意 03-12
    P3 甲村 online  same petitioner and matter as P1 (重复访), received 03-03, accepted 03-03
                    (due 05-02)
    P4 甲村 letter  5 people, lodged at the district (越级访, 集体访), received 03-05,
                    not accepted 03-06
    P6 丙村 online  township B, received 03-10, accepted 03-10, answered 03-20, 基本满意 03-21

Seen on 2025-04-10 12:00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.accounts import services as accounts
from gridgov.metrics import figures
from gridgov.metrics.figures import Count, Evaluator, Period, Rate
from gridgov.petitions import services
from gridgov.petitions.tests.support import (
    LAND,
    Clock,
    at,
    backdate_world,
    county_desk,
    matter,
    person,
    register,
)

D = dt.date
AS_OF = at(2025, 4, 10, 12)


def period(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, as_of=AS_OF)


MARCH = period(D(2025, 3, 1), D(2025, 3, 31))
FEBRUARY = period(D(2025, 2, 1), D(2025, 2, 28))
Q1 = period(D(2025, 1, 1), D(2025, 3, 31))


@pytest.fixture
def story(world, monkeypatch):
    backdate_world(world)
    clock = Clock(monkeypatch, at(2024, 12, 1, 10))
    center = world.center_a
    made = {}

    def step(name, service, when, actor=center, **kwargs):
        clock.set(when)
        current = type(made[name])._base_manager.get(pk=made[name].pk)
        made[name] = service(current, actor=actor, version=current.version, **kwargs)

    made["P5"] = register(
        world, petitioners=[person(world, 5, grid=world.grid_a2)], channel="phone"
    )
    step("P5", services.decide_acceptance, at(2024, 12, 2, 10), accepted=True)
    clock.set(at(2025, 1, 5, 10))
    made["P2"] = register(world, petitioners=[person(world, 2)], people_count=6)
    step("P2", services.decide_acceptance, at(2025, 1, 6, 10), accepted=True)
    clock.set(at(2025, 1, 10, 10))
    someone = person(world, 1)
    made["P1"] = register(world, petitioners=[someone], channel="online")
    step("P1", services.decide_acceptance, at(2025, 1, 12, 10), accepted=True)
    step("P5", services.extend_handling, at(2025, 1, 20, 10), value=20, reason="需会商")
    step("P5", services.reply_petition, at(2025, 3, 2, 10), reply="答复")
    clock.set(at(2025, 3, 3, 10))
    made["P3"] = register(world, petitioners=[someone], channel="online")
    step("P3", services.decide_acceptance, at(2025, 3, 3, 11), accepted=True)
    step("P5", services.rate_petition, at(2025, 3, 4, 10), rating="dissatisfied", comment="未解决")
    clock.set(at(2025, 3, 5, 10))
    made["P4"] = register(
        world,
        actor=county_desk(world),
        petitioners=[person(world, 4)],
        category=matter(LAND),
        channel="letter",
        people_count=5,
        lodged_area=world.district,
    )
    step("P4", services.decide_acceptance, at(2025, 3, 6, 10), accepted=False, note="不属受理范围")
    step("P1", services.reply_petition, at(2025, 3, 10, 10), reply="答复")
    clock.set(at(2025, 3, 10, 11))
    office_b = accounts.create_department(
        actor=world.system, area=world.township_b, name="集士港信访办", kind="petition"
    )
    made["P6"] = register(
        world,
        actor=world.center_b,
        petitioners=[person(world, 6, grid=world.grid_b1)],
        channel="online",
        department=office_b,
        lodged_area=world.township_b,
    )
    step("P6", services.decide_acceptance, at(2025, 3, 10, 12), actor=world.center_b, accepted=True)
    step("P1", services.rate_petition, at(2025, 3, 12, 10), rating="satisfied")
    step("P6", services.reply_petition, at(2025, 3, 20, 10), actor=world.center_b, reply="答复")
    step(
        "P6", services.rate_petition, at(2025, 3, 21, 10), actor=world.center_b, rating="basically"
    )
    clock.set(AS_OF)
    return made


def names(story, queryset):
    by_pk = {p.pk: name for name, p in story.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


TOWNSHIP_A = {
    MARCH: {
        "petitions.received": {"P3", "P4"},
        "petitions.online": {"P3"},
        "petitions.repeat": {"P3"},
        "petitions.skip_level": {"P4"},
        "petitions.collective": {"P4"},
        "petitions.accepted": {"P3"},
        "petitions.due": {"P1", "P2", "P5"},
        "petitions.replied": {"P1", "P5"},
        "petitions.replied_on_time": {"P1"},
        "petitions.rated": {"P1", "P5"},
        "petitions.satisfied": {"P1"},
        "petitions.rated_replied": {"P1", "P5"},
    },
    Q1: {
        "petitions.received": {"P1", "P2", "P3", "P4"},
        "petitions.online": {"P1", "P3"},
        "petitions.repeat": {"P3"},
        "petitions.skip_level": {"P4"},
        "petitions.collective": {"P2", "P4"},
        "petitions.accepted": {"P1", "P2", "P3"},
        "petitions.due": {"P1", "P2", "P5"},
        "petitions.replied": {"P1", "P5"},
        "petitions.replied_on_time": {"P1"},
        "petitions.rated": {"P1", "P5"},
        "petitions.satisfied": {"P1"},
        "petitions.rated_replied": {"P1", "P5"},
    },
    FEBRUARY: {
        "petitions.received": set(),
        "petitions.due": {"P5"},
        "petitions.replied": set(),
    },
}

RATES_A_MARCH = {
    "petitions.completion_rate": 66.67,
    "petitions.timely_rate": 33.33,
    "petitions.satisfaction_rate": 50.0,
    "petitions.rating_rate": 100.0,
    "petitions.online_share": 50.0,
    "petitions.repeat_rate": 50.0,
    "petitions.skip_level_rate": 50.0,
    "petitions.collective_rate": 50.0,
}


@pytest.mark.parametrize("when", list(TOWNSHIP_A), ids=["march", "q1", "february"])
@pytest.mark.parametrize("who", ["center_a", "leader_a"])
def test_township_counts_are_their_records(world, story, when, who):
    evaluate = Evaluator(getattr(world, who), world.township_a, when)
    for code, expected in TOWNSHIP_A[when].items():
        assert names(story, evaluate.records(code)) == expected, code
        assert evaluate(code).value == len(expected), code


def test_township_rates_in_march(world, story):
    evaluate = Evaluator(world.center_a, world.township_a, MARCH)
    for code, expected in RATES_A_MARCH.items():
        assert round(evaluate(code).value, 2) == expected, code
    february = Evaluator(world.center_a, world.township_a, FEBRUARY)
    assert february("petitions.completion_rate").value == 0
    assert february("petitions.satisfaction_rate").value is None


def test_the_district_adds_township_b(world, story):
    evaluate = Evaluator(world.admin, world.district, MARCH)
    assert names(story, evaluate.records("petitions.received")) == {"P3", "P4", "P6"}
    assert names(story, evaluate.records("petitions.due")) == {"P1", "P2", "P5", "P6"}
    assert names(story, evaluate.records("petitions.replied_on_time")) == {"P1", "P6"}
    assert round(evaluate("petitions.completion_rate").value, 2) == 75.0
    assert round(evaluate("petitions.satisfaction_rate").value, 2) == round(200 / 3, 2)
    # township B's own staff see only theirs; township A's see none of B's
    assert names(
        story, Evaluator(world.center_b, world.township_b, MARCH).records("petitions.received")
    ) == {"P6"}
    assert names(
        story, Evaluator(world.center_a, world.district, MARCH).records("petitions.received")
    ) == {"P3", "P4"}


def test_every_petition_figure_is_documented():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[4] / "docs" / "metrics.md").read_text()
    codes = [f.code for f in figures.figures("petitions")]
    assert len(codes) == 20
    for code in codes:
        assert f"`{code}`" in docs, code
    assert all(isinstance(figures.get(c), Count | Rate) for c in codes)


def test_the_records_page_lists_a_count(world, story, client):
    client.force_login(world.center_a)
    response = client.get(
        f"/metrics/petitions.repeat/records/?area={world.township_a.pk}&start=2025-03-01&end=2025-03-31"
    )
    assert response.status_code == 200
    assert story["P3"].event.code in response.content.decode()
