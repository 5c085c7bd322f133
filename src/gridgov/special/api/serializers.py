"""API shapes of the special populations. Lists are masked (name, ID number); the detail is the
file, read through `selectors.open_file` and so written to the access log. Each write payload is
the shape of one service call; foreign keys resolve through scoped querysets."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.scoping import unscoped
from gridgov.core.workcalendar import DurationUnit
from gridgov.events.models import Category
from gridgov.registry.models import Person
from gridgov.special import details as details_mod
from gridgov.special import selectors
from gridgov.special.choices import (
    DrugTestResult,
    EndReason,
    Grade,
    HandoverState,
    HelpMeasure,
    VisitKind,
)
from gridgov.special.models import Handover, SpecialStatus, SpecialType, StatusChange, Visit


def _codes(choices: Any) -> str:
    return ";".join(f"{value} {label}" for value, label in choices)


def _name(user: Any) -> str:
    return (user.full_name or user.username) if user else ""


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


# --- Configuration -------------------------------------------------------------------------------


class VisitRuleSerializer(serializers.Serializer):
    grade = serializers.CharField(help_text="等级代码;空为该类型各等级的默认规则")
    interval_value = serializers.IntegerField()
    interval_unit = serializers.CharField(help_text=_codes(DurationUnit.choices))
    visit_kinds = serializers.ListField(
        child=serializers.CharField(), help_text=_codes(VisitKind.choices)
    )
    note = serializers.CharField()


class SpecialTypeSerializer(serializers.ModelSerializer):
    """A special-population type with its grades and visit rules."""

    grades = serializers.ListField(child=serializers.CharField(), help_text=_codes(Grade.choices))
    rules = VisitRuleSerializer(many=True, read_only=True)
    detail_items = serializers.SerializerMethodField(help_text="该类型的专项信息项(GB/T 31000)")

    class Meta:
        model = SpecialType
        fields = [
            "id",
            "code",
            "name",
            "gbt_table",
            "restricted",
            "grades",
            "rules",
            "detail_items",
        ]

    def get_detail_items(self, obj: SpecialType) -> list[dict[str, Any]]:
        return [
            {
                "name": i.name,
                "label": i.label,
                "kind": i.kind,
                "choices": [list(c) for c in i.choices],
            }
            for i in details_mod.items_for(obj.code)
        ]


# --- Statuses ------------------------------------------------------------------------------------


class SpecialStatusListSerializer(serializers.ModelSerializer):
    """A status as lists show it: name and ID number masked."""

    person_name = serializers.SerializerMethodField(help_text="脱敏姓名")
    person_id_number = serializers.CharField(source="person.id_masked", read_only=True)
    grade = serializers.CharField(read_only=True, help_text=_codes(Grade.choices))
    type_code = serializers.CharField(source="type.code", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    officer_name = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = SpecialStatus
        fields = [
            "id",
            "version",
            "person_name",
            "person_id_number",
            "type_code",
            "type_name",
            "grade",
            "grade_display",
            "area",
            "area_name",
            "officer",
            "officer_name",
            "started_on",
            "ended_on",
            "last_visit_on",
            "next_visit_due",
            "lost_since",
            "is_open",
            "overdue",
        ]

    def get_person_name(self, obj: SpecialStatus) -> str:
        return selectors.mask_name(obj.person.name)

    def get_officer_name(self, obj: SpecialStatus) -> str:
        return _name(obj.officer)

    def get_overdue(self, obj: SpecialStatus) -> bool:
        return obj.is_overdue(selectors.today())


class StatusChangeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["kind", "kind_display", "from_value", "to_value", "note", "actor_name", "at"]

    def get_actor_name(self, obj: StatusChange) -> str:
        return _name(obj.actor) or "系统"


class SpecialStatusDetailSerializer(SpecialStatusListSerializer):
    """The file: the full name, the type's details, team, measures and the history."""

    person = serializers.PrimaryKeyRelatedField(read_only=True)
    person_full_name = serializers.CharField(source="person.name", read_only=True)
    details_display = serializers.SerializerMethodField()
    end_reason = serializers.CharField(read_only=True, help_text=_codes(EndReason.choices))
    changes = serializers.SerializerMethodField()
    pending_handover = serializers.SerializerMethodField()

    class Meta(SpecialStatusListSerializer.Meta):
        fields = [
            *SpecialStatusListSerializer.Meta.fields,
            "person",
            "person_full_name",
            "details",
            "details_display",
            "team",
            "measures",
            "end_reason",
            "end_note",
            "changes",
            "pending_handover",
        ]

    def get_details_display(self, obj: SpecialStatus) -> list[list[str]]:
        return [list(row) for row in details_mod.display(obj.type.code, obj.details)]

    def get_changes(self, obj: SpecialStatus) -> list[dict[str, Any]]:
        with unscoped("the visible status's own history"):
            rows = list(obj.changes.select_related("actor").order_by("at", "pk"))
        return StatusChangeSerializer(rows, many=True).data

    def get_pending_handover(self, obj: SpecialStatus) -> int | None:
        pending = selectors.pending_handover_of(obj)
        return pending.pk if pending else None


class VisitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_codes(VisitKind.choices))
    test_result = serializers.CharField(read_only=True, help_text=_codes(DrugTestResult.choices))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    by_name = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()
    repeated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "status",
            "client_id",
            "kind",
            "kind_display",
            "visited_on",
            "place",
            "findings",
            "test_result",
            "due_on",
            "on_time",
            "by_name",
            "event",
            "has_photo",
            "repeated",
        ]

    def get_by_name(self, obj: Visit) -> str:
        with unscoped("the visit's author"):
            return _name(obj.by)

    def get_has_photo(self, obj: Visit) -> bool:
        return bool(obj.photo)


class HandoverSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text=_codes(HandoverState.choices))
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    person_name = serializers.SerializerMethodField(help_text="脱敏姓名")
    type_name = serializers.CharField(source="status.type.name", read_only=True)
    from_area_name = serializers.CharField(source="from_area.name", read_only=True)
    to_area_name = serializers.CharField(source="to_area.name", read_only=True)
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = Handover
        fields = [
            "id",
            "version",
            "status",
            "person_name",
            "type_name",
            "from_area",
            "from_area_name",
            "to_area",
            "to_area_name",
            "state",
            "state_display",
            "reason",
            "started_at",
            "age_days",
            "decided_at",
            "decision_note",
            "new_officer",
        ]

    def get_person_name(self, obj: Handover) -> str:
        with unscoped("the handover's person, masked"):
            return selectors.mask_name(obj.status.person.name)

    def get_age_days(self, obj: Handover) -> int:
        return obj.age_days()


# --- Payloads ------------------------------------------------------------------------------------


def _officer_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="责任人(用户编号)", **kwargs
    )


class OpenSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person, action="registry.view")
    type = serializers.SlugRelatedField(
        slug_field="code", queryset=SpecialType.objects.filter(is_active=True), help_text="类型代码"
    )
    grade = serializers.CharField(required=False, allow_blank=True, help_text=_codes(Grade.choices))
    area = ScopedPrimaryKeyRelatedField(
        model=Area,
        action="special.manage",
        required=False,
        allow_null=True,
        help_text="责任区域;默认人员所属网格",
    )
    officer = _officer_field(required=False, allow_null=True)
    started_on = serializers.DateField(required=False, allow_null=True)
    details = serializers.DictField(
        required=False, help_text="类型专项信息,见 special-types 的 detail_items"
    )
    team = serializers.ListField(child=serializers.DictField(), required=False)
    measures = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_codes(HelpMeasure.choices)
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class GradeSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    grade = serializers.CharField(help_text=_codes(Grade.choices))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OfficerSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    officer = _officer_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class UpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    details = serializers.DictField(required=False)
    team = serializers.ListField(child=serializers.DictField(), required=False)
    measures = serializers.ListField(child=serializers.CharField(), required=False)


class EndSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(help_text=_codes(EndReason.choices))
    ended_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class VisitPayloadSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_codes(VisitKind.choices))
    findings = serializers.CharField(max_length=2000)
    visited_on = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    test_result = serializers.CharField(
        required=False, allow_blank=True, help_text=_codes(DrugTestResult.choices)
    )
    photo = serializers.ImageField(required=False, allow_null=True)
    client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="客户端生成;重试不重复登记"
    )
    event_category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="同时上报事件时的事件类别代码",
    )
    event_title = serializers.CharField(required=False, allow_blank=True, max_length=100)
    event_description = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class HandoverStartSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    to_area_code = serializers.CharField(max_length=20, help_text="接收区域代码")
    reason = serializers.CharField(max_length=500)


class AcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    officer = _officer_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReasonSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
