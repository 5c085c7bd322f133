"""Reads of the inbox, always one recipient's own."""

from __future__ import annotations

from typing import Any

from gridgov.notifications.models import Notification


def unread_count(user: Any) -> int:
    """How many unread notifications `user` has (0 for an anonymous user)."""
    return Notification.objects.for_recipient(user).unread().count()


def inbox_for(user: Any):
    """The user's notifications, newest first."""
    return Notification.objects.for_recipient(user).order_by("-created_at", "-id")
