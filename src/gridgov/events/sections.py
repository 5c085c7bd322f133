"""The events section of a person's file (一人一档), through the registry's extension point."""

from __future__ import annotations

from typing import Any

from gridgov.events.models import Event, EventParty
from gridgov.registry.selectors import FileSection


def person_events_section(actor: Any, person: Any) -> FileSection | None:
    events = list(
        Event.objects.for_user(actor, "events.view")
        .filter(pk__in=EventParty._base_manager.filter(person=person).values("event_id"))
        .select_related("category")
        .order_by("-reported_at")[:20]
    )
    return FileSection(
        title="涉及事件",
        template="events/_person_section.html",
        context={"events": events},
        order=20,
    )
