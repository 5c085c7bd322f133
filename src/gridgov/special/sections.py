"""The special-populations section of a person's file (一人一档), through the registry's
extension point. Only statuses the reader may see appear (restricted types need special.hiv)."""

from __future__ import annotations

from typing import Any

from gridgov.core.scoping import jurisdiction
from gridgov.registry.selectors import FileSection
from gridgov.special import selectors


def person_special_section(actor: Any, person: Any) -> FileSection | None:
    if not jurisdiction(actor).allows_anywhere("special.view"):
        return None
    statuses = list(
        selectors.visible_statuses(actor).filter(person=person).order_by("ended_on", "-started_on")
    )
    return FileSection(
        title="特殊人群",
        template="special/_person_section.html",
        context={"statuses": statuses},
        order=30,
    )
