"""API shapes of the inbox."""

from __future__ import annotations

from rest_framework import serializers

from gridgov.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True, label="已读")
    link = serializers.CharField(source="safe_link", read_only=True, label="链接")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "area_path",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(label="本次标为已读的条数")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(label="未读条数")
