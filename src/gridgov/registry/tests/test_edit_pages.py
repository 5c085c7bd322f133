"""Edit pages for people, houses and units: prefilled, version-checked (a stale form shows the
Chinese conflict message and changes nothing), numbers on file never shown, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.testing.helpers import fresh
from gridgov.registry import services

pytestmark = pytest.mark.django_db

ZHANG = "11010519491231002X"  # female, 1949-12-31
LI = "33020319800101001X"  # male, 1980-01-01
CREDIT_CODE = "913302031440000019"
CONFLICT = "该记录已被他人修改,请刷新后重试。"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def house(world):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12号"
    )
    return services.create_house(actor=world.worker_a1, address=address, floor_area="88.50")


@pytest.fixture
def person(world, house):
    return services.register_person(
        actor=world.worker_a1,
        id_number=ZHANG,
        house=house,
        name="张三丰",
        residence_type="registered",
        phone="13812345678",
        occupation="教师",
    )


@pytest.fixture
def unit(world, house):
    return services.create_unit(
        actor=world.worker_a1,
        address=house.address,
        name="沿河便利店",
        unit_type="shop",
        credit_code=CREDIT_CODE,
        legal_rep_name="李四",
        legal_rep_phone="13900001111",
    )


def _form_data(response) -> dict:
    """What the browser would send back: the form's initial values, rendered."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
        if hasattr(field, "widget") and field.widget.input_type == "checkbox":
            data[name] = "on"
    return data


# --- Person --------------------------------------------------------------------------------------


def test_person_edit_is_prefilled_and_never_shows_the_numbers(world, person):
    client = _client(world.worker_a1)
    detail = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    url = reverse("registry:person_edit", args=[person.pk])
    assert url in detail

    response = client.get(url)
    page = response.content.decode()
    assert 'value="张三丰"' in page and 'value="教师"' in page
    assert f'name="version" value="{person.version}"' in page
    assert ZHANG not in page and "13812345678" not in page
    assert "1101**********002X" in page and "留空表示不修改" in page
    assert response.context["form"]["id_number"].value() in (None, "")


def test_person_edit_saves_and_an_empty_id_field_keeps_the_number(world, person):
    client = _client(world.worker_a1)
    url = reverse("registry:person_edit", args=[person.pk])
    data = _form_data(client.get(url)) | {"occupation": "退休教师", "id_number": "", "phone": ""}

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = fresh(person)
    assert saved.occupation == "退休教师"
    assert saved.id_masked == "1101**********002X"
    assert services.find_by_id_number(ZHANG) == saved
    assert saved.phone_masked == "138****5678"
    assert saved.version == person.version + 1


def test_person_edit_stale_version_shows_the_conflict(world, person):
    client = _client(world.worker_a1)
    url = reverse("registry:person_edit", args=[person.pk])
    data = _form_data(client.get(url))
    services.update_person(
        fresh(person), actor=world.center_a, version=person.version, occupation="校长"
    )

    response = client.post(url, data | {"occupation": "退休教师"})

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert fresh(person).occupation == "校长"


def test_person_edit_refuses_a_birth_date_contradicting_the_number(world, person):
    client = _client(world.worker_a1)
    url = reverse("registry:person_edit", args=[person.pk])
    data = _form_data(client.get(url)) | {"birth_date": "1950-01-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "出生日期与公民身份号码不符" in response.content.decode()
    assert fresh(person).birth_date == dt.date(1949, 12, 31)


def test_person_edit_takes_a_new_number(world, house):
    person = services.register_person(
        actor=world.worker_a1,
        id_number=None,
        house=house,
        name="李雷",
        sex="1",
        residence_type="unregistered",
    )
    client = _client(world.worker_a1)
    url = reverse("registry:person_edit", args=[person.pk])
    data = _form_data(client.get(url)) | {"id_number": LI, "residence_type": "registered"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = fresh(person)
    assert saved.id_masked == "3302**********001X"
    assert saved.birth_date == dt.date(1980, 1, 1)


# --- House ---------------------------------------------------------------------------------------


def test_house_edit_prefilled_saves_and_keeps_the_landlord_number(world, house):
    client = _client(world.worker_a1)
    assert (
        reverse("registry:house_edit", args=[house.pk])
        in client.get(reverse("registry:house", args=[house.pk])).content.decode()
    )
    url = reverse("registry:house_edit", args=[house.pk])
    response = client.get(url)
    assert 'value="88.50"' in response.content.decode()
    data = _form_data(response)

    refused = client.post(url, data | {"occupancy": "rented"})
    assert "出租房请选择出租用途" in refused.content.decode()

    rented = data | {
        "occupancy": "rented",
        "rental_use": "02",
        "owner_name": "李房东",
        "owner_id_number": LI,
        "fire_pledge_signed": "on",
        "fire_pledge_date": "2026-03-01",
    }
    assert client.post(url, rented).status_code == 302
    saved = fresh(house)
    assert saved.is_rental and saved.owner_id_masked == "3302**********001X"

    page = client.get(url).content.decode()
    assert LI not in page and "3302**********001X" in page
    again = _form_data(client.get(url)) | {"rental_no": "出租-07"}
    assert client.post(url, again).status_code == 302
    saved = fresh(house)
    assert saved.rental_no == "出租-07" and saved.owner_id_masked == "3302**********001X"


def test_house_edit_stale_version_shows_the_conflict(world, house):
    client = _client(world.worker_a1)
    url = reverse("registry:house_edit", args=[house.pk])
    data = _form_data(client.get(url))
    services.update_house(fresh(house), actor=world.worker_a1, version=house.version, use="06")
    response = client.post(url, data | {"use": "02"})
    assert CONFLICT in response.content.decode()
    assert fresh(house).use == "06"


# --- Unit ----------------------------------------------------------------------------------------


def test_unit_edit_prefilled_and_empty_phone_keeps_it(world, unit):
    client = _client(world.worker_a1)
    assert (
        reverse("registry:unit_edit", args=[unit.pk])
        in client.get(reverse("registry:unit", args=[unit.pk])).content.decode()
    )
    url = reverse("registry:unit_edit", args=[unit.pk])
    response = client.get(url)
    page = response.content.decode()
    assert CREDIT_CODE in page and "13900001111" not in page and "139****1111" in page

    data = _form_data(response) | {"headcount": "12", "security_contact_phone": "13700002222"}
    assert client.post(url, data).status_code == 302
    saved = fresh(unit)
    assert saved.headcount == 12
    assert saved.legal_rep_phone_masked == "139****1111"
    assert saved.security_contact_phone_masked == "137****2222"


def test_unit_edit_stale_version_and_bad_credit_code(world, unit):
    client = _client(world.worker_a1)
    url = reverse("registry:unit_edit", args=[unit.pk])
    data = _form_data(client.get(url))
    bad = client.post(url, data | {"credit_code": CREDIT_CODE[:-1] + "8"})
    assert bad.status_code == 200 and fresh(unit).credit_code == CREDIT_CODE
    services.update_unit(fresh(unit), actor=world.worker_a1, version=unit.version, headcount=3)
    response = client.post(url, data | {"name": "沿河超市"})
    assert CONFLICT in response.content.decode()
    assert fresh(unit).name == "沿河便利店"


# --- Scoping -------------------------------------------------------------------------------------


def test_edit_pages_need_change_rights_in_the_area(world, person, house, unit):
    urls = [
        reverse("registry:person_edit", args=[person.pk]),
        reverse("registry:house_edit", args=[house.pk]),
        reverse("registry:unit_edit", args=[unit.pk]),
    ]
    # another township, another grid of the same township, a leader who only reads
    for user in (world.center_b, world.worker_a2, world.leader_a):
        client = _client(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"version": 1, "name": "x"}).status_code == 404
    assert fresh(person).name == "张三丰" and fresh(unit).name == "沿河便利店"
    leader_page = _client(world.leader_a).get(reverse("registry:person", args=[person.pk]))
    assert urls[0] not in leader_page.content.decode()
