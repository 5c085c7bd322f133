"""Jurisdiction scoping (core/scoping.py), unit by unit: paths, the one filter, failing closed.

The generated page/API matrix lives in test_jurisdiction_matrix.py; this file tests the parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.accounts import services as accounts
from gridgov.accounts.models import Department, Membership, User
from gridgov.accounts.roles import Role
from gridgov.areas import services as areas
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.errors import NotFound, NotPermitted
from gridgov.core.models import AccessEntry
from gridgov.core.scoping import (
    HardDeleteForbidden,
    Jurisdiction,
    ScopeError,
    forget_jurisdiction,
    get_for_user_or_404,
    is_unscoped,
    jurisdiction,
    minimal_paths,
    path_prefix_q,
    require,
    unscoped,
)
from gridgov.core.testing.personas import PASSWORD, World

SCOPED_MODELS = [Area, GridAssignment, Membership, Department, AccessEntry]

# Same examples on every run (CI and local); failures still shrink.
DETERMINISTIC = settings(derandomize=True, deadline=None)


def fresh(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def visible_codes(user: Any, action: str = "areas.view") -> set[str]:
    return set(Area.objects.for_user(user, action).values_list("code", flat=True))


def all_codes() -> set[str]:
    with unscoped("test: every area"):
        return set(Area.objects.values_list("code", flat=True))


# --- minimal_paths (pure) -------------------------------------------------------------------------


def test_minimal_paths_drops_paths_under_others() -> None:
    paths = ["330203/101/201/", "330203/101/", "330203/102/201/001/", "330203/101/", "330203/1/"]
    assert minimal_paths(paths) == ("330203/1/", "330203/101/", "330203/102/201/001/")


def test_minimal_paths_segment_prefix_is_not_a_parent() -> None:
    # "330203/10/" is a string prefix of nothing here: paths compare by whole segments
    assert minimal_paths(["330203/10/", "330203/101/"]) == ("330203/10/", "330203/101/")


def test_minimal_paths_empty() -> None:
    assert minimal_paths([]) == ()


segments = st.lists(st.sampled_from(["1", "10", "101", "2", "201"]), min_size=1, max_size=4)
paths = segments.map(lambda s: "/".join(s) + "/")


@DETERMINISTIC
@given(st.lists(paths, max_size=12))
def test_minimal_paths_keeps_coverage_and_drops_redundancy(given_paths: list[str]) -> None:
    kept = minimal_paths(given_paths)
    # sorted, unique, a subset of the input
    assert list(kept) == sorted(set(kept))
    assert set(kept) <= set(given_paths)
    # no kept path lies under another kept path
    assert not any(a != b and b.startswith(a) for a in kept for b in kept)
    # every input path is still covered by a kept one
    assert all(any(p.startswith(k) for k in kept) for p in given_paths)
    # idempotent
    assert minimal_paths(kept) == kept


# --- path_prefix_q (pure) -------------------------------------------------------------------------


def test_path_prefix_q_sqlite_is_a_range() -> None:
    q = path_prefix_q("area_path", ["330203/101/"], "sqlite")
    assert q == Q(area_path__gte="330203/101/", area_path__lt="330203/101/~")


def test_path_prefix_q_postgresql_is_a_range_too() -> None:
    q = path_prefix_q("path", ["330203/101/", "330203/102/"], "postgresql")
    assert q == Q(path__gte="330203/101/", path__lt="330203/101/~") | Q(
        path__gte="330203/102/", path__lt="330203/102/~"
    )


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_path_prefix_q_no_paths_is_empty(vendor: str) -> None:
    assert not path_prefix_q("path", [], vendor)


# --- Jurisdiction.allows (pure) -------------------------------------------------------------------


def test_jurisdiction_allows_under_granted_paths_only() -> None:
    reach = Jurisdiction(grants={"areas.view": ("330203/101/",)})
    assert reach.allows("areas.view", "330203/101/")
    assert reach.allows("areas.view", "330203/101/201/001/")
    assert not reach.allows("areas.view", "330203/")
    assert not reach.allows("areas.view", "330203/102/")
    assert not reach.allows("areas.view", "330203/1010/")
    assert not reach.allows("areas.manage", "330203/101/")
    assert reach.allows_anywhere("areas.view")
    assert not reach.allows_anywhere("areas.manage")
    assert reach.actions == frozenset({"areas.view"})


@pytest.mark.parametrize("path", [None, ""])
def test_jurisdiction_allows_no_path_only_for_global(path: str | None) -> None:
    assert not Jurisdiction(grants={"areas.view": ("330203/",)}).allows("areas.view", path)
    assert Jurisdiction(is_global=True).allows("areas.view", path)


def test_jurisdiction_global_allows_everything() -> None:
    reach = Jurisdiction(is_global=True)
    assert reach.paths_for("anything.at_all") is None
    assert reach.allows("anything.at_all", "999999/")
    assert reach.allows_anywhere("anything.at_all")


def test_jurisdiction_empty_allows_nothing() -> None:
    reach = Jurisdiction()
    assert reach.paths_for("areas.view") == ()
    assert not reach.allows("areas.view", "330203/")
    assert not reach.allows_anywhere("areas.view")


@DETERMINISTIC
@given(st.lists(paths, max_size=5), paths)
def test_jurisdiction_allows_matches_minimal_paths(granted: list[str], path: str) -> None:
    full = Jurisdiction(grants={"a.b": tuple(granted)})
    minimal = Jurisdiction(grants={"a.b": minimal_paths(granted)})
    assert full.allows("a.b", path) == minimal.allows("a.b", path)
    assert full.allows("a.b", path) == any(path.startswith(g) for g in granted)


# --- unscoped and require (pure) ------------------------------------------------------------------


def test_unscoped_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"), unscoped(""):
        pass


def test_unscoped_nests_and_resets() -> None:
    assert not is_unscoped()
    with unscoped("outer"):
        with unscoped("inner"):
            assert is_unscoped()
        assert is_unscoped()
    assert not is_unscoped()


def test_unscoped_resets_after_error() -> None:
    with pytest.raises(RuntimeError), unscoped("test"):
        raise RuntimeError
    assert not is_unscoped()


def test_require_needs_full_action_code() -> None:
    with pytest.raises(ValueError, match="full action code"):
        require(AnonymousUser(), "view", "330203/")


# --- Failing closed -------------------------------------------------------------------------------

UNSCOPED_READS: dict[str, Callable[[Any], Any]] = {
    "list": list,
    "len": len,
    "bool": bool,
    "index": lambda qs: qs[0],
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "first": lambda qs: qs.first(),
    "get": lambda qs: qs.get(pk=1),
    "iterator": lambda qs: qs.iterator(),
    "aggregate": lambda qs: qs.aggregate(n=Count("pk")),
    "values_list": lambda qs: list(qs.values_list("pk", flat=True)),
    "filter then count": lambda qs: qs.filter(pk__gt=0).count(),
    "in_bulk": lambda qs: qs.in_bulk([1]),
    "update": lambda qs: qs.update(pk=0),
    "explain": lambda qs: qs.explain(),
}


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("op", UNSCOPED_READS, ids=str)
def test_scoped_queryset_unscoped_use_raises_scope_error(model: Any, op: str) -> None:
    # given a plain manager queryset, neither for_user nor inside unscoped() (no database
    # access is allowed in this test: the refusal must come before any query)
    qs = model.objects.all()
    # when / then it refuses to touch the database
    with pytest.raises(ScopeError, match="for_user"):
        UNSCOPED_READS[op](qs)


def test_scoped_queryset_contains_raises_scope_error(world: World) -> None:
    with pytest.raises(ScopeError):
        Area.objects.filter(level="grid").contains(world.grid_a1)


def test_scoped_queryset_update_raises_and_changes_nothing(world: World) -> None:
    with pytest.raises(ScopeError):
        Area.objects.filter(pk=world.grid_a1.pk).update(name="改名")
    assert fresh(world.grid_a1).name == "甲村第一网格"


def test_scoped_queryset_reverse_relation_raises_scope_error(world: World) -> None:
    with pytest.raises(ScopeError):
        list(world.township_a.children.all())


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "make_qs",
    [
        pytest.param(lambda m, u: m.objects.all(), id="plain"),
        pytest.param(lambda m, u: m.objects.for_user(u, "areas.view"), id="for_user"),
    ],
)
def test_scoped_queryset_delete_forbidden(
    world: World, model: Any, make_qs: Callable[[Any, Any], Any]
) -> None:
    with unscoped("test: count"):
        before = model.objects.count()
    with pytest.raises(HardDeleteForbidden), unscoped("test: even unscoped"):
        make_qs(model, world.system).delete()
    with unscoped("test: count"):
        assert model.objects.count() == before


@pytest.mark.parametrize(
    "target", ["grid_a1", "township_a", "police_a", "membership", "assignment"]
)
def test_model_instance_delete_forbidden(world: World, target: str) -> None:
    if target == "membership":
        obj = Membership._base_manager.get(user=world.admin)
    elif target == "assignment":
        obj = GridAssignment._base_manager.get(user=world.worker_a1)
    else:
        obj = getattr(world, target)
    with pytest.raises(HardDeleteForbidden):
        obj.delete()
    assert type(obj)._base_manager.filter(pk=obj.pk).exists()


def test_unscoped_allows_reads_and_only_inside_the_block(world: World) -> None:
    with unscoped("test: all areas"):
        assert Area.objects.count() == 10
        assert Area.objects.filter(level="grid").exists()
        qs = Area.objects.all()
        assert len(list(qs.iterator())) == 10
    with pytest.raises(ScopeError):
        Area.objects.all().count()


def test_unscoped_queryset_built_inside_still_fails_outside(world: World) -> None:
    # the permission belongs to the block, not to the queryset made in it
    with unscoped("test"):
        qs = Area.objects.filter(level="grid")
    with pytest.raises(ScopeError):
        list(qs)


def test_scoped_queryset_evaluated_cache_reused_without_check(world: World) -> None:
    with unscoped("test"):
        qs = Area.objects.filter(level="grid")
        assert len(qs) == 4
    assert len(list(qs)) == 4  # the cached result, no new query


# --- for_user -------------------------------------------------------------------------------------


def test_for_user_anonymous_or_none_sees_nothing(world: World) -> None:
    for nobody in (AnonymousUser(), None):
        assert Area.objects.for_user(nobody, "areas.view").count() == 0
        assert list(GridAssignment.objects.for_user(nobody, "areas.view")) == []


def test_for_user_inactive_user_sees_nothing(world: World) -> None:
    accounts.set_user_active(world.center_a, actor=world.admin, active=False)
    center = fresh(world.center_a)
    assert Area.objects.for_user(center, "areas.view").count() == 0
    assert jurisdiction(center) == Jurisdiction()


def test_for_user_inactive_superuser_sees_nothing(world: World) -> None:
    root = User(username="root2", full_name="根", is_superuser=True, is_active=False)
    assert Area.objects.for_user(root, "areas.view").count() == 0


def test_for_user_superuser_sees_all(world: World) -> None:
    system = fresh(world.system)
    assert jurisdiction(system).is_global
    assert visible_codes(system) == all_codes()
    assert visible_codes(system, "anything.else") == all_codes()


def test_for_user_center_staff_sees_own_township_subtree(world: World) -> None:
    assert visible_codes(world.center_a) == {
        "330203101",
        "330203101201",
        "330203101202",
        "330203101201001",
        "330203101201901",
        "330203101202001",
    }
    assert visible_codes(world.center_b) == {"330203102", "330203102201", "330203102201001"}


def test_for_user_grid_worker_sees_own_grid_only(world: World) -> None:
    assert visible_codes(world.worker_a1) == {"330203101201001"}


def test_for_user_action_not_granted_sees_nothing(world: World) -> None:
    assert Area.objects.for_user(world.center_a, "areas.manage").count() == 0
    assert visible_codes(world.admin, "areas.manage") == all_codes()


def test_for_user_bare_action_gets_app_label(world: World) -> None:
    assert visible_codes(world.center_a, "view") == visible_codes(world.center_a, "areas.view")
    # accounts.view is granted to centre staff, so memberships follow the same path rule
    memberships = Membership.objects.for_user(world.center_a, "view")
    assert memberships.exists()
    assert all(m.area_path.startswith(world.township_a.path) for m in memberships)


def test_for_user_survives_chaining(world: World) -> None:
    qs = Area.objects.for_user(world.center_a, "areas.view").filter(level="grid").order_by("-code")
    assert [a.code for a in qs.exclude(code__endswith="901")] == [
        "330203101202001",
        "330203101201001",
    ]
    assert qs.count() == 3


def test_for_user_grants_of_two_memberships_combine(world: World) -> None:
    # given centre staff of A also made village officer of B1
    accounts.grant_membership(
        world.center_a, actor=world.admin, role=Role.VILLAGE_OFFICER, area=world.village_b1
    )
    center = fresh(world.center_a)
    # then both subtrees are visible, nothing else
    assert "330203102201001" in visible_codes(center)
    assert "330203102" not in visible_codes(center)
    # and only the centre-staff actions extend to B1's part where granted
    assert not jurisdiction(center).allows("areas.assign", world.grid_b1.path)


def test_for_user_expired_membership_grants_nothing(world: World) -> None:
    person = accounts.create_user(
        actor=world.admin, username="temp", full_name="临时", password=PASSWORD
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    accounts.grant_membership(
        person,
        actor=world.admin,
        role=Role.LEADER,
        area=world.township_a,
        valid_from=yesterday - dt.timedelta(days=10),
        valid_until=yesterday,
    )
    assert visible_codes(fresh(person)) == set()


def test_for_user_future_membership_grants_nothing_yet(world: World) -> None:
    person = accounts.create_user(
        actor=world.admin, username="temp", full_name="临时", password=PASSWORD
    )
    accounts.grant_membership(
        person,
        actor=world.admin,
        role=Role.LEADER,
        area=world.township_a,
        valid_from=timezone.localdate() + dt.timedelta(days=1),
    )
    assert visible_codes(fresh(person)) == set()


def test_for_user_membership_on_retired_area_grants_nothing(world: World) -> None:
    # given a worker on the virtual grid, which is then retired after the assignment ends
    person = accounts.create_user(
        actor=world.admin, username="temp", full_name="临时", password=PASSWORD
    )
    accounts.grant_membership(
        person, actor=world.admin, role=Role.GRID_WORKER, area=world.grid_a1_virtual
    )
    assert visible_codes(fresh(person)) == {"330203101201901"}
    membership = Membership._base_manager.get(user=person)
    # when the grid is retired under the membership (retire_area itself refuses while it is
    # current, so the state is set directly)
    Area._base_manager.filter(pk=world.grid_a1_virtual.pk).update(status="retired")
    # then the membership, still open, grants nothing
    assert membership.ended_at is None
    assert visible_codes(fresh(person)) == set()


# --- The cache on the user object -----------------------------------------------------------------


def test_jurisdiction_cached_per_user_object(world: World) -> None:
    # given a user object whose jurisdiction was computed
    officer = fresh(world.officer_a1)
    first = jurisdiction(officer)
    assert jurisdiction(officer) is first
    # when a membership changes through another instance
    membership = Membership._base_manager.get(user=officer)
    accounts.end_membership(membership, actor=world.admin, version=membership.version)
    # then this object keeps its cached jurisdiction until told to forget
    assert jurisdiction(officer) is first
    forget_jurisdiction(officer)
    assert not jurisdiction(officer).actions
    # and a fresh instance sees the change at once
    assert not jurisdiction(fresh(world.officer_a1)).actions


def test_forget_jurisdiction_without_cache_is_harmless(world: World) -> None:
    forget_jurisdiction(fresh(world.admin))
    forget_jurisdiction(AnonymousUser())


# --- get_for_user_or_404 and require --------------------------------------------------------------


def test_get_for_user_or_404_returns_visible_row(world: World) -> None:
    assert (
        get_for_user_or_404(Area, world.center_a, "areas.view", pk=world.grid_a1.pk)
        == world.grid_a1
    )


@pytest.mark.parametrize("lookup", [{"pk": 999_999}, {"pk": "not-a-number"}, {"code": "330203102"}])
def test_get_for_user_or_404_invisible_or_missing_is_not_found(
    world: World, lookup: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        get_for_user_or_404(Area, world.center_a, "areas.view", **lookup)


def test_require_passes_inside_and_refuses_outside(world: World) -> None:
    require(world.center_a, "areas.assign", world.grid_a1.path)
    with pytest.raises(NotPermitted):
        require(world.center_a, "areas.assign", world.grid_b1.path)
    with pytest.raises(NotPermitted):
        require(world.center_a, "areas.manage", world.grid_a1.path)
    with pytest.raises(NotPermitted):
        require(world.center_a, "areas.view", None)
    require(world.system, "areas.manage", None)


def test_jurisdiction_follows_area_move(world: World) -> None:
    # given village A2 moves to township B
    village = fresh(world.village_a2)
    areas.move_area(
        village, actor=world.admin, version=village.version, new_parent=world.township_b
    )
    # then B's centre staff see it and A's no longer do
    assert "330203102202001" in visible_codes(fresh(world.center_b))
    assert not any(c.startswith("330203101202") for c in visible_codes(fresh(world.center_a)))
    assert visible_codes(fresh(world.worker_a2)) == {"330203102202001"}
