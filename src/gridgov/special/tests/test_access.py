"""Who sees what: jurisdiction, the restricted type (HIV-risk persons), masked lists, the access
log of every opened file — and a user without the grant sees nothing, not even counts."""

from __future__ import annotations

import pytest
from django.test import Client

from gridgov.core.models import AccessEntry
from gridgov.core.scoping import unscoped
from gridgov.special import selectors, services
from gridgov.special.models import Handover, SpecialStatus, StatusChange, Visit
from gridgov.special.tests.support import open_status, person


@pytest.fixture
def statuses(world):
    """A mental-disorder status in grid A1, a drug user in grid B1 and an HIV-risk status in
    grid A1, each with a visit."""
    mental = open_status(world, person=person(world, name="张三丰"), grade="stable")
    drug = open_status(
        world,
        world.center_b,
        person=person(world, grid=world.grid_b1, name="李四海"),
        code="drug",
        grade="low",
    )
    hiv = open_status(world, person=person(world, name="王五岳"), code="hiv", grade="high")
    services.log_visit(mental, actor=world.worker_a1, kind="talk", findings="平稳")
    services.log_visit(drug, actor=world.worker_b1, kind="home_visit", findings="在家")
    services.log_visit(hiv, actor=world.center_a, kind="talk", findings="服药")
    return {"mental": mental, "drug": drug, "hiv": hiv}


def seen(user, model=SpecialStatus, action="special.view") -> set[int]:
    return set(model.objects.for_user(user, action).values_list("pk", flat=True))


def test_each_role_sees_the_statuses_of_its_jurisdiction(world, statuses):
    mental, drug, hiv = statuses["mental"].pk, statuses["drug"].pk, statuses["hiv"].pk
    assert seen(world.worker_a1) == {mental}
    assert seen(world.worker_a2) == set()
    assert seen(world.worker_b1) == {drug}
    assert seen(world.officer_a1) == {mental}
    assert seen(world.center_a) == {mental, hiv}
    assert seen(world.center_b) == {drug}
    assert seen(world.leader_a) == {mental}


@pytest.mark.parametrize("username", ["handler_a", "mediator_a", "admin"])
def test_a_user_without_the_grant_sees_nothing_not_even_counts(world, statuses, username):
    user = world.users[username]
    for model in (SpecialStatus, Visit, StatusChange, Handover):
        qs = model.objects.for_user(user, "special.view")
        assert qs.count() == 0 and not qs.exists()
    client = Client()
    client.force_login(user)
    for url in ("/special/", "/special/overdue/", "/special/mine/", "/special/handovers/"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/special/{statuses['mental'].pk}/").status_code == 404
    assert client.get("/metrics/?group=special").status_code == 403
    home = client.get("/").content.decode()
    assert 'href="/special/"' not in home and 'href="/special/mine/"' not in home


def test_hiv_risk_statuses_and_their_records_are_hidden_without_the_named_grant(world, statuses):
    hiv = statuses["hiv"]
    for user in (world.worker_a1, world.officer_a1, world.leader_a):
        assert hiv.pk not in seen(user)
        assert not Visit.objects.for_user(user, "special.view").filter(status=hiv).exists()
        assert not StatusChange.objects.for_user(user, "special.view").filter(status=hiv).exists()
        assert (
            SpecialStatus.objects.for_user(user, "special.view").filter(type__code="hiv").count()
            == 0
        )
    assert hiv.pk in seen(world.center_a)
    client = Client()
    client.force_login(world.worker_a1)
    assert client.get(f"/special/{hiv.pk}/").status_code == 404
    listing = client.get("/special/").content.decode()
    assert "艾滋病" not in listing.split("<table", 1)[1]


def test_the_superuser_sees_every_status(world, statuses):
    from gridgov.accounts.system import system_actor

    assert seen(system_actor()) == {s.pk for s in statuses.values()}


def test_lists_are_masked_and_opening_a_file_is_logged(world, statuses):
    client = Client()
    client.force_login(world.center_a)
    listing = client.get("/special/").content.decode()
    assert "张*丰" in listing and "王*岳" in listing
    assert "张三丰" not in listing and "330203" not in listing.replace("330203******", "")
    with unscoped("test"):
        before = AccessEntry.objects.filter(kind="file_view").count()
    page = client.get(f"/special/{statuses['mental'].pk}/")
    assert page.status_code == 200 and "张三丰" in page.content.decode()
    with unscoped("test"):
        entry = AccessEntry.objects.filter(kind="file_view").order_by("-pk").first()
        assert AccessEntry.objects.filter(kind="file_view").count() == before + 1
    assert (entry.user, entry.object_id, entry.area_path) == (
        world.center_a,
        str(statuses["mental"].pk),
        world.grid_a1.path,
    )


def test_mask_name():
    assert [selectors.mask_name(n) for n in ("", "张", "张三", "张三丰", "欧阳娜娜")] == [
        "",
        "张",
        "张*",
        "张*丰",
        "欧**娜",
    ]


def test_the_person_file_shows_only_visible_statuses(world, statuses):
    from gridgov.registry.selectors import person_file_sections

    hiv_person = statuses["hiv"].person
    center = [s for s in person_file_sections(world.center_a, hiv_person) if s.title == "特殊人群"]
    worker = [s for s in person_file_sections(world.worker_a1, hiv_person) if s.title == "特殊人群"]
    assert [s.pk for s in center[0].context["statuses"]] == [statuses["hiv"].pk]
    assert worker[0].context["statuses"] == []
    assert not [
        s for s in person_file_sections(world.handler_a, hiv_person) if s.title == "特殊人群"
    ]


# The jurisdiction matrix of special statuses: village A1 and village A2, through pages and API.
SEES = {
    "worker_a1": {"a1"},
    "worker_a2": {"a2"},
    "officer_a1": {"a1"},
    "officer_a2": {"a2"},
    "center_a": {"a1", "a2"},
    "leader_a": {"a1", "a2"},
    "center_b": set(),
    "admin": set(),
    "handler_a": set(),
}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_jurisdiction_matrix_of_statuses(world, persona):
    from rest_framework.test import APIClient

    targets = {
        "a1": open_status(world, person=person(world, name="甲村人"), grade="stable"),
        "a2": open_status(
            world, person=person(world, grid=world.grid_a2, name="乙村人"), grade="stable"
        ),
    }
    user = world.users[persona]
    client, api = Client(), APIClient()
    client.force_login(user)
    api.force_authenticate(user)
    for village, status in targets.items():
        visible = village in SEES[persona]
        assert client.get(f"/special/{status.pk}/").status_code == (200 if visible else 404)
        assert api.get(f"/api/special-statuses/{status.pk}/").status_code == (
            200 if visible else 404
        )
        assert (status.pk in seen(user)) is visible
    listed = api.get("/api/special-statuses/").json()
    assert listed["count"] == len(SEES[persona])
