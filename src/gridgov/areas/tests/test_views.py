"""The area pages as a user meets them: forms, errors in Chinese, htmx partials, conflicts."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped
from gridgov.core.testing.personas import square

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    return client


def test_create_grid_through_the_page(world, admin_client):
    url = reverse("areas:create", args=[world.village_a2.pk])
    page = admin_client.get(url).content.decode()
    assert "网格类型" in page and "边界" in page
    response = admin_client.post(
        url,
        {
            "code": "330203101202005",
            "name": "乙村第五网格",
            "grid_kind": "real",
            "households": "280",
            "boundary": json.dumps(square(121.42, 29.87)),
        },
    )
    assert response.status_code == 302
    with unscoped("test"):
        grid = Area.objects.get(code="330203101202005")
    assert grid.households == 280 and grid.boundary["type"] == "Polygon"
    assert response.url == reverse("areas:detail", args=[grid.pk])


def test_create_with_a_bad_code_shows_why_and_writes_nothing(world, admin_client):
    with unscoped("test"):
        before = Area.objects.count()
    response = admin_client.post(
        reverse("areas:create", args=[world.village_a2.pk]),
        {"code": "33020310120200", "name": "坏代码", "grid_kind": "real"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "应为 15 位数字" in body
    with unscoped("test"):
        assert Area.objects.count() == before


def test_bad_geojson_is_a_form_error(world, admin_client):
    response = admin_client.post(
        reverse("areas:create", args=[world.village_a2.pk]),
        {
            "code": "330203101202006",
            "name": "乙村第六网格",
            "grid_kind": "real",
            "boundary": "{not json",
        },
    )
    assert "边界不是有效的 JSON" in response.content.decode()


def test_stale_edit_is_refused_with_a_conflict_message(world, admin_client):
    url = reverse("areas:update", args=[world.village_a1.pk])
    # someone else saves first
    admin_client.post(url, {"version": world.village_a1.version, "name": "甲村(新)"})
    response = admin_client.post(url, {"version": world.village_a1.version, "name": "甲村(旧页面)"})
    assert "已被他人修改" in response.content.decode()
    assert world.refresh(world.village_a1).name == "甲村(新)"


def test_retire_refused_while_records_remain(world, admin_client):
    response = admin_client.post(
        reverse("areas:retire", args=[world.grid_a1.pk]),
        {"version": world.grid_a1.version, "reason": "合并"},
    )
    body = response.content.decode()
    assert "仍有在用记录" in body and "网格人员分配 1 条" in body
    assert world.refresh(world.grid_a1).is_active


def test_move_under_own_descendant_is_refused(world, admin_client):
    # the form offers only areas of the right level outside the subtree, so a crafted POST is
    # refused by the form; the service refuses it too (see test_services)
    response = admin_client.post(
        reverse("areas:move", args=[world.village_a1.pk]),
        {"version": world.village_a1.version, "new_parent": world.grid_a1.pk},
    )
    assert response.status_code == 200
    assert world.refresh(world.village_a1).parent_id == world.township_a.pk


def test_move_village_to_other_township_through_the_page(world, admin_client):
    response = admin_client.post(
        reverse("areas:move", args=[world.village_a2.pk]),
        {"version": world.village_a2.version, "new_parent": world.township_b.pk},
    )
    assert response.status_code == 302
    assert world.refresh(world.village_a2).code == "330203102202"
    assert world.refresh(world.grid_a2).code == "330203102202001"


def test_list_filter_with_htmx_returns_only_the_table(world, admin_client):
    response = admin_client.get(reverse("areas:list"), {"level": "grid"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "<table" in body
    assert "甲村第一网格" in body and "横街镇" not in body


def test_import_townships_from_national_codes(world, admin_client):
    url = reverse("areas:import_divisions", args=[world.district.pk])
    assert "330203103 古林镇" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"codes": ["330203103", "330203104"]})
    assert response.status_code == 302
    with unscoped("test"):
        assert set(
            Area.objects.filter(code__in=["330203103", "330203104"]).values_list("name", flat=True)
        ) == {"古林镇", "洞桥镇"}


def test_unstaffed_page_lists_grids_without_responsible_worker(world):
    client = Client()
    client.force_login(world.center_a)
    body = client.get(reverse("areas:unstaffed")).content.decode()
    assert "甲村专属网格" in body and "甲村第一网格" not in body


def test_assign_and_end_through_the_pages(world):
    client = Client()
    client.force_login(world.center_a)
    response = client.post(
        reverse("areas:assign", args=[world.grid_a1_virtual.pk]),
        {
            "user": world.worker_a2.pk,
            "post": "chief",
            "duties": ["information", "risk"],
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("areas:unstaffed")).content.decode()
    assert world.grid_a1_virtual.code not in body
    detail = client.get(reverse("areas:detail", args=[world.grid_a1_virtual.pk])).content.decode()
    assert "网格长" in detail and "信息采集、风险排查" in detail


def test_locate_page(world):
    client = Client()
    client.force_login(world.worker_a1)
    found = client.get(
        reverse("areas:locate"), {"lat": "29.875", "lng": "121.405"}
    ).content.decode()
    assert "甲村第一网格" in found
    elsewhere = client.get(
        reverse("areas:locate"), {"lat": "29.875", "lng": "121.415"}
    ).content.decode()
    assert "不在您辖区内" in elsewhere  # that point is in 乙村, which the worker cannot see


def test_export_link_follows_the_filter(world, admin_client):
    body = admin_client.get(reverse("areas:list"), {"level": "grid"}, HTTP_HX_REQUEST="true")
    assert "/areas/export.csv?level=grid" in body.content.decode()
