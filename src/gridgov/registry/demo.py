"""Registry demo data (一标三实) for the demo township's real grids, after `areas.demo`.

Per real grid: a few standard addresses, each with its house (most self-occupied, one rented out
with its landlord and, mostly, a signed fire-safety pledge, now and then one vacant), 10–20 people
with valid ID numbers living in them (locals, and floating population in the rented house), and a
unit with a valid unified social credit code and its responsibility letters. The first grid (the
demo grid worker's) also holds one pair of possible duplicates without ID numbers, so the merge
can be shown.

Same two steps as `areas.demo`:

- `build_plan(seed, grids)` decides everything from Faker's zh_CN locale, one generator per grid
  seeded with the seed and the grid's code, without touching the database;
- `seed_registry(...)` writes it through the registry services as the system actor. Idempotent:
  addresses are matched by grid and canonical text, houses by address, people by ID number (the
  pair without one by name, birth date and grid, merged records included), units by credit code,
  letters by unit, kind and date; what exists is counted and skipped, never changed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from faker import Faker
from stdnum.cn import uscc

from gridgov.accounts.system import system_actor
from gridgov.areas import demo as areas_demo
from gridgov.areas.choices import GridKind
from gridgov.areas.demo import SeedResult
from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped
from gridgov.registry import codes, services
from gridgov.registry.addresses import AddressParts
from gridgov.registry.models import (
    Address,
    House,
    Person,
    ResponsibilityLetter,
    Status,
    Unit,
)

DISTRICT_REGION = "330203"  # 海曙区: locals' ID numbers and the units' registration authority
# Where the floating population comes from (GB/T 2260 county codes, as on their ID numbers).
ORIGIN_REGIONS = ("341222", "411323", "510722", "430524", "360121", "522121", "342422")
# Fixed dates, so the plan does not depend on the day it is built (all in the past).
EARLIEST_BIRTH = dt.date(1942, 1, 1)
LATEST_BIRTH = dt.date(2012, 12, 31)
EARLIEST_SINCE = dt.date(2000, 1, 1)
LATEST_SINCE = dt.date(2025, 12, 31)
DUPLICATE_GRIDS = 1  # the first grid(s) in code order get a pair of possible duplicates

# Kinds counted in the seed result, with their Chinese labels (shown by `manage.py seed_demo`).
KINDS = {
    "address": "标准地址",
    "house": "实有房屋",
    "person": "实有人口",
    "unit": "实有单位",
    "letter": "责任书",
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SHOPS = ("便利店", "小吃店", "五金店", "理发店", "水果店", "药店", "快递驿站", "农资店")
_WORKSHOPS = ("五金加工厂", "服装厂", "模具厂", "塑料制品厂", "电器配件厂", "包装材料厂")
_LOCAL_JOBS = ("务农", "个体经营", "企业职工", "退休", "教师", "学生", "司机", "")
_FLOATING_JOBS = ("工人", "厨师", "快递员", "保洁员", "装修工", "店员")


def id_number(body: str) -> str:
    """The 18-character number for a 17-digit body: GB 11643 check character (ISO 7064
    MOD 11-2), "10X98765432"[Σ digit × weight mod 11]."""
    return (
        body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    )


def credit_code(region: str, serial: int) -> str:
    """A unified social credit code (GB 32100) registered by 市场监管 (9) for an enterprise (1):
    the 9-character 主体标识码 carries its own GB 11714 check character, the code its MOD 31 one."""
    digits = f"{serial:08d}"
    org_check = (11 - sum(int(d) * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True))) % 11
    body = f"91{region}{digits}{'X' if org_check == 10 else org_check}"
    return body + uscc.calc_check_digit(body)


# --- The plan (no database) ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonPlan:
    name: str
    sex: str  # GB/T 2261.1 "1"/"2"
    birth_date: dt.date
    id_number: str  # "" for the possible duplicates
    residence_type: str
    arrangement: str
    since: dt.date
    phone: str = ""
    occupation: str = ""
    inflow_reason: str = ""
    permit_type: str = ""
    hukou_place: str = ""


@dataclass(frozen=True)
class HousePlan:
    street: str
    door_no: str
    occupancy: str
    use: str
    floor_area: Decimal
    people: tuple[PersonPlan, ...]
    rental_use: str = ""
    rental_no: str = ""
    landlord: PersonPlan | None = None
    fire_pledge_date: dt.date | None = None


@dataclass(frozen=True)
class LetterPlan:
    kind: str
    signed_on: dt.date
    valid_until: dt.date | None
    signer: str


@dataclass(frozen=True)
class UnitPlan:
    name: str
    unit_type: str
    credit_code: str
    enterprise_category: str
    legal_rep_name: str
    legal_rep_phone: str
    headcount: int
    house_index: int  # at the address of the grid's house with this index
    letters: tuple[LetterPlan, ...]


@dataclass(frozen=True)
class GridRegistryPlan:
    code: str
    houses: tuple[HousePlan, ...]
    units: tuple[UnitPlan, ...]

    @property
    def people(self) -> list[PersonPlan]:
        return [p for h in self.houses for p in h.people]


class _Planner:
    """Draws one grid's records; the ID numbers and credit codes in use are shared by all grids."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.used_ids: set[str] = set()

    def person(
        self, fake: Faker, *, floating: bool, arrangement: str, adult: bool = False
    ) -> PersonPlan:
        sex = fake.random_element(("1", "2"))
        name = fake.name_male() if sex == "1" else fake.name_female()
        latest = dt.date(2004, 12, 31) if adult or floating else LATEST_BIRTH
        birth = fake.date_between_dates(EARLIEST_BIRTH, latest)
        region = fake.random_element(ORIGIN_REGIONS) if floating else DISTRICT_REGION
        while True:  # a free sequence number with the sex's parity
            sequence = fake.random_int(0, 499) * 2 + (1 if sex == "1" else 0)
            number = id_number(f"{region}{birth:%Y%m%d}{sequence:03d}")
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        # Locals since birth or the records' start; the floating population came in recent years.
        earliest = dt.date(2019, 1, 1) if floating else max(birth, EARLIEST_SINCE)
        since = fake.date_between_dates(earliest, LATEST_SINCE)
        return PersonPlan(
            name=name,
            sex=sex,
            birth_date=birth,
            id_number=number,
            residence_type=(
                codes.ResidenceType.FLOATING if floating else codes.ResidenceType.REGISTERED
            ),
            arrangement=arrangement,
            since=since,
            phone=fake.phone_number() if fake.boolean(70) else "",
            occupation=fake.random_element(_FLOATING_JOBS if floating else _LOCAL_JOBS),
            inflow_reason=codes.InflowReason.WORK if floating else "",
            permit_type=codes.PermitType.RESIDENCE_PERMIT if floating else "",
            hukou_place=region,
        )

    def grid(self, code: str, name: str, duplicates: bool) -> GridRegistryPlan:
        fake = Faker("zh_CN")
        fake.seed_instance(f"{self.seed}:registry:{code}")
        village = name.rsplit("第", 1)[0]
        number = int(code[-3:])
        doors = sorted(fake.random_sample(range(1, 200), length=fake.random_int(3, 5)))
        if village.endswith("社区"):
            street = fake.street_name()
            streets = [(street, str(d)) for d in doors]
        else:
            streets = [(f"{village.removesuffix('村')}{number}组", str(d)) for d in doors]

        wanted = fake.random_int(10, 20)
        rented = len(streets) - 1  # the last address is let to the floating population
        vacant = rented - 1 if len(streets) >= 5 and fake.boolean(50) else None
        homes = [i for i in range(rented) if i != vacant]
        tenants = max(2, wanted // 4)
        sizes = [0] * len(streets)
        for k in range(wanted - tenants):
            sizes[homes[k % len(homes)]] += 1
        sizes[rented] = tenants

        houses: list[HousePlan] = []
        for i, (street, door) in enumerate(streets):
            area = Decimal(fake.random_int(6000, 22000)) / 100
            if i == vacant:
                houses.append(HousePlan(street, door, codes.Occupancy.VACANT, "01", area, ()))
                continue
            if i == rented:
                landlord = houses[homes[0]].people[0]
                pledge = fake.date_between_dates(dt.date(2023, 1, 1), LATEST_SINCE)
                people = tuple(
                    self.person(fake, floating=True, arrangement=codes.LivingArrangement.TENANT)
                    for _ in range(sizes[i])
                )
                houses.append(
                    HousePlan(
                        street,
                        door,
                        codes.Occupancy.RENTED,
                        "01",
                        area,
                        people,
                        rental_use=codes.RentalUse.HOME,
                        rental_no=f"出租-{code[-6:]}-{door}",
                        landlord=landlord,
                        fire_pledge_date=pledge if fake.boolean(80) else None,
                    )
                )
                continue
            own = codes.LivingArrangement.OWN
            head = self.person(fake, floating=False, arrangement=own, adult=True)
            family = [
                self.person(fake, floating=False, arrangement=own) for _ in range(sizes[i] - 1)
            ]
            people = (head, *family)
            houses.append(HousePlan(street, door, codes.Occupancy.SELF, "01", area, people))

        if duplicates:
            houses[homes[0]] = self.with_duplicates(fake, houses[homes[0]])
        return GridRegistryPlan(code=code, houses=tuple(houses), units=(self.unit(fake, code),))

    def with_duplicates(self, fake: Faker, house: HousePlan) -> HousePlan:
        """Two records of one person without an ID number (a 未落户人员 registered twice, by two
        visits years apart): same name, birth date and house."""
        name = fake.name_male()
        birth = fake.date_between_dates(dt.date(1985, 1, 1), dt.date(1995, 12, 31))
        twice = tuple(
            PersonPlan(
                name=name,
                sex="1",
                birth_date=birth,
                id_number="",
                residence_type=codes.ResidenceType.UNREGISTERED,
                arrangement=codes.LivingArrangement.LODGER,
                since=since,
                phone=phone,
                occupation=occupation,
            )
            for since, phone, occupation in (
                (dt.date(2021, 4, 1), "", "打零工"),
                (dt.date(2024, 9, 1), fake.phone_number(), ""),
            )
        )
        return replace(house, people=(*house.people, *twice))

    def unit(self, fake: Faker, code: str, index: int = 0) -> UnitPlan:
        workshop = fake.boolean(40)
        place = fake.last_name()
        if workshop:
            name = f"宁波市海曙{place}{fake.random_element(_WORKSHOPS)}有限公司"
        else:
            name = f"海曙区横街{place}{fake.random_element(_SHOPS)}"
        signed = fake.date_between_dates(dt.date(2024, 1, 1), LATEST_SINCE)
        letters = [LetterPlan("fire", signed, signed + dt.timedelta(days=364), "")]
        if workshop:
            letters.append(LetterPlan("production", signed, None, ""))
        rep = fake.name()
        return UnitPlan(
            name=name,
            unit_type=codes.UnitType.ENTERPRISE if workshop else codes.UnitType.SHOP,
            # village and grid digits of the code, then the unit's number in its grid
            credit_code=credit_code(DISTRICT_REGION, int(code[-6:]) * 10 + index),
            enterprise_category=(
                codes.EnterpriseCategory.DOMESTIC
                if workshop
                else codes.EnterpriseCategory.INDIVIDUAL
            ),
            legal_rep_name=rep,
            legal_rep_phone=fake.phone_number(),
            headcount=fake.random_int(8, 60) if workshop else fake.random_int(1, 4),
            house_index=0,
            letters=tuple(LetterPlan(lt.kind, lt.signed_on, lt.valid_until, rep) for lt in letters),
        )


def build_plan(seed: int, grids: list[tuple[str, str]]) -> list[GridRegistryPlan]:
    """The registry records of `grids` ((code, name) pairs), decided by `seed` and the codes."""
    planner = _Planner(seed)
    ordered = sorted(grids)
    return [
        planner.grid(code, name, duplicates=i < DUPLICATE_GRIDS)
        for i, (code, name) in enumerate(ordered)
    ]


# --- Seeding (through the services) --------------------------------------------------------------


class _Seeder:
    """Writes a plan through the services, skipping whatever exists. Counts both. The existence
    checks are system work, unscoped."""

    def __init__(self, actor: Any, counts: tuple[Counter[str], Counter[str]]) -> None:
        self.actor = actor
        self.created, self.existing = counts

    def count(self, kind: str, created: bool) -> None:
        (self.created if created else self.existing)[kind] += 1

    def address(self, grid: Area, street: str, door: str) -> Address:
        canonical = AddressParts.clean(street=street, door_no=door).canonical()
        with unscoped("demo seed: address exists?"):
            address = Address.objects.filter(
                grid=grid, canonical=canonical, status=Status.ACTIVE
            ).first()
        self.count("address", created=address is None)
        return address or services.create_address(
            actor=self.actor, grid=grid, street=street, door_no=door
        )

    def house(self, address: Address, plan: HousePlan) -> House:
        with unscoped("demo seed: house exists?"):
            house = House.objects.filter(address=address, status=Status.ACTIVE).first()
        self.count("house", created=house is None)
        if house is not None:
            return house
        fields: dict[str, Any] = {
            "use": plan.use,
            "floor_area": plan.floor_area,
            "occupancy": plan.occupancy,
        }
        if plan.landlord is not None:
            fields |= {
                "rental_use": plan.rental_use,
                "rental_no": plan.rental_no,
                "owner_name": plan.landlord.name,
                "owner_id_number": plan.landlord.id_number,
                "fire_pledge_signed": plan.fire_pledge_date is not None,
                "fire_pledge_date": plan.fire_pledge_date,
            }
        return services.create_house(actor=self.actor, address=address, **fields)

    def people(self, grid: Area, house: House, plans: tuple[PersonPlan, ...]) -> None:
        without_id: Counter[tuple[str, dt.date]] = Counter()
        for plan in plans:
            if plan.id_number:
                exists = services.find_by_id_number(plan.id_number) is not None
            else:
                # The k-th record without a number of this name and birth date in this grid
                # (merged ones too: a demo merged by hand is not undone by seeding again).
                key = (plan.name, plan.birth_date)
                without_id[key] += 1
                with unscoped("demo seed: person without ID exists?"):
                    have = Person.objects.filter(
                        grid=grid, id_hash="", name=plan.name, birth_date=plan.birth_date
                    ).count()
                exists = have >= without_id[key]
            self.count("person", created=not exists)
            if exists:
                continue
            services.register_person(
                actor=self.actor,
                id_number=plan.id_number or None,
                house=house,
                arrangement=plan.arrangement,
                since=plan.since,
                phone=plan.phone,
                name=plan.name,
                sex=plan.sex,
                birth_date=plan.birth_date,
                residence_type=plan.residence_type,
                occupation=plan.occupation,
                inflow_reason=plan.inflow_reason,
                permit_type=plan.permit_type,
                hukou_place=plan.hukou_place,
            )

    def unit(self, address: Address, plan: UnitPlan) -> None:
        with unscoped("demo seed: unit exists?"):
            unit = Unit.objects.filter(credit_code=plan.credit_code).first()
        self.count("unit", created=unit is None)
        if unit is None:
            unit = services.create_unit(
                actor=self.actor,
                address=address,
                name=plan.name,
                unit_type=plan.unit_type,
                credit_code=plan.credit_code,
                enterprise_category=plan.enterprise_category,
                legal_rep_name=plan.legal_rep_name,
                legal_rep_phone=plan.legal_rep_phone,
                headcount=plan.headcount,
            )
        for letter in plan.letters:
            with unscoped("demo seed: letter exists?"):
                exists = ResponsibilityLetter.objects.filter(
                    unit=unit, kind=letter.kind, signed_on=letter.signed_on
                ).exists()
            self.count("letter", created=not exists)
            if not exists:
                services.add_responsibility_letter(
                    unit,
                    actor=self.actor,
                    kind=letter.kind,
                    signed_on=letter.signed_on,
                    valid_until=letter.valid_until,
                    signer=letter.signer,
                )

    def grid(self, grid: Area, plan: GridRegistryPlan) -> None:
        addresses = []
        # Homes first: a rented house names its landlord, who lives in one of them.
        order = sorted(range(len(plan.houses)), key=lambda i: plan.houses[i].landlord is not None)
        for i in order:
            house_plan = plan.houses[i]
            address = self.address(grid, house_plan.street, house_plan.door_no)
            addresses.append((i, address))
            house = self.house(address, house_plan)
            self.people(grid, house, house_plan.people)
        by_index = dict(addresses)
        for unit_plan in plan.units:
            self.unit(by_index[unit_plan.house_index], unit_plan)


def demo_grids(township_code: str) -> list[Area]:
    """The real grids under `township_code`, in code order."""
    with unscoped("demo seed: grids"):
        return list(
            Area.objects.grids()
            .active()
            .filter(code__startswith=township_code, grid_kind=GridKind.REAL)
            .order_by("code")
        )


def seed_registry(
    *,
    seed: int,
    township_code: str,
    created: Counter[str],
    existing: Counter[str],
    actor: Any = None,
) -> list[GridRegistryPlan]:
    """Write the registry demo for the township's real grids (idempotent), counting into
    `created` and `existing` by the kinds of KINDS. Runs in the caller's transaction."""
    grids = demo_grids(township_code)
    plans = build_plan(seed, [(g.code, g.name) for g in grids])
    seeder = _Seeder(actor or system_actor(), (created, existing))
    by_code = {g.code: g for g in grids}
    for plan in plans:
        seeder.grid(by_code[plan.code], plan)
    return plans


def seed_demo(*, with_registry: bool = True, **options: Any) -> SeedResult:
    """The whole demo in one transaction: `areas.demo.seed_demo(**options)` (areas, departments,
    logins), then, unless `with_registry` is False, the registry records of the township's real
    grids, counted in the same result. Idempotent, as both parts are."""
    with transaction.atomic():
        result = areas_demo.seed_demo(**options)
        if with_registry:
            seed_registry(
                seed=options.get("seed", areas_demo.DEFAULT_SEED),
                township_code=areas_demo.TOWNSHIP_CODE,
                created=result.created,
                existing=result.existing,
                actor=options.get("actor"),
            )
    return result
