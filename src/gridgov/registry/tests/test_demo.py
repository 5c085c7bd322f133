"""The registry demo (registry/demo.py): valid numbers, determinism, what each grid holds, the
duplicate pair the merge is shown with, and seeding again after a merge."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import User
from gridgov.areas import demo as areas_demo
from gridgov.core import creditcodes, idnumbers
from gridgov.core.scoping import unscoped
from gridgov.registry import codes, demo, selectors, services
from gridgov.registry.models import House, Person, Residence, Unit

SMALL = {"communities": 1, "villages": 2, "real_grids": 5}


def _grids(seed: int = areas_demo.DEFAULT_SEED, **sizes) -> list[tuple[str, str]]:
    plan = areas_demo.build_plan(seed, **(sizes or SMALL))
    return [(g.code, g.name) for g in plan.grids if g.grid_kind == "real"]


def test_check_characters_follow_the_standards() -> None:
    assert demo.id_number("11010519491231002") == "11010519491231002X"
    assert demo.id_number("33020319800101001") == "33020319800101001X"
    code = demo.credit_code("330203", 12345)
    assert creditcodes.is_valid(code) and code.startswith("91330203")


def test_plan_is_deterministic_and_every_number_valid() -> None:
    grids = _grids()
    plan = demo.build_plan(7, grids)
    assert plan == demo.build_plan(7, grids)
    assert plan != demo.build_plan(8, grids)
    # A grid's records depend on the seed and its own code, not on the other grids.
    assert demo.build_plan(7, grids[:1]) == plan[:1]

    numbers = [p.id_number for g in plan for p in g.people if p.id_number]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        parsed = idnumbers.parse(number)
        assert not parsed.warnings
    for grid in plan:
        assert 3 <= len(grid.houses) <= 5
        people = grid.people
        extra = 2 if grid is plan[0] else 0
        assert 10 + extra <= len(people) <= 20 + extra
        for person in people:
            if person.id_number:
                parsed = idnumbers.parse(person.id_number)
                assert (parsed.sex_code, parsed.birth_date) == (person.sex, person.birth_date)
            assert person.since >= person.birth_date
            services.clean_phone(person.phone)  # raises if Faker made a number we refuse
        assert all(creditcodes.is_valid(u.credit_code) for u in grid.units)
    assert sum(1 for g in plan for p in g.people if not p.id_number) == 2


@pytest.mark.django_db
def test_seeded_grids_hold_houses_people_units_and_a_duplicate_pair() -> None:
    demo.seed_demo(**SMALL)
    worker = User.objects.get(username="worker")  # the first grid's worker
    center2 = User.objects.get(username="center2")  # another township

    with unscoped("test: demo contents"):
        rented = list(House.objects.filter(occupancy=codes.Occupancy.RENTED))
        assert len(rented) == 5
        assert all(h.owner_id and h.owner_name and h.owner_id_masked for h in rented)
        assert any(h.fire_pledge_signed for h in rented)
        assert Residence.objects.filter(until__isnull=True).count() == Person.objects.count()
        units = list(Unit.objects.all())
        assert len(units) == 5 and all(u.letters.exists() for u in units)
        floating = Person.objects.filter(residence_type=codes.ResidenceType.FLOATING)
        assert floating.exists() and not floating.filter(id_hash="").exists()
        pair = list(Person.objects.filter(id_hash=""))

    assert len(pair) == 2
    mine = Person.objects.for_user(worker, "registry.view")
    assert mine.filter(pk__in=[p.pk for p in pair]).count() == 2
    assert list(selectors.possible_duplicates(worker, pair[0])) == [pair[1]]
    assert not Person.objects.for_user(center2, "registry.view").exists()

    # The demo worker merges the pair; seeding again neither undoes nor repeats anything.
    services.merge_people(
        pair[0],
        pair[1],
        actor=worker,
        keep_version=pair[0].version,
        drop_version=pair[1].version,
    )
    with unscoped("test"):
        people = Person.objects.count()
    again = demo.seed_demo(**SMALL)
    assert not again.created_anything
    with unscoped("test"):
        assert Person.objects.count() == people
        assert Person.objects.filter(status=codes.PersonStatus.MERGED).count() == 1
