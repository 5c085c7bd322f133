"""Filters shared by the special-population pages and the API (one FilterSet, two doors)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from gridgov.areas.filters import AreaChoiceFilter, visible_parent_areas
from gridgov.core import crypto, idnumbers
from gridgov.special import selectors
from gridgov.special.choices import Grade, HandoverState, VisitKind
from gridgov.special.models import Handover, SpecialStatus, SpecialType, Visit


def _types(request):
    return SpecialType.objects.filter(is_active=True)


class SpecialStatusFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名或身份证号", method="filter_q")
    type = django_filters.ModelChoiceFilter(label="类型", queryset=_types)
    grade = django_filters.ChoiceFilter(label="等级", choices=Grade.choices)
    open = django_filters.BooleanFilter(label="在管", method="filter_open")
    overdue = django_filters.BooleanFilter(label="逾期未走访", method="filter_overdue")
    lost = django_filters.BooleanFilter(label="脱管(失控)", method="filter_lost")
    mine = django_filters.BooleanFilter(label="我负责的", method="filter_mine")
    unassigned = django_filters.BooleanFilter(label="未指定责任人", method="filter_unassigned")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = SpecialStatus
        fields = ["q", "type", "grade", "open", "overdue", "lost", "mine", "unassigned", "within"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        try:
            number = idnumbers.parse(value).number
        except idnumbers.InvalidIdNumber:
            number = ""
        if number:
            return queryset.filter(person__id_hash=crypto.lookup_hash(number, "id"))
        return queryset.filter(Q(person__name__contains=value) | Q(person__former_name=value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=value)

    def filter_overdue(self, queryset, name, value):
        late = Q(ended_on__isnull=True, next_visit_due__lt=selectors.today())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_lost(self, queryset, name, value):
        return queryset.filter(lost_since__isnull=not value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(officer=user) if value and user else queryset

    def filter_unassigned(self, queryset, name, value):
        return queryset.filter(officer__isnull=value) if value is not None else queryset

    def filter_within(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path)


class VisitFilterSet(django_filters.FilterSet):
    status = django_filters.NumberFilter(label="列管记录", field_name="status_id")
    kind = django_filters.ChoiceFilter(label="方式", choices=VisitKind.choices)
    on_time = django_filters.BooleanFilter(label="按期")
    visited_after = django_filters.DateFilter(
        label="走访日期从", field_name="visited_on", lookup_expr="gte"
    )
    visited_before = django_filters.DateFilter(
        label="走访日期至", field_name="visited_on", lookup_expr="lte"
    )

    class Meta:
        model = Visit
        fields = ["status", "kind", "on_time", "visited_after", "visited_before"]


class HandoverFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=HandoverState.choices)
    status = django_filters.NumberFilter(label="列管记录", field_name="status_id")

    class Meta:
        model = Handover
        fields = ["state", "status"]
