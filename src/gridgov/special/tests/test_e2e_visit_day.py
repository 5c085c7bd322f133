"""A grid worker's visit day on a phone: the list of who is lost, overdue and due this week, a
visit logged with a photo, another that also reports an event, and the file showing both.
Screenshots at phone width go to test-artifacts/e2e/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import PHONE, _login, _shot, browser
from gridgov.events.defaults import seed_defaults as seed_event_defaults
from gridgov.events.models import Category, EventKind
from gridgov.special import services
from gridgov.special.defaults import seed_defaults
from gridgov.special.models import SpecialStatus, SpecialType, VisitRule
from gridgov.special.tests.support import person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]


def _photo(tmp_path) -> str:
    path = tmp_path / "走访照片.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width


def test_a_grid_workers_visit_day_on_a_phone(browser, live_server, tmp_path):
    world = build_world()
    # A transactional test before this one may have flushed the migrations' default rows.
    seed_defaults(SpecialType, VisitRule)
    seed_event_defaults(EventKind, Category)
    today = timezone.localdate()
    kinds = {t.code: t for t in SpecialType.objects.all()}

    def open_(name, code, grade, days_ago):
        return services.open_status(
            actor=world.center_a,
            person=person(world, name=name),
            type=kinds[code],
            grade=grade,
            officer=world.worker_a1,
            started_on=today - dt.timedelta(days=days_ago),
        )

    lost = open_("赵大海", "correction", "strict", 30)  # due 23 days ago: lost after the sweep
    services.sweep_overdue()
    late = open_("钱小月", "drug", "high", 9)  # due 2 days ago
    soon = open_("孙立新", "released", "key", 27)  # due in 3 days
    errors: list[str] = []

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "worker_a1")
    assert "特殊人群走访" in page.content()  # the home panel
    page.click("label.menu-button")
    page.click("nav.sidebar >> text=今日走访")
    page.wait_for_url("**/special/mine/")
    day = page.locator("[data-testid=visit-day]")
    text = day.inner_text()
    assert text.index("赵*海") < text.index("钱*月") < text.index("孙*新")
    assert "脱管(失控)" in text and "已逾期 2 天" in text
    _fits(page)
    _shot(page, "special-1-visit-day-phone")

    # The lost one first: a home visit with a photo.
    page.click(f"[data-testid=visit-link-{lost.pk}]")
    page.wait_for_url(f"**/special/{lost.pk}/visit/")
    page.select_option("#id_kind", value="home_visit")
    page.fill("#id_place", "租住房屋")
    page.fill("#id_findings", "已找到本人,在外务工未及时报到,已教育并约定每周报到。")
    page.set_input_files("#id_photo", _photo(tmp_path))
    _fits(page)
    _shot(page, "special-2-visit-form-phone")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/special/mine/")
    assert "走访已登记" in page.locator("ul.messages").inner_text()
    # No longer lost: the next report-in is due in a week, listed with this week's visits.
    lost_part, week = page.locator("[data-testid=visit-day]").inner_text().split("7 天内应走访")
    assert "赵*海" not in lost_part and "赵*海" in week

    # The overdue drug user: a drug test, and a problem reported to the event hub.
    page.click(f"[data-testid=visit-link-{late.pk}]")
    page.select_option("#id_kind", value="drug_test")
    page.select_option("#id_test_result", value="negative")
    page.fill("#id_findings", "尿检阴性。家中生活困难,申请临时救助。")
    page.check("#id_raise_event")
    page.select_option("#id_event_category", label="服务诉求 · 困难帮扶")
    page.fill("#id_event_title", "吸毒康复人员家庭生活困难")
    page.fill("#id_event_description", "家中缺少生活费,希望得到临时救助。")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/special/mine/")
    overdue_part, week = page.locator("[data-testid=visit-day]").inner_text().split("7 天内应走访")
    assert "钱*月" not in overdue_part and "孙*新" in week
    _shot(page, "special-3-visit-day-after-phone")

    # The file shows the visit, the photo and the event.
    page.goto(f"{live_server.url}/special/{late.pk}/")
    visits = page.locator("[data-testid=visits]").inner_text()
    assert "尿检(阴性)" in visits and "事件" in visits
    assert page.locator("[data-testid=status-state]").inner_text() == "在管"
    _fits(page)
    _shot(page, "special-4-file-phone")
    page.goto(f"{live_server.url}/special/{lost.pk}/")
    assert "恢复在管" in page.locator("[data-testid=changes]").inner_text()
    assert page.locator("a:text('照片')").count() == 1
    context.close()

    assert SpecialStatus._base_manager.get(pk=lost.pk).lost_since is None
    assert soon.pk
    assert errors == []
