"""The petition API: who can and cannot, scoped lists, each stage through its endpoint."""

from __future__ import annotations

import pytest

from gridgov.petitions.tests.support import (
    county_desk,
    event_of,
    matter,
    person,
    petition_office,
    register,
    reload,
)


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_list_is_scoped_by_area_and_department(world, api_client):
    office, handler = petition_office(world)
    mine = register(world, department=office)
    other = register(world)  # police_a is responsible
    codes = lambda client: {row["code"] for row in client.get("/api/petitions/").json()["results"]}  # noqa: E731
    assert codes(as_user(api_client, world.center_a)) == {event_of(mine).code, event_of(other).code}
    assert codes(as_user(api_client, handler)) == {event_of(mine).code}
    assert codes(as_user(api_client, world.center_b)) == set()
    assert as_user(api_client, world.center_b).get(f"/api/petitions/{mine.pk}/").status_code == 404
    assert as_user(api_client, world.leader_a).get(f"/api/petitions/{mine.pk}/").status_code == 200


def test_register_through_the_api_and_replay(world, api_client):
    someone = person(world, 3)
    payload = {
        "petitioners": [someone.pk],
        "channel": "phone",
        "category": matter().pk,
        "title": "低保申请",
        "matter": "低保申请未获答复",
        "department": world.police_a.pk,
        "lodged_area": world.township_a.pk,
        "people_count": 6,
        "client_id": "3d8f3c84-6a2f-4a8e-9d1a-1c2b3c4d5e6f",
    }
    client = as_user(api_client, world.center_a)
    first = client.post("/api/petitions/", payload, format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["stage"], body["collective"], body["actions"]) == (
        "registered",
        True,
        ["decide", "take_case"],
    )
    again = client.post("/api/petitions/", payload, format="json")
    assert again.json()["id"] == body["id"]


@pytest.mark.parametrize("who", ["worker_a1", "officer_a1", "center_b", "leader_a", "handler_a"])
def test_those_without_the_right_cannot_register(world, api_client, who):
    someone = person(world, 4)
    response = as_user(api_client, getattr(world, who)).post(
        "/api/petitions/",
        {
            "petitioners": [someone.pk],
            "channel": "visit",
            "category": matter().pk,
            "title": "x",
            "matter": "y",
            "department": world.police_a.pk,
        },
        format="json",
    )
    # an invisible petitioner or department "does not exist" (400); a visible one without the
    # right is 403
    assert response.status_code in (400, 403), response.json()
    assert response.status_code != 201


def test_the_stages_through_the_api(world, api_client):
    p = register(world)
    client = as_user(api_client, world.center_a)
    url = f"/api/petitions/{p.pk}/"
    r = client.post(url + "decide/", {"version": p.version, "accepted": True}, format="json")
    assert r.status_code == 200 and r.json()["stage"] == "accepted"
    # a stale version is a conflict
    assert (
        client.post(
            url + "decide/", {"version": p.version, "accepted": True}, format="json"
        ).status_code
        == 409
    )
    v = r.json()["version"]
    r = client.post(url + "extend/", {"version": v, "value": 40, "reason": "复杂"}, format="json")
    assert r.status_code == 400
    r = client.post(url + "extend/", {"version": v, "value": 20, "reason": "复杂"}, format="json")
    assert r.status_code == 200 and r.json()["extended"] is True
    r = client.post(
        url + "reply/", {"version": r.json()["version"], "reply": "已答复"}, format="json"
    )
    assert r.status_code == 200
    r = client.post(
        url + "rate/", {"version": r.json()["version"], "rating": "satisfied"}, format="json"
    )
    assert r.status_code == 200 and r.json()["rating"] == "satisfied"
    r = client.post(
        url + "request-review/", {"version": r.json()["version"], "reason": "不服"}, format="json"
    )
    assert r.status_code == 200 and r.json()["stage"] == "review_requested"
    # the township may not answer its own review: 403; the county may
    assert (
        client.post(
            url + "review/", {"version": r.json()["version"], "opinion": "维持"}, format="json"
        ).status_code
        == 403
    )
    r = as_user(api_client, county_desk(world)).post(
        url + "review/", {"version": r.json()["version"], "opinion": "维持"}, format="json"
    )
    assert r.status_code == 200 and r.json()["stage"] == "reviewed"


def test_another_township_gets_404_on_a_step(world, api_client):
    p = register(world)
    r = as_user(api_client, world.center_b).post(
        f"/api/petitions/{p.pk}/decide/", {"version": p.version, "accepted": True}, format="json"
    )
    assert r.status_code == 404
    assert reload(p).stage == "registered"


def test_a_leader_takes_a_case_and_a_center_cannot_take_one_itself(world, api_client):
    p = register(world)
    r = as_user(api_client, world.leader_a).post(
        f"/api/petitions/{p.pk}/take-case/", {"note": "包案"}, format="json"
    )
    assert r.status_code == 200 and r.json()["leader_cases"][0]["leader"] == world.leader_a.pk
    r = as_user(api_client, world.center_a).post(
        f"/api/petitions/{p.pk}/take-case/", {}, format="json"
    )
    assert r.status_code == 403


def test_reception_days_through_the_api(world, api_client):
    from django.utils import timezone

    someone = person(world, 5)
    client = as_user(api_client, world.leader_a)
    r = client.post(
        "/api/reception-days/",
        {
            "area": world.township_a.pk,
            "leader": world.leader_a.pk,
            "day": timezone.localdate().isoformat(),
            "place": "镇接待室",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    day = r.json()["id"]
    r = client.post(
        f"/api/reception-days/{day}/receptions/",
        {"person": someone.pk, "summary": "来访"},
        format="json",
    )
    assert r.status_code == 200 and len(r.json()["receptions"]) == 1
    assert as_user(api_client, world.center_b).get(f"/api/reception-days/{day}/").status_code == 404
    r = as_user(api_client, world.officer_a1).post(
        "/api/reception-days/",
        {
            "area": world.village_a1.pk,
            "leader": world.leader_a.pk,
            "day": "2026-01-01",
            "place": "x",
        },
        format="json",
    )
    assert r.status_code == 403
