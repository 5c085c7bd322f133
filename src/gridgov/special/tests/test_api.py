"""The API: scoped lists (masked), the logged file, permissions of each write, handovers on both
sides, and the schema."""

from __future__ import annotations

import uuid

import pytest

from gridgov.core.models import AccessEntry
from gridgov.core.scoping import unscoped
from gridgov.special import services
from gridgov.special.tests.support import open_status, person


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def statuses(world):
    mental = open_status(
        world, person=person(world, name="张三丰"), grade="stable", officer=world.worker_a1
    )
    hiv = open_status(world, person=person(world, name="王五岳"), code="hiv", grade="high")
    drug = open_status(
        world,
        world.center_b,
        person=person(world, grid=world.grid_b1, name="李四海"),
        code="drug",
        grade="low",
    )
    return {"mental": mental, "hiv": hiv, "drug": drug}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_lists_are_scoped_masked_and_hide_restricted_types(world, statuses, client_for):
    mental, hiv, drug = (statuses[k].pk for k in ("mental", "hiv", "drug"))
    assert ids(client_for(world.worker_a1).get("/api/special-statuses/")) == {mental}
    assert ids(client_for(world.center_a).get("/api/special-statuses/")) == {mental, hiv}
    assert ids(client_for(world.center_b).get("/api/special-statuses/")) == {drug}
    rows = client_for(world.center_a).get("/api/special-statuses/").json()["results"]
    assert {r["person_name"] for r in rows} == {"张*丰", "王*岳"}
    assert all("*" in r["person_id_number"] for r in rows)


@pytest.mark.parametrize("username", ["handler_a", "mediator_a", "admin"])
def test_without_the_grant_the_api_shows_nothing_not_even_a_count(
    world, statuses, client_for, username
):
    client = client_for(world.users[username])
    for url in ("/api/special-statuses/", "/api/special-visits/", "/api/special-handovers/"):
        body = client.get(url).json()
        assert body["count"] == 0 and body["results"] == [], url
    assert client.get(f"/api/special-statuses/{statuses['mental'].pk}/").status_code == 404
    assert client.get("/api/special-statuses/?overdue=true").json()["count"] == 0


def test_the_file_is_full_and_logged_and_invisible_is_absent(world, statuses, client_for):
    client = client_for(world.worker_a1)
    with unscoped("test"):
        before = AccessEntry.objects.filter(kind="file_view").count()
    body = client.get(f"/api/special-statuses/{statuses['mental'].pk}/").json()
    assert body["person_full_name"] == "张三丰" and body["changes"][0]["kind"] == "opened"
    with unscoped("test"):
        assert AccessEntry.objects.filter(kind="file_view").count() == before + 1
    assert client.get(f"/api/special-statuses/{statuses['hiv'].pk}/").status_code == 404
    assert client.get(f"/api/special-statuses/{statuses['drug'].pk}/").status_code == 404


def test_opening_through_the_api_needs_manage(world, client_for):
    target = person(world, name="周七")
    payload = {
        "person": target.pk,
        "type": "correction",
        "grade": "strict",
        "details": {"correction_kind": "02"},
    }
    assert (
        client_for(world.worker_a1)
        .post("/api/special-statuses/", payload, format="json")
        .status_code
        == 403
    )
    response = client_for(world.officer_a1).post("/api/special-statuses/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["details"] == {"correction_kind": "02"}
    again = client_for(world.officer_a1).post("/api/special-statuses/", payload, format="json")
    assert again.status_code == 409
    other = person(world, grid=world.grid_b1, name="吴八")
    response = client_for(world.officer_a1).post(
        "/api/special-statuses/", {**payload, "person": other.pk}, format="json"
    )
    assert response.status_code == 400  # a person outside the jurisdiction "does not exist"


def test_grade_officer_and_end_through_the_api(world, statuses, client_for):
    status = statuses["mental"]
    client = client_for(world.center_a)
    url = f"/api/special-statuses/{status.pk}"
    assert (
        client_for(world.worker_a1)
        .post(f"{url}/grade/", {"version": status.version, "grade": "unstable"})
        .status_code
        == 403
    )
    response = client.post(f"{url}/grade/", {"version": status.version, "grade": "unstable"})
    assert response.status_code == 200 and response.json()["grade"] == "unstable"
    assert (
        client.post(f"{url}/grade/", {"version": status.version, "grade": "stable"}).status_code
        == 409
    )
    version = response.json()["version"]
    response = client.post(f"{url}/officer/", {"version": version, "officer": world.worker_b1.pk})
    assert response.status_code == 400
    response = client.post(f"{url}/officer/", {"version": version, "officer": world.officer_a1.pk})
    assert response.status_code == 200 and response.json()["officer_name"] == "甲专干"
    response = client.post(
        f"{url}/end/", {"version": response.json()["version"], "reason": "recovered"}
    )
    assert response.status_code == 200 and response.json()["is_open"] is False


def test_a_visit_through_the_api_is_idempotent(world, statuses, client_for):
    status = statuses["mental"]
    key = str(uuid.uuid4())
    client = client_for(world.worker_a1)
    url = f"/api/special-statuses/{status.pk}/visit/"
    payload = {"kind": "followup", "findings": "平稳", "client_id": key}
    first = client.post(url, payload, format="json")
    assert first.status_code == 201, first.content
    again = client.post(url, payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert client_for(world.worker_a2).post(url, payload, format="json").status_code == 404
    assert (
        client_for(world.leader_a)
        .post(url, {"kind": "talk", "findings": "x"}, format="json")
        .status_code
        == 403
    )
    listed = client.get(f"/api/special-visits/?status={status.pk}").json()
    assert listed["count"] == 1


def test_handover_through_the_api_on_both_sides(world, statuses, client_for):
    status = statuses["mental"]
    sender, receiver = client_for(world.center_a), None
    response = sender.post(
        f"/api/special-statuses/{status.pk}/handover/",
        {"version": status.version, "to_area_code": world.grid_b1.code, "reason": "迁居"},
    )
    assert response.status_code == 201, response.content
    handover = response.json()["id"]
    receiver = client_for(world.center_b)
    assert handover in ids(receiver.get("/api/special-handovers/?state=pending"))
    assert status.pk in ids(receiver.get("/api/special-statuses/"))
    version = response.json()["version"]
    assert (
        receiver.post(
            f"/api/special-handovers/{handover}/accept/",
            {"version": version, "officer": world.worker_a1.pk},
        ).status_code
        == 400
    )
    response = receiver.post(
        f"/api/special-handovers/{handover}/accept/",
        {"version": version, "officer": world.worker_b1.pk},
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    sender = client_for(world.center_a)
    assert handover in ids(sender.get("/api/special-handovers/"))
    assert status.pk not in ids(sender.get("/api/special-statuses/"))


def test_types_list_their_rules_and_items(world, client_for):
    body = client_for(world.worker_a1).get("/api/special-types/").json()
    mental = next(t for t in body if t["code"] == "mental")
    assert {r["grade"] for r in mental["rules"]} == {"stable", "basically_stable", "unstable"}
    assert any(i["name"] == "danger_level" for i in mental["detail_items"])


def test_the_schema_lists_the_special_endpoints(world, client_for):
    schema = client_for(world.admin).get("/api/schema/").content.decode()
    for path in ("/api/special-statuses/{id}/visit/", "/api/special-handovers/{id}/accept/"):
        assert path in schema


def test_writes_never_bypass_services(world, statuses, client_for):
    client = client_for(world.center_a)
    url = f"/api/special-statuses/{statuses['mental'].pk}/"
    assert client.put(url, {}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    services.log_visit(statuses["mental"], actor=world.worker_a1, kind="talk", findings="x")
