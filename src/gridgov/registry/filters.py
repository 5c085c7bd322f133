"""Filters shared by the registry pages and API."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from gridgov.areas.filters import AreaChoiceFilter, visible_parent_areas
from gridgov.registry import codes, selectors
from gridgov.registry.models import Address, House, Person, Status, Unit


class _WithinMixin:
    def filter_within(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path)


@extend_schema_field(OpenApiTypes.STR)
class SearchFilter(django_filters.CharFilter):
    """Free text: an ID number, a phone number, pinyin initials, a name or an address."""


class PersonFilterSet(_WithinMixin, django_filters.FilterSet):
    q = SearchFilter(label="身份证号/手机号/姓名/拼音首字母/地址", method="filter_q")
    residence_type = django_filters.ChoiceFilter(
        label="人口类型", choices=codes.ResidenceType.choices
    )
    status = django_filters.ChoiceFilter(label="状态", choices=codes.PersonStatus.choices)
    sex = django_filters.ChoiceFilter(label="性别", choices=codes.Sex.choices)
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = Person
        fields = ["q", "residence_type", "status", "sex", "within"]

    def filter_q(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(pk__in=selectors.search_people(user, value).values("pk"))


class AddressFilterSet(_WithinMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label="地址", field_name="canonical", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label="状态", choices=Status.choices)
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = Address
        fields = ["q", "status", "within"]


class HouseFilterSet(_WithinMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="地址", field_name="address__canonical", lookup_expr="contains"
    )
    occupancy = django_filters.ChoiceFilter(label="使用状况", choices=codes.Occupancy.choices)
    use = django_filters.ChoiceFilter(label="建筑用途", choices=codes.BuildingUse.choices)
    fire_pledge_signed = django_filters.BooleanFilter(label="已签消防承诺书")
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = House
        fields = ["q", "occupancy", "use", "fire_pledge_signed", "within"]


class UnitFilterSet(_WithinMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label="单位名称", field_name="name", lookup_expr="contains")
    unit_type = django_filters.ChoiceFilter(label="单位类型", choices=codes.UnitType.choices)
    credit_code = django_filters.CharFilter(label="统一社会信用代码", lookup_expr="iexact")
    attention = django_filters.ChoiceFilter(label="关注程度", choices=codes.Attention.choices)
    within = AreaChoiceFilter(
        label="所属区域(含下级)", queryset=visible_parent_areas, method="filter_within"
    )

    class Meta:
        model = Unit
        fields = ["q", "unit_type", "credit_code", "attention", "within"]
