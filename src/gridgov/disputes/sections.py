"""The dispute's section of the event page and of a person's file (一人一档), through the event
hub's and the registry's extension points."""

from __future__ import annotations

from typing import Any

from gridgov.core.scoping import jurisdiction
from gridgov.disputes import selectors
from gridgov.disputes.models import DisputeParty
from gridgov.registry.selectors import FileSection


def event_dispute_section(actor: Any, event: Any) -> FileSection | None:
    """纠纷详情与调解 on the page of a dispute event, for whoever may see its details."""
    if event.kind.code != "dispute":
        return None
    detail = selectors.detail_of_event(actor, event)
    may_view = detail is not None or jurisdiction(actor).allows("disputes.view", event.area_path)
    if not may_view:
        return None
    return FileSection(
        title="矛盾纠纷",
        template="disputes/_event_section.html",
        context=selectors.dispute_context(actor, event, detail),
        order=10,
    )


def person_disputes_section(actor: Any, person: Any) -> FileSection | None:
    """The disputes the person is a party to, as far as the actor may see them."""
    if not jurisdiction(actor).allows_anywhere("disputes.view"):
        return None
    parties = list(
        DisputeParty.objects.for_user(actor, "disputes.view")
        .filter(person=person, removed_at__isnull=True)
        .select_related("dispute__event")
        .order_by("-pk")[:20]
    )
    return FileSection(
        title="涉及矛盾纠纷",
        template="disputes/_person_section.html",
        context={"parties": parties},
        order=25,
    )
