"""A handover between two townships: both sides' views and who is responsible at every step."""

from __future__ import annotations

import pytest
from django.test import Client

from gridgov.core.errors import Invalid, InvalidTransition, NotFound, NotPermitted
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.special import selectors, services
from gridgov.special.models import Handover, SpecialStatus, Visit
from gridgov.special.tests.support import fresh, open_status, person


def sees(user, status) -> bool:
    return SpecialStatus.objects.for_user(user, "special.view").filter(pk=status.pk).exists()


def responsible(status) -> tuple[str, str]:
    status = fresh(status)
    with unscoped("test"):
        return status.area.name, status.officer.username


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_handover_from_township_a_to_township_b(world):
    status = open_status(
        world,
        person=person(world, name="孙大圣"),
        code="released",
        grade="key",
        officer=world.worker_a1,
    )
    services.log_visit(status, actor=world.worker_a1, kind="talk", findings="说明将搬往集士港镇")
    status = fresh(status)
    assert responsible(status) == ("甲村第一网格", "worker_a1")
    assert not sees(world.center_b, status) and not sees(world.worker_b1, status)

    # 1. The sending area starts it: still responsible, both sides see the pending handover.
    handover = services.start_handover(
        status,
        actor=world.center_a,
        version=status.version,
        to_area=world.grid_b1,
        reason="迁居丙村",
    )
    assert responsible(status) == ("甲村第一网格", "worker_a1")
    assert sees(world.worker_a1, status) and sees(world.center_a, status)
    assert sees(world.center_b, status) and sees(world.worker_b1, status)  # the receiver, read-only
    assert not sees(world.worker_a2, status)
    for user in (world.center_a, world.center_b):
        assert Handover.objects.for_user(user, "special.view").filter(pk=handover.pk).exists()
    incoming_b, outgoing_b = selectors.pending_handovers(world.center_b)
    incoming_a, outgoing_a = selectors.pending_handovers(world.center_a)
    assert [h.pk for h in incoming_b] == [handover.pk] and outgoing_b == []
    assert [h.pk for h in outgoing_a] == [handover.pk] and incoming_a == []
    assert "孙*圣" in page(world.center_b, "/special/handovers/")
    assert "已 0 天" in page(world.center_a, "/special/handovers/")
    # Until accepted, only the sender acts: the receiver may not visit or change it.
    with pytest.raises(NotPermitted):
        services.log_visit(status, actor=world.worker_b1, kind="talk", findings="x")
    with pytest.raises(NotPermitted):
        services.change_grade(
            fresh(status), actor=world.center_b, version=fresh(status).version, grade="general"
        )
    services.log_visit(status, actor=world.worker_a1, kind="talk", findings="仍在本村")
    # The sender cannot end it or start a second one meanwhile.
    with pytest.raises(InvalidTransition):
        services.end_status(
            fresh(status), actor=world.center_a, version=fresh(status).version, reason="moved_out"
        )
    with pytest.raises(InvalidTransition):
        services.start_handover(
            fresh(status),
            actor=world.center_a,
            version=fresh(status).version,
            to_area=world.grid_a2,
            reason="x",
        )
    # The sender cannot accept its own handover, nor name an officer outside the receiving area.
    with pytest.raises(NotPermitted):
        services.accept_handover(
            handover, actor=world.center_a, version=handover.version, officer=world.worker_a1
        )
    with pytest.raises(Invalid):
        services.accept_handover(
            handover, actor=world.center_b, version=handover.version, officer=world.worker_a1
        )
    assert responsible(status) == ("甲村第一网格", "worker_a1")

    # 2. The receiving area accepts and names its grid worker.
    handover = services.accept_handover(
        fresh(handover),
        actor=world.center_b,
        version=fresh(handover).version,
        officer=world.worker_b1,
    )
    assert responsible(status) == ("丙村第一网格", "worker_b1")
    assert fresh(status).area_path == world.grid_b1.path
    assert not sees(world.worker_a1, status) and not sees(world.center_a, status)
    assert sees(world.worker_b1, status) and sees(world.center_b, status)
    # Its visits followed it; both sides still see the handover record.
    assert (
        Visit.objects.for_user(world.worker_b1, "special.view").filter(status=status).count() == 2
    )
    assert (
        Visit.objects.for_user(world.worker_a1, "special.view").filter(status=status).count() == 0
    )
    for user in (world.center_a, world.center_b):
        assert (
            Handover.objects.for_user(user, "special.view")
            .filter(pk=handover.pk, state="accepted")
            .exists()
        )
    with pytest.raises(InvalidTransition):
        services.reject_handover(
            fresh(handover), actor=world.center_b, version=fresh(handover).version, reason="x"
        )
    detail = page(world.worker_b1, f"/special/{status.pk}/")
    assert "交接至新区域" in detail and "丙村第一网格" in detail
    services.log_visit(status, actor=world.worker_b1, kind="home_visit", findings="已入住")


def test_a_rejected_or_withdrawn_handover_leaves_the_sender_responsible(world):
    status = open_status(world, code="released", grade="general", officer=world.worker_a1)
    handover = services.start_handover(
        status,
        actor=world.officer_a1,
        version=status.version,
        to_area=world.grid_b1,
        reason="外出务工",
    )
    with pytest.raises(Invalid):
        services.reject_handover(
            handover, actor=world.center_b, version=handover.version, reason=""
        )
    services.reject_handover(
        handover, actor=world.center_b, version=handover.version, reason="查无此人"
    )
    assert responsible(status) == ("甲村第一网格", "worker_a1")
    assert not sees(world.center_b, status)
    handover = services.start_handover(
        fresh(status),
        actor=world.center_a,
        version=fresh(status).version,
        to_area=world.grid_b1,
        reason="再次移交",
    )
    with pytest.raises(NotPermitted):
        services.cancel_handover(handover, actor=world.center_b, version=handover.version)
    services.cancel_handover(
        handover, actor=world.center_a, version=handover.version, reason="未迁出"
    )
    assert not sees(world.center_b, status)
    assert responsible(status) == ("甲村第一网格", "worker_a1")


def test_a_handover_needs_the_manage_role_and_a_real_other_area(world):
    status = open_status(world, code="released", grade="general")
    for user in (world.worker_a1, world.center_b, world.leader_a):
        with pytest.raises((NotPermitted, NotFound)):
            services.start_handover(
                status, actor=user, version=status.version, to_area=world.grid_b1, reason="x"
            )
    with pytest.raises(Invalid):
        services.start_handover(
            status, actor=world.center_a, version=status.version, to_area=world.grid_a1, reason="x"
        )
    with pytest.raises(Invalid):
        services.start_handover(
            status, actor=world.center_a, version=status.version, to_area=world.grid_b1, reason=" "
        )


def test_a_restricted_status_handed_over_is_seen_only_by_the_receivers_with_the_grant(world):
    status = open_status(world, code="hiv", grade="high", officer=world.center_a)
    handover = services.start_handover(
        status, actor=world.center_a, version=status.version, to_area=world.grid_b1, reason="迁居"
    )
    assert sees(world.center_b, status)
    assert not sees(world.worker_b1, status)
    assert (
        not Handover.objects.for_user(world.worker_b1, "special.view")
        .filter(pk=handover.pk)
        .exists()
    )
    assert jurisdiction(world.center_b).allows("special.hiv", world.grid_b1.path)
    services.accept_handover(
        handover, actor=world.center_b, version=handover.version, officer=world.center_b
    )
    assert responsible(status) == ("丙村第一网格", "center_b")


def test_the_accept_page_names_the_officer(world):
    status = open_status(world, code="released", grade="key", officer=world.worker_a1)
    handover = services.start_handover(
        status, actor=world.center_a, version=status.version, to_area=world.grid_b1, reason="迁居"
    )
    client = Client()
    client.force_login(world.center_b)
    response = client.post(
        f"/special/handovers/{handover.pk}/accept/",
        {
            f"a{handover.pk}-version": handover.version,
            f"a{handover.pk}-officer": world.worker_b1.pk,
        },
    )
    assert response.status_code == 302 and response.url == f"/special/{status.pk}/"
    assert responsible(status) == ("丙村第一网格", "worker_b1")


def test_the_start_page_finds_the_receiving_area_by_code(world):
    status = open_status(world, code="released", grade="key", officer=world.worker_a1)
    client = Client()
    client.force_login(world.center_a)
    response = client.post(
        f"/special/{status.pk}/do/handover/",
        {
            "handover-version": status.version,
            "handover-to_area_code": "999",
            "handover-reason": "迁居",
        },
    )
    assert response.status_code == 400 and "未找到该代码" in response.content.decode()
    response = client.post(
        f"/special/{status.pk}/do/handover/",
        {
            "handover-version": status.version,
            "handover-to_area_code": world.grid_b1.code,
            "handover-reason": "迁居",
        },
    )
    assert response.status_code == 302
    assert selectors.pending_handover_of(status).to_area == world.grid_b1
