"""Browser journeys in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Log in as a grid worker on a phone and as governance-center staff on a desktop, walk the
navigation, and save a screenshot of every page under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridgov.core.testing.personas import PASSWORD, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GRIDGOV_ARTIFACTS", "test-artifacts")) / "e2e"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _walk_navigation(page, live_server, prefix: str, *, phone: bool) -> list[str]:
    """Open every navigation entry the user has; return their labels."""
    if phone:
        page.click("label.menu-button")
    labels = [a.inner_text() for a in page.locator("nav.sidebar a").all()]
    hrefs = [a.get_attribute("href") for a in page.locator("nav.sidebar a").all()]
    for index, (label, href) in enumerate(zip(labels, hrefs, strict=True)):
        response = page.goto(f"{live_server.url}{href}")
        assert response is not None and response.status == 200, (label, href)
        assert "未找到" not in page.title()
        _shot(page, f"{prefix}-{index:02d}-{href.strip('/').replace('/', '_') or 'home'}")
    return labels


def test_grid_worker_on_a_phone(browser, live_server):
    world = build_world()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _login(page, live_server, "worker_a1")
    # the home page names the worker's grid and jurisdiction
    assert "甲村第一网格" in page.content()
    _shot(page, "worker-phone-home")
    # navigation is by role: a grid worker has no account or audit pages
    labels = _walk_navigation(page, live_server, "worker-phone", phone=True)
    assert "区域网格" in labels and "账号" not in labels and "变更审计" not in labels
    # their grid page shows them as assigned; another village's grid is simply not there
    page.goto(f"{live_server.url}/areas/{world.grid_a1.pk}/")
    assert "甲网格员" in page.content()
    response = page.goto(f"{live_server.url}/areas/{world.grid_a2.pk}/")
    assert response is not None and response.status == 404
    # locating a point inside the grid (htmx partial swap)
    page.goto(f"{live_server.url}/areas/locate/")
    page.fill("#id_lat", "29.875")
    page.fill("#id_lng", "121.405")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#locate-result >> text=甲村第一网格")
    _shot(page, "worker-phone-locate")
    # nothing on the page is wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    assert not errors, errors
    context.close()


def test_center_staff_on_a_desktop(browser, live_server):
    world = build_world()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _login(page, live_server, "center_a")
    _shot(page, "center-desktop-home")
    labels = _walk_navigation(page, live_server, "center-desktop", phone=False)
    assert {"区域网格", "无责任人网格", "网格人员", "部门", "账号"} <= set(labels)
    # filter the area list with htmx: only grids
    page.goto(f"{live_server.url}/areas/")
    page.click("details.more summary")
    page.select_option("#id_level", "grid")
    page.wait_for_url("**level=grid**")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 3
    assert "乙村第一网格" in page.content() and "丙村第一网格" not in page.content()
    _shot(page, "center-desktop-grids")
    # assign a second worker to the virtual grid through the form
    page.goto(f"{live_server.url}/areas/{world.grid_a1_virtual.pk}/assign/")
    page.select_option("#id_user", label="乙网格员(worker_a2)")
    page.select_option("#id_post", "part_time")
    page.fill("#id_patch", "园区东片")
    page.click("main form button.primary")
    _shot(page, "center-desktop-assign-submitted")
    page.wait_for_url(f"**/areas/{world.grid_a1_virtual.pk}/")
    assert "园区东片" in page.content()
    _shot(page, "center-desktop-assigned")
    assert not errors, errors
    context.close()
