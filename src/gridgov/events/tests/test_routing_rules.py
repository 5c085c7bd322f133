"""Routing rules (直报与抄告: an urgent event of a category goes straight to a higher center and is
copied to named departments): the services (who may, what is refused, versions, nothing deleted,
audit), the effect on intake end to end, the API (events.configure, jurisdiction) and the pages.
Also the API door to an event's attachments (token callers who may see the event)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese, make_user
from gridgov.events import services
from gridgov.events.choices import AssignmentRole, Priority, State
from gridgov.events.models import Category, Event, RoutingRule
from gridgov.events.tests.support import (
    actions,
    assignments,
    category,
    county_center,
    fresh_user,
    recipients,
    reload,
    report,
)

pytestmark = pytest.mark.django_db


# --- People and departments these tests need ------------------------------------------------------


def township_admin(world: Any) -> Any:
    """An administrator of township A only (events.configure over 横街镇)."""
    user = make_user(world, "admin_a", "横街管理员")
    accounts.grant_membership(user, actor=world.system, role=Role.ADMIN, area=world.township_a)
    return fresh_user(user)


def county_department(world: Any) -> Any:
    """A department of the district (above both townships) with its handler."""
    department = accounts.create_department(
        actor=world.system, area=world.district, name="海曙区应急管理局", kind="emergency"
    )
    handler = make_user(world, "handler_county", "区应急")
    accounts.grant_membership(
        handler, actor=world.system, role=Role.DEPARTMENT_HANDLER, department=department
    )
    return department


def police_b(world: Any) -> Any:
    return accounts.create_department(
        actor=world.system, area=world.township_b, name="集士港派出所", kind="police"
    )


def make_rule(world: Any, actor: Any = None, **values: Any) -> RoutingRule:
    fields = {
        "area": world.township_a,
        "category": category(),
        "target_level": "county",
        "copy_departments": [world.police_a],
    } | values
    return services.create_routing_rule(actor=actor or world.admin, **fields)


def copied(rule: RoutingRule) -> set[str]:
    with unscoped("test: a rule's departments"):
        return {d.name for d in rule.copy_departments.all()}


def rule_count() -> int:
    with unscoped("test: row counts"):
        return RoutingRule.objects.count()


def refused(error: type, call: Any, *, field: str | None = None, text: str = "") -> Any:
    """The call is refused with `error`, in Chinese, on `field`, and writes no rule."""
    before = rule_count()
    with pytest.raises(error) as exc:
        call()
    assert_chinese(exc)
    if field is not None:
        assert exc.value.field == field, exc.value.as_dict()
    assert text in exc.value.message
    assert rule_count() == before
    return exc.value


# --- Services: create ------------------------------------------------------------------------------


def test_create_routing_rule_writes_the_rule_and_audits_it(world):
    rule = make_rule(world, min_priority=Priority.URGENT)
    rule = reload(rule)
    assert (rule.area, rule.area_path, rule.category.code) == (
        world.township_a,
        world.township_a.path,
        "hazard-fire",
    )
    assert (rule.min_priority, rule.target_level, rule.is_active, rule.version) == (
        "urgent",
        "county",
        True,
        1,
    )
    assert copied(rule) == {"横街派出所"}
    entry = assert_audited(rule, "events.routing_rule.created", world.admin)
    # the copied departments, a many-to-many auditlog does not diff, have their own entry
    assert entry.changes["copy_departments"] == ["", "横街派出所"]
    codes = set(
        LogEntry.objects.get_for_object(rule).values_list("additional_data__action", flat=True)
    )
    assert codes == {"events.routing_rule.created"}


def test_create_routing_rule_refuses_a_user_without_events_configure(world):
    refused(NotPermitted, lambda: make_rule(world, actor=world.center_a), text="横街镇")
    refused(NotPermitted, lambda: make_rule(world, actor=world.leader_a))


def test_create_routing_rule_refuses_an_area_outside_the_actors_jurisdiction(world):
    admin_a = township_admin(world)
    refused(
        NotPermitted,
        lambda: make_rule(world, actor=admin_a, area=world.township_b, copy_departments=[]),
        text="集士港镇",
    )
    # inside their own township the same administrator may
    assert make_rule(world, actor=admin_a).area == world.township_a


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"area": "village_a1", "target_level": "township"}, "target_level", "区县或以上"),
        ({"target_level": "township"}, "target_level", "高于适用区域本身"),
        ({"target_level": "village"}, "target_level", "高于适用区域本身"),
        ({"area": "district", "target_level": "county"}, "target_level", "高于适用区域本身"),
        ({"target_level": "city"}, "target_level", "没有在用的地市级区域"),
        ({"target_level": "moon"}, "target_level", "直报层级不正确"),
        ({"target_level": "", "copy_departments": []}, "target_level", "至少一项"),
        ({"min_priority": "high"}, "min_priority", ""),
    ],
)
def test_create_routing_rule_refuses_a_rule_that_cannot_work(world, values, field, text):
    if "area" in values:
        values = values | {"area": getattr(world, values["area"]), "copy_departments": []}
    refused(Invalid, lambda: make_rule(world, **values), field=field, text=text)


def test_create_routing_rule_needs_an_active_category(world):
    fire = category()
    with unscoped("test"):
        Category.objects.filter(pk=fire.pk).update(is_active=False)
    refused(
        Invalid,
        lambda: make_rule(world, category=Category.objects.get(pk=fire.pk)),
        field="category",
    )


def test_create_routing_rule_copies_only_departments_on_the_areas_line(world):
    other = police_b(world)
    refused(
        Invalid,
        lambda: make_rule(world, copy_departments=[world.police_a, other]),
        field="copy_departments",
        text="集士港派出所",
    )
    # a department of the district above is on the line of township A
    rule = make_rule(world, copy_departments=[county_department(world)])
    assert copied(rule) == {"海曙区应急管理局"}


def test_create_routing_rule_copies_only_departments_within_the_actors_reach(world):
    admin_a = township_admin(world)
    refused(
        Invalid,
        lambda: make_rule(world, actor=admin_a, copy_departments=[county_department(world)]),
        field="copy_departments",
        text="管辖范围",
    )


def test_create_routing_rule_refuses_a_retired_department(world):
    department = accounts.create_department(
        actor=world.system, area=world.township_a, name="横街司法所", kind="justice"
    )
    accounts.retire_department(department, actor=world.system, version=department.version)
    refused(
        Invalid,
        lambda: make_rule(world, copy_departments=[reload(department)]),
        field="copy_departments",
        text="已撤销",
    )


def test_one_active_rule_per_area_and_category(world):
    rule = make_rule(world)
    refused(Invalid, lambda: make_rule(world, target_level=""), field="category", text="已有")
    # another area, or another category, is another rule
    make_rule(world, area=world.township_b, copy_departments=[])
    make_rule(world, category=category("hazard-gas"))
    # and once the first is deactivated, a new one may take its place
    services.deactivate_routing_rule(rule, actor=world.admin, version=rule.version)
    assert make_rule(world, min_priority=Priority.NORMAL).is_active


# --- Services: update and deactivate --------------------------------------------------------------


def test_update_routing_rule_changes_what_was_given_and_bumps_the_version(world):
    rule = make_rule(world)
    justice = accounts.create_department(
        actor=world.system, area=world.township_a, name="横街司法所", kind="justice"
    )
    rule = services.update_routing_rule(
        rule,
        actor=world.admin,
        version=rule.version,
        min_priority=Priority.NORMAL,
        copy_departments=[justice],
    )
    rule = reload(rule)
    assert (rule.min_priority, rule.target_level, rule.version) == ("normal", "county", 2)
    assert copied(rule) == {"横街司法所"}
    entry = assert_audited(rule, "events.routing_rule.updated", world.admin)
    assert entry.changes["copy_departments"] == ["横街派出所", "横街司法所"]
    # target level cleared: the rule then only copies
    rule = services.update_routing_rule(
        rule, actor=world.admin, version=rule.version, target_level=""
    )
    assert reload(rule).target_level == "" and copied(rule) == {"横街司法所"}


def test_update_routing_rule_refuses_a_stale_version(world):
    rule = make_rule(world)
    services.update_routing_rule(
        rule, actor=world.admin, version=rule.version, min_priority=Priority.NORMAL
    )
    with pytest.raises(Conflict) as exc:
        services.update_routing_rule(rule, actor=world.admin, version=1, target_level="")
    assert_chinese(exc)
    assert reload(rule).target_level == "county"


def test_update_routing_rule_refuses_others_and_bad_values(world):
    rule = make_rule(world)
    with pytest.raises(NotPermitted):
        services.update_routing_rule(rule, actor=world.center_a, version=rule.version)
    admin_b = make_user(world, "admin_b", "集士港管理员")
    accounts.grant_membership(admin_b, actor=world.system, role=Role.ADMIN, area=world.township_b)
    with pytest.raises(NotPermitted):
        services.update_routing_rule(rule, actor=fresh_user(admin_b), version=rule.version)
    with pytest.raises(Invalid) as exc:
        services.update_routing_rule(
            rule, actor=world.admin, version=rule.version, target_level="township"
        )
    assert exc.value.field == "target_level"
    assert reload(rule).version == 1


def test_update_routing_rule_keeps_departments_set_from_above(world):
    """A district administrator copies a district department on township A's rule; township A's
    administrator, who cannot see that department, edits the rule without dropping it."""
    county = county_department(world)
    rule = make_rule(world, copy_departments=[world.police_a, county])
    admin_a = township_admin(world)
    rule = services.update_routing_rule(
        rule, actor=admin_a, version=rule.version, copy_departments=[]
    )
    assert copied(rule) == {"海曙区应急管理局"}


def test_deactivate_routing_rule_keeps_the_row(world):
    rule = make_rule(world)
    rule = services.deactivate_routing_rule(rule, actor=world.admin, version=rule.version)
    rule = reload(rule)
    assert (rule.is_active, rule.version) == (False, 2)
    assert copied(rule) == {"横街派出所"}
    assert rule_count() == 1
    assert_audited(rule, "events.routing_rule.deactivated", world.admin)
    with pytest.raises(InvalidTransition) as exc:
        services.deactivate_routing_rule(rule, actor=world.admin, version=rule.version)
    assert_chinese(exc)
    with pytest.raises(InvalidTransition):
        services.update_routing_rule(rule, actor=world.admin, version=rule.version)
    with pytest.raises(NotPermitted):
        services.deactivate_routing_rule(make_rule(world), actor=world.center_a, version=1)


# --- The rule at work: intake --------------------------------------------------------------------


def test_an_urgent_event_goes_to_the_county_center_and_is_copied(world):
    county = county_center(world)
    make_rule(world, copy_departments=[world.police_a, county_department(world)])
    event = report(world, priority=Priority.URGENT)
    assert (event.center, event.center_path, event.state) == (
        world.district,
        world.district.path,
        State.REPORTED,
    )
    copies = assignments(event)
    assert {(a.department.name, a.role) for a in copies} == {
        ("横街派出所", AssignmentRole.COPY),
        ("海曙区应急管理局", AssignmentRole.COPY),
    }
    assert actions(event) == ["reported", "copied"]
    assert recipients("events.reported") == {county.username}
    assert recipients("events.copied") == {"handler_a", "handler_county"}
    # the county center handles it now; the township center no longer may
    with pytest.raises(NotPermitted):
        services.accept_event(event, actor=world.center_a, version=event.version)
    assert services.accept_event(event, actor=county, version=event.version).state == "accepted"


def test_a_normal_event_is_left_alone_and_a_deactivated_rule_does_nothing(world):
    rule = make_rule(world)
    event = report(world)
    assert event.center == world.township_a and assignments(event) == []
    services.deactivate_routing_rule(rule, actor=world.admin, version=rule.version)
    event = report(world, priority=Priority.URGENT)
    assert event.center == world.township_a and actions(event) == ["reported"]


def test_a_rule_for_every_priority_applies_to_a_normal_event(world):
    county_center(world)
    make_rule(world, min_priority=Priority.NORMAL, copy_departments=[])
    event = report(world, actor=world.worker_a2, grid=world.grid_a2)
    assert event.center == world.district and actions(event) == ["reported"]
    # another township's events are not touched
    other = report(world, actor=world.worker_b1, grid=world.grid_b1, priority=Priority.URGENT)
    assert other.center == world.township_b


# --- API -----------------------------------------------------------------------------------------

RULES = "/api/event-routing-rules/"


def test_api_routing_rules_life(world, api_client):
    api_client.force_authenticate(world.admin)
    fire = category()
    response = api_client.post(
        RULES,
        {
            "area": world.township_a.pk,
            "category": fire.pk,
            "target_level": "county",
            "copy_departments": [world.police_a.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    rule = response.json()
    assert (rule["area_name"], rule["min_priority"], rule["target_level_display"]) == (
        world.township_a.name,
        "urgent",
        "区/县",
    )
    assert [d["name"] for d in rule["copy_departments"]] == ["横街派出所"]
    assert api_client.get(f"{RULES}{rule['id']}/").json() == rule
    listed = api_client.get(RULES, {"area": world.township_a.pk, "is_active": "true"}).json()
    assert [r["id"] for r in listed["results"]] == [rule["id"]]

    patched = api_client.patch(
        f"{RULES}{rule['id']}/",
        {"version": rule["version"], "min_priority": "normal", "copy_departments": []},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["min_priority"], patched.json()["copy_departments"]) == ("normal", [])
    stale = api_client.patch(
        f"{RULES}{rule['id']}/", {"version": rule["version"], "target_level": ""}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "Conflict"

    bad = api_client.patch(
        f"{RULES}{rule['id']}/",
        {"version": patched.json()["version"], "target_level": "", "copy_departments": []},
        format="json",
    )
    assert bad.status_code == 400 and "至少一项" in bad.json()["detail"]

    done = api_client.post(
        f"{RULES}{rule['id']}/deactivate/", {"version": patched.json()["version"]}, format="json"
    )
    assert done.status_code == 200 and done.json()["is_active"] is False
    assert api_client.delete(f"{RULES}{rule['id']}/").status_code == 405
    assert rule_count() == 1


def test_api_routing_rules_refuse_a_user_without_events_configure(world, api_client):
    make_rule(world)
    for user in (world.center_a, world.leader_a, world.worker_a1, world.handler_a):
        api_client.force_authenticate(user)
        response = api_client.get(RULES)
        assert response.status_code == 403, user.username
        assert "直报规则" in response.json()["detail"]
        create = api_client.post(
            RULES,
            {"area": world.township_a.pk, "category": category().pk, "target_level": "county"},
            format="json",
        )
        assert create.status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(RULES).status_code in (401, 403)


def test_api_township_admin_sees_and_edits_only_its_own_rules(world, api_client):
    mine = make_rule(world)
    theirs = make_rule(world, area=world.township_b, copy_departments=[])
    api_client.force_authenticate(township_admin(world))
    listed = api_client.get(RULES).json()
    assert [r["id"] for r in listed["results"]] == [mine.pk]
    assert api_client.get(f"{RULES}{theirs.pk}/").status_code == 404
    patch = api_client.patch(
        f"{RULES}{theirs.pk}/", {"version": 1, "min_priority": "normal"}, format="json"
    )
    assert patch.status_code == 404
    assert (
        api_client.post(f"{RULES}{theirs.pk}/deactivate/", {"version": 1}, format="json")
    ).status_code == 404
    # an area outside the jurisdiction "does not exist" in the payload
    create = api_client.post(
        RULES,
        {
            "area": world.township_b.pk,
            "category": category("hazard-gas").pk,
            "target_level": "county",
        },
        format="json",
    )
    assert create.status_code == 400 and "area" in create.json()
    ok = api_client.patch(
        f"{RULES}{mine.pk}/", {"version": 1, "min_priority": "normal"}, format="json"
    )
    assert ok.status_code == 200
    assert reload(theirs).version == 1


def test_schema_lists_the_new_endpoints(api_client):
    text = api_client.get("/api/schema/").content.decode()
    for path in (
        "/api/event-routing-rules/",
        "/api/event-routing-rules/{id}/deactivate/",
        "/api/events/{event_pk}/attachments/{id}/",
    ):
        assert path in text


# --- Pages ---------------------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_list_create_edit_and_deactivate(world):
    client = login(world.admin)
    page = client.get("/events/routing-rules/")
    assert page.status_code == 200 and "事件直报与抄告规则" in page.content.decode()
    assert "/events/routing-rules/" in client.get("/events/categories/").content.decode()
    assert "事件直报规则" in page.content.decode()  # navigation

    form = client.get("/events/routing-rules/new/")
    assert form.status_code == 200 and "抄告部门" in form.content.decode()
    created = client.post(
        "/events/routing-rules/new/",
        {
            "area": world.township_a.pk,
            "category": category().pk,
            "min_priority": "urgent",
            "target_level": "county",
            "copy_departments": [world.police_a.pk],
        },
    )
    assert created.status_code == 302, created.content.decode()
    with unscoped("test"):
        rule = RoutingRule.objects.get()
    listed = client.get("/events/routing-rules/", {"is_active": "true"}).content.decode()
    assert "横街派出所" in listed and "区(县)综治中心" in listed
    partial = client.get("/events/routing-rules/", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in partial and "<html" not in partial

    # a refusal is shown on the form, nothing changes
    again = client.post(
        f"/events/routing-rules/{rule.pk}/",
        {
            "version": rule.version,
            "category": category().pk,
            "min_priority": "urgent",
            "target_level": "city",
        },
    )
    assert again.status_code == 200 and "没有在用的地市级区域" in again.content.decode()
    assert reload(rule).version == 1
    edited = client.post(
        f"/events/routing-rules/{rule.pk}/",
        {
            "version": rule.version,
            "category": category().pk,
            "min_priority": "normal",
            "target_level": "county",
        },
    )
    assert edited.status_code == 302
    rule = reload(rule)
    assert rule.min_priority == "normal" and copied(rule) == set()

    stale = client.post(f"/events/routing-rules/{rule.pk}/", {"version": 1, "deactivate": "1"})
    assert stale.status_code == 302 and reload(rule).is_active
    gone = client.post(
        f"/events/routing-rules/{rule.pk}/", {"version": rule.version, "deactivate": "1"}
    )
    assert gone.status_code == 302 and not reload(rule).is_active
    assert "已停用" in client.get("/events/routing-rules/").content.decode()


def test_pages_refuse_others_and_hide_other_townships(world):
    theirs = make_rule(world, area=world.township_b, copy_departments=[])
    assert login(world.center_a).get("/events/routing-rules/").status_code == 403
    assert login(world.center_a).get("/events/routing-rules/new/").status_code == 403
    client = login(township_admin(world))
    assert client.get("/events/routing-rules/").status_code == 200
    assert client.get(f"/events/routing-rules/{theirs.pk}/").status_code == 404
    assert "集士港" not in client.get("/events/routing-rules/").content.decode()


# --- Attachments through the API -----------------------------------------------------------------


def _png(name: str = "现场照片.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 200, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def token_client(user: Any) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def with_photo(world) -> tuple[Event, Any, bytes]:
    photo = _png()
    content = photo.read()
    photo.seek(0)
    event = report(world, files=[photo])
    with unscoped("test: the event's attachment"):
        item = event.attachments.get()
    return event, item, content


def test_api_attachment_streams_the_file_to_a_token_caller_who_sees_the_event(world, with_photo):
    event, item, content = with_photo
    client = token_client(world.worker_a1)
    detail = client.get(f"/api/events/{event.pk}/").json()
    [listed] = detail["attachments"]
    assert listed["api_url"].endswith(f"/api/events/{event.pk}/attachments/{item.pk}/")
    # the page link needs a session: a token caller is sent to the login page
    assert client.get(listed["url"]).status_code == 302

    response = client.get(listed["api_url"], HTTP_ACCEPT="image/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "inline; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    # the center of the township sees it too
    assert token_client(world.center_a).get(listed["api_url"]).status_code == 200


def test_api_attachment_is_absent_to_callers_who_cannot_see_the_event(world, with_photo):
    event, item, _ = with_photo
    url = f"/api/events/{event.pk}/attachments/{item.pk}/"
    for user in (world.center_b, world.worker_b1, world.worker_a2, world.handler_a):
        response = token_client(user).get(url)
        assert response.status_code == 404, user.username
        assert response["Content-Type"] == "application/json"
        assert "未找到" in response.json()["detail"]
    assert Client().get(url).status_code in (401, 403)
    # an attachment asked for under another (visible) event is absent as well
    other = report(world)
    assert (
        token_client(world.worker_a1)
        .get(f"/api/events/{other.pk}/attachments/{item.pk}/")
        .status_code
        == 404
    )
    assert (
        token_client(world.worker_a1).get(f"/api/events/{event.pk}/attachments/999999/").status_code
        == 404
    )


def test_api_attachment_reaches_a_department_once_the_event_is_dispatched_to_it(world, with_photo):
    event, item, _ = with_photo
    url = f"/api/events/{event.pk}/attachments/{item.pk}/"
    assert token_client(world.handler_a).get(url).status_code == 404
    event = services.accept_event(event, actor=world.center_a, version=event.version)
    services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )
    assert token_client(fresh_user(world.handler_a)).get(url).status_code == 200
