"""Targets (指标目标): the value a figure should reach in an area, kept by the administrator.

A target set on an area applies to that area and to every area under it, unless an area lower
down has its own active target for the same figure (`metrics.targets.targets_for`). Targets are
written only by `metrics.services`; a target is retired (停用), never deleted, so the history of
what was asked of an area stays readable.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.metrics import figures
from gridgov.metrics.figures import Figure, format_value


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "不低于(≥)"
    AT_MOST = "lte", "不高于(≤)"


SYMBOLS = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤"}


def target_text(figure: Figure, comparison: str, value: Decimal) -> str:
    """ "≥ 98.00%", "≤ 24.0 小时", "≤ 0 件": the value shown as the figure's own values are."""
    number = format_value(figure, float(value) if figure.kind != "count" else int(value))
    unit = figure.unit if figure.unit == "%" else f" {figure.unit}"
    return f"{SYMBOLS.get(comparison, comparison)} {number}{unit}"


class Target(DomainModel):
    """The value `figure_code` should reach (`comparison` `value`) in `area` and below it.

    One active target per area and figure; `version` guards concurrent edits. `created_by` set
    it, `updated_by` changed it last, `retired_by` stopped it (with `retired_reason`).
    """

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="适用区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    figure_code = models.CharField("指标", max_length=60)
    comparison = models.CharField("比较", max_length=3, choices=Comparison.choices)
    value = models.DecimalField("目标值", max_digits=10, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("在用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设置人"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="最近修改人",
    )
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="停用人",
    )
    retired_reason = models.CharField("停用原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "指标目标"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "figure_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "figure_code"],
                condition=Q(is_active=True),
                name="metric_target_one_active",
                violation_error_message="该区域已有这项指标的在用目标。",
            )
        ]

    def __str__(self) -> str:
        figure = self.figure
        name = figure.label if figure else self.figure_code
        return f"{self.area.name}·{name} {self.label}"

    @property
    def figure(self) -> Figure | None:
        """The registered figure, or None if no app registers its code any more."""
        try:
            return figures.get(self.figure_code)
        except KeyError:
            return None

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.comparison, self.comparison)

    @property
    def label(self) -> str:
        """The target as shown beside the figure: "≥ 98.00%"."""
        figure = self.figure
        if figure is None:
            return f"{self.symbol} {self.value}"
        return target_text(figure, self.comparison, self.value)

    def met(self, value: Any) -> bool | None:
        """Whether a value of the figure reaches the target; None when there is no value.

        The value is compared as it is shown (two decimals for a rate, one for an average), so a
        page never shows "98.00" beside "≥ 98.00%" marked as missed.
        """
        figure = self.figure
        if value is None or figure is None:
            return None
        try:
            shown = Decimal(format_value(figure, value))
        except InvalidOperation:  # pragma: no cover - format_value gives digits for a number
            return None
        if self.comparison == Comparison.AT_MOST:
            return shown <= self.value
        return shown >= self.value
