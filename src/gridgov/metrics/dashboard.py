"""The dashboard (综合看板): the key figures of every module a user may see for one area and
period, the sub-areas side by side, a count split by category, and a figure over twelve periods.

Everything is read through gridgov.metrics.figures, so every number is the length of the records
list it links to: the cards through one Evaluator per period; the sub-area table through
`figures.by_area` (one grouped query per count, however many sub-areas there are) and the
targets of all the sub-areas in one query; the categories through `Dimension.split` (one
grouped query); the trend through one Evaluator per period. No HTTP here: the views in
dashboard_views.py read the request and render these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridgov.areas.models import Area
from gridgov.metrics import figures
from gridgov.metrics.cards import card, dashboard_url, page_url, parts, records_url, target_of
from gridgov.metrics.figures import Count, Evaluator, Figure, Group, Period, Rate
from gridgov.metrics.targets import targets_for, targets_for_areas

TREND_LENGTH = 12
# The sub-area table's choice that shows the key rates of every module at once.
ALL_RATES = "rates"


def visible_children(user: Any, area: Area) -> list[Area]:
    """The direct sub-areas of `area` the user may see (a village's grids), in code order."""
    return list(
        Area.objects.for_user(user, "areas.view").filter(parent_id=area.pk).order_by("path")
    )


# --- Periods --------------------------------------------------------------------------------------


def trailing(period: Period, count: int = TREND_LENGTH) -> list[Period]:
    """`count` periods of the same kind ending with `period`, oldest first: months for a month,
    weeks for a week …, spans of as many days for a from–to period (`Period.previous`)."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def short_label(period: Period) -> str:
    """A period as a chart's axis names it: 2025-03, 2025Q1, 2025年, 03-10起 …"""
    start, end = period.start, period.end
    kind = period.kind
    if kind == "year":
        return f"{start:%Y}年"
    if kind == "quarter":
        return f"{start:%Y}Q{(start.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{start:%Y-%m}"
    if kind == "week":
        return f"{start:%m-%d}起"
    if start == end:
        return f"{start:%m-%d}"
    if start.year == end.year:
        return f"{start:%m-%d}至{end:%m-%d}"
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


# --- Key figures ----------------------------------------------------------------------------------


def key_sections(user: Any, area: Area, period: Period, groups: Sequence[Group]) -> list[dict]:
    """One section per group with its key figures as cards: value, previous period, change and
    the target that applies to the area."""
    now, before = Evaluator(user, area, period), Evaluator(user, area, period.previous())
    goals = targets_for(area)
    return [
        {
            "group": group,
            "url": page_url(area, period, group),
            "cards": [card(code, now, before, goals.get(code)) for code in group.key],
        }
        for group in groups
        if group.key
    ]


# --- Sub-areas ------------------------------------------------------------------------------------


def laggard_direction(figure: Figure) -> str:
    """The order that puts the laggards first: lowest first, highest for a lower-is-better one."""
    return "desc" if figure.better == "down" else "asc"


def table_choices(groups: Sequence[Group]) -> list[tuple[str, str]]:
    choices = [(g.code, g.title) for g in groups if g.key]
    return [*choices, (ALL_RATES, "各模块关键比率")] if choices else []


def _table_columns(groups: Sequence[Group], choice: str) -> tuple[str, list[str], str]:
    """(choice, column codes, default sort code) for a choice of the table's selector."""
    keyed = [g for g in groups if g.key]
    if choice == ALL_RATES:
        columns = [c for g in keyed for c in g.key if isinstance(figures.get(c), Rate)]
        default = next((g.sort_by for g in keyed if g.sort_by in columns), columns[0])
        return choice, columns, default
    group = next((g for g in keyed if g.code == choice), keyed[0])
    columns = list(group.key)
    default = group.sort_by or columns[0]
    if default not in columns:
        columns.insert(0, default)
    return group.code, columns, default


def _cell(code: str, result: Any, area: Area, period: Period, target: Any) -> dict[str, Any]:
    is_count = isinstance(result.figure, Count)
    return {
        "result": result,
        "url": records_url(code, area, period) if is_count else "",
        "parts": parts(result, area, period) if isinstance(result.figure, Rate) else [],
        "target": target_of(target, result.value),
    }


def subarea_table(
    user: Any,
    area: Area,
    period: Period,
    groups: Sequence[Group],
    *,
    choice: str = "",
    sort: str = "",
    direction: str = "",
) -> dict[str, Any]:
    """The visible direct sub-areas of `area`, one row each with the chosen key figures.

    By default the laggards come first: those missing their target for the sorting figure, then
    the rest from the worst value to the best, the sub-areas with nothing to rate last. A
    `sort` code among the columns with `direction` asc/desc orders by that column instead.
    """
    if not any(g.key for g in groups):
        return {"rows": [], "headers": [], "choices": []}
    choice, columns, default = _table_columns(groups, choice)
    explicit = sort in columns and direction in ("asc", "desc")
    sort_code = sort if explicit else default
    sort_figure = figures.get(sort_code)
    ascending = (direction if explicit else laggard_direction(sort_figure)) == "asc"
    children = visible_children(user, area)
    results = figures.by_area(user, area, children, period, columns) if children else {}
    goals = targets_for_areas(children) if children else {}
    rows = []
    for child in children:
        values, targets = results[child.pk], goals.get(child.pk, {})
        cells = [_cell(code, values[code], child, period, targets.get(code)) for code in columns]
        sorted_cell = cells[columns.index(sort_code)]
        rows.append(
            {
                "area": child,
                "url": dashboard_url(child, period),
                "cells": cells,
                "value": sorted_cell["result"].value,
                "missed": bool(sorted_cell["target"]) and sorted_cell["target"]["met"] is False,
            }
        )

    def order(row: dict[str, Any]) -> tuple:
        value = row["value"]
        rank = value if value is None or ascending else -value
        return (explicit or not row["missed"], value is None, rank or 0, row["area"].path)

    rows.sort(key=order)
    headers = []
    for code in columns:
        figure = figures.get(code)
        current = code == sort_code
        flipped = "desc" if ascending else "asc"
        next_direction = flipped if current else laggard_direction(figure)
        headers.append(
            {
                "figure": figure,
                "sort": code,
                "dir": next_direction,
                "aria": ("ascending" if ascending else "descending") if current else "",
            }
        )
    return {
        "choice": choice,
        "choices": table_choices(groups),
        "headers": headers,
        "rows": rows,
        "sort_figure": sort_figure,
        "ascending": ascending,
        "explicit": explicit,
    }


# --- Categories -----------------------------------------------------------------------------------


def category_choices(groups: Sequence[Group]) -> list[tuple[str, str]]:
    return [
        (f"{g.code}.{d.code}", f"{g.title} · 按{d.label}") for g in groups for d in g.dimensions
    ]


def categories(
    user: Any, area: Area, period: Period, groups: Sequence[Group], *, by: str = "", count: str = ""
) -> dict[str, Any] | None:
    """A count of one group split by one of its dimensions (`by` = "<group>.<dimension>"),
    each value with its share and the link to its records. None when no group has a dimension."""
    options = [(g, d) for g in groups for d in g.dimensions]
    if not options:
        return None
    group, dimension = next(((g, d) for g, d in options if f"{g.code}.{d.code}" == by), options[0])
    counts = [
        f
        for f in figures.figures(group.code)
        if isinstance(f, Count) and dimension.applies_to(f.code)
    ]
    figure = next((f for f in counts if f.code == count), None)
    if figure is None:
        keyed = [f for code in group.key for f in counts if f.code == code]
        figure = (keyed or counts)[0]
    split = dimension.split(Evaluator(user, area, period).records(figure.code))
    total = sum(n for _value, _name, n in split)
    largest = max((n for _value, _name, n in split), default=0)
    rows = [
        {
            "value": value,
            "name": name,
            "count": n,
            "share": round(n * 100 / total, 1) if total else 0,
            "bar": round(n * 100 / largest) if largest else 0,
            "url": records_url(figure.code, area, period, dim=dimension.code, value=value),
        }
        for value, name, n in split
    ]
    return {
        "by": f"{group.code}.{dimension.code}",
        "choices": category_choices(groups),
        "counts": counts,
        "group": group,
        "dimension": dimension,
        "figure": figure,
        "rows": rows,
        "total": total,
        "total_url": records_url(figure.code, area, period),
    }


# --- Trend ----------------------------------------------------------------------------------------


def trend_choices(groups: Sequence[Group]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The key figures that have a trend (not a state at one moment), by group."""
    choices = []
    for group in groups:
        codes = [c for c in group.key if not figures.get(c).snapshot]
        if codes:
            choices.append((group.title, [(c, figures.get(c).label) for c in codes]))
    return choices


def trend(
    user: Any, area: Area, period: Period, groups: Sequence[Group], *, code: str = ""
) -> dict[str, Any] | None:
    """A figure for the twelve periods ending with `period`; by default the first group's
    sorting rate. None when no key figure has a trend."""
    allowed = [c for _title, options in trend_choices(groups) for c, _label in options]
    if not allowed:
        return None
    if code not in allowed:
        code = next((g.sort_by for g in groups if g.sort_by in allowed), allowed[0])
    figure = figures.get(code)
    points = []
    for each in trailing(period):
        result = Evaluator(user, area, each)(code)
        points.append(
            {
                "period": each,
                "label": short_label(each),
                "result": result,
                "url": records_url(code, area, each) if isinstance(figure, Count) else "",
                "parts": parts(result, area, each),
            }
        )
    target = targets_for(area).get(code)
    chart = {
        "title": f"{figure.label}({figure.unit})",
        "unit": figure.unit,
        "labels": [p["label"] for p in points],
        "values": [p["result"].value for p in points],
        "target": float(target.value) if target is not None else None,
        "target_label": f"目标 {target.label}" if target is not None else "",
    }
    return {
        "code": code,
        "choices": trend_choices(groups),
        "figure": figure,
        "points": points,
        "chart": chart,
        "target": target_of(target, points[-1]["result"].value),
    }
