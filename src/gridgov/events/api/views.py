"""Event hub endpoints: the second door to the event page's room.

Reads start from `Event.objects.for_user(user, "events.view")` (selectors.visible_events) and use
the page's EventFilterSet; every write is one service call, as the page's `_perform` makes it. An
event the caller cannot see is absent (404) before any payload is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.errors import Conflict, NotFound
from gridgov.core.scoping import unscoped
from gridgov.events import selectors, services
from gridgov.events.api.serializers import (
    EventCategorySerializer,
    EventDecideSerializer,
    EventDetailSerializer,
    EventDispatchSerializer,
    EventDoneSerializer,
    EventDoneUploadSerializer,
    EventErrorSerializer,
    EventExtensionSerializer,
    EventListSerializer,
    EventMergeSerializer,
    EventNoteSerializer,
    EventQueueSerializer,
    EventRateSerializer,
    EventReasonSerializer,
    EventReceiptSerializer,
    EventReportSerializer,
    EventReportUploadSerializer,
    EventSettleSerializer,
    EventSettleUploadSerializer,
    EventSuperviseSerializer,
    EventVerifySerializer,
    EventVerifyUploadSerializer,
    EventVersionSerializer,
)
from gridgov.events.filters import EventFilterSet
from gridgov.events.models import Category, Event

_REFUSALS = {
    400: OpenApiResponse(
        description="输入有误:字段校验({字段: [说明]})或业务规则({detail, code: Invalid, errors})"
    ),
    403: OpenApiResponse(EventErrorSerializer, description="可以查看,但无权执行此步骤"),
    404: OpenApiResponse(EventErrorSerializer, description="事件不存在或不在调用者辖区"),
    409: OpenApiResponse(
        EventErrorSerializer, description="version 已过期(他人已先办理),或当前状态下不能执行此步骤"
    ),
}


def _step_schema(payload: Any, summary: str, *, uploads: Any = None) -> Callable[[Any], Any]:
    """The schema of one workflow step: its payload, the updated event, the refusals."""
    request = {"application/json": payload, "multipart/form-data": uploads} if uploads else payload
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: EventDetailSerializer, **_REFUSALS},
        tags=["events"],
    )


@extend_schema_view(
    list=extend_schema(summary="事件列表(按辖区过滤,筛选同页面)", tags=["events"]),
    retrieve=extend_schema(
        summary="事件详情(含时间线、附件与可执行步骤 actions)",
        responses={200: EventDetailSerializer, 404: _REFUSALS[404]},
        tags=["events"],
    ),
)
class EventViewSet(ScopedViewSet):
    """Events the caller may see: area roles by jurisdiction, a department only the events
    dispatched to it. Each workflow step is a POST carrying the `version` the caller saw."""

    model = Event
    read_action = "events.view"
    filterset_class = EventFilterSet
    ordering_fields = ["reported_at", "deadline", "occurred_at", "code"]
    ordering = ["-reported_at", "-pk"]

    def get_queryset(self):
        # Event.objects.for_user(user, "events.view"), as the page lists them.
        return selectors.visible_events(self.request.user)

    def get_serializer_class(self):
        if self.action in ("list", "duplicates"):
            return EventListSerializer
        if self.action == "queue":
            return EventQueueSerializer
        return EventDetailSerializer

    # --- Reads -----------------------------------------------------------------------------------

    @extend_schema(
        summary="我的待办(最急的在前)",
        responses=EventQueueSerializer(many=True),
        tags=["events"],
    )
    @action(detail=False, methods=["get"], filter_backends=[DjangoFilterBackend])
    def queue(self, request):
        """What waits for the caller, whatever their roles, earliest deadline first; each row
        says what is expected (`todo`). Filters as the list; the order is the queue's own."""
        queryset = self.filter_queryset(selectors.queue_for(request.user))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="可能重复的事件",
        responses={200: EventListSerializer(many=True), 404: _REFUSALS[404]},
        tags=["events"],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request, pk=None):
        """Open or recent visible events likely to be the same matter (same category at the same
        place or nearby, or the same persons), as the event page lists them before a merge."""
        event = self.get_object()
        with unscoped("the visible event's own parties, to match other visible events"):
            person_ids = list(
                event.parties.filter(person__isnull=False).values_list("person_id", flat=True)
            )
        rows = selectors.possible_duplicates(
            request.user,
            category=event.category,
            grid=event.grid,
            address=event.address,
            lat=event.lat,
            lng=event.lng,
            person_ids=person_ids,
            exclude=event,
        )
        return Response(EventListSerializer(rows, many=True, context={"request": request}).data)

    # --- Intake ----------------------------------------------------------------------------------

    @extend_schema(
        summary="上报事件",
        description=(
            "JSON,或 multipart/form-data(照片放在 files,可多个)。推荐带 client_id:"
            "网络重试时以同一 client_id 再次提交,返回首次创建的事件(200),不会重复登记。"
        ),
        request={
            "application/json": EventReportSerializer,
            "multipart/form-data": EventReportUploadSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Prefer",
                location=OpenApiParameter.HEADER,
                required=False,
                description=(
                    "return=minimal:只返回回执(id、案件编码、状态、version、地址),"
                    "适合外业终端批量上报;不填返回完整事件"
                ),
            )
        ],
        responses={
            201: OpenApiResponse(
                EventDetailSerializer, description="完整事件;Prefer: return=minimal 时为回执"
            ),
            200: OpenApiResponse(EventDetailSerializer, description="同一 client_id 的重复提交"),
            400: _REFUSALS[400],
            403: _REFUSALS[403],
        },
        tags=["events"],
    )
    def create(self, request, *args, **kwargs):
        payload = EventReportUploadSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = {k: v for k, v in payload.validated_data.items() if v is not None}
        event = services.report_event(actor=request.user, **data)
        answer = status.HTTP_200_OK if event.repeated else status.HTTP_201_CREATED
        if "return=minimal" in request.headers.get("Prefer", ""):
            response = Response(EventReceiptSerializer(event).data, status=answer)
            response["Preference-Applied"] = "return=minimal"
            return response
        return Response(self.get_serializer(self._reread(event)).data, status=answer)

    # --- Workflow steps ------------------------------------------------------------------------

    def _reread(self, result: Any) -> Event:
        """The event after a step, read again through the caller's scope (a step may return a
        request or a supervision record; the answer is always the event)."""
        pk = result.pk if isinstance(result, Event) else result.event_id
        event = self.get_queryset().filter(pk=pk).first()
        if event is None:
            raise NotFound("未找到该事件。")
        return event

    def _step(self, payload: type[serializers.Serializer], perform: Callable[..., Any]) -> Response:
        event = self.get_object()
        user = self.request.user
        return self.call_service(payload, lambda data: self._reread(perform(event, user, data)))

    @_step_schema(EventNoteSerializer, "受理")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(
            EventNoteSerializer,
            lambda event, user, d: services.accept_event(event, actor=user, **d),
        )

    @_step_schema(EventReasonSerializer, "不予受理")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(
            EventReasonSerializer,
            lambda event, user, d: services.reject_event(event, actor=user, **d),
        )

    @_step_schema(EventMergeSerializer, "合并到其他事件")
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self._step(
            EventMergeSerializer,
            lambda event, user, d: services.merge_event(event, actor=user, **d),
        )

    @_step_schema(EventReasonSerializer, "上报上级综治中心")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._step(
            EventReasonSerializer,
            lambda event, user, d: services.escalate_event(event, actor=user, **d),
        )

    @_step_schema(EventDispatchSerializer, "派遣(主办部门或下级区域,可加协办部门)")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_(self, request, pk=None):
        # Named with a trailing underscore: `dispatch` is the view's own request entry point.
        return self._step(
            EventDispatchSerializer,
            lambda event, user, d: services.dispatch_event(event, actor=user, **d),
        )

    @_step_schema(EventNoteSerializer, "中心自办")
    @action(detail=True, methods=["post"], url_path="handle-here", url_name="handle-here")
    def handle_here(self, request, pk=None):
        return self._step(
            EventNoteSerializer,
            lambda event, user, d: services.handle_here(event, actor=user, **d),
        )

    @_step_schema(EventSettleSerializer, "就地自行处置", uploads=EventSettleUploadSerializer)
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        return self._step(
            EventSettleUploadSerializer,
            lambda event, user, d: services.settle_on_spot(event, actor=user, **d),
        )

    @_step_schema(EventVersionSerializer, "签收")
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        return self._step(
            EventVersionSerializer,
            lambda event, user, d: services.take_event(event, actor=user, **d),
        )

    @_step_schema(EventReasonSerializer, "退回综治中心")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._step(
            EventReasonSerializer,
            lambda event, user, d: services.return_event(event, actor=user, **d),
        )

    @_step_schema(EventDoneSerializer, "办结反馈", uploads=EventDoneUploadSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._step(
            EventDoneUploadSerializer,
            lambda event, user, d: services.report_done(event, actor=user, **d),
        )

    @_step_schema(EventExtensionSerializer, "申请延期(每个事件一次)")
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        return self._step(
            EventExtensionSerializer,
            lambda event, user, d: services.request_extension(event, actor=user, **d),
        )

    @_step_schema(EventReasonSerializer, "申请挂账")
    @action(detail=True, methods=["post"])
    def suspension(self, request, pk=None):
        return self._step(
            EventReasonSerializer,
            lambda event, user, d: services.request_suspension(event, actor=user, **d),
        )

    @_step_schema(EventDecideSerializer, "审批待审批的延期或挂账申请")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide the event's pending request. `version` is the event's, as for every step: an
        event changed since the caller saw it (a request withdrawn or replaced) is a 409."""

        def decide(event: Event, user: Any, data: dict[str, Any]) -> Any:
            if data.pop("version") != event.version:
                raise Conflict()
            pending = selectors.pending_request(event)
            if pending is None:
                raise NotFound("没有待审批的申请。")
            return services.decide_request(pending, actor=user, version=pending.version, **data)

        return self._step(EventDecideSerializer, decide)

    @_step_schema(EventNoteSerializer, "挂账事件恢复办理")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._step(
            EventNoteSerializer,
            lambda event, user, d: services.resume_event(event, actor=user, **d),
        )

    @_step_schema(
        EventVerifySerializer, "核查(通过结案,不通过返工)", uploads=EventVerifyUploadSerializer
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(
            EventVerifyUploadSerializer,
            lambda event, user, d: services.verify_event(event, actor=user, **d),
        )

    @_step_schema(EventRateSerializer, "评价(上报人,或受理中心回访)")
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        return self._step(
            EventRateSerializer,
            lambda event, user, d: services.rate_event(event, actor=user, **d),
        )

    @_step_schema(EventReasonSerializer, "重新办理已结案事件")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(
            EventReasonSerializer,
            lambda event, user, d: services.reopen_event(event, actor=user, **d),
        )

    @extend_schema(
        summary="催办、督办、挂牌督办(无需 version)",
        request=EventSuperviseSerializer,
        responses={200: EventDetailSerializer, **_REFUSALS},
        tags=["events"],
    )
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._step(
            EventSuperviseSerializer,
            lambda event, user, d: services.supervise_event(event, actor=user, **d),
        )


@extend_schema_view(
    list=extend_schema(summary="在用的事件类别及处置时限", tags=["events"]),
    retrieve=extend_schema(summary="事件类别", tags=["events"]),
)
class EventCategoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The configurable code table (kinds, categories, time limits), read-only, for any logged-in
    user: what the report form offers. Not paginated: it is a short table."""

    serializer_class = EventCategorySerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self):
        # A configuration table, not a scoped model: the same for everyone.
        return (
            Category.objects.filter(is_active=True, kind__is_active=True)
            .select_related("kind")
            .order_by("kind__order", "kind__code", "order", "code")
        )
