"""The statistics page and the record lists behind its numbers."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from gridgov.metrics import figures
from gridgov.metrics.figures import Count

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def page(client, user, **params):
    client.force_login(user)
    return client.get(f"{reverse('metrics:index')}?{urlencode(params)}")


def listing(client, user, code, **params):
    client.force_login(user)
    return client.get(f"{reverse('metrics:records', args=[code])}?{urlencode(params)}")


def cards(response) -> dict:
    return {card["figure"].code: card for s in response.context["sections"] for card in s["cards"]}


def test_the_page_shows_every_figure_with_the_previous_period(client, story, world):
    response = page(client, world.center_a, area=world.township_a.pk, **MARCH)
    assert response.status_code == 200
    shown = cards(response)
    assert set(shown) == {f.code for f in figures.figures("events")}
    closure = shown["events.closure_rate"]
    assert closure["current"].value == 75.0 and closure["previous"].value == 50.0
    assert closure["delta"] == {"text": "+25.00 个百分点", "tone": "good", "arrow": "↑"}
    assert [p["result"].value for p in closure["parts"]] == [3, 4]
    assert shown["events.closed"]["current"].value == 3
    assert shown["events.closed"]["delta"]["text"] == "+2 件"
    # Now is today: every event still in progress is past its 2025 deadline.
    assert shown["events.overdue_open"]["current"].value == 3
    assert shown["events.overdue_open"]["previous"] is None
    html = response.content.decode()
    assert "事件统计" in html and "75.00" in html and "2025-02-01 至 2025-02-28" in html
    assert 'href="/metrics/"' in html  # the navigation entry
    assert "/metrics/events.closed/records/?" in html


def test_the_breakdown_lists_villages_laggards_first(client, story, world):
    response = page(client, world.center_a, area=world.township_a.pk, **MARCH)
    rows = response.context["rows"]
    assert [r["area"] for r in rows] == [world.village_a1, world.village_a2]
    assert [r["sort"] for r in rows] == [50.0, 100.0]
    district = page(client, world.admin, area=world.district.pk, **MARCH)
    assert [r["area"] for r in district.context["rows"]] == [world.township_a, world.township_b]


def test_every_count_on_the_page_is_the_length_of_its_list(client, story, world):
    for user, area in [
        (world.center_a, world.township_a),
        (world.center_a, world.village_a1),
        (world.admin, world.district),
    ]:
        shown = cards(page(client, user, area=area.pk, **MARCH))
        for figure in figures.figures("events"):
            if not isinstance(figure, Count):
                continue
            response = listing(client, user, figure.code, area=area.pk, **MARCH)
            assert response.status_code == 200, figure.code
            listed = response.context["page"].paginator.count
            assert listed == shown[figure.code]["current"].value, (area.name, figure.code)
            assert f'data-testid="record-count">{listed}<' in response.content.decode()


def test_a_records_list_shows_exactly_its_events(client, story, world):
    response = listing(client, world.center_a, "events.closed", area=world.township_a.pk, **MARCH)
    html = response.content.decode()
    for name in ("E3", "E4", "E9"):
        assert story[name].code in html
    for name in ("E1", "E2", "E5", "E7", "E8"):
        assert story[name].code not in html
    assert "结案数明细" in html
    partial = client.get(
        response.request["PATH_INFO"],
        {"area": world.township_a.pk, **MARCH},
        HTTP_HX_REQUEST="true",
    )
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_default_area_is_the_users_top_area_and_period_this_month(client, story, world):
    response = page(client, world.center_a)
    assert response.status_code == 200
    assert response.context["area"] == world.township_a
    assert response.context["period"].kind == "month"
    worker = page(client, world.worker_a1)
    assert worker.status_code == 200
    assert worker.context["area"] == world.grid_a1 and worker.context["rows"] == []
    admin = page(client, world.admin)
    assert admin.context["area"] == world.district


def test_htmx_gets_the_page_body(client, story, world):
    client.force_login(world.center_a)
    response = client.get(
        reverse("metrics:index"),
        {"area": world.village_a1.pk, **MARCH},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="metrics"' in html


def test_an_area_outside_the_jurisdiction_is_absent(client, story, world):
    assert page(client, world.center_b, area=world.township_a.pk, **MARCH).status_code == 404
    assert page(client, world.center_b, area=world.district.pk).status_code == 404
    assert page(client, world.center_b, area="x").status_code == 404
    response = listing(client, world.center_b, "events.closed", area=world.township_a.pk, **MARCH)
    assert response.status_code == 404
    own = listing(client, world.center_b, "events.closed", area=world.township_b.pk, **MARCH)
    assert own.status_code == 200 and own.context["page"].paginator.count == 1


def test_users_without_events_view_are_refused(client, story, world):
    assert page(client, world.handler_a).status_code == 403
    assert listing(client, world.handler_a, "events.closed", **MARCH).status_code == 403


def test_unknown_codes_rates_and_bad_periods(client, story, world):
    area = world.township_a.pk
    assert listing(client, world.center_a, "events.nope", area=area, **MARCH).status_code == 404
    rate = listing(client, world.center_a, "events.closure_rate", area=area, **MARCH)
    assert rate.status_code == 404
    bad = listing(
        client, world.center_a, "events.closed", area=area, start="2025-03-31", end="2025-03-01"
    )
    assert bad.status_code == 400
    shown = page(client, world.center_a, area=area, start="2025-03-31", end="2025-03-01")
    assert shown.status_code == 200
    assert "截止日期不能早于起始日期" in shown.content.decode()
    assert shown.context["period"].kind == "month"


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("metrics:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]
