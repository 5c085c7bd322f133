"""The inbox filter, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms

from gridgov.notifications.models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        label="未读(true)或已读(false),不填为全部",
        method="filter_unread",
        widget=forms.Select(choices=[("", "全部"), ("true", "未读")]),
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
