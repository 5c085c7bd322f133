"""Registry pages: register at a door, the person's file, revealing a number, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.access_log import AccessEntry
from gridgov.core.scoping import unscoped
from gridgov.registry import services
from gridgov.registry.models import Person

pytestmark = pytest.mark.django_db
ZHANG = "11010519491231002X"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def house(world):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12"
    )
    return services.create_house(actor=world.worker_a1, address=address)


def test_grid_worker_registers_address_house_and_person(world):
    client = _client(world.worker_a1)
    response = client.post(
        reverse("registry:address_create"),
        {"grid": world.grid_a1.pk, "street": "沿河路", "door_no": "12号"},
    )
    assert response.status_code == 302
    address_url = response.url
    address_pk = int(address_url.rstrip("/").split("/")[-1])
    response = client.post(
        reverse("registry:house_create", args=[address_pk]),
        {"use": "01", "ownership": "private", "occupancy": "self"},
    )
    assert response.status_code == 302
    house_pk = int(response.url.rstrip("/").split("/")[-1])
    response = client.post(
        reverse("registry:person_create", args=[house_pk]),
        {
            "id_number": ZHANG,
            "name": "张三丰",
            "ethnicity": "01",
            "residence_type": "registered",
            "arrangement": "own",
            "phone": "13812345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person_page = client.get(response.url).content.decode()
    assert "1101**********002X" in person_page and ZHANG not in person_page
    assert "查看明文" not in person_page  # a grid worker's role shows masked numbers only


def test_bad_id_number_is_explained_on_the_form(world, house):
    response = _client(world.worker_a1).post(
        reverse("registry:person_create", args=[house.pk]),
        {
            "id_number": "110105194912310021",
            "name": "张",
            "ethnicity": "01",
            "residence_type": "registered",
            "arrangement": "own",
        },
    )
    assert "校验位" in response.content.decode()
    with unscoped("test"):
        assert not Person.objects.exists()


def test_file_view_and_reveal_are_logged(world, house):
    person = services.register_person(
        actor=world.worker_a1,
        id_number=ZHANG,
        house=house,
        name="张三丰",
        residence_type="registered",
    )
    client = _client(world.center_a)
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "查看明文" in page
    revealed = client.post(
        reverse("registry:person_reveal", args=[person.pk, "id_number"]), HTTP_HX_REQUEST="true"
    )
    assert ZHANG in revealed.content.decode()
    with unscoped("test"):
        kinds = sorted(AccessEntry.objects.values_list("kind", flat=True))
    assert kinds == ["file_view", "unmasked"]
    refused = _client(world.worker_a1).post(
        reverse("registry:person_reveal", args=[person.pk, "id_number"])
    )
    assert refused.status_code == 403 and ZHANG not in refused.content.decode()


def test_people_search_page_and_scoping(world, house):
    person = services.register_person(
        actor=world.worker_a1,
        id_number=ZHANG,
        house=house,
        name="张三丰",
        residence_type="registered",
    )
    body = _client(world.center_a).get(reverse("registry:people"), {"q": "zsf"}).content.decode()
    assert "张三丰" in body
    other = _client(world.center_b)
    assert "张三丰" not in other.get(reverse("registry:people"), {"q": "zsf"}).content.decode()
    assert other.get(reverse("registry:person", args=[person.pk])).status_code == 404
    assert other.get(reverse("registry:house", args=[house.pk])).status_code == 404


def test_unit_page_lists_its_letters_and_adds_one(world):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="30"
    )
    unit = services.create_unit(
        actor=world.worker_a1, address=address, name="沿河超市", unit_type="shop"
    )
    services.add_responsibility_letter(
        unit, actor=world.worker_a1, kind="fire", signed_on=dt.date(2026, 1, 5)
    )
    client = _client(world.worker_a1)
    page = client.get(reverse("registry:unit", args=[unit.pk])).content.decode()
    assert "消防安全责任书" in page and "2026-01-05" in page
    response = client.post(
        reverse("registry:unit", args=[unit.pk]),
        {"kind": "floating", "signed_on": "2026-02-01"},
    )
    assert response.status_code == 302
    page = client.get(reverse("registry:unit", args=[unit.pk])).content.decode()
    assert "流动人口服务管理责任状" in page and "2026-02-01" in page
    # another township's center staff does not find the unit at all
    assert _client(world.center_b).get(reverse("registry:unit", args=[unit.pk])).status_code == 404
