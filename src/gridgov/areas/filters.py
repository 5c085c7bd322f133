"""Filters shared by the area pages and the API (the same FilterSet serves both doors)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from gridgov.areas.choices import GridKind, Level, Post, Status
from gridgov.areas.models import Area, GridAssignment


def visible_parent_areas(request):
    """Areas above grid level the requester may see: the choices of the area filters. An area
    outside the jurisdiction is not a valid choice, so it filters nothing in."""
    user = getattr(request, "user", None)
    return Area.objects.for_user(user, "areas.view").exclude(level=Level.GRID).order_by("path")


@extend_schema_field(OpenApiTypes.INT)
class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """Choose an area by id among the visible ones (an id in the API, a select on the page)."""


class AreaFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称或代码", method="filter_q")
    level = django_filters.ChoiceFilter(label="层级", choices=Level.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=Status.choices)
    grid_kind = django_filters.ChoiceFilter(label="网格类型", choices=GridKind.choices)
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )
    parent = AreaChoiceFilter(label="直属上级", queryset=visible_parent_areas)

    class Meta:
        model = Area
        fields = ["q", "level", "status", "grid_kind", "parent", "within"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path)


class GridAssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="人员或网格", method="filter_q")
    grid = django_filters.NumberFilter(label="网格", field_name="grid_id")
    user = django_filters.NumberFilter(label="人员", field_name="user_id")
    post = django_filters.ChoiceFilter(label="岗位", choices=Post.choices)
    current = django_filters.BooleanFilter(label="仅当前在岗", method="filter_current")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = GridAssignment
        fields = ["q", "grid", "user", "post", "current", "within"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(user__full_name__icontains=value)
            | Q(user__username__icontains=value)
            | Q(grid__name__icontains=value)
            | Q(grid__code__startswith=value)
        )

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = GridAssignment.active_q()
        return queryset.filter(current) if value else queryset.exclude(current)

    def filter_within(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path)
