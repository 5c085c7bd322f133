"""Inbox endpoints: the caller's own notifications only, with the page's filter and services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.notifications import services
from gridgov.notifications.api.serializers import (
    MarkedReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)
from gridgov.notifications.filters import NotificationFilterSet
from gridgov.notifications.models import Notification
from gridgov.notifications.selectors import unread_count


class NotificationViewSet(ScopedViewSet):
    """The caller's notifications, newest first (`unread=true` for unread only). Someone else's
    notification does not exist here (404)."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Notification.objects.for_recipient(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = self.get_object()
        services.mark_read([notification.pk], actor=request.user)
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request):
        """Mark every unread notification of the caller read."""
        marked = services.mark_all_read(actor=request.user)
        return Response(MarkedReadSerializer({"marked": marked}).data)

    @extend_schema(responses=UnreadCountSerializer)
    @action(
        detail=False,
        methods=["get"],
        url_path="unread-count",
        filter_backends=[],
        pagination_class=None,
    )
    def unread_count(self, request):
        """How many unread notifications the caller has (the badge)."""
        return Response(UnreadCountSerializer({"unread": unread_count(request.user)}).data)
