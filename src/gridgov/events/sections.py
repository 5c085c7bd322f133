"""The events section of a person's file (一人一档), through the registry's extension point."""

from __future__ import annotations

from collections.abc import Callable
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


# --- Sections of the event page, added by the apps whose records hang off an event -------------

EventSectionSource = Callable[[Any, Event], FileSection | None]
_event_sections: list[EventSectionSource] = []


def register_event_section(source: EventSectionSource) -> None:
    """Add a section to the event page: `source(actor, event)` returns it (the shape of a person
    file's section) or None. The event is already visible to `actor`; the source reads its own
    records through `for_user`. Disputes register theirs in their apps.py."""
    if source not in _event_sections:
        _event_sections.append(source)


def event_sections(actor: Any, event: Event) -> list[FileSection]:
    sections = [s for s in (source(actor, event) for source in _event_sections) if s is not None]
    return sorted(sections, key=lambda s: s.order)
