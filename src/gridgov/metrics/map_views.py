"""The grid map page (网格地图, metrics:map): the grids under an area coloured by one figure for a
period, open events as points, and the same values as a table.

The area and period are read as on the statistics page (`views._area`, `PeriodForm`): an area
the user may not see is absent (404). The data of the map is one GeoJSON FeatureCollection in the
page (json_script), drawn by gridgov/metrics/map.js with the Leaflet copy served from
static/vendor; tiles come from GRIDGOV_MAP_TILE_URL when it is set, else the map shows the
boundaries and points on a plain background.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from gridgov.metrics import cards, figures, maps
from gridgov.metrics.figures import Figure, Period
from gridgov.metrics.forms import PeriodForm
from gridgov.metrics.views import _area, _area_choices, period_presets

# Rows of the table shown before "其余 N 个网格" (a district has about 2,000 grids).
TABLE_ROWS = 50


def json_data(value: Any, element_id: str) -> SafeString:
    """What the `json_script` filter writes, compact and escaped with `str.replace`: its
    `translate` takes half a second over a district's 4 MB of boundaries."""
    text = json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E")):
        text = text.replace(char, escaped)
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308 - "<", ">", "&" escaped above, as json_script does
    )


def _figure(request: HttpRequest, choices: list[Figure]) -> Figure:
    """The figure asked for (?figure=code), or the first of the choices."""
    code = request.GET.get("figure", "")
    if not code:
        if not choices:
            raise PermissionDenied
        return choices[0]
    try:
        figure = figures.get(code)
    except KeyError as exc:
        raise Http404("没有这项统计。") from exc
    if not maps.mappable(figure):
        raise Http404("地图只能按计数或比率着色。")
    if figure.group not in {g.code for g in figures.groups_for(request.user)}:
        raise PermissionDenied
    return figure


def map_url(area: Any, period: Period, figure: Figure) -> str:
    return f"{reverse('metrics:map')}?{cards.query(area, period, figure=figure.code)}"


def _figure_options(choices: list[Figure], chosen: Figure) -> list[dict[str, Any]]:
    """The selector's options grouped by module (事件, 特殊人群 …), the chosen one among them."""
    if chosen not in choices:
        choices = [*choices, chosen]
    titles = {g.code: g.title for g in figures.groups()}
    options: list[dict[str, Any]] = []
    for figure in choices:
        if not options or options[-1]["code"] != figure.group:
            options.append({"code": figure.group, "title": titles[figure.group], "figures": []})
        options[-1]["figures"].append({"figure": figure, "selected": figure == chosen})
    return options


@login_required
@require_GET
def grid_map(request: HttpRequest) -> HttpResponse:
    """The grids under the area filled by the chosen figure, open events as points."""
    user = request.user
    choices = maps.figure_choices(user)
    figure = _figure(request, choices)
    area = _area(request)
    form = PeriodForm(request.GET)
    period = form.result
    grid_map = maps.build(user, area, period, figure)
    presets = period_presets(period, lambda p: map_url(area, p, figure))
    # A long table shows its first rows (the worst grids); the rest fold under them.
    split = len(grid_map.grids) > TABLE_ROWS + TABLE_ROWS // 5
    geojson = grid_map.geojson()
    context = {
        "title": "网格地图",
        "area": area,
        "area_choices": _area_choices(user, area),
        "period": period,
        "form": form,
        "presets": presets,
        "figure": figure,
        "figure_options": _figure_options(choices, figure),
        "map": grid_map,
        "total_parts": cards.parts(grid_map.total, area, period),
        "map_data": json_data(geojson, "grid-map-data"),
        "village_outlines": any(f["properties"]["kind"] == "village" for f in geojson["features"]),
        "first_rows": f":{TABLE_ROWS}" if split else ":",
        "rest_rows": f"{TABLE_ROWS}:" if split else ":0",
        "point_cap": maps.POINT_CAP,
        "stats_url": cards.page_url(area, period, figures.group(figure.group)),
        "tile_url": settings.GRIDGOV_MAP_TILE_URL,
        "tile_attribution": settings.GRIDGOV_MAP_TILE_ATTRIBUTION,
    }
    return render(request, "metrics/map.html", context)
