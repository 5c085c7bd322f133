"""Deadline arithmetic of every petition stage, on the hub's clock (the event's deadline), in
natural days (the default) and in working days with the 2025 National Day holiday and its
make-up working days (chinesecalendar: 1–8 October off, Sunday 28 September and Saturday
11 October worked)."""

from __future__ import annotations

import pytest

from gridgov.core.errors import Invalid, InvalidTransition
from gridgov.events import services as event_services
from gridgov.petitions import services
from gridgov.petitions.tests.support import (
    Clock,
    at,
    backdate_world,
    county_desk,
    event_of,
    register,
    reload,
    steps,
)

WORK_DAYS = {
    "limits": {
        name: (value, "work_days")
        for name, value in {
            "accept": 5,
            "handle": 3,
            "extension_max": 2,
            "review_request": 5,
            "review": 5,
            "re_review_request": 5,
            "re_review": 5,
        }.items()
    }
}


@pytest.fixture
def clock(monkeypatch, world):
    backdate_world(world)
    return Clock(monkeypatch, at(2025, 9, 26, 10))


def test_every_stage_in_natural_days_with_an_extension(world, clock):
    reviewer = county_desk(world)
    # given a petition received on Friday 26 September 2025 at 10:00
    p = register(world)
    # then the acceptance decision is due 15 days later, to the minute, on the event too
    assert p.accept_due == at(2025, 10, 11, 10)
    assert event_of(p).deadline == p.accept_due
    assert event_of(p).state == "in_progress"

    # when it is accepted on 30 September at 15:00: 60 days to answer
    clock.set(at(2025, 9, 30, 15))
    p = services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)
    assert p.handle_due == at(2025, 11, 29, 15)
    assert event_of(p).deadline == p.handle_due

    # when the center extends it by the most allowed (30 days), from the old deadline
    p = services.extend_handling(
        p, actor=world.center_a, version=p.version, value=30, reason="需多部门会商"
    )
    assert p.handle_due == at(2025, 12, 29, 15)
    event = event_of(p)
    assert (event.deadline, event.extended) == (p.handle_due, True)

    # when it is answered on 1 December: on time; the review window runs 30 days
    clock.set(at(2025, 12, 1, 9))
    p = services.reply_petition(p, actor=world.center_a, version=p.version, reply="已答复")
    assert p.replied_on_time is True
    assert p.review_request_until == at(2025, 12, 31, 9)
    assert event_of(p).state == "closed"

    # when review is asked on 20 December: the organ above has 30 days
    clock.set(at(2025, 12, 20, 10))
    p = services.request_review(p, actor=world.center_a, version=p.version, reason="不服答复")
    assert p.review_due == at(2026, 1, 19, 10)
    assert (event_of(p).state, event_of(p).deadline) == ("in_progress", p.review_due)

    # when the review is answered on 10 January: 30 days to ask for a re-review
    clock.set(at(2026, 1, 10, 16))
    p = services.record_review(p, actor=reviewer, version=p.version, opinion="维持原答复")
    assert p.re_review_request_until == at(2026, 2, 9, 16)

    # when the re-review is asked on 1 February: due 30 days later (February has 28)
    clock.set(at(2026, 2, 1, 9))
    p = services.request_re_review(p, actor=world.center_a, version=p.version, reason="仍不服")
    assert p.re_review_due == at(2026, 3, 3, 9)
    assert event_of(p).deadline == p.re_review_due

    clock.set(at(2026, 2, 20, 9))
    p = services.record_re_review(p, actor=reviewer, version=p.version, opinion="维持")
    p = services.close_petition(p, actor=world.center_a, version=p.version)
    assert p.stage == "closed"
    assert steps(p) == [
        "reported",
        "petition_registered",
        "petition_accepted",
        "petition_extended",
        "petition_replied",
        "review_requested",
        "reviewed",
        "re_review_requested",
        "re_reviewed",
        "petition_closed",
    ]


def test_working_days_skip_the_national_day_holiday_and_count_make_up_days(world, clock, settings):
    settings.GRIDGOV_PETITIONS = WORK_DAYS
    # received on Tuesday 30 September: 5 working days are 9, 10, 11 (Saturday, worked), 13
    # and 14 October; due at the close of office hours
    clock.set(at(2025, 9, 30, 10))
    p = register(world)
    assert p.accept_due == at(2025, 10, 14, 17, 30)

    # accepted on Friday 26 September (clock set back for the example): 3 working days are
    # Sunday 28 (worked), Monday 29 and Tuesday 30 September
    clock.set(at(2025, 9, 26, 10))
    p = register(world, title="另一件")
    p = services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)
    assert p.handle_due == at(2025, 9, 30, 17, 30)

    # extended by 2 working days from that deadline: the holiday is skipped, 9 and 10 October
    p = services.extend_handling(p, actor=world.center_a, version=p.version, value=2, reason="节日")
    assert p.handle_due == at(2025, 10, 10, 17, 30)
    assert event_of(p).deadline == p.handle_due

    # answered on 11 October (a make-up working day) at 9:00: late; review window 5 working
    # days from then: 13, 14, 15, 16, 17 October
    clock.set(at(2025, 10, 11, 9))
    p = services.reply_petition(p, actor=world.center_a, version=p.version, reply="已答复")
    assert p.replied_on_time is False
    assert p.review_request_until == at(2025, 10, 17, 17, 30)


def test_an_extension_is_once_and_at_most_the_configured_limit(world, clock):
    p = register(world)
    p = services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)
    with pytest.raises(Invalid):
        services.extend_handling(p, actor=world.center_a, version=p.version, value=31, reason="久")
    with pytest.raises(Invalid):
        services.extend_handling(p, actor=world.center_a, version=p.version, value=5, reason=" ")
    p = services.extend_handling(
        p, actor=world.center_a, version=p.version, value=10, reason="会商"
    )
    with pytest.raises(InvalidTransition):
        services.extend_handling(p, actor=world.center_a, version=p.version, value=1, reason="再")
    assert reload(p).handle_due == at(2025, 12, 5, 10)  # 26 Sep + 60 days + 10 days


def test_a_request_after_its_window_is_refused(world, clock):
    p = register(world)
    p = services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)
    p = services.reply_petition(p, actor=world.center_a, version=p.version, reply="已答复")
    clock.set(at(2025, 10, 26, 10, 1))  # 30 days and a minute after the reply
    with pytest.raises(InvalidTransition):
        services.request_review(p, actor=world.center_a, version=p.version, reason="不服")
    # a request dated within the window (a letter posted in time) is still taken
    p = services.request_review(
        p, actor=world.center_a, version=p.version, reason="不服", requested_at=at(2025, 10, 20)
    )
    assert p.review_due == at(2025, 11, 19)


def test_the_hub_sweep_marks_an_undecided_petition_overdue(world, clock):
    p = register(world)
    clock.set(at(2025, 10, 11, 10, 5))
    result = event_services.sweep_deadlines(now=clock.now)
    assert result["overdue"] >= 1
    event = event_of(p)
    assert event.overdue is True
    assert event.light(clock.now) == "red"
    assert "overdue" in steps(p)
    # deciding starts a fresh clock: the lamp is green again
    p = services.decide_acceptance(
        reload(p), actor=world.center_a, version=reload(p).version, accepted=True
    )
    event = event_of(p)
    assert (event.overdue, event.light(clock.now)) == (False, "green")
