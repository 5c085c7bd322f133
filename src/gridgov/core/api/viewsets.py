"""Base viewset: reads through `for_user`, writes only through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details scoped to the caller's jurisdiction for `read_action`.

    Subclasses add `create`/`update`/transition actions that call the app's services; the generic
    save hooks raise so that no viewset can write around a service.
    """

    model: ClassVar[Any]
    read_action: ClassVar[str]

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user, self.read_action)

    def call_service(
        self,
        payload_class: type[serializers.Serializer],
        perform: Callable[[dict[str, Any]], Any],
        *,
        created: bool = False,
    ) -> Response:
        """The one way an endpoint calls a service: shape the payload, call, answer with the
        result in the viewset's output shape (201 for a creation). DomainErrors become JSON in
        `core.api.exceptions`."""
        payload = payload_class(data=self.request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        result = perform(dict(payload.validated_data))
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(result).data, status=code)

    def perform_create(self, serializer: Any) -> None:
        raise MethodNotAllowed("POST")

    def perform_update(self, serializer: Any) -> None:
        raise MethodNotAllowed("PUT")

    def perform_destroy(self, instance: Any) -> None:
        raise MethodNotAllowed("DELETE")
