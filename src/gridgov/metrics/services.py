"""The only writer of targets (指标目标): set, change and retire, each in one transaction with the
permission (metrics.manage_targets at the target's area), the version and an audit row.

Who: the administrator role holds metrics.manage_targets (accounts/roles.py), within the area of
their membership. Centers and leaders, whose work the targets measure, read them but do not set
them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core import audit
from gridgov.core.errors import Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed
from gridgov.metrics.figures import Figure
from gridgov.metrics.models import Target
from gridgov.metrics.targets import check_comparison, check_figure, check_value

MANAGE = "metrics.manage_targets"


def _require_manage(actor: Any, area: Area) -> None:
    if not jurisdiction(actor).allows(MANAGE, area.path):
        raise NotPermitted(f"您无权设置{area.name}的指标目标。")


def _clean_note(note: str | None, field: str = "note", label: str = "说明") -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise Invalid(f"{label}最多 200 字。", field=field)
    return note


def _no_twin(area: Area, figure: Figure) -> None:
    """One active target per area and figure (the caller holds the area's row lock)."""
    with unscoped("target: one active per area and figure"):
        twin = Target.objects.filter(area=area, figure_code=figure.code, is_active=True).first()
    if twin is not None:
        raise Invalid(
            f"{area.name}已有“{figure.label}”的在用目标({twin.label}),请修改该目标。",
            field="figure_code",
        )


@transaction.atomic
def set_target(
    area: Area,
    *,
    figure_code: str,
    comparison: str = "",
    value: Decimal | str | int | float,
    note: str = "",
    actor: Any,
) -> Target:
    """Set the target of `figure_code` for `area` (a village or above) and the areas under it.

    `comparison` blank takes the figure's direction (≥ for a rate that should rise). Raises
    NotPermitted without metrics.manage_targets at the area; Invalid for a retired area or a
    grid, a figure that takes no target, a value the figure cannot take, or an area that already
    has an active target for the figure."""
    area = lock_current(area, expected_version=None)  # serializes targets of the same area
    _require_manage(actor, area)
    if not area.is_active:
        raise Invalid("该区域已撤销,不能设置目标。", field="area")
    if area.level == Level.GRID:
        raise Invalid("指标目标按村(社区)及以上区域设置,不设到网格。", field="area")
    figure = check_figure(figure_code)
    comparison = check_comparison(figure, comparison)
    number = check_value(figure, value)
    note = _clean_note(note)
    _no_twin(area, figure)
    target = Target(
        area=area,
        area_path=area.path,
        figure_code=figure.code,
        comparison=comparison,
        value=number,
        note=note,
        created_by=actor,
        updated_by=actor,
    )
    full_clean_or_invalid(target)
    with audit.action(actor, "metrics.target.set"):
        target.save()
    return target


@transaction.atomic
def update_target(
    target: Target,
    *,
    version: int,
    comparison: str | None = None,
    value: Decimal | str | int | float | None = None,
    note: str | None = None,
    actor: Any,
) -> Target:
    """Change an active target's comparison, value or note (None leaves one as it is). The area
    and the figure stay: for another figure, set a new target. Raises Conflict for a stale
    `version`, NotPermitted, InvalidTransition for a retired target, Invalid."""
    target = lock_current(target, expected_version=version)
    with unscoped("target: its area"):
        area = target.area
    _require_manage(actor, area)
    if not target.is_active:
        raise InvalidTransition("已停用的目标不能修改,请重新设置。")
    figure = check_figure(target.figure_code)
    if comparison is not None:
        target.comparison = check_comparison(figure, comparison)
    if value is not None:
        target.value = check_value(figure, value)
    if note is not None:
        target.note = _clean_note(note)
    target.updated_by = actor
    full_clean_or_invalid(target)
    with audit.action(actor, "metrics.target.updated"):
        save_changed(target)
    return target


@transaction.atomic
def retire_target(target: Target, *, version: int, reason: str, actor: Any) -> Target:
    """Stop a target (停用): it no longer applies, and the target above (if any) applies again.
    The row stays with its history. Raises Conflict, NotPermitted, InvalidTransition for a
    target already retired, Invalid without a reason."""
    target = lock_current(target, expected_version=version)
    with unscoped("target: its area"):
        area = target.area
    _require_manage(actor, area)
    if not target.is_active:
        raise InvalidTransition("该目标已停用。")
    reason = _clean_note(reason, field="reason", label="停用原因")
    if not reason:
        raise Invalid("请填写停用原因。", field="reason")
    target.is_active = False
    target.retired_at = timezone.now()
    target.retired_by = actor
    target.retired_reason = reason
    target.updated_by = actor
    with audit.action(actor, "metrics.target.retired"):
        save_changed(target)
    return target
