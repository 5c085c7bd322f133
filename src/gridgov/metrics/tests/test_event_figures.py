"""The event figures on the story of conftest.py: each count is its records list, each rate is
numerator / denominator, for several areas, periods and users."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.metrics import figures
from gridgov.metrics.figures import Average, Count, Evaluator, Period, Rate

from .conftest import AS_OF, local

pytestmark = pytest.mark.django_db

D = dt.date


def period(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, as_of=local(AS_OF))


MARCH = period(D(2025, 3, 1), D(2025, 3, 31))
FEBRUARY = period(D(2025, 2, 1), D(2025, 2, 28))
Q1 = period(D(2025, 1, 1), D(2025, 3, 31))
EMPTY = period(D(2024, 6, 1), D(2024, 6, 30))

COUNTS = [f.code for f in figures.figures("events") if isinstance(f, Count)]
RATES = [f.code for f in figures.figures("events") if isinstance(f, Rate)]


def names(story, queryset) -> set[str]:
    by_pk = {event.pk: name for name, event in story.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def records(story, user, area, when, code) -> set[str]:
    return names(story, Evaluator(user, area, when).records(code))


# What each count holds for township A (center_a), per period.
TOWNSHIP_A = {
    MARCH: {
        "events.reported": {"E4", "E5", "E6", "E7"},
        "events.accepted": {"E4", "E5", "E7"},
        "events.dispatched": {"E5", "E7"},
        "events.accurately_dispatched": {"E5", "E7"},
        "events.returned": set(),
        "events.handled": {"E3", "E9"},
        "events.self_handled": {"E4"},
        "events.rework": {"E7"},
        "events.supervised": {"E5"},
        "events.due": {"E2", "E3", "E4", "E9"},
        "events.closed": {"E3", "E4", "E9"},
        "events.closed_on_time": {"E4", "E9"},
        "events.closed_late": {"E3"},
        "events.open": {"E2", "E5", "E7"},
        "events.overdue_open": {"E2", "E5"},
        "events.rated": {"E3", "E7", "E9"},
        "events.satisfied": {"E3", "E9"},
        "events.rated_closed": {"E3", "E9"},
    },
    FEBRUARY: {
        "events.reported": {"E1", "E2", "E9"},
        "events.accepted": {"E1", "E2", "E9"},
        "events.dispatched": {"E1", "E2", "E9"},
        "events.accurately_dispatched": {"E1", "E9"},
        "events.returned": {"E2"},
        "events.handled": {"E1"},
        "events.self_handled": set(),
        "events.rework": set(),
        "events.supervised": set(),
        "events.due": {"E1", "E3"},
        "events.closed": {"E1"},
        "events.closed_on_time": {"E1"},
        "events.closed_late": set(),
        "events.open": {"E2", "E5", "E7"},
        "events.overdue_open": {"E2", "E5"},
        "events.rated": {"E1"},
        "events.satisfied": {"E1"},
        "events.rated_closed": {"E1"},
    },
}


@pytest.mark.parametrize("when", [MARCH, FEBRUARY], ids=["march", "february"])
def test_township_counts_hold_exactly_the_expected_events(story, world, when):
    for code, expected in TOWNSHIP_A[when].items():
        assert records(story, world.center_a, world.township_a, when, code) == expected, code
    assert set(TOWNSHIP_A[when]) == set(COUNTS), "every count is checked"


def test_every_count_is_the_length_of_its_records(story, world):
    cases = [
        (world.center_a, world.township_a),
        (world.leader_a, world.township_a),
        (world.center_a, world.village_a1),
        (world.center_a, world.village_a2),
        (world.admin, world.district),
        (world.center_b, world.township_b),
        (world.worker_a1, world.grid_a1),
    ]
    for user, area in cases:
        for when in (MARCH, FEBRUARY, Q1, EMPTY):
            evaluate = Evaluator(user, area, when)
            for code in COUNTS:
                listed = list(evaluate.records(code))
                assert evaluate(code).value == len(listed) == len({e.pk for e in listed}), (
                    user.username,
                    area.name,
                    when.label,
                    code,
                )


def test_rates_are_numerator_over_denominator(story, world):
    march = Evaluator(world.center_a, world.township_a, MARCH)
    assert march("events.closure_rate").value == 75.0
    assert march("events.on_time_closure_rate").value == 50.0
    assert march("events.accurate_dispatch_rate").value == 100.0
    assert march("events.satisfaction_rate").value == pytest.approx(66.6667)
    assert march("events.rating_rate").value == pytest.approx(66.6667)
    assert march("events.closure_rate").display == "75.00"

    february = Evaluator(world.center_a, world.township_a, FEBRUARY)
    assert february("events.closure_rate").value == 50.0
    assert february("events.accurate_dispatch_rate").value == pytest.approx(66.6667)
    assert february("events.satisfaction_rate").value == 100.0

    for when in (MARCH, FEBRUARY, Q1):
        evaluate = Evaluator(world.center_a, world.township_a, when)
        for code in RATES:
            rate = evaluate(code)
            figure = figures.get(code)
            numerator, denominator = evaluate(figure.numerator), evaluate(figure.denominator)
            assert rate.numerator is numerator and rate.denominator is denominator
            assert numerator.value <= denominator.value, code
            if denominator.value:
                expected = numerator.value * 100 / denominator.value
                assert rate.value == pytest.approx(expected), code


def test_a_rate_over_nothing_is_none_and_shows_a_dash(story, world):
    empty = Evaluator(world.center_a, world.township_a, EMPTY)
    for code in RATES:
        assert empty(code).value is None, code
        assert empty(code).display == "—"
    assert empty("events.avg_accept_hours").value is None
    assert empty("events.closed").value == 0


def test_averages_are_hours_over_the_records_of_their_count(story, world):
    march = Evaluator(world.center_a, world.township_a, MARCH)
    # E4 1 h (settled on the spot), E5 3 h, E7 1 h from report to acceptance.
    assert march("events.avg_accept_hours").value == pytest.approx(5 / 3, abs=1e-4)
    assert march("events.avg_accept_hours").display == "1.7"
    assert march("events.avg_accept_hours").over.value == 3
    # E3 41 days, E9 28 days from dispatch to the handler's report.
    assert march("events.avg_handle_hours").value == pytest.approx((41 + 28) * 24 / 2)
    february = Evaluator(world.center_a, world.township_a, FEBRUARY)
    assert february("events.avg_handle_hours").value == pytest.approx(17 * 24 - 2)
    assert isinstance(figures.get("events.avg_handle_hours"), Average)


def test_villages_and_district(story, world):
    a1 = Evaluator(world.center_a, world.village_a1, MARCH)
    assert names(story, a1.records("events.due")) == {"E2", "E9"}
    assert a1("events.closure_rate").value == 50.0
    a2 = Evaluator(world.center_a, world.village_a2, MARCH)
    assert names(story, a2.records("events.closed")) == {"E3", "E4"}
    assert a2("events.closure_rate").value == 100.0

    district = Evaluator(world.admin, world.district, MARCH)
    assert names(story, district.records("events.reported")) == {"E4", "E5", "E6", "E7", "E8"}
    assert names(story, district.records("events.dispatched")) == {"E5", "E7", "E8"}
    assert names(story, district.records("events.closed")) == {"E3", "E4", "E8", "E9"}
    assert district("events.closure_rate").value == pytest.approx(80.0)

    grid = Evaluator(world.worker_a1, world.grid_a1, MARCH)
    assert names(story, grid.records("events.reported")) == {"E5", "E6", "E7"}


def test_a_custom_period_spans_months(story, world):
    q1 = Evaluator(world.center_a, world.township_a, Q1)
    assert q1("events.reported").value == 8
    assert names(story, q1.records("events.due")) == {"E1", "E2", "E3", "E4", "E9"}
    assert q1("events.closure_rate").value == pytest.approx(80.0)


def test_periods_are_local_days(story, world):
    """E6 was reported at 00:30 on 1 March in Shanghai, still 28 February in UTC."""
    assert story["E6"].reported_at.astimezone(dt.UTC).date() == D(2025, 2, 28)
    first = period(D(2025, 3, 1), D(2025, 3, 1))
    reported = Evaluator(world.center_a, world.township_a, first).records("events.reported")
    assert names(story, reported) == {"E6"}


def test_a_deadline_not_yet_come_is_not_due(story, world):
    """Seen on 25 March, E2 (deadline 31 March, open) is not due yet; seen later it is."""
    early = Period(D(2025, 3, 1), D(2025, 3, 31), as_of=local("2025-03-25 12:00"))
    due = Evaluator(world.center_a, world.township_a, early).records("events.due")
    assert "E2" not in names(story, due)
    assert "E2" in records(story, world.center_a, world.township_a, MARCH, "events.due")


def test_center_b_sees_nothing_of_township_a(story, world):
    for when in (MARCH, FEBRUARY, Q1):
        evaluate = Evaluator(world.center_b, world.township_a, when)
        for code in COUNTS:
            assert evaluate(code).value == 0, code
        for code in RATES:
            assert evaluate(code).value is None, code
    b = Evaluator(world.center_b, world.township_b, MARCH)
    assert names(story, b.records("events.closed")) == {"E8"}
    assert names(story, b.records("events.reported")) == {"E8"}


def test_the_village_officer_sees_only_the_village(story, world):
    officer = Evaluator(world.officer_a2, world.township_a, MARCH)
    assert names(story, officer.records("events.closed")) == {"E3", "E4"}


@pytest.mark.parametrize("when", [MARCH, FEBRUARY, Q1, EMPTY])
def test_by_area_gives_each_area_what_its_own_evaluator_gives(story, world, when):
    codes = [f.code for f in figures.figures("events")]
    cases = [
        (world.admin, world.district, [world.township_a, world.township_b]),
        (world.center_a, world.township_a, [world.village_a1, world.village_a2]),
        (world.center_a, world.township_a, [world.grid_a1, world.grid_a1_virtual, world.grid_a2]),
        (world.center_b, world.district, [world.township_a, world.township_b]),
    ]
    for user, parent, areas in cases:
        grouped = figures.by_area(user, parent, areas, when, codes)
        for area in areas:
            alone = Evaluator(user, area, when)
            for code in codes:
                assert grouped[area.pk][code].value == alone(code).value, (area, code)
