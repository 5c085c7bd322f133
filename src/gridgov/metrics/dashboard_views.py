"""The dashboard (综合看板, `metrics:dashboard`) and the parts it loads by itself.

The page shows, for an area and period, the key figures of every group the user may see and the
table of sub-areas; the category split and the trend are fragments it loads once it is there
(hx-trigger="load"), so the page comes first. The sub-area table's sorting and its selector, and
the selectors of the fragments, fetch their fragment again with htmx; without JavaScript the
same links and forms open the whole page. Area and period are read as on the statistics page
(views._area, PeriodForm): an area the user may not see is absent (404), and a user holding no
group's action gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from gridgov.metrics import dashboard as board
from gridgov.metrics import figures
from gridgov.metrics.cards import dashboard_url, query
from gridgov.metrics.forms import PeriodForm
from gridgov.metrics.views import _area, _area_choices, _visible_areas, period_presets


def _common(request: HttpRequest) -> dict[str, Any]:
    """What every dashboard request reads: the user's groups, the area and the period."""
    groups = figures.groups_for(request.user)
    if not groups:
        raise PermissionDenied
    area = _area(request)
    form = PeriodForm(request.GET)
    period = form.result
    return {
        "groups": groups,
        "area": area,
        "form": form,
        "period": period,
        "previous": period.previous(),
        "query": query(area, period),
    }


def _table(request: HttpRequest, common: dict[str, Any]) -> dict[str, Any]:
    get = request.GET.get
    table = board.subarea_table(
        request.user,
        common["area"],
        common["period"],
        common["groups"],
        choice=get("table", ""),
        sort=get("sort", ""),
        direction=get("dir", ""),
    )
    # Sorting links: the whole page without JavaScript, the table alone with htmx.
    base = {"table": table["choice"]} if table.get("choice") else {}
    for header in table["headers"]:
        extra = {**base, "sort": header["sort"], "dir": header["dir"]}
        header["page_url"] = dashboard_url(common["area"], common["period"], **extra)
        header["hx_url"] = _fragment("subareas", common, **extra)
    return table


def _fragment(name: str, common: dict[str, Any], **extra: Any) -> str:
    url = reverse(f"metrics:dashboard_{name}")
    return f"{url}?{query(common['area'], common['period'], **extra)}"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The key figures of every visible group for the area and period, and the sub-areas.
    An htmx request (area or period changed) gets the page body only."""
    common = _common(request)
    user, area, period = request.user, common["area"], common["period"]
    ancestors = _visible_areas(user).filter(path__in=area.ancestor_paths()).order_by("path")
    context = {
        **common,
        "title": "综合看板",
        "area_choices": _area_choices(user, area),
        "ancestors": [{"area": a, "url": dashboard_url(a, period)} for a in ancestors],
        "presets": period_presets(period, lambda p: dashboard_url(area, p)),
        "sections": board.key_sections(user, area, period, common["groups"]),
        "table": _table(request, common),
        "categories_url": _fragment("categories", common),
        "trend_url": _fragment("trend", common),
    }
    template = "metrics/_dashboard.html" if request.htmx else "metrics/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def subareas(request: HttpRequest) -> HttpResponse:
    """The table of sub-areas (?table=<group>|rates&sort=<code>&dir=asc|desc)."""
    common = _common(request)
    context = {**common, "table": _table(request, common)}
    return render(request, "metrics/_subareas.html", context)


@login_required
@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    """A count split by a dimension (?by=<group>.<dimension>&count=<code>)."""
    common = _common(request)
    split = board.categories(
        request.user,
        common["area"],
        common["period"],
        common["groups"],
        by=request.GET.get("by", ""),
        count=request.GET.get("count", ""),
    )
    context = {**common, "split": split, "url": _fragment("categories", common)}
    return render(request, "metrics/_categories.html", context)


@login_required
@require_GET
def trend(request: HttpRequest) -> HttpResponse:
    """A figure over the twelve periods ending with the chosen one (?figure=<code>)."""
    common = _common(request)
    shown = board.trend(
        request.user,
        common["area"],
        common["period"],
        common["groups"],
        code=request.GET.get("figure", ""),
    )
    context = {**common, "trend": shown, "url": _fragment("trend", common)}
    return render(request, "metrics/_trend.html", context)
