"""Filters shared by the event pages and the API (one FilterSet, two doors)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from gridgov.areas.filters import AreaChoiceFilter, visible_parent_areas
from gridgov.events.choices import (
    CLOCK_STATES,
    OPEN_STATES,
    Light,
    Priority,
    Source,
    State,
    Supervision,
)
from gridgov.events.models import Category, Event, EventKind, RoutingRule


def _categories(request):
    return Category.objects.filter(is_active=True).select_related("kind")


def _kinds(request):
    return EventKind.objects.filter(is_active=True)


class EventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="编码/标题/地点", method="filter_q")
    state = django_filters.MultipleChoiceFilter(label="状态", choices=State.choices)
    open = django_filters.BooleanFilter(label="仅未办结", method="filter_open")
    light = django_filters.ChoiceFilter(
        label="期限", choices=[c for c in Light.choices if c[0] != "none"], method="filter_light"
    )
    kind = django_filters.ModelChoiceFilter(label="事件类型", queryset=_kinds)
    category = django_filters.ModelChoiceFilter(label="事件类别", queryset=_categories)
    priority = django_filters.ChoiceFilter(label="紧急程度", choices=Priority.choices)
    source = django_filters.ChoiceFilter(label="来源", choices=Source.choices)
    supervision = django_filters.ChoiceFilter(
        label="督办",
        choices=[("any", "任一督办"), *Supervision.choices],
        method="filter_supervision",
    )
    mine = django_filters.BooleanFilter(label="我上报的", method="filter_mine")
    department = django_filters.NumberFilter(
        label="承办部门", field_name="assignments__department_id", distinct=True
    )
    grid = django_filters.NumberFilter(label="网格", field_name="grid_id")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )
    reported_after = django_filters.DateFilter(
        label="上报日期从", field_name="reported_at", lookup_expr="date__gte"
    )
    reported_before = django_filters.DateFilter(
        label="上报日期至", field_name="reported_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Event
        fields = [
            "q",
            "state",
            "open",
            "light",
            "kind",
            "category",
            "priority",
            "source",
            "supervision",
            "mine",
            "department",
            "grid",
            "within",
            "reported_after",
            "reported_before",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(code=value.upper()) | Q(title__contains=value) | Q(place__contains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_STATES)
            if value
            else queryset.exclude(state__in=OPEN_STATES)
        )

    def filter_light(self, queryset, name, value):
        now = timezone.now()
        clock = queryset.filter(state__in=CLOCK_STATES, deadline__isnull=False)
        if value == Light.RED:
            return clock.filter(deadline__lte=now)
        if value == Light.YELLOW:
            return clock.filter(deadline__gt=now, warn_at__lte=now)
        return clock.filter(Q(warn_at__gt=now) | Q(warn_at__isnull=True), deadline__gt=now)

    def filter_supervision(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(supervision="")
        return queryset.filter(supervision=value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(reporter=user) if value and user else queryset

    def filter_within(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path)


# --- Routing rules (直报与抄告) -------------------------------------------------------------------


def _all_categories(request):
    # Configuration pages list rules of retired categories too.
    return Category.objects.select_related("kind").order_by("kind__order", "order", "code")


class RoutingRuleFilterSet(django_filters.FilterSet):
    area = AreaChoiceFilter(
        label="适用区域(含下级)", queryset=visible_parent_areas, method="filter_area"
    )
    category = django_filters.ModelChoiceFilter(label="事件类别", queryset=_all_categories)
    is_active = django_filters.BooleanFilter(label="在用")

    class Meta:
        model = RoutingRule
        fields = ["area", "category", "is_active"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path)
