"""Template helpers of the special populations: masked names and the due-date lamp."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.special import selectors

register = template.Library()


@register.filter
def masked(name: str) -> str:
    return selectors.mask_name(name)


@register.filter
def due_lamp(status: Any) -> str:
    """red: lost or overdue; yellow: due within 3 days; green otherwise; none when ended."""
    if not status.is_open or status.next_visit_due is None:
        return "none"
    today = selectors.today()
    if status.lost_since or status.next_visit_due < today:
        return "red"
    if (status.next_visit_due - today).days <= 3:
        return "yellow"
    return "green"


@register.filter
def days_overdue(status: Any) -> int:
    if status.next_visit_due is None:
        return 0
    return max(0, (selectors.today() - status.next_visit_due).days)
