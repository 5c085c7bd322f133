"""The statistics page (事件统计 …) and the record list behind every count.

Both read through the figures of `gridgov.metrics.figures`: the page shows each figure for an
area and period beside the previous period, and every count links to
`/metrics/<code>/records/?area=…&start=…&end=…`, which lists the very queryset the count counted.
An area the user may not see is absent (404); a user holding none of a group's action gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.errors import DomainError, NotFound
from gridgov.core.scoping import get_for_user_or_404, jurisdiction
from gridgov.metrics import cards, figures
from gridgov.metrics import records as metric_records
from gridgov.metrics.cards import records_url
from gridgov.metrics.figures import PRESETS, Count, Evaluator, Figure, Group, Period
from gridgov.metrics.forms import PeriodForm

# Levels from the top of the tree down: the user's top area is the highest one they may see.
_LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


# --- Area and period ------------------------------------------------------------------------------


def _visible_areas(user: Any) -> Any:
    return Area.objects.for_user(user, "areas.view")


def _top_area(user: Any) -> Area | None:
    """The highest area the user may see (the first of several at the same level)."""
    paths = jurisdiction(user).paths_for("areas.view")
    tops = _visible_areas(user)
    tops = tops.filter(parent__isnull=True) if paths is None else tops.filter(path__in=paths)
    ranked = sorted(tops, key=lambda a: (_LEVEL_RANK.get(a.level, len(_LEVEL_RANK)), a.path))
    return ranked[0] if ranked else _visible_areas(user).order_by("path").first()


def _area(request: HttpRequest) -> Area:
    raw = request.GET.get("area", "")
    if not raw:
        area = _top_area(request.user)
        if area is None:
            raise PermissionDenied
        return area
    try:
        return get_for_user_or_404(Area, request.user, "areas.view", pk=raw)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _area_choices(user: Any, area: Area) -> list[dict[str, Any]]:
    """Visible areas above grid level in tree order (the grids, for a user who sees only grids),
    with the chosen area among them, indented by depth."""
    areas = list(_visible_areas(user).exclude(level=Level.GRID).order_by("path"))
    if not areas:
        areas = list(_visible_areas(user).filter(level=Level.GRID).order_by("path"))
    if all(a.pk != area.pk for a in areas):
        areas = sorted([*areas, area], key=lambda a: a.path)
    top = min(a.depth for a in areas)
    return [
        {"area": a, "indent": "\u3000" * (a.depth - top), "selected": a.pk == area.pk}
        for a in areas
    ]


_query = cards.query
_page_url = cards.page_url


def period_presets(period: Period, url_for: Any) -> list[dict[str, Any]]:
    """This week, month, quarter and year as links (`url_for(period)`), the current one marked."""
    presets = []
    for kind, label in PRESETS.items():
        preset = Period.preset(kind, as_of=period.as_of)
        presets.append({"label": label, "url": url_for(preset), "current": preset == period})
    return presets


def _group(request: HttpRequest, code: str | None) -> Group:
    visible = figures.groups_for(request.user)
    if code:
        try:
            wanted = figures.group(code)
        except KeyError as exc:
            raise Http404("没有这组统计。") from exc
        if wanted not in visible:
            raise PermissionDenied
        return wanted
    if not visible:
        raise PermissionDenied
    return visible[0]


# --- Sub-areas ------------------------------------------------------------------------------------


def _breakdown(
    user: Any, area: Area, period: Period, group: Group
) -> tuple[list[Figure], list[dict]]:
    """One row per direct sub-area with the group's key figures, the laggards (lowest
    `sort_by`) first and the sub-areas with nothing to rate last."""
    if not group.breakdown:
        return [], []
    columns = [figures.get(code) for code in group.breakdown]
    children = list(_visible_areas(user).filter(parent_id=area.pk).order_by("path"))
    codes = [*group.breakdown, *([group.sort_by] if group.sort_by else [])]
    # One grouped query per count for all the sub-areas (figures.by_area), not one per child.
    results = figures.by_area(user, area, children, period, codes) if children else {}
    rows = []
    for child in children:
        values = results[child.pk]
        cells = []
        for figure in columns:
            result = values[figure.code]
            url = records_url(figure.code, child, period) if isinstance(figure, Count) else ""
            cells.append({"result": result, "url": url})
        rows.append(
            {
                "area": child,
                "url": _page_url(child, period, group),
                "cells": cells,
                "sort": values[group.sort_by].value if group.sort_by else None,
            }
        )
    rows.sort(key=lambda r: (r["sort"] is None, r["sort"] or 0, r["area"].path))
    return columns, rows


# --- Pages ----------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The figures of one group for an area and period, with the previous period and the
    direct sub-areas. An htmx request (area or period changed) gets the page body only."""
    user = request.user
    group = _group(request, request.GET.get("group"))
    area = _area(request)
    form = PeriodForm(request.GET)
    period = form.result
    previous = period.previous()
    now, before = Evaluator(user, area, period), Evaluator(user, area, previous)
    sections = [
        {"title": title, "cards": [cards.card(code, now, before) for code in codes]}
        for title, codes in group.layout
    ]
    columns, rows = _breakdown(user, area, period, group)
    presets = period_presets(period, lambda p: _page_url(area, p, group))
    ancestors = _visible_areas(user).filter(path__in=area.ancestor_paths()).order_by("path")
    context = {
        "group": group,
        "groups": figures.groups_for(user),
        "area": area,
        "area_choices": _area_choices(user, area),
        "ancestors": [{"area": a, "url": _page_url(a, period, group)} for a in ancestors],
        "period": period,
        "previous": previous,
        "form": form,
        "presets": presets,
        "sections": sections,
        "columns": columns,
        "rows": rows,
        "sort_figure": figures.get(group.sort_by) if group.sort_by else None,
        "title": group.title,
    }
    template = "metrics/_page.html" if request.htmx else "metrics/index.html"
    return render(request, template, context)


def _selection(request: HttpRequest, code: str) -> dict[str, Any]:
    """The count `code`, its group, area, period and records as the query string asks (with
    ?dim=<dimension>&value=<v>: one value's records); 404, 403 or 400 as for any metrics page."""
    try:
        figure = figures.get(code)
    except KeyError as exc:
        raise Http404("没有这项统计。") from exc
    if not isinstance(figure, Count):
        raise Http404("比率和平均值没有自己的明细,请查看其分子、分母。")
    group = _group(request, figure.group)
    area = _area(request)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        raise BadRequest("统计期不正确。")
    period = form.result
    dim, value = request.GET.get("dim", ""), request.GET.get("value", "")
    try:
        queryset, dimension = metric_records.records_of(
            request.user, figure, area, period, dim, value
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        raise BadRequest(exc.message) from exc
    params = {
        "area": str(area.pk),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    if dimension is not None:
        params |= {"dim": dim, "value": value}
    return {
        "group": group,
        "figure": figure,
        "area": area,
        "period": period,
        "queryset": queryset,
        "dimension": dimension,
        "value_name": dimension.name_of(queryset, value) if dimension is not None else "",
        "params": params,
    }


@login_required
@require_GET
def records(request: HttpRequest, code: str) -> HttpResponse:
    """Exactly the records of the count `code` for the area and period (and one value of a
    dimension), paged, with the link to export them."""
    chosen = _selection(request, code)
    group, figure, area, period = (chosen[k] for k in ("group", "figure", "area", "period"))
    queryset: QuerySet = chosen["queryset"]
    if group.prepare_list is not None:
        queryset = group.prepare_list(queryset)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_url = ""
    if metric_records.can_export(figure):
        export_url = f"{reverse('metrics:records_export', args=[code])}?{query.urlencode()}"
    context = {
        **chosen,
        "page": page,
        "query": query.urlencode(),
        "back_url": _page_url(area, period, group),
        "dashboard_url": cards.dashboard_url(area, period),
        "export_url": export_url,
        "list_template": group.list_template,
        "title": f"{figure.label}明细",
    }
    template = group.list_template if request.htmx else "metrics/records.html"
    return render(request, template, context)


@login_required
@require_GET
def records_export(request: HttpRequest, code: str) -> HttpResponse:
    """The records list of `records` as an Excel file (written to the access log); a big one
    is made in the background."""
    chosen = _selection(request, code)
    if not metric_records.can_export(chosen["figure"]):
        raise Http404("这项统计的明细不能导出。")
    try:
        return metric_records.export_response(
            request,
            chosen["figure"],
            chosen["area"],
            chosen["period"],
            chosen["queryset"],
            chosen["params"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        url = reverse("metrics:records", args=[code])
        return redirect(f"{url}?{request.GET.urlencode()}")
