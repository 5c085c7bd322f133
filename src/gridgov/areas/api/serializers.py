"""API shapes for areas and assignments. Input serializers validate shape only; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridgov.accounts.models import User
from gridgov.areas.choices import Duty, GridKind, Level, Post
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField


class AreaSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "grid_kind",
            "parent",
            "parent_code",
            "path",
            "status",
            "retired_at",
            "retired_reason",
            "households",
            "area_sqm",
            "boundary",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AreaCreateSerializer(serializers.Serializer):
    parent = ScopedPrimaryKeyRelatedField(
        model=Area, action="areas.manage", allow_null=True, label="上级区域"
    )
    code = serializers.CharField(max_length=20, label="区域代码")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, label="名称")
    level = serializers.ChoiceField(choices=Level.choices, required=False, label="层级")
    grid_kind = serializers.ChoiceField(choices=GridKind.choices, required=False, allow_blank=True)
    households = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    area_sqm = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    boundary = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AreaUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        label="版本", help_text="读取时的 version;不一致时返回 409。"
    )
    name = serializers.CharField(max_length=100)
    grid_kind = serializers.ChoiceField(choices=GridKind.choices, required=False)
    households = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    area_sqm = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    boundary = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AreaMoveSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    new_parent = ScopedPrimaryKeyRelatedField(model=Area, action="areas.manage")
    new_code = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AreaRetireSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=200)


class LocateSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name"]


class GridAssignmentSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = GridAssignment
        fields = [
            "id",
            "grid",
            "grid_code",
            "grid_name",
            "user",
            "post",
            "duties",
            "patch",
            "start_date",
            "end_date",
            "ended_at",
            "is_current",
            "version",
        ]
        read_only_fields = fields


class GridAssignmentCreateSerializer(serializers.Serializer):
    grid = ScopedPrimaryKeyRelatedField(
        model=Area, action="areas.assign", extra_filter={"level": Level.GRID}
    )
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    post = serializers.ChoiceField(choices=Post.choices)
    duties = serializers.ListField(
        child=serializers.ChoiceField(choices=Duty.choices), required=False, default=list
    )
    patch = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gridgov.accounts.selectors import users_for

        request = self.context.get("request")
        if request is not None:
            self.fields["user"].queryset = users_for(request.user, "areas.assign").filter(
                is_active=True
            )


class GridAssignmentEndSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    end_date = serializers.DateField(required=False, allow_null=True)
