"""Links and cards shared by the statistics page and the dashboard.

A card is one figure for an area and period beside the previous period: its value, the change
with its tone and arrow, the counts it is made of and, on the dashboard, its target. Every count
on it links to its records list (`records_url`), which lists the very queryset the count counted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from gridgov.metrics import figures
from gridgov.metrics.figures import Average, Count, Evaluator, Figure, Group, Period, Rate, Result


def query(area: Any, period: Period, **extra: Any) -> str:
    """The query string of an area and period (and `extra`) as every metrics page reads it."""
    return urlencode(
        {"area": area.pk, "start": period.start.isoformat(), "end": period.end.isoformat(), **extra}
    )


def records_url(code: str, area: Any, period: Period, **extra: Any) -> str:
    """The records list of the count `code`; `extra` adds its filters (dim=…&value=…)."""
    return f"{reverse('metrics:records', args=[code])}?{query(area, period, **extra)}"


def page_url(area: Any, period: Period, group: Group) -> str:
    """The statistics page of `group` for the area and period."""
    extra = {"group": group.code} if group.code != figures.groups()[0].code else {}
    return f"{reverse('metrics:index')}?{query(area, period, **extra)}"


def dashboard_url(area: Any, period: Period, **extra: Any) -> str:
    return f"{reverse('metrics:dashboard')}?{query(area, period, **extra)}"


def delta(figure: Figure, current: Result, previous: Result | None) -> dict[str, str] | None:
    """The change from the previous period as text, whether it is good news, and its arrow."""
    if previous is None or current.value is None or previous.value is None:
        return None
    change = current.value - previous.value
    if abs(change) < 0.005:
        return {"text": "持平", "tone": "", "arrow": "→"}
    if isinstance(figure, Rate):
        text = f"{change:+.2f} 个百分点"
    elif isinstance(figure, Average):
        text = f"{change:+.1f} {figure.unit}"
    else:
        text = f"{change:+d} {figure.unit}"
    tone = ""
    if figure.better:
        tone = "good" if (change > 0) == (figure.better == "up") else "bad"
    return {"text": text.replace("-", "−"), "tone": tone, "arrow": "↑" if change > 0 else "↓"}


def parts(result: Result, area: Any, period: Period) -> list[dict[str, Any]]:
    """The counts a rate or an average is made of, each with its list."""
    if isinstance(result.figure, Rate):
        made_of = [result.numerator, result.denominator]
    elif isinstance(result.figure, Average):
        made_of = [result.over]
    else:
        return []
    return [
        {"result": part, "url": records_url(part.figure.code, area, period)}
        for part in made_of
        if part is not None
    ]


def target_of(target: Any, value: Any) -> dict[str, Any] | None:
    """A target (gridgov.metrics.targets) as a card shows it: its label, and whether `value`
    meets it (None: nothing to judge)."""
    if target is None:
        return None
    return {"label": target.label, "met": target.met(value)}


def card(code: str, now: Evaluator, before: Evaluator, target: Any = None) -> dict[str, Any]:
    """One figure of `now` beside `before` (its previous period), with its links."""
    figure = figures.get(code)
    current = now(code)
    previous = None if figure.snapshot else before(code)
    is_count = isinstance(figure, Count)
    return {
        "figure": figure,
        "current": current,
        "url": records_url(code, now.area, now.period) if is_count else "",
        "parts": parts(current, now.area, now.period),
        "previous": previous,
        "previous_url": (
            records_url(code, before.area, before.period) if is_count and previous else ""
        ),
        "previous_parts": parts(previous, before.area, before.period) if previous else [],
        "delta": delta(figure, current, previous),
        "target": target_of(target, current.value),
    }
