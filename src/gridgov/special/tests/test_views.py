"""The pages: opening a status, the file and its actions, details, the phone visit page with a
photo and an event, the visit day, the photo behind scoping, configuration."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gridgov.core.scoping import unscoped
from gridgov.special import services
from gridgov.special.models import SpecialStatus, Visit, VisitRule
from gridgov.special.tests.support import fresh, open_status, person


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (9, 120, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("走访.png", buffer.getvalue(), content_type="image/png")


def test_open_a_status_from_the_id_number_then_fill_its_details(world):
    target = person(world, name="郑十")
    client = login(world.officer_a1)
    found = client.get("/special/open/", {"id_number": "330203199001011236"})
    assert found.status_code == 302 and found.url.endswith(f"?person={target.pk}")
    page = client.get(found.url).content.decode()
    assert "郑十" in page and "艾滋病危险人员" not in page  # no HIV grant: not offered
    response = client.post(
        found.url,
        {"type": kind_pk("mental"), "grade": "basically_stable", "officer": world.worker_a1.pk},
    )
    assert response.status_code == 302
    with unscoped("test"):
        status = SpecialStatus.objects.get(person=target)
    assert response.url == f"/special/{status.pk}/edit/"
    edit = client.get(response.url).content.decode()
    assert "目前危险性评估等级" in edit and "帮教小组成员 1" in edit
    response = client.post(
        response.url,
        {
            "version": status.version,
            "d_danger_level": "02",
            "d_diagnosis": "01",
            "d_subsidy": "true",
            "d_managers": ["01", "02"],
            "team_role_0": "family",
            "team_name_0": "郑母",
            "measures": ["dibao"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    status = fresh(status)
    assert status.details == {
        "danger_level": "02",
        "diagnosis": "01",
        "subsidy": True,
        "managers": ["01", "02"],
    }
    assert status.team == [{"role": "family", "name": "郑母"}]


def kind_pk(code):
    from gridgov.special.models import SpecialType

    return SpecialType.objects.get(code=code).pk


def test_open_page_refuses_an_unknown_or_invisible_person(world):
    client = login(world.officer_a1)
    page = client.get("/special/open/", {"id_number": "330203199001011236"}).content.decode()
    assert "未登记或不在您的辖区" in page
    other = person(world, grid=world.grid_b1)
    assert client.get("/special/open/", {"person": other.pk}).status_code == 404
    assert login(world.worker_a1).get("/special/open/").status_code == 403


def test_the_file_offers_actions_by_role_and_changes_the_grade(world):
    status = open_status(world, grade="stable", officer=world.worker_a1)
    worker = login(world.worker_a1).get(f"/special/{status.pk}/").content.decode()
    assert "登记走访" in worker and 'data-testid="action-grade"' not in worker
    client = login(world.center_a)
    page = client.get(f"/special/{status.pk}/").content.decode()
    assert 'data-testid="action-grade"' in page and 'data-testid="action-handover"' in page
    response = client.post(
        f"/special/{status.pk}/do/grade/",
        {"grade-version": status.version, "grade-grade": "unstable"},
    )
    assert response.status_code == 302 and fresh(status).grade == "unstable"
    stale = client.post(
        f"/special/{status.pk}/do/grade/",
        {"grade-version": status.version, "grade-grade": "stable"},
    )
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    denied = login(world.worker_a1).post(
        f"/special/{status.pk}/do/end/",
        {"end-version": fresh(status).version, "end-reason": "deceased"},
    )
    assert denied.status_code == 400 and fresh(status).is_open


def test_a_visit_from_the_phone_with_a_photo_and_an_event(world):
    from gridgov.events.models import Category

    status = open_status(world, code="drug", grade="high", officer=world.worker_a1)
    client = login(world.worker_a1)
    day = client.get("/special/mine/").content.decode()
    assert f'data-testid="visit-item-{status.pk}"' in day
    form = client.get(f"/special/{status.pk}/visit/").content.decode()
    assert 'capture="environment"' in form and "每 7 自然日" in form
    response = client.post(
        f"/special/{status.pk}/visit/",
        {
            "kind": "drug_test",
            "visited_on": status.started_on.isoformat(),
            "place": "社区卫生站",
            "findings": "尿检阴性,情绪稳定。",
            "test_result": "negative",
            "photo": png(),
            "raise_event": "on",
            "event_category": Category.objects.get(code="service-relief").pk,
            "event_title": "生活困难",
            "event_description": "家中缺少生活费,希望得到临时救助。",
        },
    )
    assert response.status_code == 302 and response.url == "/special/mine/"
    with unscoped("test"):
        visit = Visit.objects.get(status=status)
    assert visit.photo and visit.event is not None and visit.test_result == "negative"
    photo = client.get(f"/special/visits/{visit.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert login(world.worker_a2).get(f"/special/visits/{visit.pk}/photo/").status_code == 404
    detail = client.get(f"/special/{status.pk}/").content.decode()
    assert "尿检(阴性)" in detail and visit.event.code in detail


def test_a_visit_form_asks_for_the_event_fields(world):
    status = open_status(world, grade="stable")
    response = login(world.worker_a1).post(
        f"/special/{status.pk}/visit/",
        {
            "kind": "talk",
            "visited_on": status.started_on.isoformat(),
            "findings": "x",
            "raise_event": "on",
        },
    )
    assert response.status_code == 200 and "上报事件请填写事件类别" in response.content.decode()
    with unscoped("test"):
        assert not Visit.objects.exists()


def test_the_person_file_shows_the_special_section(world):
    status = open_status(world, grade="stable")
    page = login(world.center_a).get(f"/registry/people/{status.person_id}/").content.decode()
    assert 'data-testid="special-section"' in page and "严重精神障碍患者" in page


def test_configuration_pages_edit_a_rule(world):
    status = open_status(world, grade="stable")
    assert login(world.center_a).get("/special/config/").status_code == 403
    client = login(world.admin)
    assert "严重精神障碍患者" in client.get("/special/config/").content.decode()
    mental = kind_pk("mental")
    response = client.post(
        f"/special/config/rules/{mental}/stable/",
        {
            "interval_value": "30",
            "interval_unit": "natural_days",
            "visit_kinds": ["followup"],
            "note": "本地要求",
        },
    )
    assert response.status_code == 302
    assert VisitRule.objects.get(type_id=mental, grade="stable").interval_value == 30
    assert fresh(status).next_visit_due == status.started_on + __import__("datetime").timedelta(
        days=30
    )
    response = client.post(
        f"/special/config/types/{mental}/", {"name": "严重精神障碍患者", "is_active": "on"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "url", ["/special/", "/special/mine/", "/special/overdue/", "/special/handovers/"]
)
def test_pages_render_for_a_grid_worker(world, url):
    open_status(world, grade="stable", officer=world.worker_a1)
    assert login(world.worker_a1).get(url).status_code == 200


def test_list_filters_and_htmx_partial(world):
    status = open_status(world, person=person(world, name="冯十二"), grade="stable")
    services.change_officer(
        status, actor=world.center_a, version=status.version, officer=world.worker_a1
    )
    client = login(world.worker_a1)
    assert "冯*二" in client.get("/special/", {"mine": "true"}).content.decode()
    assert "冯*二" not in client.get("/special/", {"type": kind_pk("drug")}).content.decode()
    assert "冯*二" in client.get("/special/", {"q": "冯十二"}).content.decode()
    partial = client.get("/special/", {"q": "冯"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "冯*二" in partial


def test_the_center_finds_statuses_without_an_officer(world):
    from gridgov.registry import flags

    flags.raise_flag(
        flags.Flag(code="key_petitioner", person=person(world, name="褚十三"), reason="多次信访"),
        actor=world.center_a,
    )
    open_status(world, person=person(world, name="卫十四"), grade="stable", officer=world.worker_a1)
    page = login(world.center_a).get("/special/", {"unassigned": "true", "open": "true"})
    text = page.content.decode()
    assert "褚*三" in text and "卫*四" not in text and "未指定" in text
