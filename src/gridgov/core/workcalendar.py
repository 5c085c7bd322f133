"""The working-day calendar: deadlines (SLA) in 工作时, 工作日 or 自然日.

Working days come from ``chinese_calendar`` (public holidays and make-up working days, 调休, for the
years it has data for, 2004–2026 in 1.11.0). For any other year Monday–Friday are working days,
and one warning per year is logged on the ``gridgov.workcalendar`` logger: a deadline is still
computed, never an error. Update the package when the State Council publishes the next year.

Office hours are the setting ``GRIDGOV_OFFICE_HOURS``: ordered, non-overlapping ``("HH:MM",
"HH:MM")`` pairs in local time, by default 09:00–12:00 and 13:30–17:30 (7 hours a day). "Close of
office hours" is the end of the day's last pair.

Everything is computed on the local wall clock of ``settings.TIME_ZONE`` (Asia/Shanghai), whatever
the zone of the datetime passed in, and returned as an aware datetime in that zone.

The rules (``add_duration``):

- **自然日**: start + value days, to the minute; holidays do not matter.
- **工作日**: the deadline is the close of office hours of the value-th working day *after* the
  start day. The start day never counts, whatever the time and even if it is a working day and
  office hours have not begun (a case dispatched on Monday at 08:00 with 1 工作日 is due Tuesday
  17:30, not Monday 17:30).
- **工作时**: value hours of office time counted from start; time outside office hours, weekends
  and holidays is skipped and make-up working days count. A start outside office hours begins at
  the next opening. The deadline is the earliest instant at which the hours are used up, so a
  deadline that lands exactly on a close is that close (10:00 + 2 工作时 is 12:00, not 13:30).

The loops walk one calendar day at a time (a few hundred steps for 60 工作日), never minutes.
"""

from __future__ import annotations

import datetime
import functools
import logging

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

logger = logging.getLogger("gridgov.workcalendar")

DEFAULT_OFFICE_HOURS = (("09:00", "12:00"), ("13:30", "17:30"))

OfficeHours = tuple[tuple[datetime.time, datetime.time], ...]

_ONE_DAY = datetime.timedelta(days=1)

# Years for which the Monday–Friday fallback has been announced (one warning per year and process).
_warned_years: set[int] = set()


class DurationUnit(models.TextChoices):
    WORK_HOURS = "work_hours", "工作时"
    WORK_DAYS = "work_days", "工作日"
    NATURAL_DAYS = "natural_days", "自然日"


# --- Working days ---------------------------------------------------------------------------------


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is a working day: chinese_calendar's answer, Mon–Fri beyond its data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "No Chinese holiday data for %s (chinesecalendar %s); counting Monday–Friday as "
                "working days. Update the chinesecalendar package.",
                day.year,
                getattr(chinese_calendar, "__version__", "?"),
            )
        return day.weekday() < 5


# --- Office hours ---------------------------------------------------------------------------------


def office_hours() -> OfficeHours:
    """The parsed ``GRIDGOV_OFFICE_HOURS`` setting (ImproperlyConfigured if it is malformed)."""
    raw = getattr(settings, "GRIDGOV_OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
    try:
        key = tuple((start, end) for start, end in raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"GRIDGOV_OFFICE_HOURS must be (start, end) pairs, not {raw!r}"
        ) from exc
    return _parse_office_hours(key)


def _as_time(value: object) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    if isinstance(value, str):
        return datetime.time.fromisoformat(value)
    raise TypeError(value)


@functools.lru_cache(maxsize=8)
def _parse_office_hours(raw: tuple[tuple[object, object], ...]) -> OfficeHours:
    try:
        pairs = tuple((_as_time(start), _as_time(end)) for start, end in raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f'GRIDGOV_OFFICE_HOURS: times must be "HH:MM", not {raw!r}'
        ) from exc
    if not pairs:
        raise ImproperlyConfigured("GRIDGOV_OFFICE_HOURS must name at least one period")
    previous_end: datetime.time | None = None
    for start, end in pairs:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ImproperlyConfigured("GRIDGOV_OFFICE_HOURS: use local times without a zone")
        if not start < end:
            raise ImproperlyConfigured(f"GRIDGOV_OFFICE_HOURS: {start} is not before {end}")
        if previous_end is not None and start < previous_end:
            raise ImproperlyConfigured(
                "GRIDGOV_OFFICE_HOURS: periods must be in order and must not overlap"
            )
        previous_end = end
    return pairs


def _periods(
    day: datetime.date, hours: OfficeHours
) -> tuple[tuple[datetime.datetime, datetime.datetime], ...]:
    """The day's office periods as naive local datetimes (none on a day off)."""
    if not is_working_day(day):
        return ()
    return tuple(
        (datetime.datetime.combine(day, start), datetime.datetime.combine(day, end))
        for start, end in hours
    )


# --- Local wall clock -----------------------------------------------------------------------------


def _local_naive(moment: datetime.datetime, name: str) -> datetime.datetime:
    if timezone.is_naive(moment):
        raise ValueError(f"{name} must be timezone-aware, not {moment!r}")
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def _aware(local: datetime.datetime) -> datetime.datetime:
    return local.replace(tzinfo=timezone.get_default_timezone())


# --- Deadlines ------------------------------------------------------------------------------------


def add_duration(start: datetime.datetime, value: int, unit: str) -> datetime.datetime:
    """The deadline ``value`` ``unit`` after ``start`` (rules in the module docstring).

    ``start`` must be aware; the result is aware, in ``settings.TIME_ZONE``. ``value`` must be an
    integer >= 1 and ``unit`` a ``DurationUnit``; anything else is a ValueError.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"a duration must be a whole number >= 1, not {value!r}")
    kind = DurationUnit(unit)  # ValueError for an unknown unit
    local = _local_naive(start, "start")
    if kind == DurationUnit.NATURAL_DAYS:
        return _aware(local + datetime.timedelta(days=value))
    hours = office_hours()
    if kind == DurationUnit.WORK_DAYS:
        return _aware(_add_working_days(local.date(), value, hours))
    return _aware(_add_working_hours(local, datetime.timedelta(hours=value), hours))


def _add_working_days(
    start_day: datetime.date, value: int, hours: OfficeHours
) -> datetime.datetime:
    day, counted = start_day, 0
    while counted < value:
        day += _ONE_DAY
        if is_working_day(day):
            counted += 1
    return datetime.datetime.combine(day, hours[-1][1])


def _add_working_hours(
    cursor: datetime.datetime, remaining: datetime.timedelta, hours: OfficeHours
) -> datetime.datetime:
    day = cursor.date()
    while True:
        for opens, closes in _periods(day, hours):
            begin = max(opens, cursor)
            if begin >= closes:
                continue
            available = closes - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
        day += _ONE_DAY


def working_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """Office time between two aware instants (zero if ``end`` is not after ``start``).

    The inverse of 工作时: ``working_time_between(s, add_duration(s, n, WORK_HOURS))`` is n hours.
    """
    begin, finish = _local_naive(start, "start"), _local_naive(end, "end")
    total = datetime.timedelta(0)
    if finish <= begin:
        return total
    hours = office_hours()
    day = begin.date()
    while day <= finish.date():
        for opens, closes in _periods(day, hours):
            overlap = min(closes, finish) - max(opens, begin)
            if overlap > datetime.timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def describe(value: int, unit: str) -> str:
    """A duration for people: "4 工作时", "3 工作日", "15 自然日"."""
    return f"{value} {DurationUnit(unit).label}"
