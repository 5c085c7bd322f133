"""Special-population endpoints: the second door to the pages' rooms.

Reads start from `for_user` (statuses, visits, handovers; restricted types only with
`special.hiv`) and use the pages' FilterSets; the detail of a status is the file, read through
`selectors.open_file`, which writes the access log. Every write is one service call.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.errors import Invalid
from gridgov.special import selectors, services
from gridgov.special.api.serializers import (
    AcceptSerializer,
    EndSerializer,
    ErrorSerializer,
    GradeSerializer,
    HandoverSerializer,
    HandoverStartSerializer,
    OfficerSerializer,
    OpenSerializer,
    ReasonSerializer,
    SpecialStatusDetailSerializer,
    SpecialStatusListSerializer,
    SpecialTypeSerializer,
    UpdateSerializer,
    VisitPayloadSerializer,
    VisitSerializer,
)
from gridgov.special.filters import HandoverFilterSet, SpecialStatusFilterSet, VisitFilterSet
from gridgov.special.models import Handover, SpecialStatus, SpecialType, Visit

_REFUSALS = {
    400: OpenApiResponse(description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="可以查看,但无权执行此操作"),
    404: OpenApiResponse(ErrorSerializer, description="记录不存在或不在调用者辖区"),
    409: OpenApiResponse(ErrorSerializer, description="version 已过期,或当前状态下不能执行此操作"),
}
TAGS = ["special"]


def _step(payload: Any, summary: str, response: Any = SpecialStatusDetailSerializer) -> Any:
    return extend_schema(
        summary=summary, request=payload, responses={200: response, **_REFUSALS}, tags=TAGS
    )


@extend_schema_view(
    list=extend_schema(summary="特殊人群列表(按辖区过滤,姓名与身份证号脱敏)", tags=TAGS),
    retrieve=extend_schema(summary="特殊人群档案(查阅记入访问日志)", tags=TAGS),
)
class SpecialStatusViewSet(ScopedViewSet):
    """Statuses the caller may see. Each change is a POST carrying the `version` seen."""

    model = SpecialStatus
    read_action = "special.view"
    filterset_class = SpecialStatusFilterSet
    ordering_fields = ["next_visit_due", "started_on"]
    ordering = ["next_visit_due", "pk"]

    def get_queryset(self):
        return selectors.visible_statuses(self.request.user)

    def get_serializer_class(self):
        return (
            SpecialStatusListSerializer if self.action == "list" else SpecialStatusDetailSerializer
        )

    def retrieve(self, request, *args, **kwargs):
        status_ = selectors.open_file(request.user, kwargs.get("pk"))
        return Response(self.get_serializer(status_).data)

    def _reread(self, pk: int) -> SpecialStatus:
        return selectors.open_file(self.request.user, pk)

    @extend_schema(
        summary="列管人员",
        request=OpenSerializer,
        responses={201: SpecialStatusDetailSerializer, **_REFUSALS},
        tags=TAGS,
    )
    def create(self, request, *args, **kwargs):
        return self.call_service(
            OpenSerializer,
            lambda d: self._reread(services.open_status(actor=request.user, **d).pk),
            created=True,
        )

    def _change(self, payload: Any, perform: Any) -> Response:
        target = self.get_object()
        return self.call_service(
            payload, lambda d: self._reread(perform(target, self.request.user, d).pk)
        )

    @_step(GradeSerializer, "调整等级(下次走访日期按新等级重算)")
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        return self._change(GradeSerializer, lambda s, u, d: services.change_grade(s, actor=u, **d))

    @_step(OfficerSerializer, "更换责任人")
    @action(detail=True, methods=["post"])
    def officer(self, request, pk=None):
        return self._change(
            OfficerSerializer, lambda s, u, d: services.change_officer(s, actor=u, **d)
        )

    @_step(UpdateSerializer, "修改类型专项信息、帮教小组、帮扶措施")
    @action(detail=True, methods=["post"])
    def update_details(self, request, pk=None):
        return self._change(
            UpdateSerializer, lambda s, u, d: services.update_status(s, actor=u, **d)
        )

    @_step(EndSerializer, "解除列管")
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._change(EndSerializer, lambda s, u, d: services.end_status(s, actor=u, **d))

    @extend_schema(
        summary="登记走访(可同时上报事件)",
        description=(
            "JSON 或 multipart/form-data(照片放在 photo)。带 client_id 重试不会重复登记(返回 200)。"
        ),
        request={
            "application/json": VisitPayloadSerializer,
            "multipart/form-data": VisitPayloadSerializer,
        },
        responses={201: VisitSerializer, 200: VisitSerializer, **_REFUSALS},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        target = self.get_object()
        payload = VisitPayloadSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        category = data.pop("event_category", None)
        title = data.pop("event_title", "")
        description = data.pop("event_description", "")
        event = None
        if category is not None:
            if not title or not description:
                raise Invalid("上报事件请填写事件标题和事件描述。", field="event_title")
            event = {"category": category, "title": title, "description": description}
        visit = services.log_visit(target, actor=request.user, event=event, **data)
        code = status.HTTP_200_OK if visit.repeated else status.HTTP_201_CREATED
        return Response(VisitSerializer(visit).data, status=code)

    @_step(HandoverStartSerializer, "发起交接(接收前仍由本区域负责)", HandoverSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        target = self.get_object()
        payload = HandoverStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        to_area = selectors.area_by_code(data["to_area_code"])
        if to_area is None:
            raise Invalid("未找到该代码的在用区域。", field="to_area_code")
        handover = services.start_handover(
            target,
            actor=request.user,
            version=data["version"],
            to_area=to_area,
            reason=data["reason"],
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="走访记录(按辖区过滤)", tags=TAGS),
    retrieve=extend_schema(summary="走访记录", tags=TAGS),
)
class VisitViewSet(ScopedViewSet):
    model = Visit
    read_action = "special.view"
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering = ["-visited_on", "-pk"]


@extend_schema_view(
    list=extend_schema(summary="交接(移出与待接收两方均可见)", tags=TAGS),
    retrieve=extend_schema(summary="交接", tags=TAGS),
)
class HandoverViewSet(ScopedViewSet):
    model = Handover
    read_action = "special.view"
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilterSet
    ordering = ["-started_at", "-pk"]

    def get_queryset(self):
        return selectors.handovers(self.request.user)

    def _decide(self, payload: Any, perform: Any) -> Response:
        target = self.get_object()
        return self.call_service(payload, lambda d: perform(target, self.request.user, d))

    @_step(AcceptSerializer, "接收交接并指定新责任人", HandoverSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(
            AcceptSerializer, lambda h, u, d: services.accept_handover(h, actor=u, **d)
        )

    @_step(ReasonSerializer, "拒收交接", HandoverSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(
            ReasonSerializer,
            lambda h, u, d: services.reject_handover(
                h, actor=u, version=d["version"], reason=d.get("reason", "")
            ),
        )

    @_step(ReasonSerializer, "撤回交接(移出方)", HandoverSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(
            ReasonSerializer,
            lambda h, u, d: services.cancel_handover(
                h, actor=u, version=d["version"], reason=d.get("reason", "")
            ),
        )


@extend_schema_view(
    list=extend_schema(summary="特殊人群类型、等级与走访规则", tags=TAGS),
    retrieve=extend_schema(summary="特殊人群类型", tags=TAGS),
)
class SpecialTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SpecialTypeSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self):
        return SpecialType.objects.filter(is_active=True).prefetch_related("rules")
