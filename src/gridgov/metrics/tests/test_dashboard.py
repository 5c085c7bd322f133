"""The dashboard (综合看板): who may see what, the sub-area table and its sorting, the category
split, the trend, and the Excel export of a records list. The events are the story of
conftest.py (March 2025: 甲村 closes 1 of 2 due, 乙村 2 of 2)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from itertools import pairwise
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.areas import services as areas
from gridgov.core.models import AccessEntry, Job
from gridgov.core.scoping import unscoped
from gridgov.metrics import dashboard, figures
from gridgov.metrics import services as target_services
from gridgov.metrics.figures import Count, Evaluator, Period

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
MARCH_PERIOD = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(f"{reverse(name)}?{urlencode(params)}")


def listing(client, user, code, **params):
    client.force_login(user)
    return client.get(f"{reverse('metrics:records', args=[code])}?{urlencode(params)}")


def shown_cards(response) -> dict:
    return {c["figure"].code: c for s in response.context["sections"] for c in s["cards"]}


# --- The page and who may see it ----------------------------------------------------------------


def test_the_dashboard_shows_the_key_figures_of_every_visible_group(client, story, world):
    response = get(client, world.leader_a, "metrics:dashboard", area=world.township_a.pk, **MARCH)
    assert response.status_code == 200
    groups = [s["group"].code for s in response.context["sections"]]
    assert groups == [g.code for g in figures.groups_for(world.leader_a) if g.key]
    assert "events" in groups
    cards = shown_cards(response)
    assert set(figures.group("events").key) <= set(cards)
    closure = cards["events.closure_rate"]
    assert closure["current"].value == 75.0 and closure["previous"].value == 50.0
    assert closure["delta"]["arrow"] == "↑" and closure["delta"]["tone"] == "good"
    assert [p["result"].value for p in closure["parts"]] == [3, 4]
    html = response.content.decode()
    assert 'href="/metrics/dashboard/"' in html  # the navigation entry
    assert "/metrics/events.closed/records/?" in html  # the numerator's list
    assert "/metrics/events.reported/records/?" in html
    # The heavier parts load by themselves once the page is there.
    assert html.count('hx-trigger="load"') == 2
    assert "/metrics/dashboard/trend/?" in html and "/metrics/dashboard/categories/?" in html


def test_htmx_gets_the_dashboard_body(client, story, world):
    client.force_login(world.leader_a)
    response = client.get(
        reverse("metrics:dashboard"), {"area": world.village_a1.pk, **MARCH}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="dashboard"' in html


def test_a_township_leader_sees_only_their_subtree(client, story, world):
    own = get(client, world.leader_a, "metrics:dashboard")
    assert own.status_code == 200 and own.context["area"] == world.township_a
    choices = {c["area"] for c in own.context["area_choices"]}
    assert world.township_b not in choices and world.district not in choices
    for area in (world.township_b, world.district, world.village_b1, world.grid_b1):
        for name in (
            "metrics:dashboard",
            "metrics:dashboard_subareas",
            "metrics:dashboard_categories",
            "metrics:dashboard_trend",
        ):
            assert get(client, world.leader_a, name, area=area.pk).status_code == 404, name
    assert get(client, world.leader_a, "metrics:dashboard", area="x").status_code == 404
    # Down the subtree: a village and its grids.
    village = get(client, world.leader_a, "metrics:dashboard", area=world.village_a1.pk, **MARCH)
    assert village.status_code == 200
    rows = village.context["table"]["rows"]
    assert {r["area"] for r in rows} == {world.grid_a1, world.grid_a1_virtual}


def test_a_user_without_any_group_is_refused(client, story, world):
    assert not figures.groups_for(world.handler_a)
    for name in (
        "metrics:dashboard",
        "metrics:dashboard_subareas",
        "metrics:dashboard_categories",
        "metrics:dashboard_trend",
    ):
        assert get(client, world.handler_a, name).status_code == 403, name


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("metrics:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_target_shows_on_its_card_met_or_missed(client, story, world):
    target_services.set_target(
        world.district, figure_code="events.closure_rate", value="80", actor=world.admin
    )
    target_services.set_target(
        world.township_a, figure_code="events.satisfaction_rate", value="50", actor=world.admin
    )
    cards = shown_cards(
        get(client, world.leader_a, "metrics:dashboard", area=world.township_a.pk, **MARCH)
    )
    assert cards["events.closure_rate"]["target"] == {"label": "≥ 80.00%", "met": False}
    assert cards["events.satisfaction_rate"]["target"]["met"] is True
    assert cards["events.reported"]["target"] is None


# --- The sub-area table ---------------------------------------------------------------------------


def table(client, user, area, **params):
    response = get(client, user, "metrics:dashboard_subareas", area=area.pk, **MARCH, **params)
    assert response.status_code == 200
    return response.context["table"]


def test_the_sub_areas_laggards_first_and_sortable(client, story, world):
    default = table(client, world.leader_a, world.township_a)
    assert [r["area"] for r in default["rows"]] == [world.village_a1, world.village_a2]
    assert [r["value"] for r in default["rows"]] == [50.0, 100.0]
    assert default["sort_figure"].code == "events.closure_rate" and not default["explicit"]
    codes = [h["figure"].code for h in default["headers"]]
    assert codes == list(figures.group("events").key)
    closure = default["headers"][codes.index("events.closure_rate")]
    assert closure["aria"] == "ascending" and closure["dir"] == "desc"
    # Clicking the sorted column turns it round; the laggards' order comes back by default.
    turned = table(client, world.leader_a, world.township_a, sort="events.closure_rate", dir="desc")
    assert [r["area"] for r in turned["rows"]] == [world.village_a2, world.village_a1]
    reported = table(client, world.leader_a, world.township_a, sort="events.reported", dir="desc")
    values = [r["value"] for r in reported["rows"]]
    assert values == sorted(values, reverse=True)
    # An unknown column or direction is the default order.
    junk = table(client, world.leader_a, world.township_a, sort="events.nope", dir="up")
    assert [r["area"] for r in junk["rows"]] == [world.village_a1, world.village_a2]


def test_each_cell_is_its_own_list_and_the_name_opens_the_childs_dashboard(client, story, world):
    rows = table(client, world.leader_a, world.township_a)["rows"]
    codes = list(figures.group("events").key)
    for row in rows:
        assert (
            row["url"].startswith("/metrics/dashboard/?") and f"area={row['area'].pk}" in row["url"]
        )
        evaluate = Evaluator(world.leader_a, row["area"], MARCH_PERIOD)
        for code, cell in zip(codes, row["cells"], strict=True):
            assert cell["result"].value == evaluate(code).value, (row["area"].name, code)
            if isinstance(cell["result"].figure, Count):
                assert (
                    client.get(cell["url"]).context["page"].paginator.count == cell["result"].value
                )
            else:
                for part in cell["parts"]:
                    count = client.get(part["url"]).context["page"].paginator.count
                    assert count == part["result"].value


def test_a_sub_area_missing_its_target_is_marked(client, story, world):
    target_services.set_target(
        world.district, figure_code="events.closure_rate", value="60", actor=world.admin
    )
    rows = table(client, world.leader_a, world.township_a)["rows"]
    assert [(r["area"], r["missed"]) for r in rows] == [
        (world.village_a1, True),
        (world.village_a2, False),
    ]
    closure = list(figures.group("events").key).index("events.closure_rate")
    assert rows[0]["cells"][closure]["target"] == {"label": "≥ 60.00%", "met": False}


class _Target:
    def __init__(self, met: bool) -> None:
        self.label, self._met = "≥ 100.00%", met

    def met(self, value):
        return self._met


def test_missing_a_target_comes_before_a_low_value(client, story, world, monkeypatch):
    # 乙村 closed all it had to (100 %) but misses its target; 甲村 (50 %) has none.
    def targets(areas):
        return {a.pk: {"events.closure_rate": _Target(a == world.village_a1)} for a in areas}

    monkeypatch.setattr(dashboard, "targets_for_areas", targets)
    rows = table(client, world.leader_a, world.township_a)["rows"]
    assert [r["area"] for r in rows] == [world.village_a2, world.village_a1]
    # An explicit sort orders by value alone.
    explicit = table(
        client, world.leader_a, world.township_a, sort="events.closure_rate", dir="asc"
    )
    assert [r["area"] for r in explicit["rows"]] == [world.village_a1, world.village_a2]


def test_the_table_shows_another_group_or_every_key_rate(client, story, world):
    rates = table(client, world.leader_a, world.township_a, table=dashboard.ALL_RATES)
    codes = [h["figure"].code for h in rates["headers"]]
    assert codes and all(figures.get(c).kind == "rate" for c in codes)
    assert "events.closure_rate" in codes and "petitions.completion_rate" in codes
    special = table(client, world.leader_a, world.township_a, table="special")
    assert special["headers"][0]["figure"].code == "special.care_rate"
    unknown = table(client, world.leader_a, world.township_a, table="nope")
    assert unknown["choice"] == "events"


def test_the_number_of_queries_does_not_grow_with_the_sub_areas(client, story, world):
    client.force_login(world.leader_a)
    params = {"area": world.township_a.pk, **MARCH}

    def queries(name: str) -> int:
        client.get(reverse(name), params)  # warm: sessions, jurisdiction
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name), params).status_code == 200
        return len(captured)

    before = {n: queries(n) for n in ("metrics:dashboard", "metrics:dashboard_subareas")}
    for number in range(3, 7):
        areas.create_area(
            actor=world.system,
            parent=world.township_a,
            code=f"33020310120{number}",
            name=f"新村{number}",
        )
    after = {n: queries(n) for n in ("metrics:dashboard", "metrics:dashboard_subareas")}
    assert after == before
    assert len(table(client, world.leader_a, world.township_a)["rows"]) == 6


# --- Categories -----------------------------------------------------------------------------------


def test_a_count_by_category_adds_up_and_each_row_is_its_list(client, story, world):
    response = get(
        client,
        world.leader_a,
        "metrics:dashboard_categories",
        area=world.township_a.pk,
        by="events.category",
        count="events.closed",
        **MARCH,
    )
    split = response.context["split"]
    assert split["figure"].code == "events.closed" and split["dimension"].code == "category"
    assert split["total"] == sum(r["count"] for r in split["rows"]) == 3
    assert [(r["name"], r["count"]) for r in split["rows"]] == [("邻里纠纷", 3)]
    for row in split["rows"]:
        listed = client.get(row["url"])
        assert listed.context["page"].paginator.count == row["count"]
        assert listed.context["value_name"] == row["name"]
    html = response.content.decode()
    assert 'data-testid="dashboard-categories"' in html and "dim=category" in html
    default = get(client, world.leader_a, "metrics:dashboard_categories", area=world.township_a.pk)
    assert default.context["split"]["figure"].code == "events.reported"


def test_every_dimension_splits_each_of_its_counts_into_its_lists(client, story, world):
    for group in figures.groups_for(world.leader_a):
        for dimension in group.dimensions:
            for figure in figures.figures(group.code):
                if not (isinstance(figure, Count) and dimension.applies_to(figure.code)):
                    continue
                records = Evaluator(world.leader_a, world.township_a, MARCH_PERIOD).records(
                    figure.code
                )
                split = dimension.split(records)
                assert sum(n for *_, n in split) == records.count(), figure.code
                for value, _name, n in split:
                    listed = listing(
                        client,
                        world.leader_a,
                        figure.code,
                        area=world.township_a.pk,
                        dim=dimension.code,
                        value=value,
                        **MARCH,
                    )
                    assert listed.context["page"].paginator.count == n, (figure.code, value)


def test_a_records_list_refuses_an_unknown_dimension_or_value(client, story, world):
    area = world.township_a.pk
    unknown = listing(client, world.leader_a, "events.closed", area=area, dim="nope", **MARCH)
    assert unknown.status_code == 404
    bad = listing(
        client, world.leader_a, "events.closed", area=area, dim="category", value="x", **MARCH
    )
    assert bad.status_code == 400
    # The screening counts list villages or reports: they have no dispute category.
    villages = listing(
        client, world.leader_a, "disputes.villages_due", area=area, dim="category", **MARCH
    )
    assert villages.status_code == 404
    none = listing(
        client, world.leader_a, "events.closed", area=area, dim="category", value="", **MARCH
    )
    assert none.status_code == 200 and none.context["page"].paginator.count == 0


# --- Trend ----------------------------------------------------------------------------------------


def test_the_trend_shows_twelve_months_each_with_its_lists(client, story, world):
    response = get(
        client, world.leader_a, "metrics:dashboard_trend", area=world.township_a.pk, **MARCH
    )
    trend = response.context["trend"]
    assert trend["figure"].code == "events.closure_rate"  # the first group's sorting rate
    periods = [p["period"] for p in trend["points"]]
    assert len(periods) == 12 and all(p.kind == "month" for p in periods)
    assert (periods[0].start, periods[-1].end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert [p["label"] for p in trend["points"]][-3:] == ["2025-01", "2025-02", "2025-03"]
    assert [p["result"].value for p in trend["points"]][-2:] == [50.0, 75.0]
    for point in trend["points"][-2:]:
        for part in point["parts"]:
            assert client.get(part["url"]).context["page"].paginator.count == part["result"].value
    html = response.content.decode()
    chart_id = "trend-data-events.closure_rate"
    assert f'data-chart="{chart_id}"' in html and f'id="{chart_id}"' in html
    found = re.search(
        rf'<script id="{re.escape(chart_id)}" type="application/json">(.*?)</script>', html
    )
    data = json.loads(found.group(1))
    assert data["labels"][-1] == "2025-03" and data["values"][-1] == 75.0
    assert 'data-testid="dashboard-trend"' in html


def test_the_trend_of_a_count_a_custom_span_and_a_snapshot_refused(client, story, world):
    response = get(
        client,
        world.leader_a,
        "metrics:dashboard_trend",
        area=world.township_a.pk,
        start="2025-03-05",
        end="2025-03-14",
        figure="events.reported",
    )
    trend = response.context["trend"]
    periods = [p["period"] for p in trend["points"]]
    assert all(p.days == 10 for p in periods) and periods[-1].start == dt.date(2025, 3, 5)
    assert periods[-2].end == dt.date(2025, 3, 4)
    for point in trend["points"][-3:]:
        assert client.get(point["url"]).context["page"].paginator.count == point["result"].value
    # A state at one moment has no trend: the default figure is shown instead.
    snapshot = get(
        client,
        world.leader_a,
        "metrics:dashboard_trend",
        area=world.township_a.pk,
        figure="events.overdue_open",
        **MARCH,
    )
    assert snapshot.context["trend"]["figure"].code == "events.closure_rate"


def test_trailing_periods_of_every_kind():
    as_of = dt.datetime(2025, 3, 12, 10, tzinfo=dt.UTC)
    for kind, first in [
        ("week", dt.date(2024, 12, 23)),
        ("month", dt.date(2024, 4, 1)),
        ("quarter", dt.date(2022, 4, 1)),
        ("year", dt.date(2014, 1, 1)),
    ]:
        periods = dashboard.trailing(Period.preset(kind, as_of=as_of))
        assert len(periods) == 12 and periods[0].start == first, kind
        assert all(a.end + dt.timedelta(days=1) == b.start for a, b in pairwise(periods))
    assert dashboard.short_label(Period.preset("quarter", as_of=as_of)) == "2025Q1"
    assert dashboard.short_label(Period.preset("year", as_of=as_of)) == "2025年"


# --- Export ---------------------------------------------------------------------------------------


def _export(client, user, code, **params):
    client.force_login(user)
    return client.get(f"{reverse('metrics:records_export', args=[code])}?{urlencode(params)}")


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _access_entries():
    with unscoped("test: the access log"):
        return list(AccessEntry.objects.order_by("pk"))


def test_a_records_list_exports_as_excel_and_the_export_is_logged(client, story, world):
    params = {"area": world.township_a.pk, **MARCH}
    page = listing(client, world.leader_a, "events.closed", **params)
    assert 'data-testid="records-export"' in page.content.decode()
    response = _export(client, world.leader_a, "events.closed", **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(b"".join(response.streaming_content))
    assert rows[0][:2] == ["案件编码", "标题"]
    assert sorted(r[0] for r in rows[1:]) == sorted(story[n].code for n in ("E3", "E4", "E9"))
    (entry,) = _access_entries()
    assert entry.kind == "export" and entry.user == world.leader_a and entry.row_count == 3
    assert entry.area_path.startswith(world.township_a.path) and "结案数" in entry.purpose
    # The same filters as the list: one category's value.
    by_value = _export(client, world.leader_a, "events.closed", dim="category", value="", **params)
    assert _rows(b"".join(by_value.streaming_content)) == [rows[0]]


def test_every_group_exports_what_its_list_shows(client, story, world):
    for group in figures.groups_for(world.leader_a):
        for figure in figures.figures(group.code):
            if not isinstance(figure, Count):
                continue
            response = _export(
                client, world.leader_a, figure.code, area=world.township_a.pk, **MARCH
            )
            assert response.status_code == 200, figure.code
            rows = _rows(b"".join(response.streaming_content))
            expected = Evaluator(world.leader_a, world.township_a, MARCH_PERIOD)(figure.code)
            assert len(rows) - 1 == expected.value, figure.code


def test_export_refuses_what_the_list_refuses(client, story, world):
    assert _export(client, world.handler_a, "events.closed", **MARCH).status_code == 403
    outside = _export(client, world.leader_a, "events.closed", area=world.township_b.pk, **MARCH)
    assert outside.status_code == 404
    assert _export(client, world.leader_a, "events.closure_rate", **MARCH).status_code == 404
    assert not _access_entries()


def test_a_big_export_runs_in_the_background(
    client, story, world, django_capture_on_commit_callbacks
):
    with override_settings(EXPORT_SYNC_LIMIT=2), django_capture_on_commit_callbacks(execute=True):
        response = _export(
            client, world.leader_a, "events.closed", area=world.township_a.pk, **MARCH
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(owner=world.leader_a)
    assert job.state == Job.State.DONE, job.message
    assert job.summary["lines"][0] == ["导出行数", 3]
    with job.output_file.open("rb") as f:
        assert len(_rows(f.read())) == 4
    (entry,) = _access_entries()
    assert entry.row_count == 3 and entry.user == world.leader_a
