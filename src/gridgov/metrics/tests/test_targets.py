"""Targets (指标目标): the service's rules, which target applies where, the pages and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import HardDeleteForbidden, forget_jurisdiction, unscoped
from gridgov.core.testing.personas import PASSWORD
from gridgov.metrics import services
from gridgov.metrics.models import Target
from gridgov.metrics.targets import eligible_figures, targets_for, targets_for_areas

pytestmark = pytest.mark.django_db

SATISFACTION = "events.satisfaction_rate"
CLOSURE = "events.closure_rate"
URL = "/api/metric-targets/"


def reload(target: Target) -> Target:
    return Target._base_manager.get(pk=target.pk)


def audit_codes(target: Target) -> list[str]:
    entries = LogEntry.objects.get_for_object(target).order_by("timestamp")
    return [e.additional_data["action"] for e in entries]


@pytest.fixture
def admin_b(world):
    """An administrator of township B only."""
    user = accounts.create_user(
        actor=world.system, username="admin_b", full_name="乙管理员", password=PASSWORD
    )
    accounts.grant_membership(user, actor=world.system, role=Role.ADMIN, area=world.township_b)
    forget_jurisdiction(user)
    return user


@pytest.fixture
def district_targets(world):
    """District: 满意率 ≥ 98, 结案率 ≥ 90; township A overrides 结案率 with ≥ 92."""
    admin = world.admin
    return {
        "satisfaction": services.set_target(
            world.district, figure_code=SATISFACTION, value="98", actor=admin
        ),
        "closure": services.set_target(
            world.district, figure_code=CLOSURE, value=90, note="区考核", actor=admin
        ),
        "closure_a": services.set_target(
            world.township_a, figure_code=CLOSURE, value="92.5", actor=admin
        ),
    }


# --- Service and inheritance ----------------------------------------------------------------------


def test_set_target_applies_to_the_area_and_everything_under_it(world):
    # when
    target = services.set_target(
        world.district, figure_code=SATISFACTION, value="98", actor=world.admin
    )
    # then
    target = reload(target)
    assert target.comparison == "gte" and target.value == Decimal("98.00")
    assert target.area_path == world.district.path and target.is_active
    assert target.created_by == world.admin and target.updated_by == world.admin
    assert target.label == "≥ 98.00%"
    for area in (world.district, world.township_a, world.village_a1, world.grid_b1):
        assert targets_for(area) == {SATISFACTION: target}
    assert audit_codes(target) == ["metrics.target.set"]


def test_a_lower_target_overrides_the_one_above_only_below_it(world, district_targets):
    t = district_targets
    assert targets_for(world.district)[CLOSURE] == t["closure"]
    assert targets_for(world.township_a)[CLOSURE] == t["closure_a"]
    assert targets_for(world.village_a1)[CLOSURE] == t["closure_a"]
    assert targets_for(world.village_b1)[CLOSURE] == t["closure"]
    # the figure without an override is inherited from the district everywhere
    assert targets_for(world.village_a1)[SATISFACTION] == t["satisfaction"]


def test_targets_for_many_areas_is_one_query(world, district_targets, django_assert_num_queries):
    areas = [world.district, world.township_a, world.village_a1, world.village_b1, world.grid_a2]
    with django_assert_num_queries(1):
        found = targets_for_areas(areas)
    assert found[world.grid_a2.pk][CLOSURE] == district_targets["closure_a"]
    assert found[world.village_b1.pk][CLOSURE] == district_targets["closure"]
    assert targets_for_areas([]) == {}


def test_retire_target_lets_the_one_above_apply_again(world, district_targets):
    t = district_targets["closure_a"]
    # when
    retired = services.retire_target(t, version=t.version, reason="并入全区目标", actor=world.admin)
    # then
    retired = reload(retired)
    assert not retired.is_active and retired.retired_by == world.admin
    assert retired.retired_reason == "并入全区目标" and retired.retired_at is not None
    assert retired.version == 2
    assert targets_for(world.village_a1)[CLOSURE] == district_targets["closure"]
    assert audit_codes(retired) == ["metrics.target.set", "metrics.target.retired"]
    # a new target may be set once the old one is retired; the old row stays
    again = services.set_target(
        world.township_a, figure_code=CLOSURE, value="93", actor=world.admin
    )
    assert targets_for(world.village_a1)[CLOSURE] == again
    with unscoped("test"):
        assert Target.objects.filter(area=world.township_a, figure_code=CLOSURE).count() == 2


def test_update_target_changes_value_and_note_and_checks_the_version(world, district_targets):
    t = district_targets["satisfaction"]
    updated = services.update_target(
        t, version=t.version, value="97.5", note="按省定标准", actor=world.admin
    )
    updated = reload(updated)
    assert updated.value == Decimal("97.50") and updated.note == "按省定标准"
    assert updated.version == 2 and updated.label == "≥ 97.50%"
    assert audit_codes(updated)[-1] == "metrics.target.updated"
    # a form loaded before that change is refused, in Chinese
    with pytest.raises(Conflict) as stale:
        services.update_target(t, version=1, value="99", actor=world.admin)
    assert "已被他人修改" in stale.value.message
    with pytest.raises(Conflict):
        services.retire_target(t, version=1, reason="过期", actor=world.admin)
    assert reload(t).value == Decimal("97.50")


def test_a_retired_target_is_neither_changed_nor_retired_again(world, district_targets):
    t = district_targets["closure"]
    services.retire_target(t, version=1, reason="年度调整", actor=world.admin)
    with pytest.raises(InvalidTransition, match="已停用的目标不能修改"):
        services.update_target(t, version=2, value="91", actor=world.admin)
    with pytest.raises(InvalidTransition, match="该目标已停用"):
        services.retire_target(t, version=2, reason="再停", actor=world.admin)


def test_only_administrators_of_the_area_may_set_targets(world, admin_b, district_targets):
    for user in (world.center_a, world.leader_a, world.officer_a1, world.worker_a1):
        with pytest.raises(NotPermitted) as refused:
            services.set_target(world.township_a, figure_code=SATISFACTION, value=99, actor=user)
        assert refused.value.message == f"您无权设置{world.township_a.name}的指标目标。"
    # an administrator of township B: their own township yes, township A and the district no
    own = services.set_target(world.township_b, figure_code=SATISFACTION, value=99, actor=admin_b)
    assert targets_for(world.village_b1)[SATISFACTION] == own
    for area in (world.township_a, world.district):
        with pytest.raises(NotPermitted):
            services.set_target(
                area, figure_code="events.on_time_closure_rate", value=90, actor=admin_b
            )
    t = district_targets["closure_a"]
    with pytest.raises(NotPermitted):
        services.update_target(t, version=t.version, value="80", actor=admin_b)
    with pytest.raises(NotPermitted):
        services.retire_target(t, version=t.version, reason="越权", actor=admin_b)
    assert reload(t).is_active


@pytest.mark.parametrize(
    ("figure_code", "comparison", "value", "message"),
    [
        ("events.nothing", "", "90", "没有这项统计指标:events.nothing。"),
        ("", "", "90", "请选择一项统计指标。"),
        ("events.reported", "", "10", "“上报数”没有高低好坏之分,不能设目标。"),
        ("events.closed", "", "10", "“结案数”是工作量,不设目标;请为相应的比率设目标。"),
        (SATISFACTION, "lte", "90", "“满意率”越高越好,目标只能是“不低于(≥)”。"),
        ("events.overdue_open", "gte", "1", "“超期未办结”越低越好,目标只能是“不高于(≤)”。"),
        (SATISFACTION, "eq", "90", "比较方式须为“不低于”或“不高于”。"),
        (SATISFACTION, "", "", "请填写目标值。"),
        (SATISFACTION, "", "九十", "目标值须为数字。"),
        (SATISFACTION, "", "NaN", "目标值须为数字。"),
        (SATISFACTION, "", "-1", "目标值不能小于 0。"),
        (SATISFACTION, "", "100.01", "比率的目标值须在 0 到 100 之间。"),
        (SATISFACTION, "", "98.125", "“满意率”的目标值最多保留两位小数。"),
        ("events.avg_accept_hours", "", "2.25", "“平均受理时长”的目标值最多保留一位小数。"),
        ("events.overdue_open", "", "0.5", "“超期未办结”以件计,目标值须为整数。"),
        ("events.avg_accept_hours", "", "1e12", "目标值过大。"),
    ],
)
def test_set_target_refuses_what_cannot_be_a_target(world, figure_code, comparison, value, message):
    with pytest.raises(Invalid) as refused:
        services.set_target(
            world.district,
            figure_code=figure_code,
            comparison=comparison,
            value=value,
            actor=world.admin,
        )
    assert refused.value.message == message
    with unscoped("test"):
        assert not Target.objects.exists()


def test_set_target_refuses_grids_twins_long_notes_and_retired_areas(world, district_targets):
    with pytest.raises(Invalid, match="不设到网格"):
        services.set_target(world.grid_a1, figure_code=SATISFACTION, value=98, actor=world.admin)
    with pytest.raises(Invalid) as twin:
        services.set_target(world.township_a, figure_code=CLOSURE, value=95, actor=world.admin)
    assert twin.value.message == (
        f"{world.township_a.name}已有“结案率”的在用目标(≥ 92.50%),请修改该目标。"
    )
    assert twin.value.field == "figure_code"
    with pytest.raises(Invalid, match="说明最多 200 字"):
        services.set_target(
            world.village_a1, figure_code=SATISFACTION, value=98, note="长" * 201, actor=world.admin
        )
    t = district_targets["closure"]
    with pytest.raises(Invalid, match="请填写停用原因"):
        services.retire_target(t, version=t.version, reason="  ", actor=world.admin)


def test_targets_are_never_deleted(world, district_targets):
    with pytest.raises(HardDeleteForbidden):
        district_targets["closure"].delete()


def test_label_and_met_read_the_value_as_it_is_shown(world):
    admin = world.admin
    rate = services.set_target(world.district, figure_code=SATISFACTION, value="98", actor=admin)
    assert rate.met(None) is None
    assert rate.met(98.0) is True and rate.met(97.996) is True  # shown as 98.00
    assert rate.met(97.99) is False and rate.met(100) is True
    ceiling = services.set_target(
        world.district, figure_code="events.overdue_open", value=0, actor=admin
    )
    assert ceiling.comparison == "lte" and ceiling.label == "≤ 0 件"
    assert ceiling.met(0) is True and ceiling.met(2) is False
    hours = services.set_target(
        world.district, figure_code="events.avg_accept_hours", value="24", actor=admin
    )
    assert hours.label == "≤ 24.0 小时"
    assert hours.met(24.04) is True and hours.met(24.06) is False
    people = services.set_target(world.district, figure_code="special.lost", value=0, actor=admin)
    assert people.label == "≤ 0 人"


def test_eligible_figures_are_rates_averages_and_ceilings():
    eligible = {f.code for f in eligible_figures()}
    assert {SATISFACTION, CLOSURE, "special.care_rate", "events.avg_accept_hours"} <= eligible
    assert {"events.overdue_open", "petitions.skip_level", "special.lost"} <= eligible
    assert not {"events.reported", "events.closed", "special.in_care"} & eligible


# --- Pages ----------------------------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_targets_page_lists_own_and_inherited_targets(world, admin_b, district_targets):
    # given: the township's administrator sets one target of their own
    own = services.set_target(world.township_b, figure_code=SATISFACTION, value=99, actor=admin_b)
    # when
    response = login(admin_b).get(reverse("metrics:targets"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/metrics/targets/"' in html and "指标目标" in html  # the navigation entry
    applying = {r["target"].figure_code: r for r in response.context["applying"]}
    assert response.context["area"] == world.township_b
    assert applying[SATISFACTION]["own"] and applying[SATISFACTION]["target"] == own
    assert (
        not applying[CLOSURE]["own"] and applying[CLOSURE]["target"] == district_targets["closure"]
    )
    assert f"继承自{world.district.name}" in html and "本级设置" in html
    assert applying[CLOSURE]["override_url"].endswith(
        f"?area={world.township_b.pk}&figure={CLOSURE}"
    )
    # the list holds only the targets of their areas, each with the one it overrides
    items = {i["target"].pk: i for i in response.context["items"]}
    assert list(items) == [own.pk]
    assert items[own.pk]["overrides"] == district_targets["satisfaction"]


def test_targets_page_filters_by_area_and_figure(world, district_targets):
    client = login(world.admin)
    response = client.get(reverse("metrics:targets"), {"area": world.township_a.pk})
    assert [i["target"] for i in response.context["items"]] == [district_targets["closure_a"]]
    assert response.context["area"] == world.township_a
    response = client.get(reverse("metrics:targets"), {"figure": CLOSURE})
    listed = {i["target"] for i in response.context["items"]}
    assert listed == {district_targets["closure"], district_targets["closure_a"]}
    partial = client.get(reverse("metrics:targets"), {"figure": CLOSURE}, HTTP_HX_REQUEST="true")
    assert "<h1>" not in partial.content.decode() and "92.50%" in partial.content.decode()


def test_targets_pages_are_refused_to_those_without_the_action(world, district_targets):
    t = district_targets["closure"]
    for user in (world.center_a, world.leader_a, world.worker_a1):
        client = login(user)
        assert client.get(reverse("metrics:targets")).status_code == 403
        assert client.get(reverse("metrics:target_create")).status_code == 403
        assert client.get(reverse("metrics:target_edit", args=[t.pk])).status_code == 403
        assert "指标目标" not in client.get("/").content.decode()


def test_targets_outside_the_jurisdiction_are_absent(world, admin_b, district_targets):
    client = login(admin_b)
    for name in ("metrics:target_edit", "metrics:target_retire"):
        for t in (district_targets["closure"], district_targets["closure_a"]):
            assert client.get(reverse(name, args=[t.pk])).status_code == 404
            assert (
                client.post(reverse(name, args=[t.pk]), {"version": 1, "reason": "x"}).status_code
                == 404
            )
    assert reload(district_targets["closure_a"]).is_active
    # nor can they set one on an area that is not theirs: it is not among the choices
    response = client.post(
        reverse("metrics:target_create"),
        {"area": world.township_a.pk, "figure_code": SATISFACTION, "value": "99"},
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()


def test_create_edit_and_retire_through_the_pages(world):
    client = login(world.admin)
    form = client.get(
        reverse("metrics:target_create"), {"area": world.township_a.pk, "figure": SATISFACTION}
    )
    assert form.status_code == 200
    assert form.context["form"].initial == {
        "area": str(world.township_a.pk),
        "figure_code": SATISFACTION,
    }
    # a value the figure cannot take is shown on the field, in Chinese
    bad = client.post(
        reverse("metrics:target_create"),
        {"area": world.township_a.pk, "figure_code": SATISFACTION, "value": "120"},
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors == {"value": ["比率的目标值须在 0 到 100 之间。"]}
    made = client.post(
        reverse("metrics:target_create"),
        {"area": world.township_a.pk, "figure_code": SATISFACTION, "value": "98", "note": "镇考核"},
    )
    assert made.status_code == 302 and made["Location"].endswith(f"?area={world.township_a.pk}")
    with unscoped("test"):
        target = Target.objects.get()
    assert target.label == "≥ 98.00%" and target.note == "镇考核"

    edit_url = reverse("metrics:target_edit", args=[target.pk])
    page = client.get(edit_url)
    assert page.context["form"].initial["value"] == "98"
    saved = client.post(edit_url, {"version": 1, "comparison": "", "value": "99.5", "note": "提高"})
    assert saved.status_code == 302 and reload(target).value == Decimal("99.50")
    stale = client.post(edit_url, {"version": 1, "comparison": "", "value": "97", "note": ""})
    assert (
        stale.status_code == 200 and "该记录已被他人修改,请刷新后重试。" in stale.content.decode()
    )

    retire_url = reverse("metrics:target_retire", args=[target.pk])
    page = client.get(retire_url)
    assert "不再有这项指标的目标" in page.content.decode()
    empty = client.post(retire_url, {"version": 2, "reason": ""})
    assert empty.status_code == 200 and "该字段是必填项" in empty.content.decode()
    done = client.post(retire_url, {"version": 2, "reason": "改按全区目标"})
    assert done.status_code == 302 and not reload(target).is_active
    shown = client.get(edit_url)
    assert "已停用" in shown.content.decode() and "改按全区目标" in shown.content.decode()
    assert client.post(edit_url, {"version": 3, "value": "90"}).status_code == 200
    assert reload(target).value == Decimal("99.50")
    again = client.get(retire_url)
    assert again.status_code == 302


def test_retire_page_says_which_target_applies_afterwards(world, district_targets):
    t = district_targets["closure_a"]
    page = login(world.admin).get(reverse("metrics:target_retire", args=[t.pk]))
    assert f"改按上级{world.district.name}的目标 ≥ 90.00%" in page.content.decode()


# --- API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


def test_api_sets_changes_and_retires_targets(world, api):
    client = api(world.admin)
    made = client.post(
        URL,
        {"area": world.township_a.pk, "figure_code": SATISFACTION, "value": "98"},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["label"] == "≥ 98.00%" and body["comparison"] == "gte"
    assert body["figure_label"] == "满意率" and body["group_title"] == "事件统计"
    assert body["value"] == "98.00" and body["version"] == 1
    pk = body["id"]
    invalid = client.post(
        URL,
        {"area": world.township_a.pk, "figure_code": "events.reported", "value": "1"},
        format="json",
    )
    assert invalid.status_code == 400
    assert invalid.json()["detail"] == "“上报数”没有高低好坏之分,不能设目标。"
    assert invalid.json()["errors"] == {"figure_code": [invalid.json()["detail"]]}
    changed = client.patch(f"{URL}{pk}/", {"version": 1, "value": "99"}, format="json")
    assert changed.status_code == 200 and changed.json()["label"] == "≥ 99.00%"
    stale = client.patch(f"{URL}{pk}/", {"version": 1, "value": "97"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "Conflict"
    listed = client.get(URL, {"figure": SATISFACTION})
    assert [t["id"] for t in listed.json()["results"]] == [pk]
    retired = client.post(f"{URL}{pk}/retire/", {"version": 2, "reason": "调整"}, format="json")
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    again = client.post(f"{URL}{pk}/retire/", {"version": 3, "reason": "再停"}, format="json")
    assert again.status_code == 409
    assert client.delete(f"{URL}{pk}/").status_code == 405


def test_api_follows_the_jurisdiction(world, admin_b, api, district_targets):
    t = district_targets["closure_a"]
    assert api(world.center_a).get(URL).status_code == 403
    client = api(admin_b)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{t.pk}/").status_code == 404
    patched = client.patch(f"{URL}{t.pk}/", {"version": 1, "value": "1"}, format="json")
    assert patched.status_code == 404
    made = client.post(
        URL, {"area": world.township_a.pk, "figure_code": SATISFACTION, "value": "1"}, format="json"
    )
    assert made.status_code == 400 and "area" in made.json()


def test_api_tells_what_applies_to_an_area(world, api, district_targets):
    client = api(world.center_a)
    response = client.get(f"{URL}effective/", {"area": world.village_a1.pk})
    assert response.status_code == 200
    applying = {row["figure_code"]: row for row in response.json()}
    assert applying[CLOSURE]["target"]["id"] == district_targets["closure_a"].pk
    assert applying[CLOSURE]["inherited"] is True
    assert applying[SATISFACTION]["target"]["label"] == "≥ 98.00%"
    own = client.get(f"{URL}effective/", {"area": world.township_a.pk}).json()
    assert {r["figure_code"]: r["inherited"] for r in own}[CLOSURE] is False
    assert (
        api(world.center_b).get(f"{URL}effective/", {"area": world.village_a1.pk}).status_code
        == 404
    )
    assert client.get(f"{URL}effective/").status_code == 400


def test_schema_lists_the_target_endpoints(api_client):
    text = api_client.get("/api/schema/").content.decode()
    for path in (
        "/api/metric-targets/",
        "/api/metric-targets/{id}/retire/",
        "/api/metric-targets/effective/",
    ):
        assert path in text


def test_targets_page_and_api_filter_by_status(world, api, district_targets):
    t = district_targets["closure"]
    services.retire_target(t, version=t.version, reason="年度调整", actor=world.admin)
    client = login(world.admin)
    retired = client.get(reverse("metrics:targets"), {"is_active": "false"})
    assert [i["target"] for i in retired.context["items"]] == [t]
    active = client.get(reverse("metrics:targets"), {"is_active": "true"})
    assert t not in [i["target"] for i in active.context["items"]]
    assert len(active.context["items"]) == 2
    listed = api(world.admin).get(URL, {"is_active": "false"}).json()["results"]
    assert [row["id"] for row in listed] == [t.pk]
