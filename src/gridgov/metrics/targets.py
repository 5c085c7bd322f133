"""Which targets apply where, and which figures may have one.

A target set on an area applies to it and to every area under it; an area lower down with its
own active target for the same figure overrides it there (the nearest one wins). The targets
that apply to an area are read unscoped on purpose: a township leader sees the district's target
for their township beside its figure, although the district's own rows are not theirs to manage.
The caller has already authorised the area itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from gridgov.core.errors import Invalid
from gridgov.core.scoping import unscoped
from gridgov.metrics import figures
from gridgov.metrics.figures import Average, Count, Figure, Rate
from gridgov.metrics.models import Comparison, Target

# The comparison a target of a figure takes, from the way the figure is better.
DIRECTION = {"up": Comparison.AT_LEAST, "down": Comparison.AT_MOST}
# The most decimals a target may carry: those its figure is shown with.
DECIMALS = {"rate": 2, "average": 1, "count": 0}
MAX_VALUE = Decimal("99999999.99")


def targets_for_areas(areas: Iterable[Any]) -> dict[Any, dict[str, Target]]:
    """For each area (by pk), the target that applies per figure code: the active one set on
    the area itself or, failing that, on its nearest ancestor. One query for all the areas."""
    areas = list(areas)
    wanted = {p for area in areas for p in area.ancestor_paths()}
    if not wanted:
        return {}
    with unscoped("targets that apply to areas the caller already sees"):
        rows = list(
            Target.objects.filter(is_active=True, area_path__in=sorted(wanted))
            .select_related("area")
            .order_by("area_path", "pk")
        )
    by_path: dict[str, list[Target]] = {}
    for target in rows:
        by_path.setdefault(target.area_path, []).append(target)
    result: dict[Any, dict[str, Target]] = {}
    for area in areas:
        applying: dict[str, Target] = {}
        for path in area.ancestor_paths():  # top first: a nearer target replaces a farther
            for target in by_path.get(path, ()):
                applying[target.figure_code] = target
        result[area.pk] = applying
    return result


def targets_for(area: Any) -> dict[str, Target]:
    """The target that applies to `area` per figure code (its own, else the nearest above)."""
    return targets_for_areas([area])[area.pk]


# --- What a target may be -------------------------------------------------------------------------


def target_refusal(figure: Figure) -> str:
    """Why `figure` takes no target, or "" when it may have one.

    A rate or an average with a better direction may. A count may only as a ceiling on what
    should not happen (超期未办结 ≤ 0, 越级访量 ≤ 0): a floor on a count (结案数 ≥ 50) is a
    work quota that depends on how much happens, which DESIGN.md asks assessments not to reward.
    """
    if not figure.better:
        return f"“{figure.label}”没有高低好坏之分,不能设目标。"
    if isinstance(figure, Count) and figure.better != "down":
        return f"“{figure.label}”是工作量,不设目标;请为相应的比率设目标。"
    if not isinstance(figure, Count | Rate | Average):
        return f"“{figure.label}”不能设目标。"
    return ""


def eligible_figures() -> list[Figure]:
    """Registered figures that may have a target, in registration order."""
    return [f for f in figures.figures() if not target_refusal(f)]


# Rates first in a module's choices: they are what targets are mostly set on.
_KIND_ORDER = {"rate": 0, "average": 1, "count": 2}


def figure_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The eligible figures grouped under their module's title, rates first, for a select."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    ranked = sorted(eligible_figures(), key=lambda f: _KIND_ORDER.get(f.kind, 3))
    for figure in ranked:
        title = figures.group(figure.group).title
        grouped.setdefault(title, []).append((figure.code, f"{figure.label}({figure.unit})"))
    return list(grouped.items())


def check_figure(code: str) -> Figure:
    """The registered figure `code` if it may have a target; Invalid otherwise."""
    try:
        figure = figures.get(code or "")
    except KeyError:
        raise Invalid(
            "请选择一项统计指标。" if not code else f"没有这项统计指标:{code}。",
            field="figure_code",
        ) from None
    refusal = target_refusal(figure)
    if refusal:
        raise Invalid(refusal, field="figure_code")
    return figure


def check_comparison(figure: Figure, comparison: str | None) -> str:
    """The comparison of a target of `figure`: blank gives the figure's own direction; the
    opposite one is refused (a 满意率 target of "≤ 90%" would reward doing worse)."""
    expected = DIRECTION[figure.better]
    if not comparison:
        return expected
    if comparison not in Comparison.values:
        raise Invalid("比较方式须为“不低于”或“不高于”。", field="comparison")
    if comparison != expected:
        way = "越高越好" if figure.better == "up" else "越低越好"
        raise Invalid(
            f"“{figure.label}”{way},目标只能是“{Comparison(expected).label}”。",
            field="comparison",
        )
    return comparison


def check_value(figure: Figure, value: Any) -> Decimal:
    """The target value as a Decimal, within what the figure can take."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("请填写目标值。", field="value")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid("目标值须为数字。", field="value") from None
    if not number.is_finite():
        raise Invalid("目标值须为数字。", field="value")
    if number < 0:
        raise Invalid("目标值不能小于 0。", field="value")
    if isinstance(figure, Rate) and number > 100:
        raise Invalid("比率的目标值须在 0 到 100 之间。", field="value")
    if number > MAX_VALUE:
        raise Invalid("目标值过大。", field="value")
    places = DECIMALS[figure.kind]
    if number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise Invalid(f"“{figure.label}”以{figure.unit}计,目标值须为整数。", field="value")
        raise Invalid(
            f"“{figure.label}”的目标值最多保留{'两' if places == 2 else '一'}位小数。",
            field="value",
        )
    return number.quantize(Decimal("0.01"))
