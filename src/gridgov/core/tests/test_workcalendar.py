"""The working-day calendar (core/workcalendar.py): deadlines in 工作时, 工作日 and 自然日.

Real calendar facts used below (chinesecalendar 1.11.0, checked when writing these tests):

- 2026 Mid-Autumn: Fri 25 – Sun 27 September are holidays; Mon 28 – Wed 30 September work.
- 2026 National Day: Thu 1 – Wed 7 October are holidays; Thu 8, Fri 9 and **Sat 10 October**
  (make-up working day, 调休) work; Sun 11 October is a rest day.
- 2026-06-08 .. 06-12 is an ordinary Monday–Friday week (the Dragon Boat holiday is 19 June).
- 2027 has no data in 1.11.0: Monday–Friday fallback (so 1 January 2027, a Friday, "works").
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gridgov.core import workcalendar
from gridgov.core.workcalendar import (
    DurationUnit,
    add_duration,
    describe,
    is_working_day,
    working_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
H = DurationUnit.WORK_HOURS
D = DurationUnit.WORK_DAYS
N = DurationUnit.NATURAL_DAYS
OPEN_PERIODS = (
    (datetime.time(9), datetime.time(12)),
    (datetime.time(13, 30), datetime.time(17, 30)),
)
CLOSE = datetime.time(17, 30)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    """A Shanghai wall-clock instant."""
    return datetime.datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(SHANGHAI)


def in_office(moment: datetime.datetime) -> bool:
    """Inside an office period, its close included, on a working day."""
    wall = local(moment)
    return is_working_day(wall.date()) and any(
        start <= wall.time() <= end for start, end in OPEN_PERIODS
    )


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-year fallback warning has not been given yet in this process."""
    monkeypatch.setattr(workcalendar, "_warned_years", set())


# --- The calendar facts the tests rely on ------------------------------------------------------


def test_calendar_facts_2026_autumn_holidays():
    # given / when / then: the dates the deadline tests below are built on
    holidays = {datetime.date(2026, 9, d) for d in (25, 26, 27)} | {
        datetime.date(2026, 10, d) for d in range(1, 8)
    }
    for day in holidays:
        assert chinese_calendar.is_holiday(day), day
        assert not is_working_day(day), day
    assert is_working_day(datetime.date(2026, 10, 10))  # Saturday, make-up working day
    assert datetime.date(2026, 10, 10).weekday() == 5
    assert not is_working_day(datetime.date(2026, 10, 11))  # Sunday
    assert is_working_day(datetime.date(2026, 9, 30))
    assert is_working_day(datetime.date(2026, 10, 8))


def test_is_working_day_ordinary_week():
    assert [is_working_day(datetime.date(2026, 6, d)) for d in range(8, 15)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


# --- Fallback beyond the data ------------------------------------------------------------------


def test_is_working_day_fallback_year_monday_to_friday(caplog, fresh_warnings):
    # given a year chinese_calendar has no data for
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(datetime.date(2027, 1, 4))
    # when / then: Monday–Friday, holidays unknown (1 January 2027 is a Friday)
    with caplog.at_level(logging.WARNING, logger="gridgov.workcalendar"):
        days = [datetime.date(2027, 1, d) for d in range(1, 8)]
        assert [is_working_day(day) for day in days] == [True, False, False] + [True] * 4
    warnings = [r for r in caplog.records if r.name == "gridgov.workcalendar"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()


def test_is_working_day_fallback_warns_once_per_year(caplog, fresh_warnings):
    with caplog.at_level(logging.WARNING, logger="gridgov.workcalendar"):
        for _ in range(3):
            is_working_day(datetime.date(2027, 3, 1))
            is_working_day(datetime.date(2028, 3, 1))
            is_working_day(datetime.date(2003, 3, 3))
            is_working_day(datetime.date(2026, 3, 2))  # has data: no warning
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert any("2003" in m for m in messages)
    assert any("2027" in m for m in messages)
    assert any("2028" in m for m in messages)


def test_add_duration_work_days_into_fallback_year():
    # given Thu 31 Dec 2026; 2027 falls back to Monday–Friday (1 January counted as a working day)
    start = at(2026, 12, 31, 10)
    # when / then: Fri 1 Jan (1), Mon 4 Jan (2), Tue 5 Jan (3)
    assert add_duration(start, 3, D) == at(2027, 1, 5, 17, 30)
    assert add_duration(at(2026, 12, 31, 17), 1, H) == at(2027, 1, 1, 9, 30)
    assert add_duration(at(2027, 1, 8, 17), 1, H) == at(2027, 1, 11, 9, 30)  # Fri → Mon
    assert working_time_between(at(2027, 1, 1), at(2027, 1, 4)) == datetime.timedelta(hours=7)


# --- 工作日 -----------------------------------------------------------------------------------


def test_add_duration_work_days_across_mid_autumn():
    # given Thursday 24 Sept 2026, the day before the Mid-Autumn holiday (Fri 25 – Sun 27)
    start = at(2026, 9, 24, 10)
    # when / then: day 1 is Monday 28 Sept, due at its close
    assert add_duration(start, 1, D) == at(2026, 9, 28, 17, 30)


def test_add_duration_work_days_across_national_day_and_make_up_day():
    # given Wednesday 30 Sept 2026, the last working day before National Day (1–7 Oct)
    start = at(2026, 9, 30, 10)
    # when / then: Thu 8 Oct (1), Fri 9 Oct (2), Sat 10 Oct make-up day (3), Mon 12 Oct (4)
    assert add_duration(start, 1, D) == at(2026, 10, 8, 17, 30)
    assert add_duration(start, 3, D) == at(2026, 10, 10, 17, 30)
    assert add_duration(start, 4, D) == at(2026, 10, 12, 17, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # the start day never counts, even before office hours on a working day
        (at(2026, 6, 8, 7, 0), at(2026, 6, 9, 17, 30)),
        (at(2026, 6, 8, 0, 0), at(2026, 6, 9, 17, 30)),
        (at(2026, 6, 8, 9, 0), at(2026, 6, 9, 17, 30)),
        (at(2026, 6, 8, 17, 29), at(2026, 6, 9, 17, 30)),
        (at(2026, 6, 8, 17, 30), at(2026, 6, 9, 17, 30)),
        (at(2026, 6, 8, 23, 59), at(2026, 6, 9, 17, 30)),
        # a start on a weekend: day 1 is the next working day
        (at(2026, 6, 13, 10, 0), at(2026, 6, 15, 17, 30)),
        (at(2026, 6, 12, 16, 0), at(2026, 6, 15, 17, 30)),
        # a start on a holiday
        (at(2026, 10, 3, 10, 0), at(2026, 10, 8, 17, 30)),
    ],
)
def test_add_duration_one_work_day_start_day_never_counts(start, expected):
    assert add_duration(start, 1, D) == expected


def test_add_duration_work_days_long_span_is_fast(monkeypatch):
    # given a counting wrapper around is_working_day
    calls: list[datetime.date] = []
    real = workcalendar.is_working_day

    def counting(day: datetime.date) -> bool:
        calls.append(day)
        return real(day)

    monkeypatch.setattr(workcalendar, "is_working_day", counting)
    start = at(2026, 1, 5, 10)
    # when
    days_deadline = add_duration(start, 60, D)
    days_calls = len(calls)
    calls.clear()
    hours_deadline = add_duration(start, 60 * 7, H)
    # then: one look-up per calendar day, never per minute
    span = (days_deadline.date() - start.date()).days
    assert days_calls == span
    assert len(calls) <= (hours_deadline.date() - start.date()).days + 1
    # 60 full office days from Monday 10:00 end at 10:00 on the 60th working day after it
    assert hours_deadline.time() == datetime.time(10)
    assert working_time_between(start, hours_deadline) == datetime.timedelta(hours=420)


# --- 工作时 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "value", "expected"),
    [
        # inside the morning
        (at(2026, 6, 8, 9, 30), 2, at(2026, 6, 8, 11, 30)),
        # ends exactly at the lunch break: the close, not the reopening
        (at(2026, 6, 8, 10, 0), 2, at(2026, 6, 8, 12, 0)),
        # spans lunch: 1 h until 12:00, 1 h from 13:30
        (at(2026, 6, 8, 11, 0), 2, at(2026, 6, 8, 14, 30)),
        (at(2026, 6, 8, 11, 45), 1, at(2026, 6, 8, 14, 15)),
        # a full office day is 7 hours
        (at(2026, 6, 8, 9, 0), 7, at(2026, 6, 8, 17, 30)),
        (at(2026, 6, 8, 9, 0), 14, at(2026, 6, 9, 17, 30)),
        # overnight: 1 h on Monday, 1 h on Tuesday
        (at(2026, 6, 8, 16, 30), 2, at(2026, 6, 9, 10, 0)),
        # over the weekend: 1 h on Friday, 3 h on Monday
        (at(2026, 6, 12, 16, 30), 4, at(2026, 6, 15, 12, 0)),
        # over a weekend and lunch: 1 h Friday, 3 h Monday morning, 1 h Monday afternoon
        (at(2026, 6, 12, 16, 30), 5, at(2026, 6, 15, 14, 30)),
        # National Day: 30 min on 30 Sept, 7 h on 8 Oct, 7 h on 9 Oct, 30 min on make-up Sat 10 Oct
        (at(2026, 9, 30, 17, 0), 15, at(2026, 10, 10, 9, 30)),
        (at(2026, 10, 9, 17, 0), 1, at(2026, 10, 10, 9, 30)),
    ],
)
def test_add_duration_work_hours(start, value, expected):
    assert add_duration(start, value, H) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 6, 8, 7, 0), at(2026, 6, 8, 10, 0)),  # before opening
        (at(2026, 6, 8, 12, 30), at(2026, 6, 8, 14, 30)),  # lunch break
        (at(2026, 6, 8, 12, 0), at(2026, 6, 8, 14, 30)),  # exactly at the morning close
        (at(2026, 6, 8, 17, 30), at(2026, 6, 9, 10, 0)),  # exactly at the close
        (at(2026, 6, 8, 20, 0), at(2026, 6, 9, 10, 0)),  # evening
        (at(2026, 6, 13, 10, 0), at(2026, 6, 15, 10, 0)),  # Saturday
        (at(2026, 10, 1, 10, 0), at(2026, 10, 8, 10, 0)),  # National Day
        (at(2026, 10, 11, 10, 0), at(2026, 10, 12, 10, 0)),  # Sunday after the make-up Saturday
    ],
)
def test_add_duration_work_hours_start_outside_office_hours(start, expected):
    assert add_duration(start, 1, H) == expected


def test_add_duration_converts_to_local_time():
    # given 01:30 UTC, which is 09:30 in Shanghai
    start = datetime.datetime(2026, 6, 8, 1, 30, tzinfo=UTC)
    # when
    deadline = add_duration(start, 2, H)
    # then: aware, in the project's zone, 11:30 Shanghai
    assert deadline == at(2026, 6, 8, 11, 30)
    assert deadline.utcoffset() == datetime.timedelta(hours=8)
    assert str(deadline.tzinfo) == "Asia/Shanghai"
    # 20:00 UTC Sunday is 04:00 Monday in Shanghai: the start day is Monday
    assert add_duration(datetime.datetime(2026, 6, 7, 20, tzinfo=UTC), 1, D) == at(
        2026, 6, 9, 17, 30
    )


# --- 自然日 -----------------------------------------------------------------------------------


def test_add_duration_natural_days_ignore_holidays():
    assert add_duration(at(2026, 9, 30, 10, 15), 15, N) == at(2026, 10, 15, 10, 15)
    assert add_duration(at(2026, 6, 13, 23, 0), 1, N) == at(2026, 6, 14, 23, 0)
    assert add_duration(at(2026, 12, 20, 8), 30, N) == at(2027, 1, 19, 8)
    assert str(add_duration(datetime.datetime(2026, 1, 1, tzinfo=UTC), 1, N).tzinfo) == (
        "Asia/Shanghai"
    )


# --- Refusals and settings ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, -30, 1.5, "3", None, True])
def test_add_duration_refuses_bad_value(value):
    with pytest.raises(ValueError, match="duration"):
        add_duration(at(2026, 6, 8, 10), value, H)


def test_add_duration_refuses_unknown_unit_and_naive_start():
    with pytest.raises(ValueError):  # noqa: PT011
        add_duration(at(2026, 6, 8, 10), 1, "weeks")
    with pytest.raises(ValueError, match="timezone-aware"):
        add_duration(datetime.datetime(2026, 6, 8, 10), 1, H)
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(datetime.datetime(2026, 6, 8, 10), at(2026, 6, 9))


def test_add_duration_accepts_plain_strings():
    assert add_duration(at(2026, 6, 8, 10), 2, "work_hours") == at(2026, 6, 8, 12)


def test_office_hours_setting_is_used(settings):
    # given a single period 08:30–17:00
    settings.GRIDGOV_OFFICE_HOURS = (("08:30", "17:00"),)
    # when / then
    assert add_duration(at(2026, 6, 8, 16), 2, H) == at(2026, 6, 9, 9, 30)
    assert add_duration(at(2026, 6, 8, 16), 1, D) == at(2026, 6, 9, 17, 0)
    assert working_time_between(at(2026, 6, 8), at(2026, 6, 9)) == datetime.timedelta(hours=8.5)


def test_office_hours_default_when_setting_absent(settings):
    del settings.GRIDGOV_OFFICE_HOURS
    assert workcalendar.office_hours() == OPEN_PERIODS


@pytest.mark.parametrize(
    "bad",
    [
        (),
        (("09:00",),),
        (("9 am", "12:00"),),
        (("12:00", "09:00"),),
        (("09:00", "12:00"), ("11:00", "17:00")),
        (("13:30", "17:30"), ("09:00", "12:00")),
        "09:00-17:00",
    ],
)
def test_office_hours_refuses_bad_setting(settings, bad):
    settings.GRIDGOV_OFFICE_HOURS = bad
    with pytest.raises(ImproperlyConfigured):
        add_duration(at(2026, 6, 8, 10), 1, H)


# --- working_time_between ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(2026, 6, 8, 9), at(2026, 6, 8, 17, 30), 7),
        (at(2026, 6, 8), at(2026, 6, 9), 7),
        (at(2026, 6, 8, 12), at(2026, 6, 8, 13, 30), 0),  # lunch only
        (at(2026, 6, 8, 11), at(2026, 6, 8, 14), 1.5),
        (at(2026, 6, 12, 17), at(2026, 6, 15, 9, 30), 1),  # over the weekend
        (at(2026, 6, 13), at(2026, 6, 15), 0),  # the weekend itself
        # 30 Sept, 8, 9 and make-up 10 Oct; the holidays count nothing
        (at(2026, 9, 30, 9), at(2026, 10, 10, 17, 30), 28),
        (at(2026, 10, 1), at(2026, 10, 8), 0),
        # nothing when the end is not after the start
        (at(2026, 6, 8, 10), at(2026, 6, 8, 10), 0),
        (at(2026, 6, 9, 10), at(2026, 6, 8, 10), 0),
    ],
)
def test_working_time_between(start, end, hours):
    assert working_time_between(start, end) == datetime.timedelta(hours=hours)


def test_working_time_between_mixed_zones():
    start = datetime.datetime(2026, 6, 8, 1, tzinfo=UTC)  # 09:00 Shanghai
    assert working_time_between(start, at(2026, 6, 8, 10)) == datetime.timedelta(hours=1)


# --- describe -----------------------------------------------------------------------------------


def test_describe():
    assert describe(4, H) == "4 工作时"
    assert describe(3, DurationUnit.WORK_DAYS) == "3 工作日"
    assert describe(15, "natural_days") == "15 自然日"
    with pytest.raises(ValueError):  # noqa: PT011
        describe(1, "fortnights")


def test_duration_unit_choices():
    assert DurationUnit.choices == [
        ("work_hours", "工作时"),
        ("work_days", "工作日"),
        ("natural_days", "自然日"),
    ]


# --- Properties ---------------------------------------------------------------------------------

# From the start of 2025 into the fallback year 2027, in Shanghai or UTC, to the second.
starts = st.builds(
    lambda moment, zone: moment.replace(microsecond=0).astimezone(zone),
    st.datetimes(
        min_value=datetime.datetime(2025, 1, 1),
        max_value=datetime.datetime(2027, 6, 30),
        timezones=st.just(SHANGHAI),
    ),
    st.sampled_from([SHANGHAI, UTC]),
)
units = st.sampled_from(list(DurationUnit))
values = st.integers(min_value=1, max_value=60)


@st.composite
def office_starts(draw) -> datetime.datetime:
    """An instant inside office hours (a period's opening included, its close excluded)."""
    day = draw(st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 6, 30)))
    assume(is_working_day(day))
    opens, closes = draw(st.sampled_from(OPEN_PERIODS))
    length = datetime.datetime.combine(day, closes) - datetime.datetime.combine(day, opens)
    offset = draw(st.integers(min_value=0, max_value=int(length.total_seconds()) - 1))
    return datetime.datetime.combine(day, opens, tzinfo=SHANGHAI) + datetime.timedelta(
        seconds=offset
    )


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=starts, value=values, unit=units)
def test_property_monotonic_in_value(start, value, unit):
    assert add_duration(start, value, unit) < add_duration(start, value + 1, unit)
    assert add_duration(start, value, unit) > start


@hypothesis_settings(max_examples=300, deadline=None)
@given(first=starts, second=starts, value=values, unit=units)
def test_property_monotonic_in_start(first, second, value, unit):
    early, late = sorted([first, second])
    assert add_duration(early, value, unit) <= add_duration(late, value, unit)


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=starts, value=values, unit=st.sampled_from([H, D]))
def test_property_work_deadline_inside_office_hours(start, value, unit):
    deadline = add_duration(start, value, unit)
    wall = local(deadline)
    assert deadline.tzinfo is not None
    assert str(wall.tzinfo) == "Asia/Shanghai"
    assert in_office(deadline)
    if unit == D:
        # the close of a working day after the start day
        assert wall.time() == CLOSE
        assert wall.date() > local(start).date()


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=office_starts(), value=st.integers(min_value=1, max_value=60 * 7))
def test_property_work_hours_round_trip_from_office_time(start, value):
    deadline = add_duration(start, value, H)
    assert working_time_between(start, deadline) == datetime.timedelta(hours=value)


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=starts, value=st.integers(min_value=1, max_value=60 * 7))
def test_property_work_hours_round_trip_from_any_time(start, value):
    deadline = add_duration(start, value, H)
    assert working_time_between(start, deadline) == datetime.timedelta(hours=value)
    # and it is the earliest such instant: a second earlier, less time has passed
    assert working_time_between(start, deadline - datetime.timedelta(seconds=1)) < (
        datetime.timedelta(hours=value)
    )


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=starts, value=values)
def test_property_work_days_count_whole_days(start, value):
    # from the close of the start day to the deadline lie exactly `value` full office days
    close_of_start_day = datetime.datetime.combine(local(start).date(), CLOSE, tzinfo=SHANGHAI)
    deadline = add_duration(start, value, D)
    assert working_time_between(close_of_start_day, deadline) == datetime.timedelta(hours=7 * value)


@hypothesis_settings(max_examples=100, deadline=None)
@given(a=starts, b=starts, c=starts)
def test_property_working_time_between_is_additive(a, b, c):
    a, b, c = sorted([a, b, c])
    assert working_time_between(a, c) == working_time_between(a, b) + working_time_between(b, c)
    assert working_time_between(c, a) == datetime.timedelta(0)
