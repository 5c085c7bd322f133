"""The township's statistics sheet (综治工作统计表): the page, where every count links to its
records, and its XLSX (?fmt=xlsx), for whoever holds metrics.report at the township.

A township outside the user's reach is absent (404); a user who may view no township's sheet
gets 403. The export is written to the access log: counts of special-population cases per
village can point at the people behind them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from gridgov.core.access_log import record_access
from gridgov.metrics import sheets
from gridgov.metrics.cards import dashboard_url, records_url
from gridgov.metrics.figures import Count
from gridgov.metrics.target_forms import SheetForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _link(sheet: sheets.Sheet) -> None:
    """Each count to its records, each area to its statistics, for the sheet's period."""
    for row in [*sheet.rows, sheet.total]:
        row.url = dashboard_url(row.area, sheet.period)
        for cell in row.cells:
            if isinstance(cell.column.figure, Count):
                cell.url = records_url(cell.column.figure.code, row.area, sheet.period)


def _log_export(request: HttpRequest, sheet: sheets.Sheet) -> None:
    record_access(
        request.user,
        kind="export",
        area_path=sheet.area.path,
        obj=sheet.area,
        fields=[f"{c.group.title}·{c.figure.label}" for c in sheet.columns],
        row_count=len(sheet.rows) + 1,
        purpose=f"导出统计报表:{sheet.title}",
    )


@login_required
@require_GET
def sheet(request: HttpRequest) -> HttpResponse:
    """The sheet of a township for a month or a quarter; ?fmt=xlsx downloads it."""
    townships = sheets.townships_for(request.user)
    if not townships.exists():
        raise PermissionDenied
    today = timezone.localdate()
    data: dict[str, Any] = {
        "area": townships.first().pk,
        "year": today.year,
        "period": f"m{today.month}",
    }
    data.update({k: v for k, v in request.GET.items() if k in ("area", "year", "period") and v})
    form = SheetForm(data, townships=townships)
    context: dict[str, Any] = {"form": form, "title": sheets.NAME}
    if not form.is_valid():
        if "area" in form.errors and request.GET.get("area"):
            # Not a township the user may view: absent, as anything out of reach is.
            raise Http404("未找到该乡镇(街道)。")
        return render(request, "metrics/sheet.html", context, status=400)
    choice = form.cleaned_data
    result = sheets.build_sheet(
        request.user, choice["area"], choice["kind"], choice["year"], choice["number"]
    )
    if request.GET.get("fmt") == "xlsx":
        prepared_by = request.user.full_name or request.user.username
        body = sheets.write_xlsx(result, prepared_by=prepared_by)
        _log_export(request, result)
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, f"{result.title}.xlsx")
        return response
    _link(result)
    query = request.GET.copy()
    for key in ("area", "year", "period"):
        query[key] = str(data[key]) if key != "area" else str(choice["area"].pk)
    query["fmt"] = "xlsx"
    context.update(
        {
            "title": result.title,
            "sheet": result,
            "notes": sheets.notes(result),
            "xlsx_query": query.urlencode(),
        }
    )
    return render(request, "metrics/sheet.html", context)
