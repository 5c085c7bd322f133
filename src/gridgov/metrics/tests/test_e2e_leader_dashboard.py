"""A township leader's look at their area: the dashboard, one figure followed to its records (the
count on the card is the length of the list), and the grid map, at desktop and phone width.
Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import DESKTOP, PHONE, _login, _shot, browser
from gridgov.events import services as events
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind
from gridgov.events.tests.support import category, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]


def _fits(page, width: int) -> None:
    """Nothing wider than the screen: tables scroll inside their own box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_a_township_leader_follows_a_figure_to_its_records_and_opens_the_map(browser, live_server):
    world = build_world()
    # A transactional test before this one may have flushed the migrations' default rows.
    seed_defaults(EventKind, Category)
    # This month in township A: four reports in grid A1 (points inside its boundary), one of
    # them rejected, one in village A2; one in township B that the leader must not count.
    for n in range(4):
        event = report(
            world, title=f"楼道堆放杂物{n}", lat=29.873 + n * 0.001, lng=121.403 + n * 0.001
        )
    events.reject_event(event, actor=world.center_a, version=event.version, reason="重复上报")
    report(world, actor=world.worker_a2, grid=world.grid_a2, category=category())
    report(world, actor=world.worker_b1, grid=world.grid_b1, category=category())
    errors: list[str] = []

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _login(page, live_server, "leader_a")
        if name == "phone":
            page.click("label.menu-button")
        page.click("nav.sidebar >> text=综合看板")
        page.wait_for_url("**/metrics/dashboard/**")
        page.wait_for_selector("#trend canvas, #trend table")
        card = page.locator("section.metric[data-code='events.reported']")
        shown = int(card.locator(".metric-value a").inner_text())
        assert shown == 5  # township A's reports, the rejected one too; not B's
        _fits(page, viewport["width"])
        _shot(page, f"dashboard-1-township-{name}")

        card.locator(".metric-value a").click()
        page.wait_for_url("**/metrics/events.reported/records/**")
        listed = int(page.locator("[data-testid=record-count]").inner_text())
        assert listed == shown
        assert page.locator("#results tbody tr").count() == shown
        assert "楼道堆放杂物" in page.content()
        _shot(page, f"dashboard-2-records-{name}")

        if name == "phone":
            page.click("label.menu-button")
        page.click("nav.sidebar >> text=网格地图")
        page.wait_for_url("**/metrics/map/**")
        page.wait_for_selector("#grid-map path.leaflet-interactive")
        # Grid A1's boundary and the located events are drawn with no tile server configured.
        assert page.locator("#grid-map path.leaflet-interactive").count() >= 1
        assert re.search(r"\d+ 个网格", page.locator("[data-testid=map-total]").inner_text())
        _fits(page, viewport["width"])
        _shot(page, f"dashboard-3-map-{name}")
        context.close()
    assert not errors, errors
