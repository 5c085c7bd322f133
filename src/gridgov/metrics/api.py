"""Targets (指标目标) through the API: the targets of the caller's areas (metrics.manage_targets),
set, changed and retired by the same services as the pages, and what applies to an area (its
own targets and those it inherits) for anyone who may see the area."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as HttpNotFound
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.scoping import jurisdiction
from gridgov.metrics import figures, services
from gridgov.metrics.filters import TargetFilterSet
from gridgov.metrics.models import Comparison, Target
from gridgov.metrics.targets import targets_for

MANAGE = services.MANAGE
_ERROR = inline_serializer(
    name="MetricTargetError",
    fields={
        "detail": serializers.CharField(help_text="中文说明"),
        "code": serializers.CharField(
            help_text="NotFound、NotPermitted、Conflict、InvalidTransition、Invalid"
        ),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)
_REFUSALS = {
    400: OpenApiResponse(
        _ERROR, description="输入有误:指标不能设目标、目标值不合规定、已有在用目标等"
    ),
    403: OpenApiResponse(_ERROR, description="无权设置该区域的指标目标"),
    404: OpenApiResponse(_ERROR, description="目标不存在或不在调用者辖区"),
    409: OpenApiResponse(_ERROR, description="version 已过期,或目标已停用"),
}


class CanManageTargets(BasePermission):
    """Targets are configuration: a caller without metrics.manage_targets anywhere is refused
    (403), not shown an empty list. What applies to an area (`effective`) is for anyone."""

    message = "只有持有“设置统计指标目标”权限的管理员可以查看和维护指标目标。"

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) == "effective":
            return True
        return jurisdiction(request.user).allows_anywhere(MANAGE)


class TargetSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    figure_label = serializers.SerializerMethodField(help_text="指标名称,如“满意率”")
    group_title = serializers.SerializerMethodField(help_text="所属模块,如“事件统计”")
    unit = serializers.SerializerMethodField(help_text="指标单位:%、件、人、小时")
    comparison = serializers.CharField(read_only=True, help_text="gte 不低于(≥);lte 不高于(≤)")
    value = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    label = serializers.CharField(read_only=True, help_text="目标的显示形式,如“≥ 98.00%”")

    class Meta:
        model = Target
        fields = [
            "id",
            "area",
            "area_name",
            "area_code",
            "figure_code",
            "figure_label",
            "group_title",
            "unit",
            "comparison",
            "value",
            "label",
            "note",
            "is_active",
            "retired_at",
            "retired_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_figure_label(self, target: Target) -> str:
        return target.figure.label if target.figure else target.figure_code

    def get_group_title(self, target: Target) -> str:
        return figures.group(target.figure.group).title if target.figure else ""

    def get_unit(self, target: Target) -> str:
        return target.figure.unit if target.figure else ""


class AppliedTargetSerializer(serializers.Serializer):
    """A target as it applies to an area: set on the area itself, or inherited from above."""

    figure_code = serializers.CharField()
    inherited = serializers.BooleanField(help_text="true:继承自上级区域的目标")
    target = TargetSerializer()


_VALUE_HELP = (
    "目标值:比率填百分数(98 表示 98%,最多两位小数),平均时长填小时(一位小数),件数、人数填整数"
)


class TargetCreateSerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(
        model=Area, action=MANAGE, help_text="适用区域 id(村、社区及以上)"
    )
    figure_code = serializers.CharField(
        max_length=60, help_text="指标代码,如 events.satisfaction_rate"
    )
    comparison = serializers.ChoiceField(
        choices=Comparison.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="gte 不低于、lte 不高于;省略按指标方向",
    )
    value = serializers.CharField(max_length=20, help_text=_VALUE_HELP)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class TargetUpdateSerializer(serializers.Serializer):
    """Only the fields sent change; the area and the figure never do."""

    version = serializers.IntegerField()
    comparison = serializers.ChoiceField(
        choices=Comparison.choices, required=False, allow_blank=True
    )
    value = serializers.CharField(max_length=20, required=False, help_text=_VALUE_HELP)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TargetRetireSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=200, help_text="停用原因")


@extend_schema_view(
    list=extend_schema(summary="指标目标(本人可维护区域内)", tags=["metrics"]),
    retrieve=extend_schema(
        summary="指标目标",
        responses={200: TargetSerializer, 404: _REFUSALS[404]},
        tags=["metrics"],
    ),
)
class TargetViewSet(ScopedViewSet):
    """Per-area targets of the registered figures: a target applies to its area and every area
    under it, unless an area lower down sets its own."""

    model = Target
    read_action = MANAGE
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    permission_classes = [IsAuthenticated, CanManageTargets]
    ordering_fields = ["area_path", "updated_at"]
    ordering = ["area_path", "figure_code", "pk"]

    def get_queryset(self):
        return Target.objects.for_user(self.request.user, MANAGE).select_related("area")

    @extend_schema(
        summary="设置指标目标",
        request=TargetCreateSerializer,
        responses={201: TargetSerializer, 400: _REFUSALS[400], 403: _REFUSALS[403]},
        tags=["metrics"],
    )
    def create(self, request, *args, **kwargs):
        return self.call_service(
            TargetCreateSerializer,
            lambda data: services.set_target(data.pop("area"), actor=request.user, **data),
            created=True,
        )

    @extend_schema(
        summary="修改指标目标(带 version;只改所给字段)",
        request=TargetUpdateSerializer,
        responses={200: TargetSerializer, **_REFUSALS},
        tags=["metrics"],
    )
    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        return self.call_service(
            TargetUpdateSerializer,
            lambda data: services.update_target(target, actor=request.user, **data),
        )

    @extend_schema(
        summary="停用指标目标(记录保留)",
        request=TargetRetireSerializer,
        responses={200: TargetSerializer, **_REFUSALS},
        tags=["metrics"],
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        target = self.get_object()
        return self.call_service(
            TargetRetireSerializer,
            lambda data: services.retire_target(target, actor=request.user, **data),
        )

    @extend_schema(
        summary="适用于某区域的目标(本级设置或继承自上级)",
        parameters=[
            OpenApiParameter("area", OpenApiTypes.INT, required=True, description="区域 id")
        ],
        responses={200: AppliedTargetSerializer(many=True), 404: _REFUSALS[404]},
        tags=["metrics"],
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def effective(self, request):
        raw = request.query_params.get("area", "")
        if not raw.isdigit():
            raise ValidationError({"area": ["请给出区域 id。"]})
        area = Area.objects.for_user(request.user, "areas.view").filter(pk=int(raw)).first()
        if area is None:
            raise HttpNotFound("未找到该区域。")
        applying = [
            {"figure_code": code, "inherited": target.area_id != area.pk, "target": target}
            for code, target in targets_for(area).items()
        ]
        return Response(AppliedTargetSerializer(applying, many=True).data)
