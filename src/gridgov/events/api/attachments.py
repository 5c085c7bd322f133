"""An event's attachments for API callers (token or session): the file itself, to whoever may
see the event, as the event page's link serves it (events/files.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from gridgov.events.api.serializers import EventErrorSerializer
from gridgov.events.files import attachment_response, visible_attachment
from gridgov.events.models import Attachment


class _AnyAccept(BaseContentNegotiation):
    """A file answers whatever the client accepts (image/*, */*, application/pdf …); refusals
    are JSON. DRF's default negotiation would answer 406 to `Accept: image/*`."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class EventAttachmentViewSet(viewsets.GenericViewSet):
    """GET /api/events/{event_pk}/attachments/{id}/ streams one attachment of a visible event."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = _AnyAccept
    filter_backends: list[Any] = []
    pagination_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        # For the schema's path types; the file itself is found by files.visible_attachment.
        return Attachment.objects.for_user(self.request.user, "events.view")

    @extend_schema(
        summary="下载事件附件(调用者须能查看该事件)",
        description=(
            "返回文件本身:Content-Type 为上传时按内容识别的类型;图片和 PDF 为 inline,"
            "其他为 attachment;文件名在 Content-Disposition 的 filename* 中(UTF-8)。"
        ),
        parameters=[
            OpenApiParameter(
                "event_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="事件 id"
            ),
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="附件 id"),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="文件内容(实际类型见 Content-Type)"
            ),
            404: OpenApiResponse(EventErrorSerializer, description="事件或附件不存在或不可见"),
        },
        tags=["events"],
    )
    def retrieve(self, request, event_pk=None, pk=None):
        return attachment_response(visible_attachment(request.user, event_pk, pk))
