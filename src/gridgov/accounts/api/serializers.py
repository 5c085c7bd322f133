from __future__ import annotations

from rest_framework import serializers

from gridgov.accounts.models import Department, DepartmentKind, Membership
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField


class DepartmentSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "kind",
            "area",
            "area_code",
            "phone",
            "is_active",
            "retired_at",
            "version",
        ]
        read_only_fields = fields


class DepartmentCreateSerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(model=Area, action="accounts.manage")
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class DepartmentUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "full_name",
            "role",
            "area",
            "department",
            "valid_from",
            "valid_until",
            "ended_at",
            "is_current",
            "version",
        ]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    area = ScopedPrimaryKeyRelatedField(
        model=Area, action="accounts.manage", required=False, allow_null=True
    )
    department = ScopedPrimaryKeyRelatedField(
        model=Department, action="accounts.manage", required=False, allow_null=True
    )
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
