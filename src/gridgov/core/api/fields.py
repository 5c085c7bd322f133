"""Serializer fields that only accept rows the caller may act on."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key accepted only if the caller may `action` the target; else "does not exist"."""

    def __init__(self, *, model: Any, action: str, extra_filter: dict | None = None, **kwargs):
        self.scoped_model = model
        self.scoped_action = action
        self.extra_filter = extra_filter or {}
        kwargs.setdefault("queryset", model._base_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return self.scoped_model.objects.for_user(user, self.scoped_action).filter(
            **self.extra_filter
        )
