"""Event hub API: the whole life of an event through the second door, idempotent intake, scoping
(a department sees only what was sent to it, a township nothing of another), versions, states,
refusals in Chinese, uploads checked by content, and the schema."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import make_user
from gridgov.events.models import Attachment, Category, Event

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _png(name: str = "现场.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _count(**lookup: Any) -> int:
    with unscoped("test: row counts"):
        return Event.objects.filter(**lookup).count()


@pytest.fixture
def category() -> Category:
    return Category.objects.get(code="hazard-fire")


@pytest.fixture
def report(world, api_client, category):
    """POST a report as `user` (worker_a1 by default) and return the response."""

    def post(user: Any = None, *, fmt: str = "json", **fields: Any) -> Any:
        api_client.force_authenticate(user or world.worker_a1)
        payload = {
            "client_id": str(uuid.uuid4()),
            "category": category.pk,
            "title": "楼道堆放杂物",
            "description": "3 号楼楼道堆放纸箱,堵塞消防通道",
            "grid": world.grid_a1.pk,
        } | fields
        return api_client.post("/api/events/", payload, format=fmt)

    return post


@pytest.fixture
def dispatched(world, api_client, report) -> dict[str, Any]:
    """An event of grid A1 dispatched to 横街派出所 (police_a), as center_a saw it."""
    event = report().json()
    api_client.force_authenticate(world.center_a)
    event = _ok(api_client, event, "accept")
    return _ok(api_client, event, "dispatch", department=world.police_a.pk)


def _ok(client: Any, event: dict[str, Any], step: str, fmt: str = "json", **body: Any) -> dict:
    """Take a step with the version last seen; it must succeed."""
    response = client.post(
        f"/api/events/{event['id']}/{step}/", {"version": event["version"], **body}, format=fmt
    )
    assert response.status_code == 200, (step, response.json())
    return response.json()


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_the_whole_life_of_an_event_through_the_api(world, api_client, report):
    created = report()
    assert created.status_code == 201, created.json()
    event = created.json()
    assert event["state"] == "reported" and event["state_display"] == "待受理"
    assert event["center"] == world.township_a.pk and event["light"] == "none"
    assert "settle" in event["actions"] and "accept" not in event["actions"]
    assert [t["action"] for t in event["timeline"]] == ["reported"]

    # the center accepts and dispatches to the police station
    api_client.force_authenticate(world.center_a)
    assert event["id"] in _ids(api_client.get("/api/events/queue/"))
    detail = api_client.get(f"/api/events/{event['id']}/").json()
    assert {"accept", "reject", "merge", "escalate"} <= set(detail["actions"])
    event = _ok(api_client, event, "accept", note="属实")
    assert event["state"] == "accepted" and "dispatch" in event["actions"]
    event = _ok(api_client, event, "dispatch", department=world.police_a.pk, note="请尽快处置")
    assert event["state"] == "dispatched" and event["deadline"] and event["light"] == "green"
    assert event["remaining"].startswith("剩")
    [lead] = event["assignments"]
    assert (lead["department"], lead["role"], lead["state"]) == (
        world.police_a.pk,
        "lead",
        "pending",
    )

    # the department sees it in its queue, signs for it and reports it done with a photo
    api_client.force_authenticate(world.handler_a)
    queue = api_client.get("/api/events/queue/").json()["results"]
    assert [(row["id"], row["todo"]) for row in queue] == [(event["id"], "签收")]
    assert {"take", "return"} <= set(
        api_client.get(f"/api/events/{event['id']}/").json()["actions"]
    )
    event = _ok(api_client, event, "take")
    assert event["state"] == "in_progress" and "done" in event["actions"]
    event = _ok(api_client, event, "done", fmt="multipart", note="已清理", files=[_png()])
    assert event["state"] == "verifying"
    [photo] = event["attachments"]
    assert photo["name"] == "现场.png" and photo["content_type"] == "image/png"
    assert photo["url"].endswith(f"/events/{event['id']}/files/{photo['id']}/")
    assert photo["entry"] == event["timeline"][-1]["id"]
    # the url is the page door, scoped as the page is
    browser = Client()
    browser.force_login(world.handler_a)
    assert browser.get(photo["url"]).status_code == 200
    browser.force_login(world.worker_b1)
    assert browser.get(photo["url"]).status_code == 404

    # the reporter verifies on site and rates
    api_client.force_authenticate(world.worker_a1)
    queue = api_client.get("/api/events/queue/").json()["results"]
    assert [(row["id"], row["todo"]) for row in queue] == [(event["id"], "核查")]
    event = _ok(api_client, event, "verify", passed=True, note="已清理干净")
    assert event["state"] == "closed" and event["closed_on_time"] is True
    event = _ok(api_client, event, "rate", rating="satisfied", comment="处理及时")
    assert event["state"] == "rated" and event["rating_display"] == "满意"
    assert event["actions"] == []
    assert [t["action"] for t in event["timeline"]] == [
        "reported",
        "accepted",
        "dispatched",
        "taken",
        "done",
        "verified",
        "rated",
    ]
    assert event["timeline"][1]["actor_name"] == "甲中心"


def test_a_phone_asking_for_a_minimal_answer_gets_a_receipt(world, api_client, category):
    api_client.force_authenticate(world.worker_a1)
    key = str(uuid.uuid4())
    payload = {
        "category": category.pk,
        "title": "路灯不亮",
        "description": "巷口路灯坏了三天",
        "grid": world.grid_a1.pk,
        "client_id": key,
    }
    created = api_client.post("/api/events/", payload, format="json", HTTP_PREFER="return=minimal")
    assert created.status_code == 201, created.json()
    assert created["Preference-Applied"] == "return=minimal"
    receipt = created.json()
    assert set(receipt) == {"id", "code", "state", "state_display", "version", "reported_at", "url"}
    assert receipt["state"] == "reported" and receipt["url"] == f"/api/events/{receipt['id']}/"
    again = api_client.post("/api/events/", payload, format="json", HTTP_PREFER="return=minimal")
    assert again.status_code == 200 and again.json()["code"] == receipt["code"]
    assert _count(client_id=key) == 1


def test_a_retried_report_with_the_same_client_id_returns_the_first_event(world, report):
    key = str(uuid.uuid4())
    first = report(client_id=key)
    assert first.status_code == 201, first.json()
    again = report(client_id=key, title="网络重试")
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == first.json()["id"] and again.json()["title"] == "楼道堆放杂物"
    assert _count(client_id=key) == 1
    # somebody else's client id is refused, not shared
    taken = report(world.worker_a2, client_id=key, grid=world.grid_a2.pk)
    assert taken.status_code == 400 and CJK.search(taken.json()["detail"])
    assert _count(client_id=key) == 1


def test_a_report_with_photos_by_multipart_and_a_point(world, report):
    response = report(
        fmt="multipart",
        grid="",
        lat=29.875,
        lng=121.405,
        persons=[],
        files=[_png("一.png"), _png("二.png")],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grid"] == world.grid_a1.pk
    assert [a["name"] for a in body["attachments"]] == ["一.png", "二.png"]


def test_a_non_image_upload_is_refused_and_nothing_is_written(world, report):
    key = str(uuid.uuid4())
    before = _count()
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = report(fmt="multipart", client_id=key, files=[_png(), fake])
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "Invalid" and "files" in body["errors"]
    assert "photo.png" in body["detail"] and CJK.search(body["detail"])
    assert _count() == before and _count(client_id=key) == 0
    with unscoped("test: no attachment row"):
        assert not Attachment.objects.exists()


def test_involved_persons_resolve_through_the_callers_jurisdiction(world, api_client, report):
    # a person registered in township B by its grid worker
    api_client.force_authenticate(world.worker_b1)
    address = api_client.post(
        "/api/addresses/", {"grid": world.grid_b1.pk, "street": "丙村路", "door_no": "1"}
    ).json()
    house = api_client.post("/api/houses/", {"address": address["id"]}).json()
    person = api_client.post(
        "/api/people/",
        {"house": house["id"], "name": "王五", "sex": "1", "residence_type": "overseas"},
        format="json",
    ).json()
    assert "id" in person, person

    for pk in (person["id"], 987654):  # invisible and missing look the same
        response = report(persons=[pk])
        assert response.status_code == 400, response.json()
        [message] = response.json()["persons"]
        assert message == f"涉及人员 {pk} 未登记或不在您的辖区。"
    assert _count() == 0

    # worker_b1 may name them, and sees them on the event
    response = report(world.worker_b1, grid=world.grid_b1.pk, persons=[person["id"]])
    assert response.status_code == 201, response.json()
    [party] = response.json()["parties"]
    assert (party["person"], party["name"], party["role"]) == (person["id"], "王五", "party")
    assert response.json()["hidden_parties"] == 0


def test_another_department_and_another_township_see_nothing(world, api_client, dispatched):
    market = accounts.create_department(
        actor=world.system, area=world.township_a, name="横街市场监管所", kind="market"
    )
    other = make_user(world, "handler_m", "市场监管员")
    accounts.grant_membership(
        other, actor=world.system, role=Role.DEPARTMENT_HANDLER, department=market
    )
    event = dispatched
    url = f"/api/events/{event['id']}/"
    for outsider in (other, world.worker_b1, world.center_b):
        api_client.force_authenticate(outsider)
        assert api_client.get(url).status_code == 404
        assert event["id"] not in _ids(api_client.get("/api/events/"))
        assert event["id"] not in _ids(api_client.get("/api/events/queue/"))
        assert api_client.get(f"{url}duplicates/").status_code == 404
        response = api_client.post(f"{url}take/", {"version": event["version"]}, format="json")
        assert response.status_code == 404
    # the same department's handler sees it, and only through the assignment
    api_client.force_authenticate(world.handler_a)
    assert _ids(api_client.get("/api/events/")) == [event["id"]]
    assert _ids(api_client.get("/api/events/", {"state": "dispatched"})) == [event["id"]]
    assert _ids(api_client.get("/api/events/", {"state": "closed"})) == []


def test_a_visible_event_the_caller_may_not_act_on_is_403(world, api_client, dispatched):
    api_client.force_authenticate(world.worker_a1)  # sees the event of their grid
    response = api_client.post(
        f"/api/events/{dispatched['id']}/take/", {"version": dispatched["version"]}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "NotPermitted"
    assert CJK.search(response.json()["detail"])


def test_a_stale_version_is_a_409_in_chinese(world, api_client, report):
    event = report().json()
    api_client.force_authenticate(world.center_a)
    accepted = _ok(api_client, event, "accept")
    response = api_client.post(
        f"/api/events/{event['id']}/reject/",
        {"version": event["version"], "reason": "重复上报"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "该记录已被他人修改,请刷新后重试。", "code": "Conflict"}
    assert api_client.get(f"/api/events/{event['id']}/").json()["version"] == accepted["version"]


def test_an_illegal_transition_is_a_409(world, api_client, report):
    event = report().json()
    api_client.force_authenticate(world.center_a)
    event = _ok(api_client, event, "accept")
    response = api_client.post(
        f"/api/events/{event['id']}/accept/", {"version": event["version"]}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "InvalidTransition"
    assert response.json()["detail"] == "事件当前为“待派遣”,不能受理。"


def test_a_missing_reason_is_a_400(world, api_client, report):
    event = report().json()
    api_client.force_authenticate(world.center_a)
    url = f"/api/events/{event['id']}/reject/"
    response = api_client.post(url, {"version": event["version"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["该字段是必填项。"]}
    response = api_client.post(url, {"version": event["version"], "reason": "  "}, format="json")
    assert response.status_code == 400 and CJK.search(str(response.json()))
    assert api_client.get(f"/api/events/{event['id']}/").json()["state"] == "reported"


def test_payload_foreign_keys_resolve_through_the_callers_scope(world, api_client, report):
    elsewhere = accounts.create_department(
        actor=world.system, area=world.township_b, name="集士港派出所", kind="police"
    )
    other_event = report(world.worker_b1, grid=world.grid_b1.pk).json()
    event = report().json()
    api_client.force_authenticate(world.center_a)
    event = _ok(api_client, event, "accept")
    url = f"/api/events/{event['id']}/"
    response = api_client.post(
        f"{url}dispatch/", {"version": event["version"], "department": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400 and "department" in response.json()
    response = api_client.post(
        f"{url}merge/", {"version": event["version"], "into": other_event["id"]}, format="json"
    )
    assert response.status_code == 400 and "into" in response.json()
    # nothing happened
    assert api_client.get(url).json()["state"] == "accepted"


def test_extension_requested_and_decided_through_the_api(world, api_client, dispatched):
    api_client.force_authenticate(world.handler_a)
    event = _ok(api_client, dispatched, "take")
    deadline = event["deadline"]
    event = _ok(api_client, event, "extension", reason="需协调多方", value=2, unit="work_days")
    assert [r["state"] for r in event["requests"]] == ["pending"]
    api_client.force_authenticate(world.center_a)
    stale = api_client.post(
        f"/api/events/{event['id']}/decide/",
        {"version": event["version"] - 1, "grant": True},
        format="json",
    )
    assert stale.status_code == 409
    assert "decide" in api_client.get(f"/api/events/{event['id']}/").json()["actions"]
    event = _ok(api_client, event, "decide", grant=True, note="同意")
    assert event["extended"] is True and event["deadline"] > deadline
    assert [r["state"] for r in event["requests"]] == ["granted"]
    again = api_client.post(
        f"/api/events/{event['id']}/decide/",
        {"version": event["version"], "grant": False, "note": "x"},
        format="json",
    )
    assert again.status_code == 404 and again.json()["detail"] == "没有待审批的申请。"


def test_supervise_needs_no_version(world, api_client, dispatched):
    api_client.force_authenticate(world.leader_a)
    response = api_client.post(
        f"/api/events/{dispatched['id']}/supervise/",
        {"level": "listed", "note": "限期办结"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["supervision"] == "listed" and body["supervision_display"] == "挂牌督办"
    assert [s["level"] for s in body["supervisions"]] == ["listed"]
    bad = api_client.post(
        f"/api/events/{dispatched['id']}/supervise/",
        {"level": "shout", "note": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "level" in bad.json()


def test_duplicates_lists_visible_events_of_the_same_matter(world, api_client, report):
    first = report().json()
    second = report(title="楼道又堆满了").json()
    report(world.worker_b1, grid=world.grid_b1.pk)  # same category, another township
    api_client.force_authenticate(world.center_a)
    response = api_client.get(f"/api/events/{first['id']}/duplicates/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [second["id"]]
    event = _ok(api_client, first, "merge", into=second["id"], note="同一事项")
    assert event["state"] == "merged" and event["merged_into_code"] == second["code"]
    target = api_client.get(f"/api/events/{second['id']}/").json()
    assert [m["id"] for m in target["merged_events"]] == [first["id"]]


def test_categories_for_any_logged_in_user(world, api_client):
    assert api_client.get("/api/event-categories/").status_code in (401, 403)
    api_client.force_authenticate(world.handler_a)
    rows = api_client.get("/api/event-categories/").json()
    fire = next(row for row in rows if row["code"] == "hazard-fire")
    assert fire["kind_name"] and fire["sla_value"] >= 1 and CJK.search(fire["sla_text"])
    assert api_client.get(f"/api/event-categories/{fire['id']}/").json() == fire


def test_the_schema_renders_with_the_event_endpoints(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/events/{id}/dispatch/",
        "/api/events/{id}/handle-here/",
        "/api/events/{id}/return/",
        "/api/events/queue/",
        "/api/event-categories/",
    ):
        assert path in text
