"""Reads of users, scoped through their memberships (users themselves belong to no area)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from gridgov.accounts.models import User
from gridgov.accounts.system import SYSTEM_USERNAME
from gridgov.core.scoping import jurisdiction, path_prefix_q


def users_for(actor: Any, action: str) -> QuerySet[User]:
    """Users holding (or having held) a membership inside `actor`'s jurisdiction for `action`."""
    paths = jurisdiction(actor).paths_for(action)
    users = User.objects.exclude(username=SYSTEM_USERNAME)
    if paths is None:
        return users
    if not paths:
        return users.none()
    ids = User.objects.filter(
        path_prefix_q("memberships__area_path", paths, connection.vendor)
    ).values("pk")
    return users.filter(pk__in=ids)
