"""The petition list's filters, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from gridgov.petitions.choices import CLOCK_STAGES, Channel, Stage
from gridgov.petitions.models import Petition


class PetitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q")
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices)
    channel = django_filters.ChoiceFilter(label="信访形式", choices=Channel.choices)
    collective = django_filters.BooleanFilter(label="集体访")
    repeat = django_filters.BooleanFilter(label="重复访")
    skip_level = django_filters.BooleanFilter(label="越级访")
    open = django_filters.BooleanFilter(label="待办(有答复期限)", method="filter_open")
    overdue = django_filters.BooleanFilter(label="已超期", method="filter_overdue")
    received_after = django_filters.DateFilter(
        label="收到日期起", field_name="received_at", lookup_expr="date__gte"
    )
    received_before = django_filters.DateFilter(
        label="收到日期止", field_name="received_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Petition
        fields = ["q", "stage", "channel", "collective", "repeat", "skip_level"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(event__code__iexact=value)
            | Q(event__title__icontains=value)
            | Q(event__contact_name__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(stage__in=list(CLOCK_STAGES))
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(stage__in=list(CLOCK_STAGES), event__deadline__lt=timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)
