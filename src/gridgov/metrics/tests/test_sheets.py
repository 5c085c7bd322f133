"""The township's statistics sheet: its values are the figures' (per village, and the township's
own for 合计), its targets, the page with its links, scoping, and the XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.core.models import AccessEntry
from gridgov.core.scoping import unscoped
from gridgov.metrics import figures, services, sheets
from gridgov.metrics.figures import Count, Evaluator, Rate

pytestmark = pytest.mark.django_db

MARCH = {"year": 2025, "period": "m3"}


def build(world, user=None, kind="month", number=3):
    return sheets.build_sheet(user or world.center_a, world.township_a, kind, 2025, number)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_page(client, world, **params):
    return client.get(reverse("metrics:sheet"), {"area": world.township_a.pk, **MARCH, **params})


# --- Building -------------------------------------------------------------------------------------


def test_every_value_is_the_figure_for_its_village_and_the_total_is_the_township(story, world):
    # when
    sheet = build(world)
    # then
    period = sheets.period_for("month", 2025, 3)
    assert (sheet.period.start, sheet.period.end) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert [row.area for row in sheet.rows] == [world.village_a1, world.village_a2]
    for row in sheet.rows:
        evaluate = Evaluator(world.center_a, row.area, period)
        for cell in row.cells:
            assert cell.result.value == evaluate(cell.column.figure.code).value, (
                row.area.name,
                cell.column.figure.code,
            )
    own = Evaluator(world.center_a, world.township_a, period)
    for cell in sheet.total.cells:
        assert cell.result.value == own(cell.column.figure.code).value
    # the township's 结案率 is its own counts' rate (3 of 4), not the sum of its villages' rates
    total = {c.column.figure.code: c.result.value for c in sheet.total.cells}
    villages = [{c.column.figure.code: c.result.value for c in r.cells} for r in sheet.rows]
    assert total["events.closure_rate"] == 75.0
    assert [v["events.closure_rate"] for v in villages] == [50.0, 100.0]


def test_columns_are_the_key_figures_of_the_groups_the_user_sees(story, world):
    sheet = build(world)
    expected = [
        (group.code, code)
        for group in figures.groups_for(world.center_a)
        for code in sheets.key_codes(group)
    ]
    assert [(c.group.code, c.figure.code) for c in sheet.columns] == expected
    assert [g.code for g, _ in sheet.groups] == ["events", "disputes", "petitions", "special"]
    assert sum(span for _, span in sheet.groups) == len(sheet.columns)
    # the district's administrator holds no special.view: no special-population columns
    admin_sheet = build(world, user=world.admin)
    assert "special" not in {c.group.code for c in admin_sheet.columns}
    header = {c.figure.code: c.header for c in sheet.columns}
    assert header["events.closure_rate"] == "结案率(%)"
    assert header["events.overdue_open"] == "超期未办结*"


def test_a_quarter_is_its_three_months(story, world):
    sheet = build(world, kind="quarter", number=1)
    assert (sheet.period.start, sheet.period.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert sheet.title == f"{world.township_a.name} 2025年第1季度 综治工作统计表"
    with pytest.raises(ValueError, match="quarter out of range"):
        sheets.period_for("quarter", 2025, 5)


def test_targets_give_the_target_row_and_mark_missed_values(story, world):
    # given: 结案率 ≥ 90 for the district, ≥ 60 for 乙村 only; 满意率 ≥ 98 for the district
    admin = world.admin
    services.set_target(world.district, figure_code="events.closure_rate", value=90, actor=admin)
    services.set_target(world.village_a1, figure_code="events.closure_rate", value=40, actor=admin)
    services.set_target(
        world.district, figure_code="events.satisfaction_rate", value=98, actor=admin
    )
    # when
    sheet = build(world)
    # then
    targets = {c.figure.code: t for c, t in zip(sheet.columns, sheet.targets, strict=True)}
    assert targets["events.closure_rate"].label == "≥ 90.00%"
    assert targets["events.reported"] is None
    cells = {
        row.area.name: {c.column.figure.code: c for c in row.cells}
        for row in [*sheet.rows, sheet.total]
    }
    a1, a2, total = cells["甲村"], cells["乙村"], cells[world.township_a.name]
    assert a1["events.closure_rate"].target.label == "≥ 40.00%" and a1["events.closure_rate"].met
    assert a2["events.closure_rate"].met is True  # 100 ≥ 90
    assert total["events.closure_rate"].missed  # 75 < 90
    assert total["events.reported"].met is None
    assert sheet.has_targets
    assert sheet.missed == sum(c.missed for r in [*sheet.rows, sheet.total] for c in r.cells)


# --- The page -------------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The sheet table's cells as {area code: {figure code: text}} (the 合计 row under its
    township's code)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._area: str | None = None
        self._code: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-area" in attrs:
            self._area = attrs["data-area"]
            self.rows[self._area] = {}
        elif tag == "td" and self._area and "data-code" in attrs:
            self._code = attrs["data-code"]
            self.rows[self._area][self._code] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._code = None
        elif tag == "tr":
            self._area = None

    def handle_data(self, data):
        if self._area and self._code:
            self.rows[self._area][self._code] += data


def html_cells(html: str) -> dict[str, dict[str, str]]:
    parser = _Cells()
    parser.feed(html)
    return {
        area: {k: v.replace("(未达标)", "").strip() for k, v in row.items()}
        for area, row in parser.rows.items()
    }


def test_the_page_shows_the_sheet_with_every_count_linked_to_its_records(story, world):
    response = sheet_page(login(world.center_a), world)
    assert response.status_code == 200
    html = response.content.decode()
    title = f"{world.township_a.name} 2025年3月 综治工作统计表"
    assert f'data-testid="sheet-title">{title}<' in html
    assert 'href="/metrics/sheet/"' in html  # the navigation entry 统计报表
    closed = reverse("metrics:records", args=["events.reported"])
    assert f"{closed}?area={world.village_a1.pk}&amp;start=2025-03-01&amp;end=2025-03-31" in html
    assert f"{closed}?area={world.township_a.pk}&amp;start=2025-03-01&amp;end=2025-03-31" in html
    cells = html_cells(html)
    sheet = response.context["sheet"]
    for row in [*sheet.rows, sheet.total]:
        for cell in row.cells:
            assert cells[row.area.code][cell.column.figure.code] == cell.display
            is_count = isinstance(cell.column.figure, Count)
            assert bool(cell.url) is is_count
    assert cells[world.township_a.code]["events.closure_rate"] == "75.00"
    # the link of a count lists exactly that many records
    listing = login(world.center_a).get(sheet.rows[0].cells[0].url.replace("&amp;", "&"))
    assert listing.context["page"].paginator.count == sheet.rows[0].cells[0].result.value


def test_the_page_defaults_to_this_month_of_the_first_township(world):
    response = login(world.admin).get(reverse("metrics:sheet"))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet.area == world.township_a and sheet.kind == "month"
    assert sheet.period.start.day == 1


def test_the_page_is_scoped(story, world):
    # another township's center: absent, not forbidden
    assert sheet_page(login(world.center_b), world).status_code == 404
    # the township's leader may view it; village officers and grid workers file no sheet
    assert sheet_page(login(world.leader_a), world).status_code == 200
    for user in (world.officer_a1, world.worker_a1, world.handler_a):
        client = login(user)
        assert sheet_page(client, world).status_code == 403
        assert 'href="/metrics/sheet/"' not in client.get("/").content.decode()
    # a village is not a township
    response = login(world.center_a).get(
        reverse("metrics:sheet"), {"area": world.village_a1.pk, **MARCH}
    )
    assert response.status_code == 404


def test_a_period_not_yet_begun_is_refused(world):
    today = timezone.localdate()
    if today.month == 12:
        pytest.skip("every month of this year has begun")
    response = login(world.center_a).get(
        reverse("metrics:sheet"),
        {"area": world.township_a.pk, "year": today.year, "period": f"m{today.month + 1}"},
    )
    assert response.status_code == 400
    assert "统计期:该统计期尚未开始。" in response.content.decode() or (
        "该统计期尚未开始。" in response.content.decode()
    )
    assert "sheet" not in response.context


# --- XLSX -----------------------------------------------------------------------------------------


def test_the_xlsx_has_the_layout_and_the_numbers_of_the_page(story, world):
    services.set_target(
        world.district, figure_code="events.closure_rate", value=90, actor=world.admin
    )
    client = login(world.center_a)
    page = sheet_page(client, world)
    cells = html_cells(page.content.decode())
    sheet = page.context["sheet"]
    # when
    response = sheet_page(client, world, fmt="xlsx")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws.cell(1, 1).value == sheet.title
    assert ws.cell(2, 1).value.startswith("统计期:2025-03-01 至 2025-03-31")
    # two header rows: the module's title merged over its figures
    assert [ws.cell(3, c).value for c in (1, 2)] == ["序号", "村(社区)"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:A4" in merged and "B3:B4" in merged
    column = 3
    for group, span in sheet.groups:
        assert ws.cell(3, column).value == group.title
        if span > 1:
            assert (
                f"{ws.cell(3, column).coordinate}:{ws.cell(3, column + span - 1).coordinate}"
                in merged
            )
        column += span
    headers = [ws.cell(4, 3 + i).value for i in range(len(sheet.columns))]
    assert headers == [c.header for c in sheet.columns]
    # the target row, then a row per village, then 合计
    assert ws.cell(5, 2).value == "目标"
    codes = [c.figure.code for c in sheet.columns]
    assert ws.cell(5, 3 + codes.index("events.closure_rate")).value == "≥ 90.00%"
    assert ws.freeze_panes == "C6"
    rows = {ws.cell(r, 2).value: r for r in range(6, 6 + len(sheet.rows) + 1)}
    assert ws.cell(6 + len(sheet.rows), 1).value == "合计"
    for row in [*sheet.rows, sheet.total]:
        line = rows[row.area.name]
        for index, cell in enumerate(row.cells):
            value = ws.cell(line, 3 + index).value
            shown = cells[row.area.code][cell.column.figure.code]
            if isinstance(value, str):
                assert value == shown == "—"
            elif isinstance(cell.column.figure, Rate):
                assert f"{value:.2f}" == shown
                assert ws.cell(line, 3 + index).number_format == "0.00"
            else:
                assert str(value) == shown
    # the township's 结案率 (75) misses ≥ 90: marked in the file as on the page
    total_line = rows[world.township_a.name]
    rate = ws.cell(total_line, 3 + codes.index("events.closure_rate"))
    assert rate.value == 75.0 and rate.fill.start_color.rgb.endswith("FFC7CE")
    texts = [ws.cell(r, 1).value or "" for r in range(total_line + 1, ws.max_row + 1)]
    assert any(t.startswith("说明:1. 本表由系统") for t in texts)
    assert any("标红的数值未达到目标" in t for t in texts)
    footer = texts[-1]
    assert footer.startswith(f"填报单位:{world.township_a.name}(盖章)    填报日期:")
    assert "制表人:甲中心" in footer
    assert ws.column_dimensions["B"].width == 16


def test_the_export_is_access_logged(story, world):
    sheet_page(login(world.center_a), world, fmt="xlsx")
    with unscoped("test"):
        entry = AccessEntry.objects.get()
    assert entry.kind == "export" and entry.user == world.center_a
    assert entry.area_path == world.township_a.path
    assert entry.purpose == f"导出统计报表:{world.township_a.name} 2025年3月 综治工作统计表"
    assert entry.row_count == 3 and "事件统计·结案率" in entry.fields
    # viewing the page is not an export
    sheet_page(login(world.center_a), world)
    with unscoped("test"):
        assert AccessEntry.objects.count() == 1


def test_text_that_looks_like_a_formula_is_written_as_text():
    from gridgov.core import xlsx

    assert xlsx.safe("=SUM(A1)") == "'=SUM(A1)"
    assert xlsx.safe("-1") == "'-1" and xlsx.safe(-1) == -1
    assert xlsx.safe("甲\x07村") == "甲村"
    assert xlsx.sheet_title("a/b:c", "x") == "abc"
    assert re.fullmatch(r"x{31}", xlsx.sheet_title("y" * 40, "x" * 40))
