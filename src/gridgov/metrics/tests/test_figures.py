"""The registry and periods, without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gridgov.metrics import figures
from gridgov.metrics.figures import Average, Count, Group, Period, Rate

from .conftest import local

D = dt.date
DOCS = Path(__file__).resolve().parents[4] / "docs" / "metrics.md"


def test_calendar_presets_and_their_previous_periods():
    as_of = local("2025-03-12 10:00")  # a Wednesday
    week = Period.preset("week", as_of=as_of)
    assert (week.start, week.end) == (D(2025, 3, 10), D(2025, 3, 16))
    assert (week.previous().start, week.previous().end) == (D(2025, 3, 3), D(2025, 3, 9))
    month = Period.preset("month", as_of=as_of)
    assert (month.start, month.end) == (D(2025, 3, 1), D(2025, 3, 31))
    assert (month.previous().start, month.previous().end) == (D(2025, 2, 1), D(2025, 2, 28))
    quarter = Period.preset("quarter", as_of=as_of)
    assert (quarter.start, quarter.end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert (quarter.previous().start, quarter.previous().end) == (D(2024, 10, 1), D(2024, 12, 31))
    year = Period.preset("year", as_of=as_of)
    assert (year.previous().start, year.previous().end) == (D(2024, 1, 1), D(2024, 12, 31))
    assert month.previous().as_of == as_of


def test_a_custom_period_is_compared_with_as_many_days_before():
    custom = Period(D(2025, 3, 5), D(2025, 3, 14))
    before = custom.previous()
    assert (before.start, before.end) == (D(2025, 2, 23), D(2025, 3, 4))
    assert before.days == custom.days == 10


def test_periods_are_whole_days_in_shanghai():
    day = Period(D(2025, 3, 1), D(2025, 3, 1))
    assert day.since == local("2025-03-01 00:00")
    assert day.until == local("2025-03-02 00:00")
    assert day.since.astimezone(dt.UTC) == dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC)
    # 17:00 UTC on 31 March is already 1 April in Shanghai.
    april = Period.preset("month", as_of=dt.datetime(2025, 3, 31, 17, tzinfo=dt.UTC))
    assert april.start == D(2025, 4, 1)
    with pytest.raises(ValueError, match="ends on or after"):
        Period(D(2025, 3, 2), D(2025, 3, 1))


def test_registry_refuses_a_second_figure_under_a_code_and_a_rate_of_unknown_counts():
    taken = figures.get("events.closed")
    with pytest.raises(ValueError, match="registered twice"):
        figures.register(Count(code="events.closed", label="另一个", formula="…", records=None))
    figures.register(taken)  # the same figure again is harmless
    with pytest.raises(ValueError, match="not a registered count"):
        figures.register(
            Rate(
                code="events.bogus_rate",
                label="?",
                formula="…",
                numerator="events.nope",
                denominator="events.closed",
            )
        )
    with pytest.raises(ValueError, match="register the group"):
        figures.register(Count(code="nogroup.count", label="?", formula="…", records=None))
    with pytest.raises(ValueError, match="registered twice"):
        figures.register_group(Group(code="events", title="x", action="x", list_template="x"))
    assert "events.bogus_rate" not in {f.code for f in figures.figures()}


def test_every_event_figure_is_shown_once_and_documented():
    group = figures.group("events")
    shown = [code for _title, codes in group.layout for code in codes]
    codes = [f.code for f in figures.figures("events")]
    assert sorted(shown) == sorted(codes)
    assert set(group.breakdown) <= set(codes) and group.sort_by in codes
    docs = DOCS.read_text(encoding="utf-8")
    for figure in figures.figures("events"):
        assert figure.label and figure.formula and figure.source, figure.code
        assert figure.unit in {"件", "%", "小时"}, figure.code
        assert f"`{figure.code}`" in docs, f"{figure.code} is missing from docs/metrics.md"
        if isinstance(figure, Average):
            assert isinstance(figures.get(figure.over), Count)
