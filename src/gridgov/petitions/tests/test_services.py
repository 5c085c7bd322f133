"""The petition services: registration (collective, repeat, skip-level, department, rights),
each stage's who and when, leaders' cases and reception days, key-petitioner flags."""

from __future__ import annotations

import uuid

import pytest

from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.petitions import services
from gridgov.petitions.models import KeyPetitionerFlag, LeaderCase, Petition
from gridgov.petitions.tests.support import (
    LAND,
    accepted,
    county_desk,
    event_of,
    matter,
    person,
    petition_office,
    register,
    reload,
    replied,
    steps,
)
from gridgov.registry import flags


def petitions_count() -> int:
    with unscoped("test: count"):
        return Petition.objects.count()


# --- Registration --------------------------------------------------------------------------------


def test_register_petition_makes_the_event_and_the_detail_in_one_step(world):
    people = [person(world, 1), person(world, 2)]
    p = register(world, petitioners=people, channel="letter")
    event = event_of(p)
    assert event.kind.code == "petition" and event.category.code == "petition-m-labor"
    assert (event.grid, event.area_path, p.area_path) == (world.grid_a1,) + (
        world.grid_a1.path,
    ) * 2
    assert event.contact_name == "信访人1"
    with unscoped("test: parties"):
        assert {party.person_id for party in event.parties.all()} == {x.pk for x in people}
    assert (p.stage, p.channel, p.people_count, p.collective, p.repeat, p.skip_level) == (
        "registered",
        "letter",
        2,
        False,
        False,
        False,
    )
    assert (p.lodged_area, p.proper_area, p.lodged_level) == (
        world.township_a,
        world.township_a,
        "township",
    )
    assert_audited(p, "petitions.petition.registered", world.center_a)


def test_five_people_make_a_collective_petition(world):
    p = register(world, people_count=5)
    assert p.collective is True
    assert register(world, people_count=4, petitioners=[person(world, 9)]).collective is False


def test_people_count_below_the_petitioners_is_refused_and_nothing_is_written(world):
    before = petitions_count()
    with pytest.raises(Invalid) as exc:
        register(world, petitioners=[person(world, 1), person(world, 2)], people_count=1)
    assert_chinese(exc)
    assert petitions_count() == before


def test_lodged_at_the_county_is_skip_level(world):
    desk = county_desk(world)
    p = register(world, actor=desk, lodged_area=world.district)
    assert (p.skip_level, p.lodged_level, p.proper_area) == (True, "county", world.township_a)
    # the township center still handles it (属地)
    assert event_of(p).center == world.township_a


def test_proper_level_is_configurable(world, settings):
    settings.GRIDGOV_PETITIONS = {"proper_level": "county"}
    desk = county_desk(world)
    p = register(world, actor=desk, lodged_area=world.district)
    assert (p.skip_level, p.proper_area) == (False, world.district)


def test_lodged_area_must_be_above_the_petitioner(world):
    with pytest.raises(Invalid) as exc:
        register(world, lodged_area=world.township_b)
    assert exc.value.field == "lodged_area"
    with pytest.raises(Invalid):
        register(world, lodged_area=world.village_a1)


def test_the_same_petitioner_and_matter_within_the_window_is_a_repeat(world):
    someone = person(world, 1)
    first = register(world, petitioners=[someone])
    second = register(world, petitioners=[someone, person(world, 2)])
    assert (second.repeat, second.previous) == (True, first)
    # another matter is not a repeat
    other = register(world, petitioners=[someone], category=matter(LAND))
    assert other.repeat is False


def test_outside_the_repeat_window_is_a_first_petition(world, settings):
    someone = person(world, 1)
    register(world, petitioners=[someone], received_at=_days_ago(40))
    settings.GRIDGOV_PETITIONS = {"repeat_window_days": 30}
    assert register(world, petitioners=[someone]).repeat is False


def _days_ago(days):
    import datetime as dt

    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=days)


def test_department_must_serve_the_petitioners_area(world):
    from gridgov.accounts import services as accounts

    far = accounts.create_department(
        actor=world.system, area=world.township_b, name="集士港信访办", kind="petition"
    )
    with pytest.raises(Invalid) as exc:
        register(world, department=far)
    assert exc.value.field == "department"


def test_register_needs_the_right_over_the_petitioners_grid(world):
    with pytest.raises(NotPermitted):
        register(world, actor=world.center_b)
    with pytest.raises(NotPermitted):
        register(world, actor=world.worker_a1)


def test_a_petitioner_outside_the_jurisdiction_is_not_found(world):
    with pytest.raises((NotPermitted, NotFound)):
        register(world, petitioners=[person(world, 3, grid=world.grid_b1)])


def test_a_category_of_another_kind_is_refused(world):
    from gridgov.events.models import Category

    with unscoped("test"):
        fire = Category.objects.get(code="hazard-fire")
    with pytest.raises(Invalid) as exc:
        register(world, category=fire)
    assert exc.value.field == "category"


def test_a_replayed_client_id_returns_the_first_petition(world):
    client_id = uuid.uuid4()
    someone = person(world, 1)
    first = register(world, petitioners=[someone], client_id=client_id)
    again = register(world, petitioners=[someone], client_id=client_id)
    assert again.pk == first.pk
    assert petitions_count() == 1


# --- Stages --------------------------------------------------------------------------------------


def test_not_accepted_needs_a_reason_and_rejects_the_event(world):
    p = register(world)
    with pytest.raises(Invalid):
        services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=False)
    p = services.decide_acceptance(
        p, actor=world.center_a, version=p.version, accepted=False, note="属诉讼途径解决事项"
    )
    assert (p.stage, event_of(p).state) == ("not_accepted", "rejected")
    assert_audited(p, "petitions.petition.not_accepted", world.center_a)
    with pytest.raises(InvalidTransition):
        services.take_case(p, actor=world.leader_a)


def test_the_responsible_departments_handler_may_decide_and_reply(world):
    office, handler = petition_office(world)
    p = register(world, department=office)
    p = services.decide_acceptance(p, actor=handler, version=p.version, accepted=True)
    p = services.reply_petition(p, actor=handler, version=p.version, reply="已答复")
    assert p.stage == "replied"
    # but only the center extends
    q = accepted(world, department=office)
    with pytest.raises(NotPermitted):
        services.extend_handling(q, actor=handler, version=q.version, value=5, reason="会商")


def test_another_township_or_department_may_not_act(world):
    office, _ = petition_office(world)
    p = register(world, department=office)
    with pytest.raises(NotPermitted):
        services.decide_acceptance(p, actor=world.center_b, version=p.version, accepted=True)
    with pytest.raises(NotPermitted):
        services.decide_acceptance(p, actor=world.handler_a, version=p.version, accepted=True)


def test_a_stale_version_is_a_conflict(world):
    from gridgov.core.errors import Conflict

    p = register(world)
    services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)
    with pytest.raises(Conflict):
        services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)


def test_steps_out_of_order_are_refused(world):
    p = register(world)
    with pytest.raises(InvalidTransition):
        services.reply_petition(p, actor=world.center_a, version=p.version, reply="答复")
    with pytest.raises(InvalidTransition):
        services.rate_petition(p, actor=world.center_a, version=p.version, rating="satisfied")
    with pytest.raises(InvalidTransition):
        services.close_petition(p, actor=world.center_a, version=p.version)


def test_review_is_answered_by_the_level_above_only(world):
    p = replied(world)
    p = services.request_review(p, actor=world.center_a, version=p.version, reason="不服")
    for somebody in (world.center_a, world.leader_a):
        with pytest.raises(NotPermitted):
            services.record_review(p, actor=somebody, version=p.version, opinion="维持")
    p = services.record_review(p, actor=county_desk(world), version=p.version, opinion="维持")
    assert (p.stage, event_of(p).state) == ("reviewed", "closed")


def test_closing_waits_for_the_window(world):
    p = replied(world)
    with pytest.raises(InvalidTransition):
        services.close_petition(p, actor=world.center_a, version=p.version)


def test_the_daily_job_closes_lapsed_petitions(world, monkeypatch):
    import datetime as dt

    from gridgov.petitions.tasks import close_lapsed_petitions

    p = replied(world)
    later = reload(p).review_request_until + dt.timedelta(minutes=1)
    monkeypatch.setattr(services, "_now", lambda: later)
    assert close_lapsed_petitions.call() == 1
    assert reload(p).stage == "closed"
    assert close_lapsed_petitions.call() == 0


def test_rating_after_the_answer_and_dissatisfied_needs_a_reason(world):
    p = replied(world)
    with pytest.raises(Invalid):
        services.rate_petition(p, actor=world.center_a, version=p.version, rating="dissatisfied")
    p = services.rate_petition(p, actor=world.center_a, version=p.version, rating="basically")
    assert (p.rating, p.stage) == ("basically", "replied")
    assert steps(p)[-1] == "petition_rated"
    assert_audited(p, "petitions.petition.rated", world.center_a)


# --- Leaders -------------------------------------------------------------------------------------


def test_a_leader_takes_a_case_and_the_center_may_name_one(world):
    p = register(world)
    case = services.take_case(p, actor=world.leader_a, note="一周内见面")
    assert (case.leader, case.area_path) == (world.leader_a, p.area_path)
    with pytest.raises(InvalidTransition):
        services.take_case(p, actor=world.leader_a)
    with pytest.raises(NotPermitted):
        services.take_case(p, actor=world.center_a)  # not a leader
    with pytest.raises(Invalid):
        services.take_case(p, actor=world.center_a, leader=world.officer_a1)
    case = services.end_case(case, actor=world.leader_a, version=case.version, note="已化解")
    assert case.ended_at is not None
    assert (
        services.take_case(p, actor=world.center_a, leader=world.leader_a).leader == world.leader_a
    )
    with unscoped("test"):
        assert LeaderCase.objects.filter(petition=p).count() == 2
    assert steps(p).count("leader_case") == 2


def test_reception_day_and_its_receptions(world):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    day = services.schedule_reception_day(
        actor=world.center_a,
        area=world.township_a,
        leader=world.leader_a,
        day=today,
        place="镇信访接待室",
    )
    someone = person(world, 1)
    p = register(world, petitioners=[someone])
    reception = services.record_reception(
        day, actor=world.leader_a, person=someone, petition=p, summary="答应两周内答复"
    )
    assert (reception.area_path, reception.petition) == (world.township_a.path, p)
    later = services.schedule_reception_day(
        actor=world.leader_a,
        area=world.township_a,
        leader=world.leader_a,
        day=today + dt.timedelta(days=7),
        place="甲村",
    )
    with pytest.raises(InvalidTransition):
        services.record_reception(later, actor=world.leader_a, person=someone, summary="提前")
    with pytest.raises(Invalid):
        services.schedule_reception_day(
            actor=world.center_a,
            area=world.township_a,
            leader=world.officer_a1,
            day=today,
            place="x",
        )
    with pytest.raises(NotPermitted):
        services.schedule_reception_day(
            actor=world.center_b, area=world.township_a, leader=world.leader_a, day=today, place="x"
        )


# --- Key petitioners -----------------------------------------------------------------------------


@pytest.fixture
def flag_handler():
    seen = []

    def handler(flag, actor):
        seen.append((flag.code, flag.person.pk, flag.source, actor.pk))
        return "status"

    flags.register_flag_handler("key_petitioner", handler)
    yield seen
    flags._handlers["key_petitioner"].remove(handler)
    if not flags._handlers["key_petitioner"]:
        del flags._handlers["key_petitioner"]


def test_key_petitioner_flag_needs_a_handler_and_the_threshold(world, flag_handler):
    someone = person(world, 1)
    p1 = register(world, petitioners=[someone])
    with pytest.raises(Invalid):
        services.flag_key_petitioner(p1, actor=world.center_a, person=someone)
    register(world, petitioners=[someone])
    p3 = register(world, petitioners=[someone])
    record = services.flag_key_petitioner(p3, actor=world.center_a, person=someone)
    assert record.petition_count == 3
    assert flag_handler == [("key_petitioner", someone.pk, event_of(p3).code, world.center_a.pk)]
    with pytest.raises(InvalidTransition):
        services.flag_key_petitioner(p3, actor=world.center_a, person=someone)
    with pytest.raises(Invalid):
        services.flag_key_petitioner(p3, actor=world.center_a, person=person(world, 2))
    with pytest.raises(NotPermitted):
        services.flag_key_petitioner(p3, actor=world.leader_a, person=someone)


def test_key_petitioner_flag_without_a_handler_is_refused(world, monkeypatch):
    monkeypatch.setattr(flags, "_handlers", {})
    someone = person(world, 1)
    for _ in range(3):
        p = register(world, petitioners=[someone])
    with pytest.raises(InvalidTransition):
        services.flag_key_petitioner(p, actor=world.center_a, person=someone)
    with unscoped("test"):
        assert not KeyPetitionerFlag.objects.exists()


def test_the_hub_offers_and_takes_only_supervision_on_a_petition(world):
    from gridgov.events import selectors as event_selectors
    from gridgov.events import services as event_services

    event = event_of(register(world, petitioners=[person(world, 1)]))
    assert event_selectors.available_actions(world.worker_a1, event) == []
    # the center may still 催办 and a leader 督办, as on any open event; no hub step is offered
    assert event_selectors.available_actions(world.center_a, event) == ["supervise"]
    assert event_selectors.available_actions(world.leader_a, event) == ["supervise"]
    with pytest.raises(InvalidTransition) as refused:
        event_services.accept_event(event, actor=world.center_a, version=event.version)
    assert "信访事项" in str(refused.value)
    assert_chinese(refused)
    # supervision still works as on any event
    event_services.supervise_event(event, actor=world.leader_a, level="supervise", note="抓紧办理")
    assert reload(event).supervision == "supervise"
