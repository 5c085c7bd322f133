"""Screening periods (排查期): weeks (Monday to Sunday), half months (1st–15th, 16th–end) or
months, each with the day its report is due (the period's last day + GRIDGOV_SCREENING_GRACE_DAYS,
by default the next day: a weekly meeting's report is due on Monday).

Pure date arithmetic, no database: the services and the missing-report check share it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from gridgov.disputes.choices import ScreeningPeriod

ONE_DAY = dt.timedelta(days=1)


def grace_days() -> int:
    return int(getattr(settings, "GRIDGOV_SCREENING_GRACE_DAYS", 1))


def default_period() -> str:
    value = getattr(settings, "GRIDGOV_SCREENING_PERIOD", ScreeningPeriod.WEEK)
    return value if value in ScreeningPeriod.values else ScreeningPeriod.WEEK


@dataclass(frozen=True)
class Window:
    """One screening period of a kind, `start` through `end` inclusive."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def due_on(self) -> dt.date:
        return self.end + dt.timedelta(days=grace_days())

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def previous(self) -> Window:
        return window_containing(self.kind, self.start - ONE_DAY)

    def next(self) -> Window:
        return window_containing(self.kind, self.end + ONE_DAY)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def window_containing(kind: str, day: dt.date) -> Window:
    """The period of `kind` that holds `day`."""
    if kind == ScreeningPeriod.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return Window(kind, start, start + dt.timedelta(days=6))
    if kind == ScreeningPeriod.HALF_MONTH:
        if day.day <= 15:
            return Window(kind, day.replace(day=1), day.replace(day=15))
        return Window(kind, day.replace(day=16), _month_end(day))
    if kind == ScreeningPeriod.MONTH:
        return Window(kind, day.replace(day=1), _month_end(day))
    raise ValueError(f"unknown screening period {kind!r}")


def last_due_window(kind: str, today: dt.date) -> Window:
    """The latest period whose report is already overdue on `today` (due day before today)."""
    window = window_containing(kind, today - dt.timedelta(days=grace_days()) - ONE_DAY)
    while window.due_on >= today:
        window = window.previous()
    return window


def windows_ending_in(kind: str, start: dt.date, end: dt.date) -> list[Window]:
    """The periods of `kind` whose last day falls from `start` through `end`: the reports a
    month's or a quarter's summary is built from."""
    found = []
    window = window_containing(kind, start)
    if window.end < start:  # pragma: no cover - a window always ends on or after its day
        window = window.next()
    while window.end <= end:
        found.append(window)
        window = window.next()
    return found


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
