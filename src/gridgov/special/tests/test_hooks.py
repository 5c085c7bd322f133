"""Other modules' hooks: the registry's merge of duplicates and the petitions flag."""

from __future__ import annotations

import pytest

from gridgov.core.scoping import unscoped
from gridgov.registry import flags
from gridgov.registry import services as registry
from gridgov.special.models import SpecialStatus, StatusChange
from gridgov.special.tests.support import fresh, open_status, person


def _twin(world, name="刘备"):
    """A record of the same person without an ID number (a duplicate the registry may merge)."""
    import datetime as dt

    return registry.register_person(
        actor=world.system,
        id_number=None,
        grid=world.grid_a1,
        name=name,
        sex="1",
        birth_date=dt.date(1990, 1, 1),
        residence_type="unregistered",
    )


def _merge(world, keep, drop):
    keep, drop = fresh(keep), fresh(drop)
    return registry.merge_people(
        keep, drop, actor=world.worker_a1, keep_version=keep.version, drop_version=drop.version
    )


def test_merging_moves_the_dropped_records_statuses_to_the_kept_one(world):
    keep, drop = person(world, name="刘备"), _twin(world)
    moved = open_status(world, person=drop, code="drug", grade="low")
    _merge(world, keep, drop)
    moved = fresh(moved)
    assert moved.person_id == keep.pk and moved.is_open
    with unscoped("test"):
        assert StatusChange.objects.filter(status=moved, kind="merged").exists()


def test_merging_two_open_statuses_of_one_type_keeps_one_open(world):
    keep, drop = person(world, name="刘备"), _twin(world)
    kept = open_status(world, person=keep, grade="stable")
    dropped = open_status(world, person=drop, grade="unstable")
    _merge(world, keep, drop)
    with unscoped("test"):
        rows = list(SpecialStatus.objects.filter(person=keep, type__code="mental").order_by("pk"))
    assert [s.pk for s in rows] == [kept.pk, dropped.pk]
    assert fresh(kept).is_open and not fresh(dropped).is_open
    assert fresh(dropped).end_reason == "merged"


def test_a_key_petitioner_flag_opens_one_status_however_often_raised(world):
    who = person(world, name="陈九")
    flag = flags.Flag(
        code="key_petitioner", person=who, reason="一年内信访三次", source="XF2025001"
    )
    assert flags.handles("key_petitioner")
    first = flags.raise_flag(flag, actor=world.center_a)
    second = flags.raise_flag(flag, actor=world.center_a)
    status = next(r for r in first if isinstance(r, SpecialStatus))
    assert [r.pk for r in second if isinstance(r, SpecialStatus)] == [status.pk]
    assert status.type.code == "key_petitioner" and status.grade == "medium"
    assert status.details == {"matter": "一年内信访三次", "flag_source": "XF2025001"}
    with unscoped("test"):
        assert SpecialStatus.objects.filter(person=who).count() == 1


def test_a_flag_raised_by_someone_without_special_roles_still_opens_it(world):
    who = person(world, name="陈十")
    flags.raise_flag(
        flags.Flag(code="key_petitioner", person=who, reason="越级上访"), actor=world.handler_a
    )
    with unscoped("test"):
        status = SpecialStatus.objects.get(person=who)
    assert status.officer is None and status.area == world.grid_a1


@pytest.mark.parametrize("switch_off", [True, False])
def test_a_flag_does_nothing_when_the_type_is_off_or_the_person_gone(world, switch_off):
    from gridgov.special.models import SpecialType

    who = person(world, name="陈十一")
    if switch_off:
        SpecialType.objects.filter(code="key_petitioner").update(is_active=False)
    else:
        registry.set_person_status(
            fresh(who), actor=world.worker_a1, version=fresh(who).version, status="deceased"
        )
        who = fresh(who)
    flags.raise_flag(
        flags.Flag(code="key_petitioner", person=who, reason="x"), actor=world.center_a
    )
    with unscoped("test"):
        assert not SpecialStatus.objects.filter(person=who).exists()
