"""Reads of the routing rules (直报与抄告) for their pages and API: the rules the caller may
configure, and the departments they may copy. The writes are in services.py."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from gridgov.accounts.models import Department
from gridgov.events.models import RoutingRule


def visible_rules(user: Any) -> QuerySet[RoutingRule]:
    """Rules in the areas where `user` holds events.configure, with what they name. A rule's
    copied departments are part of the rule, so they are named whoever set them (a district
    department copied by a district administrator shows on the township's rule too)."""
    return (
        RoutingRule.objects.for_user(user, "events.configure")
        .select_related("area", "category__kind")
        .prefetch_related(
            Prefetch(
                "copy_departments",
                queryset=Department._base_manager.select_related("area").order_by(
                    "area_path", "name"
                ),
            )
        )
    )


def copy_department_choices(user: Any) -> QuerySet[Department]:
    """Departments `user` may copy events to: the active ones they can see."""
    return (
        Department.objects.for_user(user, "accounts.view")
        .filter(is_active=True)
        .select_related("area")
        .order_by("area_path", "kind", "name")
    )
