"""The demo township: 横街镇 (海曙区, 宁波市) filled with villages, grids, departments and people.

Modelled on the real 横街镇 (330203101): 21 villages and communities, 233 real and 21 virtual
(专属) grids, a governance center and the usual departments, a grid worker on every grid and one
login per role. The district and all its townships come from the national division data, so the
demo can show that users of one township do not see another's data; only 横街镇 is filled.

Two steps:

- `build_plan(seed, …)` decides everything (names, codes, boundaries, households, people) from
  Faker's zh_CN locale seeded with `seed`, without touching the database. Same seed, same plan.
- `seed_demo(seed, …)` writes the plan through the services (areas and accounts), acting as the
  system actor, in one transaction. It is idempotent: areas are matched by code, users by
  username, departments by name, memberships and assignments by what they grant, and whatever
  exists already is skipped, never duplicated or changed.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from faker import Faker

from gridgov.accounts import services as account_services
from gridgov.accounts.models import Department, DepartmentKind, Membership, User
from gridgov.accounts.roles import Role
from gridgov.accounts.system import system_actor
from gridgov.areas import divisions
from gridgov.areas import services as area_services
from gridgov.areas.choices import RESPONSIBLE_POSTS, Duty, GridKind, Level, Post
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.errors import Invalid
from gridgov.core.scoping import unscoped

DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "Gridgov#2026"  # noqa: S105 - the documented demo password, shown on screen
DEMO_URL = "http://127.0.0.1:8000"

DISTRICT_CODE = "330203"  # 海曙区, 宁波市
TOWNSHIP_CODE = "330203101"  # 横街镇
OTHER_TOWNSHIP_CODE = "330203102"  # 集士港镇, for the out-of-jurisdiction contrast user

# Village digits: communities 001–0xx (社区), villages 201–2xx (村); the virtual grid is 901.
COMMUNITY_FIRST = 1
VILLAGE_FIRST = 201
VIRTUAL_GRID_DIGITS = "901"
MAX_REAL_GRIDS_PER_VILLAGE = 899

# A box around 横街镇 (WGS84). Split into one cell per village, each cell into its real grids.
BOX = (121.36, 29.84, 121.46, 29.91)  # min lng, min lat, max lng, max lat

HOUSEHOLDS = (250, 450)

# The township's departments (name, kind).
DEPARTMENTS = (
    ("横街镇综治中心", DepartmentKind.CENTER),
    ("横街派出所", DepartmentKind.POLICE),
    ("横街司法所", DepartmentKind.JUSTICE),
    ("横街镇信访办", DepartmentKind.PETITION),
    ("横街镇应急管理办", DepartmentKind.EMERGENCY),
    ("横街镇生态环境办", DepartmentKind.ENVIRONMENT),
    ("横街镇人力社保服务中心", DepartmentKind.HUMAN_RESOURCES),
    ("横街市场监管所", DepartmentKind.MARKET),
    ("横街镇综合行政执法中队", DepartmentKind.ENFORCEMENT),
)
POLICE_DEPARTMENT = "横街派出所"
JUSTICE_DEPARTMENT = "横街司法所"

# Place-name endings for villages and communities, in the style of the Ningbo plain.
VILLAGE_ENDINGS = ("家村", "家村", "家村", "家桥村", "家岙村", "家漕村", "家塘村")
COMMUNITY_ENDINGS = ("园", "苑", "湾", "庭", "城")
VIRTUAL_KINDS_VILLAGE = ("工业园区", "工业区", "物流园", "农贸市场", "小学")
VIRTUAL_KINDS_COMMUNITY = ("小学", "幼儿园", "农贸市场", "商业广场", "卫生院")

WORKER_PREFIX = "gw"  # grid workers log in as gw + grid code, except the demo "worker"


# --- The plan (no database) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    phone: str


@dataclass(frozen=True)
class GridPlan:
    code: str
    name: str
    grid_kind: str
    worker: Person
    boundary: dict[str, Any] | None = None
    households: int | None = None
    area_sqm: Decimal | None = None


@dataclass(frozen=True)
class VillagePlan:
    code: str
    name: str
    grids: tuple[GridPlan, ...]  # real grids first, then the virtual one


@dataclass(frozen=True)
class LoginPlan:
    """One named demo login: `role` over the area `area_code`, or in `department`."""

    person: Person
    role: str
    area_code: str
    department: str = ""


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    villages: tuple[VillagePlan, ...]
    logins: tuple[LoginPlan, ...]

    @property
    def grids(self) -> list[GridPlan]:
        return [g for v in self.villages for g in v.grids]


def _split(box: tuple[float, float, float, float], n: int) -> list[tuple[float, ...]]:
    """Tile `box` exactly with `n` rectangles in rows (north to south, west to east).

    Rows are chosen so the cells come out roughly square on the ground; the cells of a row share
    its width equally. Edges are rounded once and shared, so neighbours touch without gaps.
    """
    min_lng, min_lat, max_lng, max_lat = box
    mid_lat = math.radians((min_lat + max_lat) / 2)
    width = (max_lng - min_lng) * math.cos(mid_lat)
    height = max_lat - min_lat
    rows = min(n, max(1, round(math.sqrt(n * height / width))))
    base, extra = divmod(n, rows)
    lat_edges = [round(max_lat - (max_lat - min_lat) * i / rows, 6) for i in range(rows + 1)]
    cells = []
    for r in range(rows):
        cols = base + (1 if r < extra else 0)
        lng_edges = [round(min_lng + (max_lng - min_lng) * j / cols, 6) for j in range(cols + 1)]
        top, bottom = lat_edges[r], lat_edges[r + 1]
        cells.extend((lng_edges[j], bottom, lng_edges[j + 1], top) for j in range(cols))
    return cells


def _polygon(cell: tuple[float, ...]) -> dict[str, Any]:
    w, s, e, n = cell
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _area_sqm(cell: tuple[float, ...]) -> Decimal:
    w, s, e, n = cell
    metres_per_degree_lat = 110_574
    metres_per_degree_lng = 111_320 * math.cos(math.radians((s + n) / 2))
    sqm = (e - w) * metres_per_degree_lng * (n - s) * metres_per_degree_lat
    return Decimal(f"{sqm:.2f}")


def _unique(fake: Faker, used: set[str], make: Any) -> str:
    for _ in range(1000):
        value = make()
        if value not in used:
            used.add(value)
            return value
    raise RuntimeError("could not make a unique demo name")  # pragma: no cover


def _person(fake: Faker, username: str) -> Person:
    return Person(username=username, full_name=fake.name(), phone=fake.phone_number())


def build_plan(
    seed: int = DEFAULT_SEED,
    *,
    communities: int = 3,
    villages: int = 18,
    real_grids: int = 233,
) -> DemoPlan:
    """Everything the demo will hold, decided by `seed` alone (Faker zh_CN, its own generator)."""
    total = communities + villages
    if communities < 0 or villages < 0 or total < 1:
        raise ValueError("the demo needs at least one village or community")
    if communities > VILLAGE_FIRST - COMMUNITY_FIRST or villages > 999 - VILLAGE_FIRST:
        raise ValueError("too many villages or communities for their code ranges")
    if not total <= real_grids <= total * MAX_REAL_GRIDS_PER_VILLAGE:
        raise ValueError("every village needs at least one real grid, at most 899")

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    # Names first, all of them, so they do not depend on anything drawn later.
    # Communities are "{姓}{园/苑…}社区", villages "{姓}家村" (家桥村, 家岙村 …),
    # each surname used once. The stem (the name without 社区/村) also names the 专属网格.
    used: set[str] = set()
    kinds = ["community"] * communities + ["village"] * villages
    stems, names = [], []
    for kind in kinds:
        surname = _unique(fake, used, fake.last_name)
        if kind == "community":
            stem = surname + fake.random_element(COMMUNITY_ENDINGS)
            names.append(f"{stem}社区")
        else:
            stem = surname + fake.random_element(VILLAGE_ENDINGS).removesuffix("村")
            names.append(f"{stem}村")
        stems.append(stem)

    village_codes = [f"{TOWNSHIP_CODE}{COMMUNITY_FIRST + i:03d}" for i in range(communities)] + [
        f"{TOWNSHIP_CODE}{VILLAGE_FIRST + i:03d}" for i in range(villages)
    ]

    per_village, extra = divmod(real_grids, total)
    cells = _split(BOX, total)
    plans = []
    villages_named = zip(village_codes, names, stems, kinds, strict=True)
    for i, (code, name, stem, kind) in enumerate(villages_named):
        count = per_village + (1 if i < extra else 0)
        grids = []
        for n, cell in enumerate(_split(cells[i], count), start=1):
            grid_code = f"{code}{n:03d}"
            username = "worker" if i == 0 and n == 1 else WORKER_PREFIX + grid_code
            grids.append(
                GridPlan(
                    code=grid_code,
                    name=f"{name}第{n}网格",
                    grid_kind=GridKind.REAL,
                    worker=_person(fake, username),
                    boundary=_polygon(cell),
                    households=fake.random_int(*HOUSEHOLDS),
                    area_sqm=_area_sqm(cell),
                )
            )
        place = fake.random_element(
            VIRTUAL_KINDS_COMMUNITY if kind == "community" else VIRTUAL_KINDS_VILLAGE
        )
        virtual_code = f"{code}{VIRTUAL_GRID_DIGITS}"
        grids.append(
            GridPlan(
                code=virtual_code,
                name=f"{stem}{place}专属网格",
                grid_kind=GridKind.VIRTUAL,
                worker=_person(fake, WORKER_PREFIX + virtual_code),
            )
        )
        plans.append(VillagePlan(code=code, name=name, grids=tuple(grids)))

    logins = (
        LoginPlan(_person(fake, "admin"), Role.ADMIN, DISTRICT_CODE),
        LoginPlan(_person(fake, "leader"), Role.LEADER, TOWNSHIP_CODE),
        LoginPlan(_person(fake, "center"), Role.CENTER_STAFF, TOWNSHIP_CODE),
        LoginPlan(_person(fake, "officer"), Role.VILLAGE_OFFICER, village_codes[0]),
        LoginPlan(
            _person(fake, "handler"), Role.DEPARTMENT_HANDLER, TOWNSHIP_CODE, POLICE_DEPARTMENT
        ),
        LoginPlan(_person(fake, "mediator"), Role.MEDIATOR, TOWNSHIP_CODE, JUSTICE_DEPARTMENT),
        LoginPlan(_person(fake, "center2"), Role.CENTER_STAFF, OTHER_TOWNSHIP_CODE),
    )
    return DemoPlan(seed=seed, villages=tuple(plans), logins=logins)


# --- Seeding (through the services) --------------------------------------------------------------


@dataclass
class LoginRow:
    """One line of the demo logins table."""

    username: str
    full_name: str
    role: str
    role_label: str
    where: str


@dataclass
class SeedResult:
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    logins: list[LoginRow] = field(default_factory=list)
    password: str = DEFAULT_PASSWORD

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())

    def count(self, kind: str, created: bool) -> None:
        (self.created if created else self.existing)[kind] += 1


# Kinds counted in SeedResult, with their Chinese labels, in display order.
KINDS = {
    "area": "区域(区、乡镇街道、村社区、网格)",
    "department": "部门",
    "user": "账号",
    "membership": "任职",
    "assignment": "网格人员分配",
}


class _Seeder:
    """Writes a plan through the services, skipping whatever exists. Counts both."""

    def __init__(self, actor: Any, encoded_password: str, result: SeedResult) -> None:
        self.actor = actor
        self.encoded_password = encoded_password
        self.result = result

    # The seed is system work: its existence checks are unscoped.

    def area(self, code: str) -> Area | None:
        with unscoped("demo seed: area exists?"):
            return Area.objects.filter(code=code).first()

    def ensure_area(self, parent: Area | None, code: str, **fields: Any) -> Area:
        area = self.area(code)
        if area is not None:
            self.result.count("area", created=False)
            return area
        area = area_services.create_area(actor=self.actor, parent=parent, code=code, **fields)
        self.result.count("area", created=True)
        return area

    def ensure_townships(self, district: Area) -> None:
        """All of the district's townships from the national division data."""
        wanted = [d.code for d in divisions.children_of(district.code)]
        with unscoped("demo seed: townships exist?"):
            have = set(Area.objects.filter(code__in=wanted).values_list("code", flat=True))
        missing = [code for code in wanted if code not in have]
        if missing:
            area_services.create_areas_from_divisions(
                actor=self.actor, parent=district, division_codes=missing
            )
        self.result.created["area"] += len(missing)
        self.result.existing["area"] += len(have)

    def ensure_departments(self, township: Area) -> dict[str, Department]:
        with unscoped("demo seed: departments exist?"):
            departments = {
                d.name: d for d in Department.objects.filter(Department.active_q(), area=township)
            }
        for name, kind in DEPARTMENTS:
            if name in departments:
                self.result.count("department", created=False)
                continue
            departments[name] = account_services.create_department(
                actor=self.actor, area=township, name=name, kind=kind
            )
            self.result.count("department", created=True)
        return departments

    def ensure_users(self, people: list[Person]) -> dict[str, User]:
        """Users by lower-cased username (the service treats usernames case-insensitively)."""
        users = {
            u.username.lower(): u
            for u in User.objects.filter(username__in=[p.username for p in people])
        }
        for person in people:
            key = person.username.lower()
            if key in users:
                self.result.count("user", created=False)
                continue
            users[key] = account_services.create_user_with_encoded_password(
                actor=self.actor,
                username=person.username,
                full_name=person.full_name,
                phone=person.phone,
                encoded_password=self.encoded_password,
            )
            self.result.count("user", created=True)
        return users

    def ensure_grid_workers(self, grids: list[tuple[Area, User]]) -> None:
        """A full-time worker with all five duties on every grid that has no responsible one."""
        with unscoped("demo seed: grids staffed?"):
            staffed = set(
                GridAssignment.objects.filter(
                    GridAssignment.active_q(),
                    post__in=list(RESPONSIBLE_POSTS),
                    grid__in=[grid for grid, _ in grids],
                ).values_list("grid_id", flat=True)
            )
        for grid, user in grids:
            if grid.pk in staffed:
                self.result.count("assignment", created=False)
                self.result.count("membership", created=False)  # the one it came with
                continue
            assignment = area_services.assign_grid_worker(
                grid, actor=self.actor, user=user, post=Post.FULL_TIME, duties=list(Duty.values)
            )
            self.result.count("assignment", created=True)
            if assignment.membership_id:
                self.result.count("membership", created=True)

    def ensure_membership(
        self, user: User, *, role: str, area: Area, department: Department | None
    ) -> None:
        with unscoped("demo seed: membership exists?"):
            exists = Membership.objects.filter(
                Membership.active_q(),
                user=user,
                role=role,
                area=department.area if department else area,
                department=department,
            ).exists()
        if exists:
            self.result.count("membership", created=False)
            return
        account_services.grant_membership(
            user, actor=self.actor, role=role, area=area, department=department
        )
        self.result.count("membership", created=True)

    def run(self, plan: DemoPlan) -> None:
        district = self.ensure_area(None, DISTRICT_CODE, level=Level.COUNTY)
        self.ensure_townships(district)
        township = self.area(TOWNSHIP_CODE)
        if township is None:  # pragma: no cover - the division data holds it
            raise Invalid(f"国家区划代码表中没有 {TOWNSHIP_CODE}。")
        departments = self.ensure_departments(township)

        grids: list[tuple[Area, GridPlan]] = []
        villages: dict[str, Area] = {}
        for village_plan in plan.villages:
            village = self.ensure_area(township, village_plan.code, name=village_plan.name)
            villages[village.code] = village
            for grid_plan in village_plan.grids:
                grid = self.ensure_area(
                    village,
                    grid_plan.code,
                    name=grid_plan.name,
                    grid_kind=grid_plan.grid_kind,
                    boundary=grid_plan.boundary,
                    households=grid_plan.households,
                    area_sqm=grid_plan.area_sqm,
                )
                grids.append((grid, grid_plan))

        people = [g.worker for _, g in grids] + [login.person for login in plan.logins]
        users = self.ensure_users(people)
        self.ensure_grid_workers([(grid, users[g.worker.username.lower()]) for grid, g in grids])

        rows = []
        for login in plan.logins:
            user = users[login.person.username.lower()]
            department = departments[login.department] if login.department else None
            area = villages.get(login.area_code) or self.area(login.area_code)
            self.ensure_membership(user, role=login.role, area=area, department=department)
            rows.append(_row(user, login.role, department.name if department else _where(area)))
            if login.role == Role.VILLAGE_OFFICER:
                # The demo grid worker: the first real grid of the first village.
                first_grid, first_plan = grids[0]
                worker = users[first_plan.worker.username.lower()]
                rows.append(_row(worker, Role.GRID_WORKER, _where(first_grid)))
        self.result.logins = rows


def _where(area: Area) -> str:
    """Where a login works, for the table: a village with its township (横街镇 李城社区)."""
    if area.level == Level.VILLAGE and area.parent_id:
        with unscoped("demo seed: parent name"):
            parent = Area.objects.get(pk=area.parent_id)
        return f"{parent.name} {area.name}"
    return area.name


def _row(user: User, role: str, where: str) -> LoginRow:
    return LoginRow(
        username=user.username,
        full_name=user.full_name,
        role=role,
        role_label=str(Role(role).label),
        where=where,
    )


def check_password(password: str, people: list[Person]) -> None:
    """Django's validators, against every demo person (their names and usernames too)."""
    errors: list[str] = []
    for person in [None, *people]:
        user = person and User(username=person.username, full_name=person.full_name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors.extend(m for m in exc.messages if m not in errors)
    if errors:
        raise Invalid(errors={"password": errors})


def seed_demo(
    *,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    communities: int = 3,
    villages: int = 18,
    real_grids: int = 233,
    actor: Any = None,
) -> SeedResult:
    """Write the demo for `seed` (idempotent). Raises Invalid for a password Django refuses.

    The shared password is hashed once and the hash reused for every login created; accounts
    that exist already keep theirs.
    """
    plan = build_plan(seed, communities=communities, villages=villages, real_grids=real_grids)
    people = [g.worker for g in plan.grids] + [login.person for login in plan.logins]
    check_password(password, people)
    result = SeedResult(password=password)
    with transaction.atomic():
        actor = actor or system_actor()
        _Seeder(actor, make_password(password), result).run(plan)
    return result
