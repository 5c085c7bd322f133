"""Builders the dispute tests share: dispute events and their details, always through the
services, and a few readers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridgov.core.scoping import unscoped
from gridgov.core.testing.personas import World
from gridgov.disputes import services
from gridgov.disputes.models import DisputeDetail, Mediation
from gridgov.events import services as event_services
from gridgov.events.models import Category, Event, TimelineEntry

NEIGHBOURS = "dispute-02"  # 邻里纠纷, 30 自然日


def dispute_event(
    world: World, actor: Any = None, grid: Any = None, days_back: int = 60, **fields: Any
) -> Event:
    """A dispute event reported `days_back` days ago (so mediation dates may lie in the past)."""
    from django.utils import timezone

    moment = timezone.now() - dt.timedelta(days=days_back)
    values = {
        "category": Category.objects.get(code=fields.pop("category_code", NEIGHBOURS)),
        "title": "两户村民因排水沟堵塞发生争执",
        "description": "屋后排水沟堵塞,污水外溢,两户多次争吵。",
        "grid": grid or world.grid_a1,
    } | fields
    with event_services.as_of(moment):
        return event_services.report_event(
            actor=actor or world.worker_a1, occurred_at=moment, **values
        )


def detail(
    world: World, event: Event | None = None, actor: Any = None, **values: Any
) -> DisputeDetail:
    event = event or dispute_event(world)
    fields = {"subcategory": "0201", "scale": "01", "people_count": 2} | values
    return services.record_dispute(event, actor=actor or world.officer_a1, **fields)


def mediation(world: World, dispute: DisputeDetail | None = None, **values: Any) -> Mediation:
    dispute = dispute or detail(world)
    actor = values.pop("actor", world.officer_a1)
    fields = {
        "committee": "village",
        "organisation": "甲村人民调解委员会",
        "method": "0103",
        "mediators": [world.mediator_a],
        "started_on": days_ago(30),
    } | values
    return services.start_mediation(dispute, actor=actor, **fields)


def reload(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def steps(event: Event) -> list[str]:
    with unscoped("test: timeline"):
        return list(
            TimelineEntry._base_manager.filter(event_id=event.pk)
            .order_by("at", "pk")
            .values_list("action", flat=True)
        )


def days_ago(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=n)


def person(world: World, name: str = "王小明", grid: Any = None, actor: Any = None) -> Any:
    """A registered person without an ID number (未落户人员), kept in `grid`."""
    from gridgov.registry import services as registry

    return registry.register_person(
        actor=actor or world.worker_a1,
        id_number=None,
        grid=grid or world.grid_a1,
        name=name,
        sex="1",
        birth_date=dt.date(1980, 3, 1),
        residence_type="unregistered",
    )
