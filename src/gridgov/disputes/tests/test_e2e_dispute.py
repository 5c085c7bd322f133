"""One dispute in the browser, from report to agreement: a grid worker reports a neighbours'
dispute from a phone; the village officer records its details, takes it up for mediation, records
a session and the agreement, settling the event on the spot; the page shows the judicial
confirmation deadline and the event waits for verification. Screenshots go to
test-artifacts/e2e/."""

from __future__ import annotations

import pytest

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import DESKTOP, PHONE, _login, _shot, browser
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]


def _save(page) -> None:
    page.locator("form button[type=submit].primary").last.click()
    page.wait_for_load_state()
    assert "已" in page.locator("ul.messages").inner_text(), page.content()[:3000]


def test_a_dispute_from_report_to_agreement(browser, live_server):
    build_world()
    seed_defaults(EventKind, Category)  # a transactional test before may have flushed them
    errors: list[str] = []

    # 1. The grid worker reports the dispute from a phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    worker = phone.new_page()
    worker.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(worker, live_server, "worker_a1")
    worker.goto(f"{live_server.url}/events/report/")
    worker.select_option("#id_category", label="矛盾纠纷 · 邻里纠纷")
    worker.fill("#id_title", "屋后排水沟堵塞引发邻里争执")
    worker.fill("#id_description", "两户村民因屋后排水沟堵塞、污水外溢多次争吵。")
    worker.click("button[type=submit].primary")
    worker.wait_for_url("**/events/*/")
    event_url = worker.url
    assert worker.locator("[data-testid=event-state]").inner_text() == "待受理"
    phone.close()

    # 2. The village officer records the details (研判).
    officer_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    officer = officer_context.new_page()
    officer.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(officer, live_server, "officer_a1")
    officer.goto(event_url)
    officer.click("[data-testid=dispute-record]")
    officer.select_option("#id_subcategory", label="邻里 · 用水排水通行通风采光")
    officer.fill("#id_people_count", "2")
    officer.fill("#id_amount", "800")
    officer.check("#id_risk_extreme")
    _shot(officer, "dispute-1-details-phone")
    _save(officer)
    section = officer.locator("[data-testid=dispute-section]")
    assert "用水排水通行通风采光" in section.inner_text()
    assert "个人极端行为" in section.inner_text()

    # 3. Mediation taken up by the village committee, one session.
    officer.click("[data-testid=mediation-start]")
    officer.select_option("#id_committee", label="村(居)人民调解委员会")
    officer.fill("#id_organisation", "甲村人民调解委员会")
    officer.select_option("#id_mediators", label="甲调解")
    assert "一个月" in officer.locator("[data-testid=hint]").inner_text()
    _save(officer)
    assert officer.locator("[data-testid=mediation-state]").inner_text() == "调解中"
    assert officer.locator("[data-testid=norm-due]").inner_text()
    officer.click("text=登记调解记录")
    officer.fill("#id_attendees", "王某、李某、甲调解")
    officer.fill("#id_notes", "听取双方陈述,双方同意共同疏通排水沟。")
    _save(officer)

    # 4. The agreement, settling the event on the spot.
    officer.click("[data-testid=mediation-agree]")
    officer.select_option("#id_agreement_form", label="书面协议")
    officer.fill("#id_agreement_text", "双方各承担一半疏通费用,十日内完成。")
    officer.check("#id_finish_event")
    _shot(officer, "dispute-2-agreement-phone")
    _save(officer)
    assert officer.locator("[data-testid=mediation-state]").inner_text() == "调解成功"
    assert "30 日内" in officer.locator("[data-testid=confirmation]").inner_text()
    assert officer.locator("[data-testid=event-state]").inner_text() == "待核查"
    steps = officer.locator("[data-testid=timeline] li strong").all_inner_texts()
    assert steps == [
        "上报",
        "登记纠纷详情",
        "受理调解",
        "调解记录",
        "调解成功,达成协议",
        "自行处置",
    ]
    _shot(officer, "dispute-3-agreed-phone")
    officer_context.close()

    # 5. The township sees it in the ledger on the desk.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    center = desk.new_page()
    center.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(center, live_server, "center_a")
    center.goto(f"{live_server.url}/disputes/")
    assert "屋后排水沟堵塞引发邻里争执" in center.content()
    center.goto(f"{live_server.url}/disputes/sheet/")
    assert "月度汇总" in center.locator("[data-testid=sheet-title]").inner_text()
    _shot(center, "dispute-4-sheet-desktop")
    desk.close()
    assert errors == []
