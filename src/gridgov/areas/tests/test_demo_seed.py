"""The demo seed (areas/demo.py, `manage.py seed_demo`): counts, idempotency, determinism."""

from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from shapely.geometry import shape
from shapely.ops import unary_union

from gridgov.accounts import services as account_services
from gridgov.accounts.models import Department, Membership, User
from gridgov.accounts.roles import Role
from gridgov.accounts.system import system_actor
from gridgov.areas import demo, divisions
from gridgov.areas.choices import Duty, GridKind, Level, Post
from gridgov.areas.models import Area, GridAssignment
from gridgov.areas.services import end_grid_assignment, locate_grid
from gridgov.core.errors import Invalid, NotPermitted
from gridgov.core.scoping import unscoped

SMALL = {"communities": 1, "villages": 2, "real_grids": 5}
LOGINS = ("admin", "leader", "center", "officer", "worker", "handler", "mediator", "center2")


def _row_counts() -> dict[str, int]:
    with unscoped("test: row counts"):
        return {
            "area": Area.objects.count(),
            "department": Department.objects.count(),
            "user": User.objects.count(),
            "membership": Membership.objects.count(),
            "assignment": GridAssignment.objects.count(),
            "audit": LogEntry.objects.count(),
        }


_REGISTRY_MODELS = ("Address", "House", "Person", "Residence", "Unit", "ResponsibilityLetter")


def _registry_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        name: apps.get_model("registry", name)._base_manager.count() for name in _REGISTRY_MODELS
    }


def _township_grids() -> list[Area]:
    with unscoped("test: demo grids"):
        return list(Area.objects.grids().filter(code__startswith=demo.TOWNSHIP_CODE))


# --- The plan, without a database ----------------------------------------------------------------


def _names(plan: demo.DemoPlan) -> list[str]:
    return (
        [v.name for v in plan.villages]
        + [g.name for g in plan.grids]
        + [g.worker.full_name for g in plan.grids]
        + [login.person.full_name for login in plan.logins]
    )


def test_same_seed_same_names_other_seed_other_names() -> None:
    assert _names(demo.build_plan(7)) == _names(demo.build_plan(7))
    assert demo.build_plan(7) == demo.build_plan(7)
    other = demo.build_plan(8)
    assert [v.name for v in other.villages] != [v.name for v in demo.build_plan(7).villages]
    assert _names(other) != _names(demo.build_plan(7))


def test_plan_shape_and_names() -> None:
    plan = demo.build_plan()
    assert len(plan.villages) == 21
    names = [v.name for v in plan.villages]
    assert len(set(names)) == 21
    assert all(n.endswith("社区") for n in names[:3])
    assert all(n.endswith("村") for n in names[3:])
    assert [v.code[-3:] for v in plan.villages] == [
        *(f"{n:03d}" for n in range(1, 4)),
        *(str(n) for n in range(201, 219)),
    ]
    real = [g for g in plan.grids if g.grid_kind == GridKind.REAL]
    virtual = [g for g in plan.grids if g.grid_kind == GridKind.VIRTUAL]
    assert len(real) == 233
    assert len(virtual) == 21
    per_village = sorted(sum(g.grid_kind == GridKind.REAL for g in v.grids) for v in plan.villages)
    assert per_village == [11] * 19 + [12] * 2
    assert all(g.code.endswith("901") and g.name.endswith("专属网格") for g in virtual)
    assert all(g.boundary is None for g in virtual)
    assert all(250 <= g.households <= 450 for g in real)
    assert len({g.worker.username for g in plan.grids}) == 254
    assert plan.grids[0].worker.username == "worker"


def test_real_grids_tile_the_box_without_overlap() -> None:
    real = [g for g in demo.build_plan().grids if g.grid_kind == GridKind.REAL]
    shapes = [shape(g.boundary) for g in real]
    min_lng, min_lat, max_lng, max_lat = demo.BOX
    box_area = (max_lng - min_lng) * (max_lat - min_lat)
    assert sum(s.area for s in shapes) == pytest.approx(box_area, rel=1e-6)
    assert all(s.is_valid for s in shapes)
    # Tiles only touch: their union is as large as their sum, so no two overlap.
    assert unary_union(shapes).area == pytest.approx(box_area, rel=1e-9)


# --- The full demo, once -----------------------------------------------------------------------


@pytest.mark.django_db
def test_full_demo_through_the_command_and_again() -> None:
    # The registry's records for all 233 grids take a minute through the services; they are
    # tested on a small demo below and in registry/tests/test_demo.py.
    out = StringIO()
    call_command("seed_demo", "--without-registry", stdout=out)
    text = out.getvalue()
    for username in LOGINS:
        assert username in text
    assert demo.DEFAULT_PASSWORD in text
    assert demo.DEMO_URL in text

    with unscoped("test: demo counts"):
        district = Area.objects.get(code=demo.DISTRICT_CODE)
        assert district.level == Level.COUNTY
        assert district.parent_id is None
        townships = Area.objects.filter(parent=district)
        assert sorted(townships.values_list("code", flat=True)) == [
            d.code for d in divisions.children_of(demo.DISTRICT_CODE)
        ]
        township = Area.objects.get(code=demo.TOWNSHIP_CODE)
        assert township.name == "横街镇"
        villages = Area.objects.filter(parent=township)
        assert villages.count() == 21
        assert sorted(villages.values_list("name", flat=True)) == sorted(
            v.name for v in demo.build_plan(demo.DEFAULT_SEED).villages
        )
        grids = Area.objects.grids().filter(code__startswith=demo.TOWNSHIP_CODE)
        assert grids.filter(grid_kind=GridKind.REAL).count() == 233
        assert grids.filter(grid_kind=GridKind.VIRTUAL).count() == 21
        assert not grids.filter(grid_kind=GridKind.REAL, boundary__isnull=True).exists()
        assert not grids.filter(grid_kind=GridKind.REAL, min_lat__isnull=True).exists()
        # Only 横街镇 is filled.
        assert not Area.objects.filter(level=Level.VILLAGE).exclude(parent=township).exists()

        assert not Area.objects.filter(pk__in=grids).without_responsible_worker().exists()
        current = GridAssignment.objects.filter(GridAssignment.active_q(), grid__in=grids)
        assert current.count() == 254
        assert current.filter(post=Post.FULL_TIME).values("user").distinct().count() == 254
        assert all(sorted(a.duties) == sorted(Duty.values) for a in current)
        worker_memberships = Membership.objects.filter(
            Membership.active_q(), role=Role.GRID_WORKER, area__in=grids
        )
        assert worker_memberships.count() == 254

        departments = Department.objects.filter(area=township, is_active=True)
        assert set(departments.values_list("name", flat=True)) == {n for n, _ in demo.DEPARTMENTS}

        held = {
            m.user.username: m
            for m in Membership.objects.filter(Membership.active_q()).select_related(
                "user", "area", "department"
            )
            if m.role != Role.GRID_WORKER or m.user.username == "worker"
        }
    # One login per role.
    expected = {
        "admin": (Role.ADMIN, demo.DISTRICT_CODE),
        "leader": (Role.LEADER, demo.TOWNSHIP_CODE),
        "center": (Role.CENTER_STAFF, demo.TOWNSHIP_CODE),
        "officer": (Role.VILLAGE_OFFICER, demo.TOWNSHIP_CODE + "001"),
        "worker": (Role.GRID_WORKER, demo.TOWNSHIP_CODE + "001001"),
        "handler": (Role.DEPARTMENT_HANDLER, demo.TOWNSHIP_CODE),
        "mediator": (Role.MEDIATOR, demo.TOWNSHIP_CODE),
        "center2": (Role.CENTER_STAFF, demo.OTHER_TOWNSHIP_CODE),
    }
    assert {u: (m.role, m.area.code) for u, m in held.items()} == expected
    assert {r for r, _ in expected.values()} == set(Role.values)
    assert held["handler"].department.name == "横街派出所"
    assert User.objects.get(username="admin").check_password(demo.DEFAULT_PASSWORD)
    assert User.objects.get(username="gw330203101201001").check_password(demo.DEFAULT_PASSWORD)

    # Again, as `make demo` does: nothing new, and it says so.
    assert _registry_counts() == dict.fromkeys(_REGISTRY_MODELS, 0)
    before = _row_counts()
    out = StringIO()
    call_command("seed_demo", "--without-registry", stdout=out)
    assert _row_counts() == before
    assert "未新建" in out.getvalue()
    assert "worker" in out.getvalue()


# --- Smaller variants ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_run_creates_nothing() -> None:
    first = demo.seed_demo(**SMALL)
    assert first.created["area"] == 1 + 17 + 3 + 5 + 3
    assert first.created["user"] == (5 + 3) + 7  # real and virtual grids' workers, named logins
    before = _row_counts()

    second = demo.seed_demo(**SMALL)

    assert _row_counts() == before
    assert not second.created_anything
    assert second.existing == first.created
    assert [r.username for r in second.logins] == [r.username for r in first.logins]


@pytest.mark.django_db
def test_demo_with_registry_twice_same_counts() -> None:
    from gridgov.registry import demo as registry_demo

    first = registry_demo.seed_demo(**SMALL)
    assert first.created["area"] == 1 + 17 + 3 + 5 + 3
    assert 5 * 10 + 2 <= first.created["person"] <= 5 * 20 + 2  # + the duplicate pair
    assert first.created["unit"] == 5
    before = _row_counts() | _registry_counts()

    second = registry_demo.seed_demo(**SMALL)

    assert _row_counts() | _registry_counts() == before
    assert not second.created_anything
    assert second.existing == first.created


@pytest.mark.django_db
def test_seed_fills_in_what_is_missing() -> None:
    demo.seed_demo(**SMALL)
    actor = system_actor()
    with unscoped("test"):
        assignment = GridAssignment.objects.filter(GridAssignment.active_q()).first()
    end_grid_assignment(assignment, actor=actor, version=assignment.version)

    again = demo.seed_demo(**SMALL)

    assert again.created["assignment"] == 1
    assert again.created["user"] == 0
    with unscoped("test"):
        assert (
            not Area.objects.filter(code__startswith=demo.TOWNSHIP_CODE)
            .without_responsible_worker()
            .exists()
        )


@pytest.mark.django_db
def test_seeded_names_follow_the_seed() -> None:
    demo.seed_demo(seed=11, **SMALL)
    plan = demo.build_plan(11, **SMALL)
    with unscoped("test"):
        seeded = dict(
            Area.objects.filter(code__startswith=demo.TOWNSHIP_CODE).values_list("code", "name")
        )
    for village in plan.villages:
        assert seeded[village.code] == village.name
        for grid in village.grids:
            assert seeded[grid.code] == grid.name
    workers = {u.username: u.full_name for u in User.objects.filter(username__startswith="gw")}
    assert workers == {g.worker.username: g.worker.full_name for g in plan.grids[1:]}
    assert demo.build_plan(12, **SMALL).villages[0].name != plan.villages[0].name


@pytest.mark.django_db
def test_locate_grid_finds_the_seeded_grid_at_its_centre() -> None:
    demo.seed_demo(**SMALL)
    worker = User.objects.get(username="worker")
    center2 = User.objects.get(username="center2")
    for grid in _township_grids():
        if grid.grid_kind != GridKind.REAL:
            continue
        centre = shape(grid.boundary).centroid
        found = locate_grid(actor=system_actor(), lat=centre.y, lng=centre.x)
        assert found is not None
        assert found.pk == grid.pk

    first = min(
        (g for g in _township_grids() if g.grid_kind == GridKind.REAL), key=lambda g: g.code
    )
    centre = shape(first.boundary).centroid
    assert locate_grid(actor=worker, lat=centre.y, lng=centre.x) == first
    # The other township's center staff sees nothing of 横街镇.
    assert locate_grid(actor=center2, lat=centre.y, lng=centre.x) is None
    assert (
        not Area.objects.for_user(center2, "areas.view")
        .filter(code__startswith=demo.TOWNSHIP_CODE)
        .exists()
    )


@pytest.mark.django_db
def test_weak_password_is_refused_and_nothing_written() -> None:
    before = _row_counts()
    with pytest.raises(Invalid):
        demo.seed_demo(password="12345", **SMALL)
    with pytest.raises(CommandError):
        call_command("seed_demo", "--password", "password", stdout=StringIO())
    after = _row_counts()
    assert after == before


@pytest.mark.django_db
def test_custom_password_is_used() -> None:
    demo.seed_demo(password="Another#Demo-77", **SMALL)
    assert User.objects.get(username="leader").check_password("Another#Demo-77")
    assert User.objects.get(username="worker").check_password("Another#Demo-77")


# --- accounts.services.create_user_with_encoded_password (used by the seed) ---------------------


@pytest.mark.django_db
def test_encoded_password_users_only_by_the_system_with_a_known_hash() -> None:
    from django.contrib.auth.hashers import make_password

    demo.seed_demo(**SMALL)
    admin = User.objects.get(username="admin")  # a district admin, not the system
    encoded = make_password("Gridgov#Test-1")
    with pytest.raises(NotPermitted):
        account_services.create_user_with_encoded_password(
            actor=admin, username="x1", full_name="某某", encoded_password=encoded
        )
    with pytest.raises(Invalid):
        account_services.create_user_with_encoded_password(
            actor=system_actor(), username="x1", full_name="某某", encoded_password="plain"
        )
    with pytest.raises(Invalid):
        account_services.create_user_with_encoded_password(
            actor=system_actor(), username="ADMIN", full_name="某某", encoded_password=encoded
        )
    user = account_services.create_user_with_encoded_password(
        actor=system_actor(), username="x1", full_name="某某", encoded_password=encoded
    )
    assert user.check_password("Gridgov#Test-1")
    assert LogEntry.objects.get_for_object(user).get().actor == system_actor()
