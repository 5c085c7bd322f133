"""Dispute details and parties: who may record them, the code-table rules, the timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.disputes import selectors, services
from gridgov.disputes.models import DisputeDetail, DisputeParty
from gridgov.disputes.tests.support import detail, dispute_event, person, reload, steps
from gridgov.events import services as event_services
from gridgov.events.models import Category

pytestmark = pytest.mark.django_db


def test_record_dispute_writes_details_step_and_audit(world):
    # given a dispute event reported by a grid worker
    event = dispute_event(world)
    # when the village officer records its details
    row = services.record_dispute(
        event,
        actor=world.officer_a1,
        subcategory="0201",
        scale="01",
        amount=Decimal("1200.50"),
        people_count=3,
        risk_extreme=True,
        risk_level="orange",
        owner=world.leader_a,
        assessment="双方情绪激动,需尽快调解。",
    )
    # then
    row = reload(row)
    assert row.area_path == event.area_path
    assert row.get_subcategory_display() == "邻里 · 用水排水通行通风采光"
    assert row.risks == ["个人极端行为"]
    assert row.owner_id == world.leader_a.pk
    assert steps(event)[-1] == "dispute_recorded"
    assert_audited(row, "disputes.detail.recorded", world.officer_a1)


def test_record_dispute_copies_the_reported_parties(world):
    someone = person(world)
    event = dispute_event(world, persons=[someone])
    row = detail(world, event)
    parties = list(DisputeParty._base_manager.filter(dispute=row))
    assert [(p.person_id, p.role) for p in parties] == [(someone.pk, "party")]


def test_record_dispute_refuses_a_subcategory_of_another_first_level(world):
    event = dispute_event(world)  # 邻里 (02)
    with pytest.raises(Invalid) as exc:
        detail(world, event, subcategory="0701")
    assert exc.value.field == "subcategory"
    assert_chinese(exc)
    assert not DisputeDetail._base_manager.filter(event=event).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"subcategory": "0299x"}, "subcategory"),
        ({"scale": "09"}, "scale"),
        ({"people_count": 0}, "people_count"),
        ({"scale": "02", "people_count": 3}, "people_count"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"risk_level": "purple"}, "risk_level"),
    ],
)
def test_record_dispute_refuses_bad_values(world, values, field):
    event = dispute_event(world)
    with pytest.raises(Invalid) as exc:
        detail(world, event, **values)
    assert exc.value.field == field
    assert_chinese(exc)


def test_record_dispute_refuses_an_owner_outside_the_area(world):
    event = dispute_event(world)
    with pytest.raises(Invalid) as exc:
        detail(world, event, owner=world.center_b)
    assert exc.value.field == "owner"


def test_record_dispute_only_for_dispute_events(world):
    event = dispute_event(world, category_code="hazard-fire")
    with pytest.raises(Invalid):
        detail(world, event)


def test_record_dispute_twice_is_refused(world):
    row = detail(world)
    with pytest.raises(InvalidTransition):
        detail(world, reload(row.event))


@pytest.mark.parametrize("persona", ["center_b", "worker_b1", "handler_a", "leader_a"])
def test_record_dispute_forbidden(world, persona):
    event = dispute_event(world)
    with pytest.raises((NotPermitted, NotFound)) as exc:
        detail(world, event, actor=getattr(world, persona))
    assert_chinese(exc)


def test_dispatched_department_may_record_and_see_details(world):
    event = dispute_event(world)
    event = event_services.accept_event(event, actor=world.center_a, version=event.version)
    event = event_services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )
    row = detail(world, event, actor=world.handler_a)
    assert selectors.details(world.handler_a).filter(pk=row.pk).exists()
    assert not selectors.details(world.center_b).filter(pk=row.pk).exists()


def test_update_dispute_checks_version(world):
    row = detail(world)
    row = services.update_dispute(
        row, actor=world.center_a, version=row.version, is_major=True, scale="02", people_count=8
    )
    assert row.is_major and row.version == 2
    assert steps(row.event)[-1] == "dispute_changed"
    with pytest.raises(Conflict):
        services.update_dispute(row, actor=world.center_a, version=1, people_count=9)


def test_add_and_remove_party(world):
    row = detail(world)
    someone = person(world)
    party = services.add_party(
        row, actor=world.officer_a1, person=someone, role="applicant", person_category="0102"
    )
    assert_audited(party, "disputes.party.added", world.officer_a1)
    with pytest.raises(Invalid):
        services.add_party(row, actor=world.officer_a1, person=someone, role="respondent")
    party = services.remove_party(party, actor=world.officer_a1, version=party.version)
    assert party.removed_at is not None
    with pytest.raises(InvalidTransition):
        services.remove_party(party, actor=world.officer_a1, version=party.version)


def test_details_scoped_like_their_event(world):
    mine = detail(world)
    other = detail(
        world, dispute_event(world, actor=world.worker_b1, grid=world.grid_b1), actor=world.center_b
    )
    visible = set(selectors.details(world.center_a).values_list("pk", flat=True))
    assert mine.pk in visible and other.pk not in visible
    assert set(selectors.details(world.admin).values_list("pk", flat=True)) >= {mine.pk, other.pk}


def test_categories_cover_the_event_hub_dispute_categories(world):
    from gridgov.disputes.choices import CATEGORY_TREE, first_level_of_event_category

    codes = Category.objects.filter(kind__code="dispute").values_list("code", flat=True)
    assert {first_level_of_event_category(c) for c in codes} == set(CATEGORY_TREE)
