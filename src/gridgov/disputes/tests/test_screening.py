"""Screening reports: periods, zero reports, one per period, late marks, per-area policy, and the
missing-report check with its warnings (once per village and period)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.disputes import periods, selectors, services
from gridgov.disputes.models import ScreeningReminder
from gridgov.disputes.tests.support import dispute_event
from gridgov.events.tests.support import TZ
from gridgov.notifications.models import Notification


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def test_windows():
    week = periods.window_containing("week", dt.date(2026, 10, 8))  # a Thursday
    assert (week.start, week.end, week.due_on) == (
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 11),
        dt.date(2026, 10, 12),
    )
    half = periods.window_containing("half_month", dt.date(2026, 2, 20))
    assert (half.start, half.end) == (dt.date(2026, 2, 16), dt.date(2026, 2, 28))
    month = periods.window_containing("month", dt.date(2026, 12, 31))
    assert month.next().start == dt.date(2027, 1, 1)
    # On Tuesday 10-13 the week ending 10-11 (due Monday 10-12) is overdue; on Monday it is not.
    assert periods.last_due_window("week", dt.date(2026, 10, 13)).end == dt.date(2026, 10, 11)
    assert periods.last_due_window("week", dt.date(2026, 10, 12)).end == dt.date(2026, 10, 4)
    assert [
        w.end.day
        for w in periods.windows_ending_in("week", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    ] == [4, 11, 18, 25]


def test_file_report_with_disputes_and_zero_report(autumn):
    world, clock = autumn
    clock.set(at(10, 6))
    event = dispute_event(world, actor=world.officer_a1, days_back=0)
    report = services.file_screening_report(
        actor=world.officer_a1,
        area=world.village_a1,
        disputes=[event],
        persons_of_concern="王某(情绪激动)",
    )
    assert (report.period_start, report.period_end, report.on_time) == (
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 11),
        True,
    )
    assert_audited(report, "disputes.screening.filed", world.officer_a1)
    with pytest.raises(InvalidTransition) as exc:
        services.file_screening_report(actor=world.officer_a1, area=world.village_a1, is_zero=True)
    assert_chinese(exc)
    clock.set(at(10, 14))  # the next week's report, filed late for the week before
    late = services.file_screening_report(
        actor=world.officer_a1, area=world.village_a1, day=dt.date(2026, 10, 12), is_zero=True
    )
    assert late.on_time is True  # week 10-12..10-18 is due 10-19
    older = services.file_screening_report(
        actor=world.officer_a1, area=world.village_a1, day=dt.date(2026, 9, 28), is_zero=True
    )
    assert older.on_time is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"is_zero": True, "unstable_factors": "有"}, "is_zero"),
        ({"is_zero": False}, "is_zero"),
    ],
)
def test_zero_report_is_explicit(world, values, field):
    with pytest.raises(Invalid) as exc:
        services.file_screening_report(actor=world.officer_a1, area=world.village_a1, **values)
    assert exc.value.field == field
    assert_chinese(exc)


def test_report_refuses_foreign_or_other_disputes(world):
    other_village = dispute_event(world, actor=world.worker_a2, grid=world.grid_a2)
    with pytest.raises(NotFound):
        services.file_screening_report(
            actor=world.officer_a1, area=world.village_a1, disputes=[other_village]
        )
    other_township = dispute_event(world, actor=world.worker_b1, grid=world.grid_b1)
    with pytest.raises(NotFound):
        services.file_screening_report(
            actor=world.officer_a1, area=world.village_a1, disputes=[other_township]
        )
    hazard = dispute_event(world, category_code="hazard-fire")
    with pytest.raises(Invalid):
        services.file_screening_report(
            actor=world.officer_a1, area=world.village_a1, disputes=[hazard]
        )


@pytest.mark.parametrize("persona", ["officer_a2", "worker_a1", "center_a", "leader_a"])
def test_only_the_village_files_its_report(world, persona):
    with pytest.raises(NotPermitted):
        services.file_screening_report(
            actor=getattr(world, persona), area=world.village_a1, is_zero=True
        )


def test_policy_applies_to_the_villages_below(world):
    assert services.policy_period(world.village_a1) == "week"
    services.set_screening_period(world.township_a, actor=world.center_a, period="half_month")
    assert services.policy_period(world.village_a1) == "half_month"
    services.set_screening_period(world.village_a1, actor=world.center_a, period="month")
    assert services.policy_period(world.village_a1) == "month"
    assert services.policy_period(world.village_a2) == "half_month"
    assert services.policy_period(world.village_b1) == "week"
    with pytest.raises(NotPermitted):
        services.set_screening_period(world.township_b, actor=world.center_a, period="month")


def _warnings(user):
    with unscoped("test: inbox"):
        return list(Notification.objects.filter(recipient=user, kind="disputes.screening.missing"))


def test_missing_report_check_warns_once(autumn):
    world, clock = autumn
    clock.set(at(10, 12, 9))
    services.file_screening_report(
        actor=world.officer_a1, area=world.village_a1, day=dt.date(2026, 10, 8), is_zero=True
    )
    clock.set(at(10, 13, 8))
    result = services.warn_missing_reports()
    # 甲村 filed the week ending 10-11; 乙村 and 丙村 did not.
    assert result["missing"] == 2
    assert len(_warnings(world.officer_a2)) == 1 and not _warnings(world.officer_a1)
    assert "乙村" in _warnings(world.officer_a2)[0].title
    assert len(_warnings(world.center_a)) == 1 and "乙村" in _warnings(world.center_a)[0].title
    assert len(_warnings(world.center_b)) == 1
    assert ScreeningReminder._base_manager.count() == 2
    assert services.warn_missing_reports() == {"missing": 0, "warned": 0}
    assert len(_warnings(world.officer_a2)) == 1
    # a week later the next period is missing everywhere
    clock.set(at(10, 20, 8))
    assert services.warn_missing_reports()["missing"] == 3


def test_missing_list_page_selector(autumn):
    world, clock = autumn
    clock.set(at(10, 13, 8))
    statuses = selectors.report_statuses(world.center_a, world.township_a)
    assert [(s.village.name, s.missing) for s in statuses] == [("甲村", True), ("乙村", True)]
    assert selectors.report_statuses(world.officer_a1, world.township_a)[0].village.name == "甲村"
    assert len(selectors.report_statuses(world.officer_a1, world.township_a)) == 1


def test_the_periodic_task_runs_the_check(autumn):
    from gridgov.core import tasks as core_tasks
    from gridgov.disputes.tasks import check_screening_reports

    _world, clock = autumn
    clock.set(at(10, 13, 8))
    assert check_screening_reports in core_tasks.PERIODIC_TASKS
    result = check_screening_reports.enqueue().return_value
    assert result["missing"] == 3
