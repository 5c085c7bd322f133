"""The area services (areas/services.py): every function's happy path, refusals and audit rows.

Built on the `world` fixture (core/testing/personas.py). Each refusal also checks that nothing was
written: no row, no audit entry, no changed field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.accounts import services as accounts
from gridgov.accounts.models import Membership, User
from gridgov.accounts.roles import Role
from gridgov.areas import services
from gridgov.areas.choices import Duty, GridKind, Level, Post, Status
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import jurisdiction
from gridgov.core.testing.helpers import (
    CJK,
    assert_audited,
    assert_chinese,
    fresh,
    make_user,
    snapshot,
)
from gridgov.core.testing.personas import World, square

# Inside grid_a1 (square at 121.40, 29.87), grid_a2 (121.41, 29.87) and grid_b1 (121.30, 29.87).
IN_A1 = {"lng": 121.405, "lat": 29.875}
IN_A2 = {"lng": 121.415, "lat": 29.875}
IN_B1 = {"lng": 121.305, "lat": 29.875}
NOWHERE = {"lng": 120.0, "lat": 30.5}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

# Same examples on every run (CI and local); failures still shrink.
DETERMINISTIC = settings(derandomize=True, deadline=None)


# --- Helpers --------------------------------------------------------------------------------------


def grant(world: World, username: str, role: str, area: Area) -> User:
    user = make_user(world, username)
    accounts.grant_membership(user, actor=world.system, role=role, area=area)
    return fresh(user)


@pytest.fixture
def admin_a(world: World) -> User:
    """An administrator of township A only."""
    return grant(world, "admin_a", Role.ADMIN, world.township_a)


@pytest.fixture
def admin_b(world: World) -> User:
    """An administrator of township B only: township A is outside their jurisdiction."""
    return grant(world, "admin_b", Role.ADMIN, world.township_b)


def actor(world: World, name: str, request: pytest.FixtureRequest) -> User:
    if name in ("admin_a", "admin_b"):
        return request.getfixturevalue(name)
    return getattr(world, name)


def assignment_of(user: User, grid: Area, post: str = Post.FULL_TIME) -> GridAssignment:
    return GridAssignment._base_manager.get(user=user, grid=grid, post=post, ended_at__isnull=True)


def membership_of(user: User, area: Area, role: str) -> Membership:
    return Membership._base_manager.get(user=user, area=area, role=role, ended_at__isnull=True)


# --- clean_boundary (no database) -----------------------------------------------------------------


def test_clean_boundary_returns_polygon() -> None:
    polygon = square(121.40, 29.87)
    assert services.clean_boundary(polygon) == polygon


def test_clean_boundary_unwraps_feature() -> None:
    polygon = square(121.40, 29.87)
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    assert services.clean_boundary(feature) == polygon


def test_clean_boundary_accepts_multipolygon() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(121.40, 29.87)["coordinates"], square(121.50, 29.87)["coordinates"]],
    }
    assert services.clean_boundary(multi) == multi


@pytest.mark.parametrize("empty", [None, "", {}])
def test_clean_boundary_empty_is_none(empty: Any) -> None:
    assert services.clean_boundary(empty) is None


@pytest.mark.parametrize(
    "boundary",
    [
        pytest.param(BOWTIE, id="self-intersecting bowtie"),
        pytest.param({"type": "Point", "coordinates": [121.4, 29.87]}, id="point"),
        pytest.param({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, id="line"),
        pytest.param(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}},
            id="feature of a point",
        ),
        pytest.param({"type": "Feature", "geometry": None}, id="feature without geometry"),
        pytest.param(
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [29.87, 121.40],
                        [29.88, 121.40],
                        [29.88, 121.41],
                        [29.87, 121.41],
                        [29.87, 121.40],
                    ]
                ],
            },
            id="lat/lng swapped",
        ),
        pytest.param(square(200.0, 10.0), id="longitude beyond 180"),
        pytest.param({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, id="too few points"),
        pytest.param({"type": "Polygon", "coordinates": "abc"}, id="coordinates not a list"),
        pytest.param({"type": "Polygon"}, id="no coordinates"),
        pytest.param({"type": "Polygon", "coordinates": []}, id="empty"),
        pytest.param("POLYGON((0 0, 1 0, 1 1, 0 0))", id="WKT text"),
        pytest.param([[0, 0], [1, 0], [1, 1]], id="bare list"),
    ],
)
def test_clean_boundary_invalid_refused(boundary: Any) -> None:
    with pytest.raises(Invalid) as exc:
        services.clean_boundary(boundary)
    assert exc.value.field == "boundary"
    assert_chinese(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(
            st.sampled_from(["type", "coordinates", "geometry", "x"]), children, max_size=4
        )
    ),
    max_leaves=30,
)
polygonish = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Polygon", "MultiPolygon", "Feature", "Point"]),
        "coordinates": json_values,
        "geometry": json_values,
    }
)


@DETERMINISTIC
@given(st.one_of(json_values, polygonish))
def test_clean_boundary_only_ever_raises_invalid(boundary: Any) -> None:
    try:
        result = services.clean_boundary(boundary)
    except Invalid as exc:
        message = exc.message
    else:
        assert result is None or result["type"] in ("Polygon", "MultiPolygon")
        return
    assert CJK.search(message)


# --- create_area ----------------------------------------------------------------------------------


def test_create_area_adds_village_under_township(world: World) -> None:
    # when
    village = services.create_area(
        actor=world.admin, parent=world.township_a, code="330203101203", name="丁村"
    )
    # then
    village = fresh(village)
    assert village.level == Level.VILLAGE
    assert village.parent_id == world.township_a.pk
    assert village.path == "330203/101/203/"
    assert village.status == Status.ACTIVE
    assert_audited(village, "areas.area.created", world.admin)


def test_create_area_names_division_by_code(world: World) -> None:
    township = services.create_area(actor=world.admin, parent=world.district, code="330203103")
    assert township.name == "古林镇"
    assert township.level == Level.TOWNSHIP


def test_create_area_grid_keeps_boundary_and_bounding_box(world: World) -> None:
    grid = services.create_area(
        actor=world.admin,
        parent=world.village_a2,
        code="330203101202002",
        name="乙村第二网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.42, 29.87),
        households=12,
    )
    grid = fresh(grid)
    assert grid.boundary == square(121.42, 29.87)
    assert (grid.min_lng, grid.min_lat) == pytest.approx((121.42, 29.87))
    assert (grid.max_lng, grid.max_lat) == pytest.approx((121.43, 29.88))
    assert grid.households == 12


@pytest.mark.parametrize("who", ["center_a", "worker_a1", "leader_a", "officer_a1", "admin_b"])
def test_create_area_forbidden_actor_refused(
    world: World, who: str, request: pytest.FixtureRequest
) -> None:
    # given
    someone = actor(world, who, request)
    before = snapshot()
    # when / then
    with pytest.raises(NotPermitted):
        services.create_area(
            actor=someone, parent=world.township_a, code="330203101203", name="丁村"
        )
    assert snapshot() == before


def test_create_area_top_level_needs_installation_admin(world: World) -> None:
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.create_area(actor=world.admin, parent=None, code="330205", level="county")
    assert snapshot() == before


def test_create_area_top_level_by_system(world: World) -> None:
    county = services.create_area(actor=world.system, parent=None, code="330205", level="county")
    assert county.path == "330205/"
    assert county.name == "江北区"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("330203101abc", id="non-digit"),
        pytest.param("33020310120", id="too short"),
        pytest.param("3302031012031", id="too long"),
        pytest.param("330203102203", id="other township's prefix"),
        pytest.param("330203101000", id="000 suffix"),
        pytest.param("", id="empty"),
    ],
)
def test_create_area_code_not_fitting_refused(world: World, code: str) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(actor=world.admin, parent=world.township_a, code=code, name="丁村")
    assert "code" in exc.value.errors
    assert_chinese(exc)
    assert snapshot() == before


@pytest.mark.parametrize("digits", ["000", "600", "999"])
def test_create_area_township_digits_outside_range_refused(world: World, digits: str) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(
            actor=world.admin, parent=world.district, code=f"330203{digits}", name="某镇"
        )
    assert_chinese(exc)
    assert snapshot() == before


def test_create_area_duplicate_code_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid, match="已被使用") as exc:
        services.create_area(
            actor=world.admin, parent=world.township_a, code="330203101201", name="重复村"
        )
    assert exc.value.field == "code"
    assert snapshot() == before


def test_create_area_level_not_fitting_parent_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(
            actor=world.admin,
            parent=world.township_a,
            code="330203101201002",
            name="越级网格",
            level=Level.GRID,
            grid_kind=GridKind.REAL,
        )
    assert_chinese(exc)
    assert snapshot() == before


def test_create_area_under_grid_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid, match="网格之下"):
        services.create_area(
            actor=world.admin, parent=world.grid_a1, code="330203101201001001", name="子网格"
        )
    assert snapshot() == before


def test_create_area_under_retired_parent_refused(world: World) -> None:
    # given a retired, empty village
    village = services.create_area(
        actor=world.admin, parent=world.township_a, code="330203101203", name="丁村"
    )
    services.retire_area(village, actor=world.admin, version=village.version, reason="撤村并居")
    before = snapshot()
    # when / then
    with pytest.raises(Invalid, match="已撤销"):
        services.create_area(
            actor=world.admin,
            parent=fresh(village),
            code="330203101203001",
            name="网格",
            grid_kind=GridKind.REAL,
        )
    assert snapshot() == before


def test_create_area_grid_without_kind_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(
            actor=world.admin, parent=world.village_a2, code="330203101202002", name="网格"
        )
    assert exc.value.field == "grid_kind"
    assert snapshot() == before


def test_create_area_grid_with_invalid_boundary_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(
            actor=world.admin,
            parent=world.village_a2,
            code="330203101202002",
            name="网格",
            grid_kind=GridKind.REAL,
            boundary=BOWTIE,
        )
    assert exc.value.field == "boundary"
    assert snapshot() == before


def test_create_area_unknown_code_without_name_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_area(actor=world.admin, parent=world.district, code="330203199")
    assert exc.value.field == "name"
    assert snapshot() == before


# --- create_areas_from_divisions ------------------------------------------------------------------


def test_create_areas_from_divisions_creates_named_townships(world: World) -> None:
    created = services.create_areas_from_divisions(
        actor=world.admin, parent=world.district, division_codes=["330203001", "330203002"]
    )
    assert [(a.code, a.name, a.level) for a in created] == [
        ("330203001", "南门街道", Level.TOWNSHIP),
        ("330203002", "江厦街道", Level.TOWNSHIP),
    ]
    assert [a.path for a in created] == ["330203/001/", "330203/002/"]
    for area in created:
        assert_audited(area, "areas.area.created", world.admin)


@pytest.mark.parametrize(
    "division_codes",
    [
        pytest.param(["330203001", "330204001"], id="another county's township"),
        pytest.param(["330203001", "330203101201"], id="not a national division"),
        pytest.param(["330203001", "330203101"], id="already created"),
    ],
)
def test_create_areas_from_divisions_any_bad_code_writes_nothing(
    world: World, division_codes: list[str]
) -> None:
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.create_areas_from_divisions(
            actor=world.admin, parent=world.district, division_codes=division_codes
        )
    assert_chinese(exc)
    assert snapshot() == before


def test_create_areas_from_divisions_forbidden_actor_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.create_areas_from_divisions(
            actor=world.center_a, parent=world.district, division_codes=["330203001"]
        )
    assert snapshot() == before


# --- update_area ----------------------------------------------------------------------------------


def test_update_area_changes_grid_fields(world: World) -> None:
    # given
    grid = fresh(world.grid_a1)
    # when
    updated = services.update_area(
        grid,
        actor=world.admin,
        version=grid.version,
        name="甲村一号网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.40, 29.87, size=0.02),
        households=400,
        note="扩大",
    )
    # then
    updated = fresh(updated)
    assert updated.name == "甲村一号网格"
    assert updated.households == 400
    assert updated.version == grid.version + 1
    assert updated.max_lng == pytest.approx(121.42)
    entry = assert_audited(updated, "areas.area.updated", world.admin)
    assert entry.changes_dict["name"] == ["甲村第一网格", "甲村一号网格"]


def test_update_area_stale_version_conflict(world: World) -> None:
    grid = fresh(world.grid_a1)
    before = snapshot()
    with pytest.raises(Conflict):
        services.update_area(grid, actor=world.admin, version=grid.version - 1, name="改名")
    assert snapshot() == before
    assert fresh(grid).name == "甲村第一网格"


@pytest.mark.parametrize("who", ["center_a", "worker_a1", "admin_b"])
def test_update_area_forbidden_actor_refused(
    world: World, who: str, request: pytest.FixtureRequest
) -> None:
    someone = actor(world, who, request)
    grid = fresh(world.grid_a1)
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.update_area(grid, actor=someone, version=grid.version, name="改名")
    assert snapshot() == before
    assert fresh(grid).name == "甲村第一网格"


def test_update_area_empty_name_refused(world: World) -> None:
    village = fresh(world.village_a1)
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.update_area(village, actor=world.admin, version=village.version, name="  ")
    assert exc.value.field == "name"
    assert snapshot() == before


def test_update_area_invalid_boundary_changes_nothing(world: World) -> None:
    grid = fresh(world.grid_a1)
    before = snapshot()
    with pytest.raises(Invalid):
        services.update_area(
            grid, actor=world.admin, version=grid.version, name="改名", boundary=BOWTIE
        )
    assert snapshot() == before
    after = fresh(grid)
    assert (after.name, after.boundary, after.version) == (grid.name, grid.boundary, grid.version)


def test_update_area_retired_refused(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    services.retire_area(grid, actor=world.admin, version=grid.version, reason="企业迁出")
    grid = fresh(grid)
    before = snapshot()
    with pytest.raises(InvalidTransition):
        services.update_area(grid, actor=world.admin, version=grid.version, name="改名")
    assert snapshot() == before


# --- move_area ------------------------------------------------------------------------------------


def test_move_area_village_to_other_township_renumbers_and_rewrites_paths(world: World) -> None:
    # given village A2 with its grid, a worker assigned there and a village officer
    village = fresh(world.village_a2)
    assignment = assignment_of(world.worker_a2, world.grid_a2)
    officer = membership_of(world.officer_a2, world.village_a2, Role.VILLAGE_OFFICER)
    worker = membership_of(world.worker_a2, world.grid_a2, Role.GRID_WORKER)
    # when it moves to township B
    moved = services.move_area(
        village, actor=world.admin, version=village.version, new_parent=world.township_b
    )
    # then codes and paths follow the new parent
    assert (moved.code, moved.path, moved.parent_id) == (
        "330203102202",
        "330203/102/202/",
        world.township_b.pk,
    )
    assert moved.version == village.version + 1
    grid = fresh(world.grid_a2)
    assert (grid.code, grid.path) == ("330203102202001", "330203/102/202/001/")
    # and so do the records below it
    assert fresh(assignment).area_path == "330203/102/202/001/"
    assert fresh(worker).area_path == "330203/102/202/001/"
    assert fresh(officer).area_path == "330203/102/202/"
    # and so does everyone's jurisdiction
    assert jurisdiction(fresh(world.officer_a2)).allows("areas.view", grid.path)
    assert jurisdiction(fresh(world.center_b)).allows("areas.assign", grid.path)
    assert not jurisdiction(fresh(world.center_a)).allows("areas.view", grid.path)
    # and each renumbered area has a "moved" audit entry by the admin
    for area in (moved, grid):
        entry = assert_audited(area, "areas.area.moved", world.admin)
        assert "code" in entry.changes_dict


def test_move_area_township_to_other_county_rewrites_department_paths(world: World) -> None:
    # given a second county and township A with its departments and a department handler
    county = services.create_area(actor=world.system, parent=None, code="330205", level="county")
    township = fresh(world.township_a)
    handler = membership_of(world.handler_a, world.township_a, Role.DEPARTMENT_HANDLER)
    # when township A moves there
    moved = services.move_area(
        township, actor=world.system, version=township.version, new_parent=county
    )
    # then the whole subtree is renumbered
    assert moved.code == "330205101"
    assert fresh(world.grid_a1).code == "330205101201001"
    assert fresh(world.grid_a1_virtual).path == "330205/101/201/901/"
    for department in (world.center_dept_a, world.police_a):
        assert fresh(department).area_path == "330205/101/"
    assert fresh(handler).area_path == "330205/101/"
    # and township B stays where it was
    assert fresh(world.township_b).path == "330203/102/"
    assert fresh(world.grid_b1).code == "330203102201001"


def test_move_area_with_new_code_when_own_digits_taken(world: World) -> None:
    # given village A1's digits (201) are taken in township B by 丙村
    village = fresh(world.village_a1)
    before = snapshot()
    with pytest.raises(Invalid, match="已被使用"):
        services.move_area(
            village, actor=world.admin, version=village.version, new_parent=world.township_b
        )
    assert snapshot() == before
    # when a free code is given
    moved = services.move_area(
        village,
        actor=world.admin,
        version=village.version,
        new_parent=world.township_b,
        new_code="330203102205",
    )
    # then
    assert moved.path == "330203/102/205/"
    assert fresh(world.grid_a1_virtual).code == "330203102205901"


@pytest.mark.parametrize("target", ["village_a1", "grid_a1"])
def test_move_area_under_itself_or_descendant_refused(world: World, target: str) -> None:
    # given
    village = fresh(world.village_a1)
    before = snapshot()
    # when / then
    with pytest.raises(Invalid, match="自身或它的下级") as exc:
        services.move_area(
            village, actor=world.admin, version=village.version, new_parent=getattr(world, target)
        )
    assert exc.value.field == "parent"
    assert snapshot() == before
    after = fresh(village)
    assert (after.code, after.path, after.parent_id, after.version) == (
        village.code,
        village.path,
        village.parent_id,
        village.version,
    )


def test_move_area_township_under_own_village_refused(world: World) -> None:
    township = fresh(world.township_a)
    before = snapshot()
    with pytest.raises(Invalid):
        services.move_area(
            township, actor=world.admin, version=township.version, new_parent=world.village_a1
        )
    assert snapshot() == before
    assert fresh(township).path == "330203/101/"


@pytest.mark.parametrize(
    ("new_parent", "new_code"),
    [
        pytest.param("district", None, id="parent of the wrong level"),
        pytest.param("township_a", None, id="same parent"),
        pytest.param("township_b", "330203101209", id="code of the old township"),
        pytest.param("township_b", "330203102000", id="000 suffix"),
        pytest.param("township_b", "330203102201", id="taken code"),
        pytest.param("township_b", "33020310220", id="too short"),
    ],
)
def test_move_area_bad_target_refused(world: World, new_parent: str, new_code: str | None) -> None:
    village = fresh(world.village_a2)
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.move_area(
            village,
            actor=world.admin,
            version=village.version,
            new_parent=getattr(world, new_parent),
            new_code=new_code,
        )
    assert_chinese(exc)
    assert snapshot() == before
    assert fresh(world.grid_a2).code == "330203101202001"


@pytest.mark.parametrize("who", ["center_a", "center_b", "admin_a", "admin_b"])
def test_move_area_forbidden_actor_refused(
    world: World, who: str, request: pytest.FixtureRequest
) -> None:
    # given someone without areas.manage on both the area and its new parent
    someone = actor(world, who, request)
    village = fresh(world.village_a2)
    before = snapshot()
    # when / then
    with pytest.raises(NotPermitted):
        services.move_area(
            village, actor=someone, version=village.version, new_parent=world.township_b
        )
    assert snapshot() == before


def test_move_area_stale_version_conflict(world: World) -> None:
    village = fresh(world.village_a2)
    before = snapshot()
    with pytest.raises(Conflict):
        services.move_area(
            village, actor=world.admin, version=village.version + 1, new_parent=world.township_b
        )
    assert snapshot() == before


def test_move_area_top_level_refused(world: World) -> None:
    district = fresh(world.district)
    with pytest.raises(Invalid):
        services.move_area(
            district, actor=world.system, version=district.version, new_parent=world.township_b
        )


def test_move_area_retired_refused(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    services.retire_area(grid, actor=world.admin, version=grid.version, reason="企业迁出")
    grid = fresh(grid)
    before = snapshot()
    with pytest.raises(InvalidTransition):
        services.move_area(
            grid, actor=world.admin, version=grid.version, new_parent=world.village_a2
        )
    assert snapshot() == before


# --- retire_area and records_held -----------------------------------------------------------------


def test_retire_area_empty_village(world: World) -> None:
    # given
    village = services.create_area(
        actor=world.admin, parent=world.township_a, code="330203101203", name="丁村"
    )
    # when
    retired = services.retire_area(
        village, actor=world.admin, version=village.version, reason="  撤村并居  "
    )
    # then
    retired = fresh(retired)
    assert retired.status == Status.RETIRED
    assert retired.retired_reason == "撤村并居"
    assert retired.retired_at is not None
    assert retired.version == village.version + 1
    entry = assert_audited(retired, "areas.area.retired", world.admin)
    assert entry.changes_dict["status"] == ["active", "retired"]


def test_retire_area_twice_invalid_transition(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    services.retire_area(grid, actor=world.admin, version=grid.version, reason="企业迁出")
    grid = fresh(grid)
    before = snapshot()
    with pytest.raises(InvalidTransition):
        services.retire_area(grid, actor=world.admin, version=grid.version, reason="再撤一次")
    assert snapshot() == before


def test_retire_area_stale_version_conflict(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    before = snapshot()
    with pytest.raises(Conflict):
        services.retire_area(grid, actor=world.admin, version=grid.version + 5, reason="企业迁出")
    assert snapshot() == before
    assert fresh(grid).status == Status.ACTIVE


@pytest.mark.parametrize("who", ["center_a", "worker_a1", "admin_b"])
def test_retire_area_forbidden_actor_refused(
    world: World, who: str, request: pytest.FixtureRequest
) -> None:
    someone = actor(world, who, request)
    grid = fresh(world.grid_a1_virtual)
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.retire_area(grid, actor=someone, version=grid.version, reason="企业迁出")
    assert snapshot() == before


def test_retire_area_without_reason_refused(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.retire_area(grid, actor=world.admin, version=grid.version, reason="   ")
    assert exc.value.field == "reason"
    assert snapshot() == before


def test_retire_area_top_level_refused(world: World) -> None:
    district = fresh(world.district)
    with pytest.raises(Invalid):
        services.retire_area(district, actor=world.system, version=district.version, reason="x")


def test_records_held_counts_active_children_and_records(world: World) -> None:
    assert services.records_held(world.village_a1) == {"区域": 2, "网格人员分配": 1, "任职": 2}
    assert services.records_held(world.township_a) == {
        "区域": 5,
        "网格人员分配": 2,
        "任职": 8,
        "部门": 2,
    }
    assert services.records_held(world.grid_a1_virtual) == {}


def test_retire_area_with_active_records_lists_them_then_succeeds_once_ended(
    world: World,
) -> None:
    # given village A1: two grids, worker_a1's assignment (and grid membership), officer_a1
    village = fresh(world.village_a1)
    before = snapshot()
    # when
    with pytest.raises(InvalidTransition) as exc:
        services.retire_area(village, actor=world.admin, version=village.version, reason="撤并")
    # then the refusal lists what is held, and nothing changed
    assert "区域 2 条" in exc.value.message
    assert "网格人员分配 1 条" in exc.value.message
    assert "任职 2 条" in exc.value.message
    assert snapshot() == before
    assert fresh(village).status == Status.ACTIVE

    # when everything below is ended or retired
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    services.end_grid_assignment(assignment, actor=world.admin, version=assignment.version)
    officer = membership_of(world.officer_a1, world.village_a1, Role.VILLAGE_OFFICER)
    accounts.end_membership(officer, actor=world.admin, version=officer.version)
    for grid in (world.grid_a1, world.grid_a1_virtual):
        grid = fresh(grid)
        services.retire_area(grid, actor=world.admin, version=grid.version, reason="撤并")
    # then the village retires
    assert services.records_held(village) == {}
    retired = services.retire_area(
        village, actor=world.admin, version=village.version, reason="撤并"
    )
    assert retired.status == Status.RETIRED


def test_retire_area_succeeds_once_records_moved_away(world: World) -> None:
    # given village A2: grid A2 with worker_a2, and officer_a2
    village = fresh(world.village_a2)
    with pytest.raises(InvalidTransition):
        services.retire_area(village, actor=world.admin, version=village.version, reason="撤并")
    # when grid A2 moves to village A1 (with its worker) and the officer's membership ends
    grid = fresh(world.grid_a2)
    services.move_area(
        grid,
        actor=world.admin,
        version=grid.version,
        new_parent=world.village_a1,
        new_code="330203101201002",
    )
    officer = membership_of(world.officer_a2, world.village_a2, Role.VILLAGE_OFFICER)
    accounts.end_membership(officer, actor=world.admin, version=officer.version)
    # then the village is empty and retires
    assert services.records_held(village) == {}
    retired = services.retire_area(
        village, actor=world.admin, version=village.version, reason="撤并"
    )
    assert retired.status == Status.RETIRED
    assert assignment_of(world.worker_a2, world.grid_a2).area_path == "330203/101/201/002/"


def test_retire_area_with_department_refused(world: World) -> None:
    # given a new township holding only a department
    township = services.create_area(actor=world.admin, parent=world.district, code="330203103")
    accounts.create_department(actor=world.admin, area=township, name="古林司法所", kind="justice")
    township = fresh(township)
    # when / then
    with pytest.raises(InvalidTransition, match="部门 1 条"):
        services.retire_area(township, actor=world.admin, version=township.version, reason="撤并")


def test_retire_area_with_future_assignment_refused(world: World) -> None:
    # given a new grid with an assignment starting next week
    grid = services.create_area(
        actor=world.admin,
        parent=world.village_a2,
        code="330203101202002",
        name="乙村第二网格",
        grid_kind=GridKind.VIRTUAL,
    )
    services.assign_grid_worker(
        grid,
        actor=world.center_a,
        user=world.worker_a2,
        post=Post.PART_TIME,
        start_date=timezone.localdate() + dt.timedelta(days=7),
    )
    grid = fresh(grid)
    # when / then
    with pytest.raises(InvalidTransition):
        services.retire_area(grid, actor=world.admin, version=grid.version, reason="撤并")


# --- locate_grid ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["system", "admin", "center_a", "leader_a", "worker_a1"])
def test_locate_grid_finds_grid_containing_point(world: World, who: str) -> None:
    assert services.locate_grid(actor=getattr(world, who), **IN_A1) == world.grid_a1


def test_locate_grid_on_shared_edge_finds_one_of_the_neighbours(world: World) -> None:
    found = services.locate_grid(actor=world.admin, lng=121.41, lat=29.875)
    assert found in (world.grid_a1, world.grid_a2)


def test_locate_grid_outside_every_grid_is_none(world: World) -> None:
    assert services.locate_grid(actor=world.admin, **NOWHERE) is None


@pytest.mark.parametrize(
    ("who", "point"),
    [
        ("center_a", IN_B1),
        ("center_b", IN_A1),
        ("worker_a1", IN_A2),
        ("worker_b1", IN_A1),
        ("officer_a1", IN_A2),
    ],
)
def test_locate_grid_never_returns_grid_outside_jurisdiction(
    world: World, who: str, point: dict[str, float]
) -> None:
    assert services.locate_grid(actor=getattr(world, who), **point) is None


def test_locate_grid_anonymous_finds_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert services.locate_grid(actor=AnonymousUser(), **IN_A1) is None
    assert services.locate_grid(actor=None, **IN_A1) is None


def test_locate_grid_skips_retired_grid(world: World) -> None:
    grid = services.create_area(
        actor=world.admin,
        parent=world.village_a2,
        code="330203101202002",
        name="乙村第二网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.50, 29.87),
    )
    assert services.locate_grid(actor=world.admin, lng=121.505, lat=29.875) == grid
    services.retire_area(grid, actor=world.admin, version=grid.version, reason="撤并")
    assert services.locate_grid(actor=world.admin, lng=121.505, lat=29.875) is None


def test_locate_grid_prefers_smallest_containing_grid(world: World) -> None:
    # given a small grid drawn inside grid A2
    small = services.create_area(
        actor=world.admin,
        parent=world.village_a2,
        code="330203101202002",
        name="小网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.414, 29.874, size=0.002),
    )
    assert services.locate_grid(actor=world.admin, **IN_A2) == small
    assert services.locate_grid(actor=world.admin, lng=121.411, lat=29.871) == world.grid_a2


@pytest.mark.parametrize(("lat", "lng"), [(121.405, 29.875), (-91, 0), (0, 181), (0, -180.5)])
def test_locate_grid_out_of_range_refused(world: World, lat: float, lng: float) -> None:
    with pytest.raises(Invalid) as exc:
        services.locate_grid(actor=world.admin, lat=lat, lng=lng)
    assert_chinese(exc)


def test_locate_grid_ignores_virtual_grid_with_boundary(world: World) -> None:
    # given the virtual grid of village A1 gets a small boundary inside grid A1
    virtual = fresh(world.grid_a1_virtual)
    services.update_area(
        virtual,
        actor=world.admin,
        version=virtual.version,
        name=virtual.name,
        grid_kind=GridKind.VIRTUAL,
        boundary=square(121.404, 29.874, size=0.002),
    )
    # when / then the real grid is found
    assert services.locate_grid(actor=world.admin, **IN_A1) == world.grid_a1


# --- assign_grid_worker ---------------------------------------------------------------------------


def test_assign_grid_worker_opens_grid_worker_membership(world: World) -> None:
    # given a new person with no jurisdiction
    person = make_user(world, "worker_new", "新网格员")
    assert not jurisdiction(fresh(person)).allows("areas.view", world.grid_a2.path)
    # when centre staff of township A assigns them to grid A2
    assignment = services.assign_grid_worker(
        world.grid_a2,
        actor=world.center_a,
        user=person,
        post=Post.PART_TIME,
        duties=[Duty.INFORMATION, Duty.RISK, Duty.INFORMATION],
        patch=" 3 号楼 ",
    )
    # then the assignment and a grid-worker membership exist
    assignment = fresh(assignment)
    assert assignment.area_path == world.grid_a2.path
    assert assignment.duties == [Duty.INFORMATION, Duty.RISK]
    assert assignment.patch == "3 号楼"
    assert assignment.start_date == timezone.localdate()
    membership = assignment.membership
    assert (membership.role, membership.area_id, membership.area_path) == (
        Role.GRID_WORKER,
        world.grid_a2.pk,
        world.grid_a2.path,
    )
    # and the worker's jurisdiction now includes the grid (and only it)
    reach = jurisdiction(fresh(person))
    assert reach.allows("areas.view", world.grid_a2.path)
    assert not reach.allows("areas.view", world.grid_a1.path)
    # and both rows are audited under the centre staff
    assert_audited(assignment, "areas.assignment.created", world.center_a)
    assert_audited(membership, "accounts.membership.created", world.center_a)


def test_assign_grid_worker_police_post_gets_no_membership(world: World) -> None:
    person = make_user(world, "police_new", "网格民警")
    assignment = services.assign_grid_worker(
        world.grid_a2, actor=world.admin, user=person, post=Post.POLICE
    )
    assert assignment.membership_id is None
    assert not jurisdiction(fresh(person)).allows("areas.view", world.grid_a2.path)


def test_assign_grid_worker_second_post_reuses_existing_membership(world: World) -> None:
    before = snapshot()
    assignment = services.assign_grid_worker(
        world.grid_a1, actor=world.center_a, user=world.worker_a1, post=Post.CHIEF
    )
    assert assignment.membership_id is None
    assert snapshot()["membership"] == before["membership"]


def test_assign_grid_worker_duplicate_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(Invalid, match="已在该网格担任") as exc:
        services.assign_grid_worker(
            world.grid_a1, actor=world.center_a, user=world.worker_a1, post=Post.FULL_TIME
        )
    assert exc.value.field == "user"
    assert snapshot() == before


@pytest.mark.parametrize("area", ["village_a1", "township_a", "district"])
def test_assign_grid_worker_non_grid_refused(world: World, area: str) -> None:
    person = make_user(world, "worker_new")
    before = snapshot()
    with pytest.raises(Invalid, match="只能把人员分配到网格"):
        services.assign_grid_worker(
            getattr(world, area), actor=world.admin, user=person, post=Post.FULL_TIME
        )
    assert snapshot() == before


def test_assign_grid_worker_retired_grid_refused(world: World) -> None:
    grid = fresh(world.grid_a1_virtual)
    services.retire_area(grid, actor=world.admin, version=grid.version, reason="企业迁出")
    person = make_user(world, "worker_new")
    before = snapshot()
    with pytest.raises(Invalid, match="已撤销"):
        services.assign_grid_worker(grid, actor=world.admin, user=person, post=Post.FULL_TIME)
    assert snapshot() == before


def test_assign_grid_worker_inactive_user_refused(world: World) -> None:
    person = make_user(world, "worker_new")
    accounts.set_user_active(person, actor=world.system, active=False)
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.assign_grid_worker(
            world.grid_a2, actor=world.center_a, user=fresh(person), post=Post.FULL_TIME
        )
    assert exc.value.field == "user"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"post": "boss"}, "post", id="unknown post"),
        pytest.param({"duties": ["information", "cooking"]}, "duties", id="unknown duty"),
        pytest.param(
            {"start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 4, 30)},
            "end_date",
            id="ends before it starts",
        ),
    ],
)
def test_assign_grid_worker_bad_input_refused(
    world: World, kwargs: dict[str, Any], field: str
) -> None:
    person = make_user(world, "worker_new")
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.assign_grid_worker(
            world.grid_a2, actor=world.center_a, user=person, **{"post": Post.FULL_TIME, **kwargs}
        )
    assert exc.value.field == field
    assert_chinese(exc)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "grid"),
    [
        ("center_b", "grid_a1"),
        ("center_a", "grid_b1"),
        ("worker_a1", "grid_a1"),
        ("officer_a1", "grid_a1"),
        ("leader_a", "grid_a1"),
        ("admin_b", "grid_a1"),
    ],
)
def test_assign_grid_worker_forbidden_actor_refused(
    world: World, who: str, grid: str, request: pytest.FixtureRequest
) -> None:
    someone = actor(world, who, request)
    person = make_user(world, "worker_new")
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.assign_grid_worker(
            getattr(world, grid), actor=someone, user=person, post=Post.FULL_TIME
        )
    assert snapshot() == before
    assert not jurisdiction(fresh(person)).allows("areas.view", getattr(world, grid).path)


# --- end_grid_assignment --------------------------------------------------------------------------


def test_end_grid_assignment_ends_membership_and_jurisdiction(world: World) -> None:
    # given worker_a1's assignment and the membership it opened
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    assert jurisdiction(fresh(world.worker_a1)).allows("areas.view", world.grid_a1.path)
    # when
    ended = services.end_grid_assignment(
        assignment, actor=world.center_a, version=assignment.version
    )
    # then
    ended = fresh(ended)
    assert ended.ended_at is not None
    assert ended.end_date == timezone.localdate()
    assert ended.version == assignment.version + 1
    assert not ended.is_current
    membership = fresh(assignment.membership)
    assert membership.ended_at is not None
    assert not jurisdiction(fresh(world.worker_a1)).allows("areas.view", world.grid_a1.path)
    assert_audited(ended, "areas.assignment.ended", world.center_a)
    assert_audited(membership, "accounts.membership.ended", world.center_a)


def test_end_grid_assignment_twice_invalid_transition(world: World) -> None:
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    services.end_grid_assignment(assignment, actor=world.center_a, version=assignment.version)
    assignment = fresh(assignment)
    before = snapshot()
    with pytest.raises(InvalidTransition):
        services.end_grid_assignment(assignment, actor=world.center_a, version=assignment.version)
    assert snapshot() == before


def test_end_grid_assignment_stale_version_conflict(world: World) -> None:
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    before = snapshot()
    with pytest.raises(Conflict):
        services.end_grid_assignment(
            assignment, actor=world.center_a, version=assignment.version + 1
        )
    assert snapshot() == before
    assert fresh(assignment).ended_at is None


@pytest.mark.parametrize("who", ["center_b", "worker_a1", "officer_a1", "admin_b"])
def test_end_grid_assignment_forbidden_actor_refused(
    world: World, who: str, request: pytest.FixtureRequest
) -> None:
    someone = actor(world, who, request)
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    before = snapshot()
    with pytest.raises(NotPermitted):
        services.end_grid_assignment(assignment, actor=someone, version=assignment.version)
    assert snapshot() == before
    assert fresh(assignment).ended_at is None


def test_end_grid_assignment_before_start_refused(world: World) -> None:
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.end_grid_assignment(
            assignment,
            actor=world.center_a,
            version=assignment.version,
            end_date=assignment.start_date - dt.timedelta(days=1),
        )
    assert exc.value.field == "end_date"
    assert snapshot() == before


def test_end_grid_assignment_keeps_membership_while_other_post_current(world: World) -> None:
    # given worker_a1 is also 网格长 of grid A1 (sharing the full-time post's membership)
    services.assign_grid_worker(
        world.grid_a1, actor=world.center_a, user=world.worker_a1, post=Post.CHIEF
    )
    full_time = assignment_of(world.worker_a1, world.grid_a1, Post.FULL_TIME)
    # when the full-time post ends
    services.end_grid_assignment(full_time, actor=world.center_a, version=full_time.version)
    # then as 网格长 they still reach the grid
    assert assignment_of(world.worker_a1, world.grid_a1, Post.CHIEF).is_current
    assert jurisdiction(fresh(world.worker_a1)).allows("areas.view", world.grid_a1.path)


def test_end_grid_assignment_future_end_date_is_consistent(world: World) -> None:
    assignment = assignment_of(world.worker_a1, world.grid_a1)
    next_week = timezone.localdate() + dt.timedelta(days=7)
    # when the end is set for next week: either refused, or the assignment stays current till then
    try:
        services.end_grid_assignment(
            assignment, actor=world.center_a, version=assignment.version, end_date=next_week
        )
    except Invalid:
        return
    assert fresh(assignment).is_current
    assert jurisdiction(fresh(world.worker_a1)).allows("areas.view", world.grid_a1.path)
