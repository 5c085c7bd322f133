"""The grid map (网格地图): the grids under an area filled by one figure, open events as points.

Each grid's value comes from `figures.by_area`, one grouped query per count for all the grids at
once, and is what `Evaluator(user, grid, period)` gives: the length of the records list it links
to. The grids are the user's visible active grids under the area (`Area.objects.for_user`), so
a township user never sees another township's grids, not even as an empty outline.

Values fall into at most five classes of about as many grids each (ties never split), coloured
so the darker the grid, the more it needs attention: the highest values of a figure where lower
is better (or neither), the lowest where higher is better. The colours are CSS classes
(gridgov/metrics/map.css), the same ones on the map, in the legend and in the table.

The points are the records of `events.open` (the user's scoped events in the area that are still
open) that carry a location, the most recently reported first, at most POINT_CAP of them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.urls import reverse
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from gridgov.areas.models import Area
from gridgov.metrics import cards, figures
from gridgov.metrics.figures import Count, Evaluator, Figure, Period, Rate, Result, format_value

# At most this many open events are drawn; the page says when there are more.
POINT_CAP = 2000
# Village outlines are unions of grid boundaries: kept this long, keyed by the grids' versions.
OUTLINE_CACHE_SECONDS = 24 * 3600
CLASSES = 5
POINTS_FIGURE = "events.open"
# A point is drawn red when its event is a record of this count too.
OVERDUE_FIGURE = "events.overdue_open"

# The figures offered in the map's selector, in this order: those that make sense per grid.
# Figures of a group the user may not see are left out; any other count or rate may still be
# asked for by its code (?figure=…).
MAP_FIGURES: tuple[str, ...] = (
    "events.open",
    "events.overdue_open",
    "events.reported",
    "events.supervised",
    "events.closed",
    "events.closure_rate",
    "events.on_time_closure_rate",
    "events.satisfaction_rate",
    "special.overdue",
    "special.lost",
    "special.should_care",
    "special.care_rate",
    "special.visit_rate",
    "disputes.listed_open",
    "disputes.registered",
    "disputes.success_rate",
    "disputes.closure_rate",
    "petitions.received",
    "petitions.repeat",
    "petitions.completion_rate",
)


# --- Figures --------------------------------------------------------------------------------------


def mappable(figure: Figure) -> bool:
    """A count or a rate can colour a grid (an average of a handful of records cannot)."""
    return isinstance(figure, (Count, Rate))


def figure_choices(user: Any) -> list[Figure]:
    """The figures of MAP_FIGURES that are registered and of a group the user may see."""
    visible = {g.code for g in figures.groups_for(user)}
    registered = {f.code: f for f in figures.figures()}
    return [
        registered[code]
        for code in MAP_FIGURES
        if code in registered and registered[code].group in visible
    ]


# --- Classes --------------------------------------------------------------------------------------


@dataclass
class Band:
    """One class of the legend: the values `low` through `high`, held by `grids` grids."""

    low: int | float
    high: int | float
    grids: int
    css: str = ""
    label: str = ""


def _groups_of_values(counted: list[tuple[Any, int]], classes: int) -> list[list[Any]]:
    """Split distinct values (ascending, each with how many grids hold it) into at most `classes`
    runs of about as many grids each; equal values stay together."""
    if len(counted) <= classes:
        return [[value] for value, _n in counted]
    runs: list[list[Any]] = []
    current: list[Any] = []
    held = 0
    left = sum(n for _v, n in counted)
    for i, (value, n) in enumerate(counted):
        current.append(value)
        held += n
        runs_after = classes - len(runs) - 1  # runs still to make once this one closes
        if runs_after == 0:
            continue
        values_after = len(counted) - i - 1
        # Close when the run holds its share of the grids not yet placed, or when each value
        # left must make a run of its own.
        if held * (runs_after + 1) >= left or values_after == runs_after:
            runs.append(current)
            left -= held
            current, held = [], 0
    if current:
        runs.append(current)
    return runs


def classify(figure: Figure, values: list[int | float | None]) -> list[Band]:
    """The legend of `values` (None, for nothing to rate, is left out): at most CLASSES bands,
    lowest values first, each with its colour class."""
    counts = Counter(v for v in values if v is not None)
    counted = sorted(counts.items())
    runs = _groups_of_values(counted, CLASSES)
    palette = "cool" if not figure.better else "warm"
    bands = []
    for i, run in enumerate(runs):
        # Spread fewer classes over the whole scale: 2 classes are its two ends. One class (all
        # grids alike) is the lightest whichever way is better: nothing stands out.
        shade = 0
        if len(runs) > 1:
            shade = round(i * (CLASSES - 1) / (len(runs) - 1))
            if figure.better == "up":
                shade = CLASSES - 1 - shade  # the lowest rate is the darkest
        low, high = run[0], run[-1]
        label = format_value(figure, low)
        if high != low:
            label += f" – {format_value(figure, high)}"
        bands.append(
            Band(
                low=low,
                high=high,
                grids=sum(counts[v] for v in run),
                css=f"fill-{palette}-{shade}",
                label=label,
            )
        )
    return bands


def band_of(bands: list[Band], value: int | float | None) -> Band | None:
    if value is None:
        return None
    for band in bands:
        if band.low <= value <= band.high:
            return band
    return None  # pragma: no cover - every value is in a band


NO_VALUE_CSS = "fill-none"


# --- Links ----------------------------------------------------------------------------------------


def _link(name: str) -> Callable[[int], str]:
    """The URL of the page `name` for any pk, reversed once: a district's 2,000 grids and as many
    points would otherwise cost 4,000 `reverse` calls."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _records_link(period: Period) -> Callable[[str, Area], str]:
    """`cards.records_url(code, area, period)` with each code's path reversed once."""
    paths: dict[str, str] = {}

    def url(code: str, area: Area) -> str:
        if code not in paths:
            paths[code] = reverse("metrics:records", args=[code])
        return f"{paths[code]}?{cards.query(area, period)}"

    return url


# --- The map --------------------------------------------------------------------------------------


@dataclass
class GridValue:
    grid: Area
    result: Result
    band: Band | None
    url: str  # the records list of a count, "" for a rate
    parts: list[dict[str, Any]]  # a rate's numerator and denominator, each with its list
    village: str = ""  # the name of its village (社区), when the user may see the village

    @property
    def css(self) -> str:
        return self.band.css if self.band else NO_VALUE_CSS

    @property
    def has_boundary(self) -> bool:
        return bool(self.grid.boundary)


@dataclass
class Point:
    pk: int
    code: str
    title: str
    state: str
    lat: float
    lng: float
    overdue: bool


@dataclass
class GridMap:
    area: Area
    period: Period
    figure: Figure
    total: Result  # the figure for the whole area
    total_url: str
    grids: list[GridValue]  # the worst first
    bands: list[Band]
    points: list[Point] = field(default_factory=list)
    points_capped: bool = False  # more open events with a location than POINT_CAP
    points_shown: bool = False  # whether the user may see events at all
    points_url: str = ""  # the list of all open events of the area

    @property
    def without_boundary(self) -> list[GridValue]:
        return [g for g in self.grids if not g.has_boundary]

    @property
    def drawn(self) -> int:
        return len(self.grids) - len(self.without_boundary)

    @property
    def outside_grids(self) -> int:
        """Records of a count in the area that lie in none of the grids (on a village itself,
        or in a retired grid): the area's total less the grids' sum."""
        if not isinstance(self.figure, Count) or self.total.value is None:
            return 0
        return self.total.value - sum(g.result.value or 0 for g in self.grids)

    @property
    def no_value_count(self) -> int:
        return sum(1 for g in self.grids if g.result.value is None)

    def village_outlines(self) -> list[dict[str, Any]]:
        """The outline of each village (社区) as the union of its drawn grids: a village keeps
        no boundary of its own (areas.services keeps boundaries on grids). Only the villages the
        user may see are drawn, as only they are named. The unions are
        cached under the grids' pks, versions, villages and extents: any change makes new ones."""
        drawn = [g.grid for g in self.grids if g.has_boundary and g.village]
        if not drawn:
            return []
        names = {g.grid.parent_id: g.village for g in self.grids if g.village}
        signature = repr(
            sorted(
                (g.pk, g.version, g.parent_id, g.min_lng, g.min_lat, g.max_lng, g.max_lat)
                for g in drawn
            )
        )
        key = "gridgov.metrics.maps.outlines:" + hashlib.sha256(signature.encode()).hexdigest()
        geometries = cache.get(key)
        if geometries is None:
            geometries = _outlines(drawn)
            cache.set(key, geometries, OUTLINE_CACHE_SECONDS)
        return [
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"kind": "village", "id": pk, "name": names[pk]},
            }
            for pk, geometry in geometries
        ]

    def geojson(self) -> dict[str, Any]:
        """One GeoJSON FeatureCollection: the grids that have a boundary (properties.kind
        "grid"), the outlines of their villages ("village"), then the points ("event").
        Every link in it is a page the user may open."""
        grid_url, event_url = _link("areas:detail"), _link("events:detail")
        features = [
            {
                "type": "Feature",
                "geometry": g.grid.boundary,
                "properties": {
                    "kind": "grid",
                    "id": g.grid.pk,
                    "name": g.grid.name,
                    "village": g.village,
                    "value": g.result.value,
                    "display": g.result.display,
                    "unit": self.figure.unit if g.result.value is not None else "",
                    "css": g.css,
                    "url": g.url,
                    "parts": [
                        {
                            "label": p["result"].figure.label,
                            "display": p["result"].display,
                            "url": p["url"],
                        }
                        for p in g.parts
                    ],
                    "grid_url": grid_url(g.grid.pk),
                },
            }
            for g in self.grids
            if g.has_boundary
        ]
        features += self.village_outlines()
        features += [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
                "properties": {
                    "kind": "event",
                    "id": p.pk,
                    "code": p.code,
                    "title": p.title,
                    "state": p.state,
                    "overdue": p.overdue,
                    "url": event_url(p.pk),
                },
            }
            for p in self.points
        ]
        return {"type": "FeatureCollection", "features": features}


def _outlines(grids: list[Area]) -> list[tuple[int, dict[str, Any]]]:
    """(village pk, GeoJSON geometry of the union of its grids' boundaries) per village."""
    shapes: dict[int, list[Any]] = {}
    for grid in grids:
        shapes.setdefault(grid.parent_id, []).append(shape(grid.boundary))
    outlines = []
    for pk, parts in shapes.items():
        merged = unary_union(parts)
        if not merged.is_empty:
            # simplify(0) drops the vertices the grids' corners leave along straight edges.
            outlines.append((pk, mapping(merged.simplify(0))))
    return outlines


def visible_grids(user: Any, area: Area) -> list[Area]:
    """The active grids under `area` (or `area` itself, a grid) the user may see, tree order."""
    grids = Area.objects.for_user(user, "areas.view").grids().active()
    return list(figures.within(grids, area, "path").order_by("path"))


def visible_village_names(user: Any, grids: list[Area]) -> dict[int, str]:
    """The names of the grids' villages (社区) that the user may see, by pk: a grid worker sees
    their grid, not its village."""
    parents = {grid.parent_id for grid in grids if grid.parent_id}
    villages = Area.objects.for_user(user, "areas.view").filter(pk__in=parents)
    return dict(villages.values_list("pk", "name"))


def _sort_key(figure: Figure) -> Any:
    """Worst first: the lowest value of a figure where higher is better, else the highest; the
    grids with nothing to rate last."""
    sign = 1 if figure.better == "up" else -1

    def key(g: GridValue) -> tuple:
        value = g.result.value
        return (value is None, sign * value if value is not None else 0, g.grid.path)

    return key


def open_event_points(user: Any, area: Area, period: Period) -> tuple[list[Point], bool]:
    """The most recent open events with a location in the area, at most POINT_CAP, and whether
    there are more. They are the records of `events.open`: the user's scoped events. (Whether
    there are more is one row more, not a count: a district has hundreds of thousands.) A point
    is overdue when its event is a record of `events.overdue_open` as well."""
    evaluate = Evaluator(user, area, period)
    located = evaluate.records(POINTS_FIGURE).filter(lat__isnull=False, lng__isnull=False)
    rows = list(
        located.order_by("-reported_at", "-pk").values_list(
            "pk", "code", "title", "state", "lat", "lng"
        )[: POINT_CAP + 1]
    )
    capped, rows = len(rows) > POINT_CAP, rows[:POINT_CAP]
    overdue: set[int] = set()
    if rows and OVERDUE_FIGURE in {f.code for f in figures.figures("events")}:
        late = evaluate.records(OVERDUE_FIGURE).filter(pk__in=[row[0] for row in rows])
        overdue = set(late.values_list("pk", flat=True))
    labels = dict(located.model._meta.get_field("state").flatchoices)
    points = [
        Point(
            pk=pk,
            code=code,
            title=title,
            state=labels.get(state, state),
            lat=lat,
            lng=lng,
            overdue=pk in overdue,
        )
        for pk, code, title, state, lat, lng in rows
    ]
    return points, capped


def build(user: Any, area: Area, period: Period, figure: Figure) -> GridMap:
    """The map of `figure` over the grids under `area` for `period`, as `user` may see it."""
    grids = visible_grids(user, area)
    values = figures.by_area(user, area, grids, period, [figure.code]) if grids else {}
    results = [values[g.pk][figure.code] for g in grids]
    bands = classify(figure, [r.value for r in results])
    villages = visible_village_names(user, grids) if grids else {}
    link = _records_link(period)
    rows = []
    for grid, result in zip(grids, results, strict=True):
        parts = [
            {"result": part, "url": link(part.figure.code, grid)}
            for part in (result.numerator, result.denominator)
            if part is not None
        ]
        rows.append(
            GridValue(
                grid=grid,
                result=result,
                band=band_of(bands, result.value),
                url=link(figure.code, grid) if isinstance(figure, Count) else "",
                parts=parts,
                village=villages.get(grid.parent_id, ""),
            )
        )
    rows.sort(key=_sort_key(figure))
    total = Evaluator(user, area, period)(figure.code)
    grid_map = GridMap(
        area=area,
        period=period,
        figure=figure,
        total=total,
        total_url=link(figure.code, area) if isinstance(figure, Count) else "",
        grids=rows,
        bands=bands,
    )
    if any(g.code == "events" for g in figures.groups_for(user)):
        grid_map.points, grid_map.points_capped = open_event_points(user, area, period)
        grid_map.points_shown = True
        grid_map.points_url = link(POINTS_FIGURE, area)
    return grid_map
