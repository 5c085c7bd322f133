"""The grid map in headless Chromium: boundaries, village outlines and points drawn with no tile
server, a grid's popup leading to its page, the table's 定位 opening the same popup, and a
phone-wide page that does not overflow."""

from __future__ import annotations

import pytest

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import _login, _shot, browser
from gridgov.events import services
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]  # the fixture, shared with the navigation journeys
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(settings):
    settings.GRIDGOV_MAP_TILE_URL = ""
    world = build_world()
    # A transactional test before this one may have flushed the migration's default categories.
    seed_defaults(EventKind, Category)
    category = Category.objects.get(code="dispute-02")
    for grid, worker, lng in [
        (world.grid_a1, world.users["worker_a1"], 121.405),
        (world.grid_a2, world.users["worker_a2"], 121.415),
    ]:
        services.report_event(
            actor=worker,
            category=category,
            title="占道经营",
            description="测试",
            grid=grid,
            lat=29.875,
            lng=lng,
        )
    return world


def _open_map(browser, live_server, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    images: list[str] = []
    page.on("request", lambda r: images.append(r.url) if r.resource_type == "image" else None)
    _login(page, live_server, username)
    page.goto(f"{live_server.url}/metrics/map/")
    page.wait_for_selector("#grid-map path.map-grid")
    return context, page, errors, images


def test_the_map_on_a_desktop_without_tiles(browser, live_server, world):
    context, page, errors, tiles = _open_map(browser, live_server, "center_a", DESKTOP)
    assert page.locator("#grid-map path.map-grid").count() == 2  # 甲村第一网格, 乙村第一网格
    assert page.locator("#grid-map path.map-village").count() == 2
    assert page.locator("#grid-map path.map-point").count() == 2
    assert not [url for url in tiles if "/static/" not in url], tiles  # no tile requested
    _shot(page, "map-desktop")
    # a grid's popup: its value linked to its list, and its page
    # (a corner of the grid: its middle holds the event's point)
    page.locator("#grid-map path.map-grid").first.click(position={"x": 8, "y": 8})
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert "在办事件" in popup.inner_text()
    assert popup.locator("a[href^='/metrics/events.open/records/']").count() == 1
    href = popup.locator("a.map-popup-open").get_attribute("href")
    page.wait_for_timeout(500)  # the popup pans the map into view first
    popup.locator("a.map-popup-open").click()
    page.wait_for_url(f"**{href}")
    assert "网格" in page.title()
    assert not errors, errors
    context.close()


def test_the_map_on_a_phone(browser, live_server, world):
    context, page, errors, _tiles = _open_map(browser, live_server, "center_a", PHONE)
    height = page.locator("#grid-map").bounding_box()["height"]
    assert height >= 300
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    # an event's popup leads to the event
    page.locator("#grid-map path.map-point").first.click(force=True)
    page.locator(".leaflet-popup a[href^='/events/']").wait_for()
    page.locator(".leaflet-popup-close-button").click()
    # the table's 定位 shows the grid on the map with its popup
    page.locator("button.map-locate").first.click()
    page.locator(".leaflet-popup a.map-popup-open[href^='/areas/']").wait_for()
    _shot(page, "map-phone-located")
    assert not errors, errors
    context.close()
