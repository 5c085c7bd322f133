"""Builders the special-population tests share: people, statuses, a movable clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gridgov.core.scoping import forget_jurisdiction, unscoped
from gridgov.special import services
from gridgov.special.models import SpecialStatus, SpecialType

TZ = timezone.get_default_timezone()
# Valid resident ID numbers (GB 11643 check characters), one per test person.
ID_NUMBERS = [
    "330203199001011236",
    "330203198503150020",
    "33020319771224001X",
    "330203200203040014",
    "33020319661010002X",
    "330203199506060017",
    "330203198808080019",
]


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


class Clock:
    """`django.utils.timezone.now` frozen at a moment the test moves (dates follow)."""

    def __init__(self, monkeypatch: Any, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)


def backdate_world(world: Any, since: dt.date = dt.date(2020, 1, 1)) -> None:
    """Memberships and grid assignments start long ago, so a clock set in the past finds them."""
    from gridgov.accounts.models import Membership
    from gridgov.areas.models import GridAssignment

    with unscoped("test: backdate memberships"):
        Membership._base_manager.update(valid_from=since)
        GridAssignment._base_manager.update(start_date=since)
    for user in world.users.values():
        forget_jurisdiction(user)


def person(world: Any, n: int | None = None, *, grid: Any = None, name: str = "张三丰") -> Any:
    """A registered person; without `n`, the next unused test ID number."""
    from gridgov.registry import services as registry
    from gridgov.registry.models import Person

    if n is None:
        with unscoped("test: people so far"):
            n = Person._base_manager.count()
    return registry.register_person(
        actor=world.system,
        id_number=ID_NUMBERS[n],
        grid=grid or world.grid_a1,
        name=name,
        residence_type="registered",
    )


def kind(code: str) -> SpecialType:
    return SpecialType.objects.get(code=code)


def open_status(
    world: Any, who: Any = None, *, code: str = "mental", **kwargs: Any
) -> SpecialStatus:
    kwargs.setdefault("person", kwargs.pop("person", None) or person(world))
    return services.open_status(actor=who or world.center_a, type=kind(code), **kwargs)


def fresh(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def forget(*users: Any) -> None:
    for user in users:
        forget_jurisdiction(user)
