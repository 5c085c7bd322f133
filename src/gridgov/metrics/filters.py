"""Filters shared by the targets page and its API (one FilterSet, two doors)."""

from __future__ import annotations

import django_filters

from gridgov.areas.filters import AreaChoiceFilter, visible_parent_areas
from gridgov.core.scoping import path_prefix_q
from gridgov.metrics.models import Target
from gridgov.metrics.targets import figure_choices


class TargetFilterSet(django_filters.FilterSet):
    area = AreaChoiceFilter(
        label="适用区域(含下级)", queryset=visible_parent_areas, method="filter_area"
    )
    figure = django_filters.ChoiceFilter(
        label="指标", choices=figure_choices, field_name="figure_code", empty_label="全部指标"
    )
    is_active = django_filters.ChoiceFilter(
        label="状态",
        choices=[("true", "在用"), ("false", "已停用")],
        empty_label="全部",
        method="filter_active",
    )

    class Meta:
        model = Target
        fields = ["area", "figure", "is_active"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(path_prefix_q("area_path", [value.path]))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")
