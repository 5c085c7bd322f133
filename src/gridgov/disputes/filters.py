"""Filters shared by the dispute pages and the API (one FilterSet, two doors)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from gridgov.areas.filters import AreaChoiceFilter, visible_parent_areas
from gridgov.core.scoping import path_prefix_q
from gridgov.disputes.choices import MediationState, Scale
from gridgov.events.choices import OPEN_STATES, State


class DisputeFilterSet(django_filters.FilterSet):
    """Over dispute events (the ledger and /api/disputes/ share it)."""

    q = django_filters.CharFilter(label="编码/标题", method="filter_q")
    state = django_filters.MultipleChoiceFilter(label="事件状态", choices=State.choices)
    open = django_filters.BooleanFilter(label="仅未办结", method="filter_open")
    major = django_filters.BooleanFilter(label="重大纠纷", field_name="dispute__is_major")
    scale = django_filters.ChoiceFilter(
        label="事件规模", choices=Scale.choices, field_name="dispute__scale"
    )
    recorded = django_filters.BooleanFilter(label="已登记详情", method="filter_recorded")
    mediation = django_filters.ChoiceFilter(
        label="调解", choices=MediationState.choices, method="filter_mediation"
    )
    risk = django_filters.BooleanFilter(label="有激化风险", method="filter_risk")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )
    reported_after = django_filters.DateFilter(
        label="上报日期从", field_name="reported_at", lookup_expr="date__gte"
    )
    reported_before = django_filters.DateFilter(
        label="上报日期至", field_name="reported_at", lookup_expr="date__lte"
    )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))
            if value
            else queryset
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_STATES)
            if value
            else queryset.exclude(state__in=OPEN_STATES)
        )

    def filter_recorded(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(dispute__isnull=not value)

    def filter_mediation(self, queryset, name, value):
        return queryset.filter(dispute__mediations__state=value).distinct() if value else queryset

    def filter_risk(self, queryset, name, value):
        risky = (
            Q(dispute__risk_collective=True)
            | Q(dispute__risk_extreme=True)
            | Q(dispute__risk_skip_petition=True)
        )
        if value is None:
            return queryset
        return queryset.filter(risky) if value else queryset.exclude(risky)

    def filter_within(self, queryset, name, value):
        return queryset.filter(path_prefix_q("area_path", [value.path])) if value else queryset


class ReportFilterSet(django_filters.FilterSet):
    zero = django_filters.BooleanFilter(label="零报告", field_name="is_zero")
    on_time = django_filters.BooleanFilter(label="按时上报", field_name="on_time")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )
    period_after = django_filters.DateFilter(
        label="排查期止日从", field_name="period_end", lookup_expr="gte"
    )
    period_before = django_filters.DateFilter(
        label="排查期止日至", field_name="period_end", lookup_expr="lte"
    )

    def filter_within(self, queryset, name, value):
        return queryset.filter(path_prefix_q("area_path", [value.path])) if value else queryset
