"""Builders the petition tests share: petitioners in the registry, a 信访办 with its handler,
petitions in every stage (always through the services) and the hub's controllable clock."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import make_user
from gridgov.core.testing.personas import World
from gridgov.events.models import Category, Event, TimelineEntry
from gridgov.events.tests.support import Clock, at, backdate_world, fresh_user  # noqa: F401
from gridgov.petitions import services
from gridgov.petitions.defaults import ensure_matters
from gridgov.petitions.models import Petition
from gridgov.registry.demo import id_number

TZ = timezone.get_default_timezone()
# Default petitioners get numbers from 500 up, clear of the ones tests pick by hand.
_fresh = itertools.count(500)
LABOR = "petition-m-labor"
LAND = "petition-m-land"


def matter(code: str = LABOR) -> Category:
    ensure_matters()
    with unscoped("test: a matter category"):
        return Category.objects.get(code=code)


def person(world: World, n: int = 1, *, grid: Any = None, name: str | None = None) -> Any:
    """A registered person; `n` makes the ID number (and the default name) unique."""
    from gridgov.registry import services as registry

    grid = grid or world.grid_a1
    return registry.register_person(
        actor=world.system,
        id_number=id_number(f"33020319800101{n:03d}"),
        grid=grid,
        name=name or f"信访人{n}",
        residence_type="registered",
    )


def petition_office(world: World) -> tuple[Any, Any]:
    """横街镇信访办 (township A) with its handler `handler_p`."""
    department = accounts.create_department(
        actor=world.system, area=world.township_a, name="横街镇信访办", kind="petition"
    )
    user = make_user(world, "handler_p", "信访办干部")
    accounts.grant_membership(
        user, actor=world.system, role=Role.DEPARTMENT_HANDLER, department=department
    )
    return department, fresh_user(user)


def county_desk(world: World) -> Any:
    """Center staff of the district: registers at the county and answers 复查/复核."""
    user = make_user(world, "center_county", "区信访")
    accounts.grant_membership(user, actor=world.system, role=Role.CENTER_STAFF, area=world.district)
    return fresh_user(user)


def register(
    world: World, *, petitioners: Any = None, actor: Any = None, **fields: Any
) -> Petition:
    values = {
        "title": "拖欠工资",
        "matter": "某厂拖欠三个月工资未发",
        "category": matter(),
        "channel": "visit",
        "department": world.police_a,
        "lodged_area": world.township_a,
    } | fields
    people = petitioners if petitioners is not None else [person(world, next(_fresh))]
    return services.register_petition(actor=actor or world.center_a, petitioners=people, **values)


def accepted(world: World, **fields: Any) -> Petition:
    p = register(world, **fields)
    return services.decide_acceptance(p, actor=world.center_a, version=p.version, accepted=True)


def replied(world: World, **fields: Any) -> Petition:
    p = accepted(world, **fields)
    return services.reply_petition(p, actor=world.center_a, version=p.version, reply="已督促补发")


def reload(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def event_of(petition: Petition) -> Event:
    return Event._base_manager.get(pk=petition.event_id)


def steps(petition: Petition) -> list[str]:
    return list(
        TimelineEntry._base_manager.filter(event_id=petition.event_id)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, TZ)
