"""A township leader's dashboard on a phone: the cards stack two to a row, nothing is wider than
the screen (the tables scroll inside their frame), the parts load by themselves, the trend chart
is drawn, a column header sorts the villages, and a number opens its list.
Screenshots at phone width go to test-artifacts/e2e/."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from gridgov.core.tests.test_e2e_navigation import PHONE, _login, _shot, browser
from gridgov.events.defaults import seed_defaults
from gridgov.events.models import Category, EventKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["browser"]


@pytest.fixture(autouse=True)
def _event_defaults(transactional_db) -> None:
    """A transactional test before this one may have flushed the migrations' default rows,
    which the story's events need."""
    seed_defaults(EventKind, Category)


def test_a_leaders_dashboard_on_a_phone(browser, live_server, story, world):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "leader_a")
    page.click("label.menu-button")
    page.click("nav.sidebar >> text=综合看板")
    page.wait_for_url("**/metrics/dashboard/")

    query = urlencode({"area": world.township_a.pk, "start": "2025-03-01", "end": "2025-03-31"})
    page.goto(f"{live_server.url}/metrics/dashboard/?{query}")
    page.wait_for_selector("[data-testid=dashboard-trend]")
    page.wait_for_selector("[data-testid=dashboard-categories]")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )
    # Two cards to a row on a phone.
    first, second = page.locator(".dash-group .card.metric").all()[:2]
    assert first.bounding_box()["y"] == second.bounding_box()["y"]
    assert first.bounding_box()["width"] < PHONE["width"] / 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    _shot(page, "metrics-dashboard-phone")

    # The laggard first; a click on the sorted column turns the order round, in place.
    rows = page.locator("[data-testid=dashboard-subareas] tbody th")
    assert rows.all_inner_texts()[:2] == ["甲村", "乙村"]
    page.click("[data-testid=dashboard-subareas] thead a[data-sort='events.closure_rate']")
    page.wait_for_selector("[data-testid=dashboard-subareas] th[aria-sort=descending]")
    assert rows.all_inner_texts()[:2] == ["乙村", "甲村"]
    assert "sort=events.closure_rate" in page.url

    # Another figure for the trend: the chart is drawn again from the new numbers.
    page.select_option("[data-testid=trend-figure]", "events.reported")
    page.wait_for_selector("canvas[data-chart='trend-data-events.reported']")
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector(\"canvas[data-chart='trend-data-events.reported']\"))"
    )

    # A category's number opens exactly its records.
    link = page.locator("[data-testid=dashboard-categories] tbody a").first
    shown = link.inner_text()
    link.click()
    page.wait_for_selector("[data-testid=record-count]")
    assert page.inner_text("[data-testid=record-count]") == shown
    assert page.locator("[data-testid=records-export]").is_visible()
    assert not errors, errors
    context.close()
