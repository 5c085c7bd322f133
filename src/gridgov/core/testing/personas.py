"""A small fixed world for tests: one district, two townships, villages, grids, and one named user
per role and place (Zulip's personas). Built through the services, as production data is.

    海曙区 330203 (district)
    ├── 横街镇 330203101 (township A)  — 综治中心, 派出所
    │   ├── 甲村 330203101201 (village A1) ── 甲村第一网格 …201001 (real, with boundary),
    │   │                                      甲村专属网格 …201901 (virtual)
    │   └── 乙村 330203101202 (village A2) ── 乙村第一网格 …202001
    └── 集士港镇 330203102 (township B)
        └── 丙村 330203102201 (village B1) ── 丙村第一网格 …201001

Users: admin (admin @ district), leader_a (leader @ A), center_a / center_b (center staff @ A / B),
officer_a1 / officer_a2 (village officers), worker_a1 / worker_a2 / worker_b1 (grid workers,
assigned through assign_grid_worker), handler_a (department handler, 横街派出所), mediator_a.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridgov.accounts import services as accounts
from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.accounts.system import system_actor
from gridgov.areas import services as areas
from gridgov.areas.choices import Duty, GridKind, Post
from gridgov.areas.models import Area

PASSWORD = "Test#Passw0rd-2026"  # noqa: S105 - the test personas' shared password


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


@dataclass
class World:
    system: User
    district: Area
    township_a: Area
    township_b: Area
    village_a1: Area
    village_a2: Area
    village_b1: Area
    grid_a1: Area
    grid_a1_virtual: Area
    grid_a2: Area
    grid_b1: Area
    center_dept_a: Department
    police_a: Department
    users: dict[str, User]

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def refresh(self, obj: Any) -> Any:
        return type(obj)._base_manager.get(pk=obj.pk)


def build_world() -> World:
    system = system_actor()
    district = areas.create_area(actor=system, parent=None, code="330203", level="county")
    township_a = areas.create_area(actor=system, parent=district, code="330203101")
    township_b = areas.create_area(actor=system, parent=district, code="330203102")
    village_a1 = areas.create_area(
        actor=system, parent=township_a, code="330203101201", name="甲村"
    )
    village_a2 = areas.create_area(
        actor=system, parent=township_a, code="330203101202", name="乙村"
    )
    village_b1 = areas.create_area(
        actor=system, parent=township_b, code="330203102201", name="丙村"
    )
    grid_a1 = areas.create_area(
        actor=system,
        parent=village_a1,
        code="330203101201001",
        name="甲村第一网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.40, 29.87),
        households=320,
    )
    grid_a1_virtual = areas.create_area(
        actor=system,
        parent=village_a1,
        code="330203101201901",
        name="甲村专属网格",
        grid_kind=GridKind.VIRTUAL,
    )
    grid_a2 = areas.create_area(
        actor=system,
        parent=village_a2,
        code="330203101202001",
        name="乙村第一网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.41, 29.87),
    )
    grid_b1 = areas.create_area(
        actor=system,
        parent=village_b1,
        code="330203102201001",
        name="丙村第一网格",
        grid_kind=GridKind.REAL,
        boundary=square(121.30, 29.87),
    )
    center_dept_a = accounts.create_department(
        actor=system, area=township_a, name="横街镇综治中心", kind="center"
    )
    police_a = accounts.create_department(
        actor=system, area=township_a, name="横街派出所", kind="police"
    )

    users: dict[str, User] = {}

    def user(username: str, full_name: str) -> User:
        users[username] = accounts.create_user(
            actor=system, username=username, full_name=full_name, password=PASSWORD
        )
        return users[username]

    grants = [
        ("admin", "管理员", Role.ADMIN, district, None),
        ("leader_a", "甲领导", Role.LEADER, township_a, None),
        ("center_a", "甲中心", Role.CENTER_STAFF, township_a, None),
        ("center_b", "乙中心", Role.CENTER_STAFF, township_b, None),
        ("officer_a1", "甲专干", Role.VILLAGE_OFFICER, village_a1, None),
        ("officer_a2", "乙专干", Role.VILLAGE_OFFICER, village_a2, None),
        ("handler_a", "甲民警", Role.DEPARTMENT_HANDLER, None, police_a),
        ("mediator_a", "甲调解", Role.MEDIATOR, township_a, None),
    ]
    for username, name, role, area, department in grants:
        accounts.grant_membership(
            user(username, name), actor=system, role=role, area=area, department=department
        )
    for username, name, grid in [
        ("worker_a1", "甲网格员", grid_a1),
        ("worker_a2", "乙网格员", grid_a2),
        ("worker_b1", "丙网格员", grid_b1),
    ]:
        areas.assign_grid_worker(
            grid,
            actor=system,
            user=user(username, name),
            post=Post.FULL_TIME,
            duties=list(Duty.values),
        )
    for u in users.values():
        u.refresh_from_db()
    return World(
        system=system,
        district=district,
        township_a=township_a,
        township_b=township_b,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        grid_a1=grid_a1,
        grid_a1_virtual=grid_a1_virtual,
        grid_a2=grid_a2,
        grid_b1=grid_b1,
        center_dept_a=center_dept_a,
        police_a=police_a,
        users=users,
    )
