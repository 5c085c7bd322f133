"""Base viewset: reads through `for_user`, writes only through services."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details scoped to the caller's jurisdiction for `read_action`.

    Subclasses add `create`/`update`/transition actions that call the app's services; the generic
    save hooks raise so that no viewset can write around a service.
    """

    model: ClassVar[Any]
    read_action: ClassVar[str]

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user, self.read_action)

    def perform_create(self, serializer: Any) -> None:
        raise MethodNotAllowed("POST")

    def perform_update(self, serializer: Any) -> None:
        raise MethodNotAllowed("PUT")

    def perform_destroy(self, instance: Any) -> None:
        raise MethodNotAllowed("DELETE")
