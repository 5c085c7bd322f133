"""The jurisdiction matrix: a user of village A1 can neither list, read, change nor export anything
of village A2, through pages or the API (404, never 403: nothing leaks); the township above sees
both; the other township sees neither.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.areas.models import GridAssignment
from gridgov.core.scoping import unscoped

pytestmark = pytest.mark.django_db

# persona -> which villages' records they must see
SEES = {
    "officer_a1": {"a1"},
    "worker_a1": {"a1"},
    "officer_a2": {"a2"},
    "center_a": {"a1", "a2"},
    "leader_a": {"a1", "a2"},
    "admin": {"a1", "a2"},
    "center_b": set(),
}


def _targets(world):
    """Records of each village: the village itself, a grid in it, and an assignment on that grid."""
    with unscoped("test look-up"):
        assignment = {
            "a1": GridAssignment.objects.get(grid=world.grid_a1),
            "a2": GridAssignment.objects.get(grid=world.grid_a2),
        }
    return {
        "a1": {"village": world.village_a1, "grid": world.grid_a1, "assignment": assignment["a1"]},
        "a2": {"village": world.village_a2, "grid": world.grid_a2, "assignment": assignment["a2"]},
    }


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", sorted(SEES))
def test_area_pages_list_detail_and_export_follow_jurisdiction(world, persona):
    # given
    client = _page_client(getattr(world, persona))
    targets = _targets(world)
    for village, records in targets.items():
        visible = village in SEES[persona]
        # when / then: list
        listing = client.get(reverse("areas:list"), {"q": records["grid"].code})
        assert (records["grid"].name in listing.content.decode()) is visible
        # detail (a grid worker's jurisdiction is their grid, not the village around it)
        detail = client.get(reverse("areas:detail", args=[records["grid"].pk]))
        assert detail.status_code == (200 if visible else 404)
        village = client.get(reverse("areas:detail", args=[records["village"].pk]))
        assert village.status_code == (200 if visible and persona != "worker_a1" else 404)
        # export
        export = client.get(reverse("areas:export"))
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        assert (records["grid"].code in body) is visible
        assignments = client.get(reverse("areas:assignment_export"))
        body = b"".join(assignments.streaming_content).decode("utf-8-sig")
        assert (str(records["assignment"].user) in body) is visible


@pytest.mark.parametrize("persona", sorted(SEES))
def test_area_pages_refuse_changes_outside_jurisdiction_as_not_found(world, persona):
    client = _page_client(getattr(world, persona))
    for village, records in _targets(world).items():
        if village in SEES[persona]:
            continue
        area = records["village"]
        for name in ("areas:update", "areas:move", "areas:retire", "areas:create"):
            assert client.get(reverse(name, args=[area.pk])).status_code == 404
            response = client.post(
                reverse(name, args=[area.pk]), {"version": area.version, "name": "X", "reason": "x"}
            )
            assert response.status_code == 404
        response = client.post(
            reverse("areas:assignment_end", args=[records["assignment"].pk]), {"version": 1}
        )
        assert response.status_code == 404
    # nothing was changed by any of those requests
    assert world.refresh(world.village_a2).name == "乙村"
    assert world.refresh(world.village_a1).name == "甲村"


@pytest.mark.parametrize("persona", sorted(SEES))
def test_api_list_detail_and_writes_follow_jurisdiction(world, api_client, persona):
    # given
    api_client.force_authenticate(getattr(world, persona))
    listed_codes = {
        a["code"] for a in api_client.get("/api/areas/", {"page_size": 500}).json()["results"]
    }
    listed_assignments = {a["id"] for a in api_client.get("/api/assignments/").json()["results"]}
    for village, records in _targets(world).items():
        visible = village in SEES[persona]
        # then: lists
        assert (records["village"].code in listed_codes) is (visible and persona != "worker_a1")
        assert (records["grid"].code in listed_codes) is visible
        assert (records["assignment"].pk in listed_assignments) is visible
        # details
        for url in (
            f"/api/grids/{records['grid'].pk}/",
            f"/api/assignments/{records['assignment'].pk}/",
        ):
            assert api_client.get(url).status_code == (200 if visible else 404), url
        if not visible:
            # writes: not found, and no change
            area = records["village"]
            assert (
                api_client.patch(
                    f"/api/areas/{area.pk}/", {"version": area.version, "name": "X"}, format="json"
                ).status_code
                == 404
            )
            assert (
                api_client.post(
                    f"/api/areas/{area.pk}/retire/",
                    {"version": area.version, "reason": "x"},
                    format="json",
                ).status_code
                == 404
            )
            assert (
                api_client.post(
                    f"/api/assignments/{records['assignment'].pk}/end/",
                    {"version": 1},
                    format="json",
                ).status_code
                == 404
            )
            # a point inside the invisible grid resolves to nothing
            assert (
                api_client.get(
                    "/api/grids/locate/",
                    {
                        "lat": 29.875,
                        "lng": records["grid"].boundary["coordinates"][0][0][0] + 0.005,
                    },
                ).status_code
                == 404
            )
    assert world.refresh(world.village_a2).name == "乙村"


def test_api_create_under_invisible_parent_is_refused_as_unknown(world, api_client):
    api_client.force_authenticate(world.center_b)
    response = api_client.post(
        "/api/areas/",
        {"parent": world.village_a1.pk, "code": "330203101201002", "grid_kind": "real"},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_counts_do_not_leak_across_townships(world):
    # given a grid in township A without a responsible worker
    from gridgov.areas import services

    services.create_area(
        actor=world.system,
        parent=world.village_a1,
        code="330203101201002",
        name="甲村第二网格",
        grid_kind="real",
    )
    # then township A's center counts it, township B's does not
    client_a, client_b = _page_client(world.center_a), _page_client(world.center_b)
    assert "330203101201002" in client_a.get(reverse("areas:unstaffed")).content.decode()
    assert "330203101201002" not in client_b.get(reverse("areas:unstaffed")).content.decode()
    body_b = client_b.get(reverse("home")).content.decode()
    assert 'class="count">0<' in body_b.replace(" ", "") or "每个网格都已有责任人" in body_b


def test_department_handler_sees_own_township_only(world, api_client):
    api_client.force_authenticate(world.handler_a)
    codes = {a["code"] for a in api_client.get("/api/areas/", {"page_size": 500}).json()["results"]}
    assert world.township_a.code in codes
    assert world.township_b.code not in codes
    assert world.district.code not in codes


def test_audit_page_shows_only_entries_in_jurisdiction(world):
    client = _page_client(world.leader_a)
    body = client.get(reverse("core:audit"), {"object_repr": "网格"}).content.decode()
    assert "甲村第一网格" in body
    assert "丙村第一网格" not in body
    # a village officer has no audit rights at all
    assert _page_client(world.officer_a1).get(reverse("core:audit")).status_code == 404
