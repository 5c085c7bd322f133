"""API behaviour shared by every endpoint: schema and docs served locally, filters, pagination,
errors as JSON in Chinese with the right status, versions, no deletes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served_locally(world, api_client):
    api_client.force_authenticate(world.admin)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/areas/",
        "/api/grids/",
        "/api/grids/locate/",
        "/api/assignments/",
        "/api/departments/",
        "/api/memberships/",
    ):
        assert path in paths
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in docs.content.decode()


def test_filters_and_pagination(world, api_client):
    api_client.force_authenticate(world.center_a)
    grids = api_client.get("/api/areas/", {"level": "grid"}).json()
    assert {a["code"] for a in grids["results"]} == {
        world.grid_a1.code,
        world.grid_a1_virtual.code,
        world.grid_a2.code,
    }
    virtual = api_client.get("/api/grids/", {"grid_kind": "virtual"}).json()
    assert [a["code"] for a in virtual["results"]] == [world.grid_a1_virtual.code]
    within = api_client.get("/api/areas/", {"within": world.village_a2.pk}).json()
    assert {a["code"] for a in within["results"]} == {world.village_a2.code, world.grid_a2.code}
    page = api_client.get("/api/areas/", {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["count"] == 6 and page["next"]


def test_within_an_invisible_area_is_not_a_valid_choice(world, api_client):
    api_client.force_authenticate(world.center_b)
    response = api_client.get("/api/areas/", {"within": world.village_a1.pk})
    assert response.status_code == 400
    assert "within" in response.json()


def test_create_update_move_retire_through_the_api(world, api_client):
    api_client.force_authenticate(world.admin)
    created = api_client.post(
        "/api/areas/",
        {
            "parent": world.village_a2.pk,
            "code": "330203101202002",
            "name": "乙村第二网格",
            "grid_kind": "real",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    area = created.json()
    updated = api_client.patch(
        f"/api/areas/{area['id']}/",
        {"version": area["version"], "name": "乙村二格", "households": 300},
        format="json",
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "乙村二格" and updated.json()["version"] == 2
    stale = api_client.patch(
        f"/api/areas/{area['id']}/", {"version": 1, "name": "旧版本"}, format="json"
    )
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["detail"]
    moved = api_client.post(
        f"/api/areas/{area['id']}/move/",
        {"version": 2, "new_parent": world.village_a1.pk},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["code"] == "330203101201002"
    retired = api_client.post(
        f"/api/areas/{area['id']}/retire/", {"version": 3, "reason": "合并"}, format="json"
    )
    assert retired.status_code == 200 and retired.json()["status"] == "retired"


def test_errors_are_json_in_chinese_with_proper_status(world, api_client):
    api_client.force_authenticate(world.admin)
    bad_code = api_client.post(
        "/api/areas/",
        {
            "parent": world.village_a2.pk,
            "code": "330203999202002",
            "grid_kind": "real",
            "name": "x",
        },
        format="json",
    )
    assert bad_code.status_code == 400
    assert "上级区域代码" in str(bad_code.json()["errors"]["code"])
    under_itself = api_client.post(
        f"/api/areas/{world.township_a.pk}/move/",
        {"version": world.township_a.version, "new_parent": world.district.pk},
        format="json",
    )
    assert under_itself.status_code == 400
    busy = api_client.post(
        f"/api/areas/{world.village_a1.pk}/retire/",
        {"version": world.village_a1.version, "reason": "x"},
        format="json",
    )
    assert busy.status_code == 409
    assert "仍有在用记录" in busy.json()["detail"]


def test_visible_but_not_permitted_is_forbidden(world, api_client):
    api_client.force_authenticate(world.center_a)  # sees township A, may not manage areas
    response = api_client.patch(
        f"/api/areas/{world.village_a1.pk}/", {"version": 1, "name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限。"


def test_nothing_can_be_deleted_through_the_api(world, api_client):
    api_client.force_authenticate(world.admin)
    for url in (f"/api/areas/{world.grid_a1.pk}/", f"/api/departments/{world.police_a.pk}/"):
        assert api_client.delete(url).status_code == 405
    assert world.refresh(world.grid_a1).is_active


def test_assign_and_end_through_the_api(world, api_client):
    api_client.force_authenticate(world.center_a)
    response = api_client.post(
        "/api/assignments/",
        {
            "grid": world.grid_a1_virtual.pk,
            "user": world.worker_a2.pk,
            "post": "part_time",
            "duties": ["information"],
            "patch": "园区",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assignment = response.json()
    ended = api_client.post(
        f"/api/assignments/{assignment['id']}/end/",
        {"version": assignment["version"]},
        format="json",
    )
    assert ended.status_code == 200 and ended.json()["is_current"] is False
    # a grid in another township cannot be named at all
    api_client.force_authenticate(world.center_b)
    other = api_client.post(
        "/api/assignments/",
        {"grid": world.grid_a1.pk, "user": world.worker_b1.pk, "post": "part_time"},
        format="json",
    )
    assert other.status_code == 400 and "grid" in other.json()


def test_locate_and_unstaffed(world, api_client):
    api_client.force_authenticate(world.center_a)
    found = api_client.get("/api/grids/locate/", {"lat": 29.875, "lng": 121.405})
    assert found.status_code == 200 and found.json()["code"] == world.grid_a1.code
    assert api_client.get("/api/grids/locate/", {"lat": 95, "lng": 121}).status_code == 400
    unstaffed = api_client.get("/api/grids/unstaffed/").json()
    assert [g["code"] for g in unstaffed["results"]] == [world.grid_a1_virtual.code]


def test_departments_and_memberships(world, api_client):
    api_client.force_authenticate(world.admin)
    dept = api_client.post(
        "/api/departments/",
        {"area": world.township_b.pk, "name": "集士港司法所", "kind": "justice"},
        format="json",
    )
    assert dept.status_code == 201, dept.json()
    grant = api_client.post(
        "/api/memberships/",
        {"user": world.center_b.pk, "role": "mediator", "area": world.township_b.pk},
        format="json",
    )
    assert grant.status_code == 201, grant.json()
    # a leader may read memberships but not grant them
    api_client.force_authenticate(world.leader_a)
    assert api_client.get("/api/memberships/").status_code == 200
    refused = api_client.post(
        "/api/memberships/",
        {"user": world.worker_a1.pk, "role": "mediator", "area": world.township_a.pk},
        format="json",
    )
    assert refused.status_code in (400, 403, 404)


def test_openapi_schema_is_valid_and_complete(tmp_path):
    """Every endpoint's input and output are typed: the schema validates with no warnings."""
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/assignments/{id}/end/" in target.read_text()
