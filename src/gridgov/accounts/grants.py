"""Turn a user's current memberships into (action, area path) grants for core.scoping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gridgov.accounts.models import Membership
from gridgov.accounts.roles import ROLE_ACTIONS


def grants_from_memberships(user: Any) -> Iterator[tuple[str, str]]:
    rows = (
        Membership._base_manager.filter(Membership.active_q(), user=user, area__status="active")
        .values_list("role", "area_path")
        .distinct()
    )
    for role, path in rows:
        for action in ROLE_ACTIONS.get(role, ()):
            yield action, path


def current_memberships(user: Any):
    """The user's own current memberships, for their home page and navigation."""
    return (
        Membership._base_manager.filter(Membership.active_q(), user=user)
        .select_related("area", "department")
        .order_by("area_path", "role")
    )
