"""The petitions section of a person's file (一人一档), through the registry's extension point."""

from __future__ import annotations

from typing import Any

from gridgov.events.models import EventParty
from gridgov.petitions.models import Petition
from gridgov.registry.selectors import FileSection


def person_petitions_section(actor: Any, person: Any) -> FileSection | None:
    """The person's petitions the actor may see, newest first; nothing for those who see none."""
    from gridgov.core.scoping import jurisdiction
    from gridgov.events.selectors import department_ids_of

    if not (jurisdiction(actor).allows_anywhere("petitions.view") or department_ids_of(actor)):
        return None
    petitions = list(
        Petition.objects.for_user(actor, "petitions.view")
        .filter(event_id__in=EventParty._base_manager.filter(person=person).values("event_id"))
        .select_related("event", "event__category", "department")
        .order_by("-received_at")[:20]
    )
    return FileSection(
        title="信访记录",
        template="petitions/_person_section.html",
        context={"petitions": petitions},
        order=30,
    )


def event_petition_section(actor: Any, event: Any) -> FileSection | None:
    """On the hub's event page, the petition the event is (its steps are taken on its own page)."""
    petition = Petition.objects.for_user(actor, "petitions.view").filter(event=event).first()
    if petition is None:
        return None
    return FileSection(
        title="信访事项",
        template="petitions/_event_section.html",
        context={"petition": petition},
        order=10,
    )


def petition_workflow(event: Any) -> str | None:
    """ "信访事项" for the event of a registered petition (its steps are the petition's own)."""
    from gridgov.core.scoping import unscoped

    with unscoped("whether a visible event is a petition"):
        return "信访事项" if Petition.objects.filter(event_id=event.pk).exists() else None
