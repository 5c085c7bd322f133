"""The unread-message badge in the top bar, for every logged-in user."""

from __future__ import annotations

from typing import Any

from django.utils.functional import SimpleLazyObject

from gridgov.notifications.selectors import unread_count


def unread_notifications(request: Any) -> dict[str, Any]:
    """`unread_notifications`: the user's unread count, counted only if a template shows it
    (htmx partials and JSON never pay for the query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
