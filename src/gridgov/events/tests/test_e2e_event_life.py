"""One event's whole life in the browser, across three people: a grid worker reports it from a
phone with a photo, the township center accepts and dispatches it, the police station signs for
it and reports it done, and the grid worker verifies and rates it. Screenshots at phone and
desktop widths go to test-artifacts/e2e/."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import DESKTOP, PHONE, _login, _shot, browser
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]  # the fixture, shared with the navigation journeys


def _photo(tmp_path) -> str:
    path = tmp_path / "现场照片.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 60)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _act(page, name: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None):
    """Open the action's form on the event page, fill it and confirm."""
    box = page.locator(f"[data-testid=action-{name}]")
    box.locator("summary").click()
    for field, value in (fill or {}).items():
        box.locator(f"[name='{name}-{field}']").fill(value)
    for field, label in (select or {}).items():
        box.locator(f"select[name='{name}-{field}']").select_option(label=label)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已" in page.locator("ul.messages").inner_text() or "感谢" in page.content()


def test_an_event_from_report_to_rating_across_three_people(browser, live_server, tmp_path):
    build_world()
    # A transactional test before this one may have flushed the migration's default categories.
    seed_defaults(EventKind, Category)
    errors: list[str] = []

    # 1. The grid worker reports from a phone, with a photo.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    worker = phone.new_page()
    worker.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(worker, live_server, "worker_a1")
    worker.goto(f"{live_server.url}/events/report/")
    worker.select_option("#id_category", label="安全隐患 · 消防安全隐患")
    worker.fill("#id_title", "楼道堆放杂物堵塞消防通道")
    worker.fill("#id_description", "3 号楼 2 单元楼道堆放纸箱和旧家具。")
    worker.set_input_files("#id_files", _photo(tmp_path))
    _shot(worker, "event-1-worker-report-phone")
    worker.click("button[type=submit].primary")
    worker.wait_for_url("**/events/*/")
    code = worker.locator("h1 .code").inner_text()
    assert worker.locator("[data-testid=event-state]").inner_text() == "待受理"
    assert worker.locator(".thumbs img").count() == 1
    event_url = worker.url
    _shot(worker, "event-2-worker-reported-phone")

    # 2. The township center accepts and dispatches it to the police station.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    center = desk.new_page()
    center.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(center, live_server, "center_a")
    center.goto(f"{live_server.url}/events/queue/")
    center.click(f"text={code}")
    _act(center, "accept")
    _act(center, "dispatch", select={"department": "横街派出所"})
    assert center.locator("[data-testid=event-state]").inner_text() == "待签收"
    _shot(center, "event-3-center-dispatched-desktop")
    desk.close()

    # 3. The police station signs for it and reports it done.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    handler = desk.new_page()
    handler.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(handler, live_server, "handler_a")
    handler.goto(f"{live_server.url}/events/queue/")
    assert code in handler.content()
    handler.click(f"text={code}")
    _act(handler, "take")
    _act(handler, "done", fill={"note": "已联系物业清理楼道,现场已恢复畅通。"})
    assert handler.locator("[data-testid=event-state]").inner_text() == "待核查"
    _shot(handler, "event-4-department-done-desktop")
    desk.close()

    # 4. The grid worker verifies on site and rates it.
    worker.goto(f"{live_server.url}/events/queue/")
    assert code in worker.content()
    worker.goto(event_url)
    box = worker.locator("[data-testid=action-verify]")
    box.locator("summary").click()
    box.locator("input[name='verify-passed'][value='1']").check()
    box.locator("button[type=submit]").click()
    worker.wait_for_load_state()
    assert worker.locator("[data-testid=event-state]").inner_text() == "已结案"
    box = worker.locator("[data-testid=action-rate]")
    box.locator("summary").click()
    box.locator("input[name='rate-rating'][value='satisfied']").check()
    box.locator("button[type=submit]").click()
    worker.wait_for_load_state()
    assert worker.locator("[data-testid=event-state]").inner_text() == "已评价"
    steps = worker.locator("[data-testid=timeline] li strong").all_inner_texts()
    assert steps == ["上报", "受理", "派遣", "签收", "办结反馈", "核查通过,结案", "评价"]
    _shot(worker, "event-5-worker-rated-phone")

    # Anyone with the case code can follow it, without its details.
    worker.goto(f"{live_server.url}/events/track/?code={code}")
    assert "已评价" in worker.locator("[data-testid=track-result]").inner_text()
    phone.close()
    assert errors == []
