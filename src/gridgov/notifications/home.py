"""Home-page panel of the notifications app: the newest unread messages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from gridgov.core.home import Panel, PanelItem
from gridgov.notifications.models import Notification

SHOWN = 5


def unread_panel(user: Any) -> Panel | None:
    """Up to five unread messages, newest first, and a link to all of them; nothing if none."""
    unread = Notification.objects.for_recipient(user).unread()
    rows = list(unread.order_by("-created_at", "-id")[:SHOWN])
    if not rows:
        return None
    items = [
        PanelItem(
            label=n.title,
            url=reverse("notifications:open", args=[n.pk]),
            note=timezone.localtime(n.created_at).strftime("%m-%d %H:%M"),
        )
        for n in rows
    ]
    items.append(
        PanelItem(
            label="全部未读消息",
            url=f"{reverse('notifications:inbox')}?unread=true",
            count=unread.count(),
            warn=True,
        )
    )
    return Panel(title="未读消息", items=items, order=1)
