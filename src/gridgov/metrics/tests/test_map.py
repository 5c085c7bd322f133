"""The grid map (metrics:map): scoped grids and points, values equal to each grid's own figure
and list, the GeoJSON the page carries, the colour classes, and a page that works without tiles."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.areas import services as area_services
from gridgov.areas.choices import GridKind
from gridgov.core.testing.personas import square
from gridgov.events import services
from gridgov.events.models import Category
from gridgov.metrics import figures, map_views, maps
from gridgov.metrics.figures import Count, Evaluator, Rate

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
EVENT_FIGURES = [
    "events.open",
    "events.overdue_open",
    "events.reported",
    "events.closed",
    "events.closure_rate",
    "events.satisfaction_rate",
]


def get_map(client, user, **params):
    client.force_login(user)
    return client.get(f"{reverse('metrics:map')}?{urlencode(params)}")


def geojson(response) -> dict:
    """The FeatureCollection the page holds for map.js, read from the HTML itself."""
    html = response.content.decode()
    match = re.search(
        r'<script id="grid-map-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page carries its data in json_script"
    return json.loads(match.group(1))


def features(response, kind: str) -> list[dict]:
    return [f for f in geojson(response)["features"] if f["properties"]["kind"] == kind]


@pytest.fixture
def located(world, clock):
    """Open events with a location: two in 甲村第一网格, one in 乙村's grid, one in township B,
    reported a day apart (the last one in A is the most recent); and one closed (no point).
    P1 is dispatched, its deadline (30 days) long past now: overdue."""
    category = Category.objects.get(code="dispute-02")
    made = {}

    def report(name, grid, worker, lng, lat, at):
        clock.set(at)
        made[name] = services.report_event(
            actor=worker,
            category=category,
            title=f"{name} 占道",
            description="测试",
            grid=grid,
            lat=lat,
            lng=lng,
        )

    report("P1", world.grid_a1, world.worker_a1, 121.401, 29.871, "2025-03-01 09:00")
    center = world.center_a
    clock.set("2025-03-01 10:00")
    services.accept_event(world.refresh(made["P1"]), actor=center, version=made["P1"].version)
    p1 = world.refresh(made["P1"])
    services.dispatch_event(p1, actor=center, version=p1.version, department=world.police_a)
    report("P2", world.grid_a1, world.worker_a1, 121.402, 29.872, "2025-03-02 09:00")
    report("P3", world.grid_a2, world.worker_a2, 121.415, 29.875, "2025-03-03 09:00")
    report("PB", world.grid_b1, world.worker_b1, 121.305, 29.875, "2025-03-03 09:30")
    report("PX", world.grid_a2, world.worker_a2, 121.412, 29.872, "2025-03-04 09:00")
    clock.set("2025-03-04 10:00")
    services.settle_on_spot(
        world.refresh(made["PX"]), actor=world.worker_a2, version=made["PX"].version, note="已劝离"
    )
    clock.set("2025-03-04 11:00")
    settled = world.refresh(made["PX"])
    services.verify_event(settled, actor=world.officer_a2, version=settled.version, passed=True)
    return made


# --- Scope ----------------------------------------------------------------------------------------


def test_a_township_user_sees_only_their_grids(client, story, world):
    response = get_map(client, world.center_a, **MARCH)  # no area: the user's top area
    assert response.status_code == 200
    assert response.context["area"] == world.township_a
    shown = {g.grid for g in response.context["map"].grids}
    assert shown == {world.grid_a1, world.grid_a1_virtual, world.grid_a2}
    drawn = {f["properties"]["id"] for f in features(response, "grid")}
    assert drawn == {world.grid_a1.pk, world.grid_a2.pk}
    html = response.content.decode()
    assert world.grid_b1.name not in html and world.village_b1.name not in html


def test_a_village_officer_sees_only_the_village(client, story, world):
    response = get_map(client, world.officer_a2, **MARCH)
    assert response.context["area"] == world.village_a2
    assert [g.grid for g in response.context["map"].grids] == [world.grid_a2]


def test_a_grid_worker_sees_their_grid_but_not_its_village(client, story, world):
    response = get_map(client, world.worker_a1, **MARCH)
    assert response.context["area"] == world.grid_a1
    assert [g.grid for g in response.context["map"].grids] == [world.grid_a1]
    assert [f["properties"]["village"] for f in features(response, "grid")] == [""]
    assert features(response, "village") == []


@pytest.mark.parametrize("area", ["township_b", "village_b1", "grid_b1"])
def test_an_area_outside_the_jurisdiction_is_absent(client, story, world, area):
    response = get_map(client, world.center_a, area=getattr(world, area).pk, **MARCH)
    assert response.status_code == 404


def test_figures_the_user_may_not_see_are_refused_or_unknown(client, story, world):
    # A mediator sees events but no special populations.
    assert get_map(client, world.mediator_a, figure="special.overdue").status_code == 403
    options = get_map(client, world.mediator_a).context["figure_options"]
    assert {group["code"] for group in options} <= {"events", "disputes"}
    assert get_map(client, world.center_a, figure="events.bogus").status_code == 404
    # An average has no count to colour a grid by.
    assert get_map(client, world.center_a, figure="events.avg_accept_hours").status_code == 404
    # A department handler holds none of the figures' actions.
    assert get_map(client, world.handler_a).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("metrics:map"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", EVENT_FIGURES)
def test_each_grid_shows_its_own_figure_and_list(client, story, world, code):
    for user, area in [
        (world.center_a, world.township_a),
        (world.center_a, world.village_a1),
        (world.admin, world.district),
        (world.worker_a1, world.grid_a1),
    ]:
        response = get_map(client, user, area=area.pk, figure=code, **MARCH)
        assert response.status_code == 200, (user, area, code)
        period = response.context["period"]
        grid_map = response.context["map"]
        assert grid_map.total.value == Evaluator(user, area, period)(code).value
        by_id = {f["properties"]["id"]: f["properties"] for f in features(response, "grid")}
        for row in grid_map.grids:
            alone = Evaluator(user, row.grid, period)(code)
            assert row.result.value == alone.value, (area.name, row.grid.name, code)
            if row.has_boundary:
                assert by_id[row.grid.pk]["value"] == alone.value
                assert by_id[row.grid.pk]["display"] == alone.display
            if isinstance(figures.get(code), Count):
                listed = client.get(row.url)
                assert listed.status_code == 200
                assert listed.context["page"].paginator.count == alone.value
                assert f"area={row.grid.pk}" in row.url and "start=2025-03-01" in row.url
        if code == "events.open" and area == world.township_a:
            assert [r.result.value for r in grid_map.grids] == [3, 0, 0]  # E2 E5 E7 in 甲村


def test_a_rate_links_its_numerator_and_denominator(client, story, world):
    response = get_map(client, world.center_a, figure="events.closure_rate", **MARCH)
    period = response.context["period"]
    a2 = next(r for r in response.context["map"].grids if r.grid == world.grid_a2)
    assert a2.url == ""
    assert [p["result"].figure.code for p in a2.parts] == ["events.closed", "events.due"]
    for part in a2.parts:
        listed = client.get(part["url"]).context["page"].paginator.count
        assert (
            listed
            == Evaluator(world.center_a, world.grid_a2, period)(part["result"].figure.code).value
        )
    # The grids with nothing to rate come last, the lowest rate first (higher is better).
    values = [r.result.value for r in response.context["map"].grids]
    rated = [v for v in values if v is not None]
    assert rated == sorted(rated) and values[len(rated) :] == [None] * (len(values) - len(rated))


def test_the_map_counts_all_grids_with_one_query_per_count(client, story, world):
    """More grids, same queries: the values come from by_area, one grouped query per count."""

    def queries() -> int:
        client.force_login(world.center_a)
        url = f"{reverse('metrics:map')}?{urlencode({'figure': 'events.closure_rate', **MARCH})}"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # first request: the session and caches
    before = queries()
    for n in range(2, 8):
        area_services.create_area(
            actor=world.admin,
            parent=world.village_a2,
            code=f"330203101202{n:03d}",
            name=f"乙村第{n}网格",
            grid_kind=GridKind.REAL,
            boundary=square(121.41 + n * 0.01, 29.87),
        )
    assert queries() == before


# --- Points ---------------------------------------------------------------------------------------


def test_points_are_the_users_open_events_with_a_location(client, world, located):
    response = get_map(client, world.center_a, area=world.township_a.pk)
    points = features(response, "event")
    assert [p["properties"]["code"] for p in points] == [
        located[name].code for name in ("P3", "P2", "P1")
    ]  # most recent first; township B's and the settled one are not there
    first = points[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [121.415, 29.875]}
    assert first["properties"]["url"] == reverse("events:detail", args=[located["P3"].pk])
    assert first["properties"]["state"] == "待受理" and first["properties"]["overdue"] is False
    assert [p["properties"]["overdue"] for p in points] == [False, False, True]
    assert points[2]["properties"]["state"] == "待签收"
    grid_map = response.context["map"]
    assert len(grid_map.points) == 3 and not grid_map.points_capped
    assert grid_map.points_url == (
        f"{reverse('metrics:records', args=['events.open'])}?area={world.township_a.pk}"
        f"&start={response.context['period'].start}&end={response.context['period'].end}"
    )
    # The points are the records of events.open: the figure and the dots agree.
    open_events = Evaluator(world.center_a, world.township_a, response.context["period"])
    assert {p["properties"]["id"] for p in points} == set(
        open_events.records("events.open").values_list("pk", flat=True)
    )
    assert len(get_map(client, world.worker_a1).context["map"].points) == 2
    assert {
        p["properties"]["code"] for p in features(get_map(client, world.center_b), "event")
    } == {located["PB"].code}


def test_points_are_capped_and_the_page_says_so(client, world, located, monkeypatch):
    monkeypatch.setattr(maps, "POINT_CAP", 2)
    response = get_map(client, world.center_a)
    assert [p["properties"]["code"] for p in features(response, "event")] == [
        located["P3"].code,
        located["P2"].code,
    ]
    assert response.context["map"].points_capped
    assert "有位置的在办事件超过 2 件,地图只显示最近上报的 2 件" in response.content.decode()
    monkeypatch.setattr(maps, "POINT_CAP", 3)
    response = get_map(client, world.center_a)
    assert len(features(response, "event")) == 3 and not response.context["map"].points_capped


# --- The page and its data ------------------------------------------------------------------------


def test_the_geojson_shape(client, story, world):
    response = get_map(client, world.center_a, figure="events.closure_rate", **MARCH)
    data = geojson(response)
    assert data["type"] == "FeatureCollection"
    grids = features(response, "grid")
    a1 = next(f for f in grids if f["properties"]["id"] == world.grid_a1.pk)
    assert a1["type"] == "Feature" and a1["geometry"] == world.grid_a1.boundary
    props = a1["properties"]
    assert set(props) == {
        "kind", "id", "name", "village", "value", "display", "unit", "css", "url", "parts",
        "grid_url",
    }  # fmt: skip
    assert props["name"] == world.grid_a1.name and props["village"] == "甲村"
    assert props["grid_url"] == reverse("areas:detail", args=[world.grid_a1.pk])
    assert re.fullmatch(r"fill-(warm-[0-4]|none)", props["css"])
    assert [p["label"] for p in props["parts"]] == ["结案数", "应结案数"]
    assert all(p["url"].startswith("/metrics/events.") for p in props["parts"])
    villages = features(response, "village")
    assert {f["properties"]["name"] for f in villages} == {"甲村", "乙村"}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in villages)


def test_the_page_renders_without_tiles(client, story, world, settings):
    settings.GRIDGOV_MAP_TILE_URL = ""
    response = get_map(client, world.center_a, **MARCH)
    html = response.content.decode()
    assert 'data-tiles=""' in html
    assert "vendor/leaflet/leaflet.js" in html and "gridgov/metrics/map.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    # Everything the map shows is also on the page: legend, grids without a boundary, the table.
    assert 'data-testid="map-legend"' in html and "颜色越深数值越大" in html
    assert world.grid_a1_virtual.name in html and "未绘制边界的网格(1)" in html
    assert 'data-testid="map-table"' in html
    assert f"{reverse('areas:detail', args=[world.grid_a1.pk])}" in html
    assert 'href="/metrics/map/"' in html  # the navigation entry


def test_the_tile_server_is_a_setting(client, story, world, settings):
    settings.GRIDGOV_MAP_TILE_URL = "https://tiles.gov.example/{z}/{x}/{y}.png"
    settings.GRIDGOV_MAP_TILE_ATTRIBUTION = "本地瓦片"
    html = get_map(client, world.center_a, **MARCH).content.decode()
    assert 'data-tiles="https://tiles.gov.example/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="本地瓦片"' in html


def test_a_long_table_folds_after_its_first_rows(client, world, monkeypatch):

    monkeypatch.setattr(map_views, "TABLE_ROWS", 1)
    html = get_map(client, world.center_a).content.decode()
    assert "其余 2 个网格" in html and 'data-testid="map-table-rest"' in html


def test_the_statistics_page_links_to_the_map(client, story, world):
    client.force_login(world.center_a)
    html = client.get(reverse("metrics:index"), {"area": world.village_a1.pk, **MARCH})
    assert (
        f"/metrics/map/?area={world.village_a1.pk}&amp;start=2025-03-01&amp;end=2025-03-31"
        in html.content.decode()
    )


# --- Classes --------------------------------------------------------------------------------------


def test_few_values_get_a_class_each_spread_over_the_scale():
    overdue = figures.get("events.overdue_open")  # lower is better
    bands = maps.classify(overdue, [0, 0, 2, 5, None])
    assert [(b.label, b.grids, b.css) for b in bands] == [
        ("0", 2, "fill-warm-0"),
        ("2", 1, "fill-warm-2"),
        ("5", 1, "fill-warm-4"),
    ]
    assert maps.band_of(bands, None) is None and maps.band_of(bands, 2) is bands[1]
    assert [b.css for b in maps.classify(overdue, [3, 3])] == ["fill-warm-0"]
    assert maps.classify(overdue, [None, None]) == []


def test_many_values_make_five_classes_of_about_as_many_grids():
    reported = figures.get("events.reported")  # neither better
    values = [0] * 80 + [v for v in range(1, 11) for _ in range(2)]
    bands = maps.classify(reported, values)
    assert len(bands) == 5
    assert [b.css for b in bands] == [f"fill-cool-{i}" for i in range(5)]
    assert bands[0].label == "0" and bands[0].grids == 80  # ties stay together
    assert sum(b.grids for b in bands) == 100
    assert [b.low for b in bands[1:]] == sorted(b.low for b in bands[1:])
    assert bands[-1].high == 10 and max(b.grids for b in bands[1:]) <= 6


def test_where_higher_is_better_the_lowest_values_are_darkest():
    rate = figures.get("events.closure_rate")
    assert isinstance(rate, Rate)
    bands = maps.classify(rate, [0.0, 50.0, 66.6667, 75.0, 80.0, 100.0, 100.0])
    assert bands[0].css == "fill-warm-4" and bands[-1].css == "fill-warm-0"
    assert [b.css for b in maps.classify(rate, [100.0, 100.0])] == ["fill-warm-0"]
    assert bands[-1].label == "100.00" and bands[0].label.startswith("0.00")


def test_names_cannot_break_out_of_the_data(client, world):
    area_services.update_area(
        world.grid_a1,
        actor=world.admin,
        version=world.grid_a1.version,
        name="</script><script>alert(1)</script>&",
        grid_kind=GridKind.REAL,
        boundary=world.grid_a1.boundary,
    )
    response = get_map(client, world.center_a)
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    names = {f["properties"]["name"] for f in features(response, "grid")}
    assert "</script><script>alert(1)</script>&" in names
    assert map_views.json_data({"a": "<&>"}, "x") == (
        '<script id="x" type="application/json">{"a":"\\u003C\\u0026\\u003E"}</script>'
    )
