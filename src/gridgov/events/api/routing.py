"""Routing rules (直报与抄告) through the API: the rules of the caller's areas (events.configure),
created, changed and deactivated by the same services as the page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated

from gridgov.accounts.models import Department
from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.scoping import jurisdiction
from gridgov.events import services
from gridgov.events.api.serializers import EventErrorSerializer
from gridgov.events.choices import Priority
from gridgov.events.filters import RoutingRuleFilterSet
from gridgov.events.models import Category, RoutingRule
from gridgov.events.routing import visible_rules

_TARGET_LEVELS = [("", "不直报(仅抄告)")] + [
    (level, Level(level).label) for level in services.ROUTING_TARGET_LEVELS
]
_REFUSALS = {
    400: OpenApiResponse(description="输入有误:字段校验或业务规则({detail, code, errors})"),
    403: OpenApiResponse(EventErrorSerializer, description="无权维护该区域的直报规则"),
    404: OpenApiResponse(EventErrorSerializer, description="规则不存在或不在调用者辖区"),
    409: OpenApiResponse(EventErrorSerializer, description="version 已过期,或规则已停用"),
}


class CanConfigureEvents(BasePermission):
    """Routing rules are configuration: a caller without events.configure anywhere is refused
    (403), not shown an empty list."""

    message = "只有持有“维护事件类型、类别与办理时限”权限的管理员可以查看和维护直报规则。"

    def has_permission(self, request: Any, view: Any) -> bool:
        return jurisdiction(request.user).allows_anywhere("events.configure")


class RoutingDepartmentSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "area", "area_name"]
        read_only_fields = fields


class RoutingRuleSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    min_priority = serializers.CharField(
        read_only=True, help_text="normal 全部事件;urgent 仅紧急事件"
    )
    target_level = serializers.CharField(
        read_only=True, help_text="直报层级:county、city、province;空为不直报(仅抄告)"
    )
    target_level_display = serializers.SerializerMethodField()
    copy_departments = RoutingDepartmentSerializer(many=True, read_only=True)

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "area",
            "area_name",
            "area_code",
            "category",
            "category_name",
            "min_priority",
            "target_level",
            "target_level_display",
            "copy_departments",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_target_level_display(self, rule: RoutingRule) -> str:
        return Level(rule.target_level).label if rule.target_level else ""


@extend_schema_field({"type": "string", "description": "normal 全部事件;urgent 仅紧急事件"})
class MinPriorityField(serializers.ChoiceField):
    """The event priorities; documented as a string so that the priority choice set keeps the
    one schema name the event payloads give it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Priority.choices, **kwargs)


class _RuleFields(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.select_related("kind"), help_text="事件类别 id"
    )
    min_priority = MinPriorityField(help_text="normal 全部事件;urgent 仅紧急事件(新建时默认)")
    target_level = serializers.ChoiceField(
        choices=_TARGET_LEVELS,
        allow_blank=True,
        help_text="直报层级:county、city、province;空字符串为不直报(仅抄告)",
    )
    copy_departments = ScopedPrimaryKeyRelatedField(
        model=Department, action="accounts.view", many=True, help_text="抄告部门 id 列表"
    )


class RoutingRuleCreateSerializer(_RuleFields):
    area = ScopedPrimaryKeyRelatedField(
        model=Area, action="events.configure", help_text="适用区域 id"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_priority"].default = Priority.URGENT
        self.fields["min_priority"].required = False
        self.fields["target_level"].default = ""
        self.fields["target_level"].required = False
        self.fields["copy_departments"].required = False


class RoutingRuleUpdateSerializer(_RuleFields):
    """Only the fields sent change; `copy_departments` replaces the list (departments outside
    the caller's reach, set from above, stay)."""

    version = serializers.IntegerField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("category", "min_priority", "target_level", "copy_departments"):
            self.fields[name].required = False


class RoutingRuleVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary="事件直报与抄告规则(本人可维护区域内)", tags=["events"]),
    retrieve=extend_schema(
        summary="事件直报规则",
        responses={200: RoutingRuleSerializer, 404: _REFUSALS[404]},
        tags=["events"],
    ),
)
class RoutingRuleViewSet(ScopedViewSet):
    """Per-area rules: an event of a category reported under the area (urgent, or any) goes
    straight to a higher center and is copied (抄告) to named departments."""

    model = RoutingRule
    read_action = "events.configure"
    serializer_class = RoutingRuleSerializer
    filterset_class = RoutingRuleFilterSet
    permission_classes = [IsAuthenticated, CanConfigureEvents]
    ordering_fields = ["area_path", "updated_at"]
    ordering = ["area_path", "category__code", "pk"]

    def get_queryset(self):
        # RoutingRule.objects.for_user(user, "events.configure"), with what the rules name.
        return visible_rules(self.request.user)

    @extend_schema(
        summary="新建事件直报规则",
        request=RoutingRuleCreateSerializer,
        responses={201: RoutingRuleSerializer, 400: _REFUSALS[400], 403: _REFUSALS[403]},
        tags=["events"],
    )
    def create(self, request, *args, **kwargs):
        return self.call_service(
            RoutingRuleCreateSerializer,
            lambda data: self._reread(services.create_routing_rule(actor=request.user, **data)),
            created=True,
        )

    @extend_schema(
        summary="修改事件直报规则(带 version;只改所给字段)",
        request=RoutingRuleUpdateSerializer,
        responses={200: RoutingRuleSerializer, **_REFUSALS},
        tags=["events"],
    )
    def partial_update(self, request, *args, **kwargs):
        rule = self.get_object()
        return self.call_service(
            RoutingRuleUpdateSerializer,
            lambda data: self._reread(
                services.update_routing_rule(rule, actor=request.user, **data)
            ),
        )

    @extend_schema(
        summary="停用事件直报规则(规则保留)",
        request=RoutingRuleVersionSerializer,
        responses={200: RoutingRuleSerializer, **_REFUSALS},
        tags=["events"],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        rule = self.get_object()
        return self.call_service(
            RoutingRuleVersionSerializer,
            lambda data: self._reread(
                services.deactivate_routing_rule(rule, actor=request.user, **data)
            ),
        )

    def _reread(self, rule: RoutingRule) -> RoutingRule:
        # Fresh, with its departments as they are now (the service changed them).
        return self.get_queryset().get(pk=rule.pk)
