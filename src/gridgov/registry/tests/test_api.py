"""Registry API: create along the chain address → house → person, masked output, reveal with
the right role, search, retries, scoping."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.django_db
ZHANG = "11010519491231002X"


@pytest.fixture
def house_id(world, api_client):
    api_client.force_authenticate(world.worker_a1)
    address = api_client.post(
        "/api/addresses/",
        {"grid": world.grid_a1.pk, "street": "沿河路", "door_no": "12"},
        format="json",
    )
    assert address.status_code == 201, address.json()
    house = api_client.post("/api/houses/", {"address": address.json()["id"]}, format="json")
    assert house.status_code == 201, house.json()
    return house.json()["id"]


def test_register_search_and_reveal_through_the_api(world, api_client, house_id):
    key = str(uuid.uuid4())
    payload = {
        "house": house_id,
        "id_number": ZHANG,
        "name": "张三丰",
        "residence_type": "registered",
        "phone": "13812345678",
        "client_uuid": key,
    }
    created = api_client.post("/api/people/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["id_number"] == "1101**********002X"
        and body["phone"] == "138****5678"
        and body["sex"] == "2"
    )
    assert ZHANG not in str(body)
    # a retried submission returns the same record
    again = api_client.post("/api/people/", payload, format="json")
    assert again.json()["id"] == body["id"]
    # search
    assert [p["id"] for p in api_client.get("/api/people/", {"q": "zsf"}).json()["results"]] == [
        body["id"]
    ]
    # a grid worker may not reveal; center staff may
    assert (
        api_client.post(
            f"/api/people/{body['id']}/reveal/", {"field": "id_number"}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(world.center_a)
    revealed = api_client.post(
        f"/api/people/{body['id']}/reveal/", {"field": "id_number"}, format="json"
    )
    assert revealed.status_code == 200 and revealed.json()["value"] == ZHANG


def test_invalid_id_number_is_a_chinese_400(world, api_client, house_id):
    response = api_client.post(
        "/api/people/",
        {
            "house": house_id,
            "id_number": "110105194912310021",
            "name": "张",
            "residence_type": "registered",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["detail"]


def test_people_of_another_township_are_absent(world, api_client, house_id):
    person = api_client.post(
        "/api/people/",
        {"house": house_id, "id_number": ZHANG, "name": "张三丰", "residence_type": "registered"},
        format="json",
    ).json()
    api_client.force_authenticate(world.center_b)
    assert api_client.get(f"/api/people/{person['id']}/").status_code == 404
    assert api_client.get("/api/people/", {"q": ZHANG}).json()["count"] == 0
    assert (
        api_client.post(
            f"/api/people/{person['id']}/reveal/", {"field": "id_number"}, format="json"
        ).status_code
        == 404
    )
    # a house in township A cannot even be named
    response = api_client.post(
        "/api/people/",
        {"house": house_id, "name": "X", "residence_type": "overseas"},
        format="json",
    )
    assert response.status_code == 400 and "house" in response.json()
