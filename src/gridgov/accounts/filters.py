from __future__ import annotations

import django_filters
from django.db.models import Q

from gridgov.accounts.models import Department, DepartmentKind, Membership
from gridgov.accounts.roles import Role


class DepartmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称", field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label="类型", choices=DepartmentKind.choices)
    area = django_filters.NumberFilter(label="所属区域", field_name="area_id")
    is_active = django_filters.BooleanFilter(label="在用")

    class Meta:
        model = Department
        fields = ["q", "kind", "area", "is_active"]


class MembershipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名或登录名", method="filter_q")
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices)
    area = django_filters.NumberFilter(label="辖区", field_name="area_id")
    user = django_filters.NumberFilter(label="用户", field_name="user_id")
    current = django_filters.BooleanFilter(label="仅当前有效", method="filter_current")

    class Meta:
        model = Membership
        fields = ["q", "role", "area", "user", "current"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(user__full_name__icontains=value) | Q(user__username__icontains=value)
        )

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(Membership.active_q())
            if value
            else queryset.exclude(Membership.active_q())
        )
