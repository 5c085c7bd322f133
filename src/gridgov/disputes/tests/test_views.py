"""Dispute pages: the section on the event page, details and mediation forms through the
services, screening pages, the sheet and its XLSX, the supervised list, and who gets what."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gridgov.disputes.models import DisputeDetail, Mediation, ScreeningReport
from gridgov.disputes.tests.support import days_ago, detail, dispute_event, mediation, person

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_event_page_shows_the_dispute_section(world):
    event = dispute_event(world)
    page = _client(world.officer_a1).get(f"/events/{event.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="dispute-section"' in text and "登记纠纷详情" in text
    # not a dispute: no section
    hazard = dispute_event(world, category_code="hazard-fire")
    assert (
        "dispute-section"
        not in _client(world.officer_a1).get(f"/events/{hazard.pk}/").content.decode()
    )


def test_record_details_and_parties_through_the_pages(world):
    event = dispute_event(world)
    client = _client(world.officer_a1)
    form = client.get(f"/disputes/event/{event.pk}/details/")
    assert form.status_code == 200 and "用水排水通行通风采光" in form.content.decode()
    assert "婚恋家庭" not in form.content.decode()  # only the event's first level
    response = client.post(
        f"/disputes/event/{event.pk}/details/",
        {
            "subcategory": "0201",
            "scale": "01",
            "people_count": 2,
            "is_major": "on",
            "owner": world.leader_a.pk,
        },
    )
    assert response.status_code == 302
    row = DisputeDetail._base_manager.get(event=event)
    assert row.is_major and row.owner_id == world.leader_a.pk
    bad = client.post(
        f"/disputes/event/{event.pk}/details/",
        {"version": row.version, "subcategory": "0201", "scale": "02", "people_count": 2},
    )
    assert bad.status_code == 400 and "群体性事件涉及人数" in bad.content.decode()
    unit_form = client.post(f"/disputes/event/{event.pk}/parties/", {"role": "applicant"})
    assert unit_form.status_code == 400 and "二选一" in unit_form.content.decode()
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "修改纠纷详情" in page and "受理调解" in page


def test_mediation_pages(world):
    row = detail(world)
    client = _client(world.mediator_a)
    start = client.post(
        f"/disputes/event/{row.event_id}/mediation/",
        {
            "committee": "township",
            "organisation": "横街镇人民调解委员会",
            "method": "0103",
            "mediators": [world.mediator_a.pk],
            "started_on": days_ago(3).isoformat(),
        },
    )
    assert start.status_code == 302, start.content.decode()
    m = Mediation._base_manager.get(dispute=row)
    page = client.get(f"/events/{row.event_id}/").content.decode()
    assert "规范调结日期" in page and f"{m.norm_due_on:%Y-%m-%d}" in page
    agree = client.get(f"/disputes/mediation/{m.pk}/agree/")
    assert agree.status_code == 200 and "multipart/form-data" in agree.content.decode()
    done = client.post(
        f"/disputes/mediation/{m.pk}/agree/",
        {
            "version": m.version,
            "agreement_form": "written",
            "agreement_text": "协议内容",
            "agreement_on": days_ago(1).isoformat(),
        },
    )
    assert done.status_code == 302
    page = client.get(f"/events/{row.event_id}/").content.decode()
    assert f"{days_ago(-29):%Y-%m-%d}" in page and "30 日内" in page
    confirm = client.get(f"/disputes/mediation/{m.pk}/confirm/").content.decode()
    assert "截止" in confirm
    assert client.get(f"/disputes/mediation/{m.pk}/nonsense/").status_code == 404


def test_pages_of_another_township_are_absent(world):
    row = detail(world)
    m = mediation(world, row)
    client = _client(world.center_b)
    assert client.get(f"/disputes/event/{row.event_id}/details/").status_code == 404
    assert client.get(f"/disputes/mediation/{m.pk}/session/").status_code == 404


def test_screening_pages_and_sheet(world):
    event = dispute_event(world, actor=world.officer_a1, days_back=0)
    client = _client(world.officer_a1)
    page = client.get("/disputes/screening/")
    assert page.status_code == 200 and "上报本期报告" in page.content.decode()
    form = client.get(f"/disputes/screening/new/?area={world.village_a1.pk}")
    assert form.status_code == 200 and event.code in form.content.decode()
    response = client.post(
        f"/disputes/screening/new/?area={world.village_a1.pk}", {"disputes": [event.pk]}
    )
    assert response.status_code == 302
    report = ScreeningReport._base_manager.get()
    assert event.code in client.get(f"/disputes/screening/{report.pk}/").content.decode()
    center = _client(world.center_a)
    sheet = center.get(f"/disputes/sheet/?area={world.township_a.pk}")
    assert sheet.status_code == 200 and "月度汇总" in sheet.content.decode()
    xlsx = center.get(f"/disputes/sheet/?area={world.township_a.pk}&kind=quarter&fmt=xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "季度报告" in book.worksheets[0].cell(1, 1).value
    assert center.get("/disputes/screening/missing/").status_code == 200
    assert (
        _client(world.center_b).get(f"/disputes/sheet/?area={world.township_a.pk}").status_code
        == 404
    )
    # only the village files; the center may set the period
    assert center.get("/disputes/screening/new/").status_code == 403
    assert client.get("/disputes/screening/policy/").status_code == 403
    assert center.get("/disputes/screening/policy/").status_code == 200


def test_ledger_and_listed(world):
    row = detail(world, is_major=True)
    client = _client(world.center_a)
    ledger = client.get("/disputes/?major=true")
    assert ledger.status_code == 200 and row.event.code in ledger.content.decode()
    assert _client(world.handler_a).get("/disputes/").status_code == 403
    leader = _client(world.leader_a)
    form = leader.get(f"/disputes/event/{row.event_id}/list/")
    assert form.status_code == 200
    response = leader.post(
        f"/disputes/event/{row.event_id}/list/",
        {"owner": world.officer_a1.pk, "target_on": days_ago(-10).isoformat(), "reason": "重大"},
    )
    assert response.status_code == 302
    listed = leader.get("/disputes/listed/").content.decode()
    assert row.event.code in listed and "验收销号" in listed


def test_person_file_lists_the_disputes(world):
    someone = person(world, "张三")
    event = dispute_event(world, persons=[someone])
    detail(world, event)
    page = _client(world.officer_a1).get(f"/registry/people/{someone.pk}/")
    assert page.status_code == 200
    assert "涉及矛盾纠纷" in page.content.decode() and event.code in page.content.decode()


def test_metrics_page_and_record_lists(world):
    row = detail(world)
    m = mediation(world, row)
    from gridgov.disputes import services

    services.conclude_agreement(
        m, actor=world.officer_a1, version=m.version, agreement_form="oral", agreement_text="和解"
    )
    services.file_screening_report(actor=world.officer_a1, area=world.village_a1, is_zero=True)
    client = _client(world.center_a)
    page = client.get(f"/metrics/?group=disputes&area={world.township_a.pk}")
    assert page.status_code == 200 and "调处成功率" in page.content.decode()
    query = f"area={world.township_a.pk}&start={days_ago(40)}&end={days_ago(0)}"
    succeeded = client.get(f"/metrics/disputes.succeeded/records/?{query}")
    assert succeeded.status_code == 200 and row.event.code in succeeded.content.decode()
    reports = client.get(f"/metrics/disputes.reports_filed/records/?{query}")
    assert reports.status_code == 200 and "零报告" in reports.content.decode()
    villages = client.get(f"/metrics/disputes.villages_due/records/?{query}")
    # the villages were created today: no period of theirs is due yet
    assert villages.status_code == 200 and "共 0 条" in villages.content.decode()
    assert _client(world.handler_a).get("/metrics/?group=disputes").status_code == 403


def test_home_panel(world):
    officer = _client(world.officer_a1)
    text = officer.get("/").content.decode()
    assert "甲村本期排查报告" in text and "未上报" in text
    from gridgov.disputes import services

    services.file_screening_report(actor=world.officer_a1, area=world.village_a1, is_zero=True)
    assert "已上报" in officer.get("/").content.decode()
    assert "调解超过一个月未调结" in _client(world.center_a).get("/").content.decode()
    assert "调解超过一个月未调结" not in _client(world.handler_a).get("/").content.decode()
