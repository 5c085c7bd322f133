"""The inbox API: one's own notifications only, the same filter and services as the page."""

from __future__ import annotations

import pytest

from gridgov.notifications.selectors import unread_count
from gridgov.notifications.services import notify

pytestmark = pytest.mark.django_db


def _notify(user, title="事件已派遣,请签收", link="/events/1/"):
    return notify([user], kind="events.dispatched", title=title, link=link)[0]


def test_list_is_own_only_newest_first_and_filters_unread(world, api_client):
    old = _notify(world.worker_a1, title="旧")
    new = _notify(world.worker_a1, title="新")
    _notify(world.worker_b1, title="别人的")
    api_client.force_authenticate(world.worker_a1)
    api_client.post(f"/api/notifications/{old.pk}/read/")
    data = api_client.get("/api/notifications/").json()
    assert [n["id"] for n in data["results"]] == [new.pk, old.pk]
    assert data["results"][0]["is_read"] is False and data["results"][1]["is_read"] is True
    unread = api_client.get("/api/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in unread["results"]] == [new.pk]
    read = api_client.get("/api/notifications/", {"unread": "false"}).json()
    assert [n["id"] for n in read["results"]] == [old.pk]


def test_read_and_read_all_and_unread_count(world, api_client):
    a = _notify(world.worker_a1)
    _notify(world.worker_a1)
    _notify(world.worker_a1)
    api_client.force_authenticate(world.worker_a1)
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 3}
    response = api_client.post(f"/api/notifications/{a.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] and response.json()["is_read"] is True
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 2}
    assert api_client.post("/api/notifications/read-all/").json() == {"marked": 2}
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 0}


def test_someone_elses_notification_does_not_exist(world, api_client):
    theirs = _notify(world.worker_b1)
    for user in (world.worker_a1, world.system):  # not even the system administrator
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/notifications/{theirs.pk}/").status_code == 404
        assert api_client.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
        api_client.post("/api/notifications/read-all/")
        assert theirs.pk not in [
            n["id"] for n in api_client.get("/api/notifications/").json()["results"]
        ]
    assert unread_count(world.worker_b1) == 1


def test_an_unsafe_link_is_never_handed_out(world, api_client):
    from gridgov.core.scoping import unscoped
    from gridgov.notifications.models import Notification

    n = _notify(world.worker_a1)
    with unscoped("test: plant a row the service would refuse"):
        Notification.objects.filter(pk=n.pk).update(link="//evil.example/")
    api_client.force_authenticate(world.worker_a1)
    assert api_client.get(f"/api/notifications/{n.pk}/").json()["link"] == ""


def test_no_writes_other_than_the_actions(world, api_client):
    n = _notify(world.worker_a1)
    api_client.force_authenticate(world.worker_a1)
    assert api_client.delete(f"/api/notifications/{n.pk}/").status_code == 405
    assert api_client.post("/api/notifications/", {"title": "x"}).status_code == 405
    assert api_client.patch(f"/api/notifications/{n.pk}/", {"title": "x"}).status_code == 405


def test_anonymous_is_refused(world, api_client):
    assert api_client.get("/api/notifications/").status_code in (401, 403)
    assert api_client.get("/api/notifications/unread-count/").status_code in (401, 403)


def test_schema_has_the_endpoints(world, api_client):
    api_client.force_authenticate(world.admin)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    parameters = {p["name"]: p for p in paths["/api/notifications/"]["get"]["parameters"]}
    assert parameters["unread"]["in"] == "query"
    assert parameters["unread"]["schema"] == {"type": "boolean"}
    for path, method in [
        ("/api/notifications/{id}/read/", "post"),
        ("/api/notifications/read-all/", "post"),
        ("/api/notifications/unread-count/", "get"),
    ]:
        assert method in paths[path]
    assert "parameters" not in paths["/api/notifications/unread-count/"]["get"]
