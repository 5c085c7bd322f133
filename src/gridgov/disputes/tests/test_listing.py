"""The supervised list (挂牌督办): listed by a leader with owner and target date, the hub's
挂牌督办 on the event, crossed off (销号) only when resolved, by someone other than the owner."""

from __future__ import annotations

import pytest

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.errors import Invalid, InvalidTransition, NotPermitted
from gridgov.core.testing.helpers import assert_audited, assert_chinese, make_user
from gridgov.disputes import services
from gridgov.disputes.models import MajorListing
from gridgov.disputes.tests.support import days_ago, detail, mediation, reload, steps

pytestmark = pytest.mark.django_db


def _second_leader(world):
    user = make_user(world, "leader_a2", "乙领导")
    accounts.grant_membership(user, actor=world.system, role=Role.LEADER, area=world.township_a)
    return type(user)._base_manager.get(pk=user.pk)


def test_list_and_cross_off(world):
    row = detail(world, is_major=True)
    listing = services.list_major(
        row,
        actor=world.leader_a,
        owner=world.officer_a1,
        target_on=days_ago(-20),
        reason="涉及多户,情绪激烈",
    )
    assert_audited(listing, "disputes.listing.listed", world.leader_a)
    event = reload(row.event)
    assert event.supervision == "listed" and event.supervision_deadline is not None
    assert steps(event)[-1] == "supervised"
    with pytest.raises(InvalidTransition):
        services.list_major(
            row,
            actor=world.leader_a,
            owner=world.officer_a1,
            target_on=days_ago(-20),
            reason="again",
        )
    # not resolved yet
    other = _second_leader(world)
    with pytest.raises(InvalidTransition) as exc:
        services.cross_off(
            listing, actor=other, version=listing.version, resolved_on=days_ago(0), note="已化解"
        )
    assert_chinese(exc)
    m = mediation(world, reload(row))
    services.conclude_agreement(
        m,
        actor=world.officer_a1,
        version=m.version,
        agreement_form="written",
        agreement_text="协议",
    )
    listing = reload(listing)
    crossed = services.cross_off(
        listing,
        actor=other,
        version=listing.version,
        resolved_on=days_ago(0),
        note="现场核实,已履行",
    )
    assert crossed.state == "crossed_off" and crossed.verified_by_id == other.pk
    assert steps(row.event)[-1] == "listing_crossed_off"


def test_owner_cannot_verify_own_case(world):
    row = detail(world, is_major=True)
    listing = services.list_major(
        row, actor=world.leader_a, owner=world.leader_a, target_on=days_ago(-5), reason="重大"
    )
    m = mediation(world, reload(row))
    services.conclude_agreement(
        m, actor=world.officer_a1, version=m.version, agreement_form="oral", agreement_text="和解"
    )
    with pytest.raises(NotPermitted):
        services.cross_off(
            reload(listing),
            actor=world.leader_a,
            version=listing.version,
            resolved_on=days_ago(0),
            note="好",
        )


def test_only_major_disputes_by_leaders(world):
    row = detail(world)
    with pytest.raises(InvalidTransition):
        services.list_major(
            row, actor=world.leader_a, owner=world.officer_a1, target_on=days_ago(-5), reason="x"
        )
    major = detail(world, is_major=True)
    with pytest.raises(NotPermitted):
        services.list_major(
            major, actor=world.center_a, owner=world.officer_a1, target_on=days_ago(-5), reason="x"
        )
    with pytest.raises(Invalid):
        services.list_major(
            major, actor=world.leader_a, owner=world.officer_a1, target_on=days_ago(0), reason="x"
        )
    assert not MajorListing._base_manager.exists()
