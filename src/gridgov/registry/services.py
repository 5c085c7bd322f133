"""Every change to the registry: addresses, houses, units and their letters, people and where
they live. Same contract as every service module (ARCHITECTURE.md): keyword-only, one
transaction, permission and version checked, audited by action code, Chinese refusals.

ID and phone numbers enter here in clear and leave as token + keyed hash + masked form; the one
place that turns a token back into the number is `reveal_person_field`, which logs the read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from gridgov.areas.choices import Level
from gridgov.core import audit, crypto, idnumbers
from gridgov.core.access_log import record_access
from gridgov.core.errors import DomainError, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed
from gridgov.registry import codes
from gridgov.registry.addresses import AddressParts
from gridgov.registry.models import (
    Address,
    House,
    Person,
    Residence,
    ResponsibilityLetter,
    Status,
    Unit,
)


class AlreadyRegistered(DomainError):
    """The ID number is on file already. `person` is the record when the actor may see it."""

    default_message = "该公民身份号码已登记。"

    def __init__(self, message: str | None = None, *, person: Person | None = None) -> None:
        super().__init__(message, field="id_number")
        self.person = person


# --- Helpers -------------------------------------------------------------------------------------


def _active_grid(grid: Any) -> Any:
    if grid is None or grid.level != Level.GRID:
        raise Invalid("请选择网格。", field="grid")
    if not grid.is_active:
        raise Invalid("该网格已撤销。", field="grid")
    return grid


@lru_cache(maxsize=200_000)
def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三丰 → "zsf" (letters and digits in a name are kept)."""
    return "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")).lower()


def clean_phone(raw: str | None) -> str:
    """Digits of a phone number (mobile or fixed line), full-width folded, separators dropped."""
    from gridgov.registry.addresses import fold

    value = fold(raw or "").replace("-", "").replace("+86", "")
    if not value:
        return ""
    if not value.isdigit() or not 7 <= len(value) <= 12:
        raise Invalid("联系电话应为 11 位手机号或带区号的固定电话。", field="phone")
    if len(value) == 11 and not value.startswith("1") and not value.startswith("0"):
        raise Invalid("手机号应以 1 开头。", field="phone")
    return value


def id_number_fields(number: str) -> tuple[str, str, str]:
    """(token, look-up hash, masked form) of a validated, normalised ID number: what every
    record that holds an ID number stores (person, landlord), on entry and on import."""
    return crypto.encrypt(number), crypto.lookup_hash(number, "id"), idnumbers.mask(number)


def phone_fields(raw: str | None) -> tuple[str, str, str]:
    """(token, hash, masked) of a phone number, all empty when none was given."""
    phone = clean_phone(raw)
    if not phone:
        return "", "", ""
    return crypto.encrypt(phone), crypto.lookup_hash(phone, "phone"), crypto.mask_phone(phone)


# --- Addresses -----------------------------------------------------------------------------------


@transaction.atomic
def create_address(
    *,
    actor: Any,
    grid: Any,
    lat: float | None = None,
    lng: float | None = None,
    **parts: str,
) -> Address:
    """Register a standard address in `grid`. Refused if the same canonical address is there."""
    grid = _active_grid(lock_current(grid, expected_version=None))
    require(actor, "registry.change", grid.path)
    cleaned = AddressParts.clean(**parts)
    if cleaned.missing():
        raise Invalid(f"地址至少需要:{cleaned.missing()[0]}。", field="street")
    canonical = cleaned.canonical()
    with unscoped("address duplicate check"):
        if Address.objects.filter(grid=grid, canonical=canonical, status=Status.ACTIVE).exists():
            raise Invalid(f"该网格内已有标准地址“{canonical}”。", field="street")
    address = Address(
        grid=grid, area_path=grid.path, canonical=canonical, lat=lat, lng=lng, **cleaned.as_dict()
    )
    full_clean_or_invalid(address)
    with audit.action(actor, "registry.address.created"):
        address.save()
    return address


@transaction.atomic
def retire_address(address: Address, *, actor: Any, version: int) -> Address:
    """Retire an address nothing hangs on any more (no active house or unit)."""
    address = lock_current(address, expected_version=version)
    require(actor, "registry.change", address.area_path)
    if address.status != Status.ACTIVE:
        raise InvalidTransition("该地址已注销。")
    with unscoped("address in use check"):
        in_use = (
            House.objects.filter(address=address, status=Status.ACTIVE).exists()
            or Unit.objects.filter(address=address, status=Status.ACTIVE).exists()
        )
    if in_use:
        raise InvalidTransition("该地址上仍有在用的房屋或单位,不能注销。")
    address.status = Status.RETIRED
    with audit.action(actor, "registry.address.retired"):
        save_changed(address)
    return address


# --- Houses --------------------------------------------------------------------------------------

_HOUSE_FIELDS = (
    "use",
    "floor_area",
    "ownership",
    "owner",
    "owner_name",
    "occupancy",
    "rental_no",
    "rental_use",
    "rental_hazard",
    "fire_pledge_signed",
    "fire_pledge_date",
)


def _apply_house_owner(house: House, actor: Any, owner_id_number: str | None) -> None:
    """Store the landlord's ID number (encrypted, hashed, masked) and link the registered person
    with that number when the actor may see them. None keeps what is on file; "" clears it."""
    if owner_id_number is None:
        return
    raw = owner_id_number.strip()
    if not raw:
        house.owner_id_token = house.owner_id_hash = house.owner_id_masked = ""
        house.owner = None
        return
    number = idnumbers.parse(raw, field="owner_id_number").number
    house.owner_id_token, house.owner_id_hash, house.owner_id_masked = id_number_fields(number)
    with unscoped("landlord look-up by ID number"):
        owner = Person.objects.filter(id_hash=house.owner_id_hash).first()
    visible = owner is not None and jurisdiction(actor).allows("registry.view", owner.area_path)
    house.owner = owner if visible else None


def _check_house(house: House) -> None:
    if house.owner is not None and not house.owner_name:
        house.owner_name = house.owner.name
    house.owner_name = (house.owner_name or "").strip()
    if house.is_rental:
        if not house.rental_use:
            raise Invalid("出租房请选择出租用途。", field="rental_use")
        if house.owner_id is None and not (house.owner_name and house.owner_id_hash):
            raise Invalid("出租房请登记房东的姓名和公民身份号码。", field="owner_id_number")
    else:
        house.rental_no = house.rental_use = house.rental_hazard = ""
    if house.fire_pledge_signed and house.fire_pledge_date is None:
        raise Invalid("请填写消防安全承诺书的签订日期。", field="fire_pledge_date")
    if not house.fire_pledge_signed:
        house.fire_pledge_date = None


@transaction.atomic
def create_house(
    *, actor: Any, address: Address, owner_id_number: str | None = None, **fields: Any
) -> House:
    """Register the house at `address` (one per address)."""
    address = lock_current(address, expected_version=None)
    require(actor, "registry.change", address.area_path)
    if address.status != Status.ACTIVE:
        raise Invalid("该地址已注销。", field="address")
    with unscoped("house duplicate check"):
        if House.objects.filter(address=address, status=Status.ACTIVE).exists():
            raise Invalid("该地址已登记房屋。", field="address")
    house = House(address=address, area_path=address.area_path)
    for name in _HOUSE_FIELDS:
        if name in fields:
            setattr(house, name, fields[name])
    _apply_house_owner(house, actor, owner_id_number)
    _check_house(house)
    full_clean_or_invalid(house)
    with audit.action(actor, "registry.house.created"):
        house.save()
    return house


@transaction.atomic
def update_house(
    house: House,
    *,
    actor: Any,
    version: int,
    owner_id_number: str | None = None,
    **fields: Any,
) -> House:
    house = lock_current(house, expected_version=version)
    require(actor, "registry.change", house.area_path)
    for name in _HOUSE_FIELDS:
        if name in fields:
            setattr(house, name, fields[name])
    _apply_house_owner(house, actor, owner_id_number)
    _check_house(house)
    full_clean_or_invalid(house)
    with audit.action(actor, "registry.house.updated"):
        save_changed(house)
    return house


# --- Units ---------------------------------------------------------------------------------------


def _apply_unit_fields(unit: Unit, fields: dict[str, Any]) -> None:
    from gridgov.core import creditcodes

    for name in (
        "name",
        "unit_type",
        "enterprise_category",
        "social_org_type",
        "legal_rep_name",
        "security_contact_name",
        "headcount",
        "hazard",
        "attention",
        "is_hazardous_chemicals",
    ):
        if name in fields:
            setattr(unit, name, fields[name] if fields[name] is not None else "")
    if fields.get("headcount") is None and "headcount" in fields:
        unit.headcount = None
    if "credit_code" in fields:
        raw = fields["credit_code"] or ""
        unit.credit_code = creditcodes.validate(raw, field="credit_code") if raw.strip() else ""
    if "legal_rep_phone" in fields:
        unit.legal_rep_phone_token, _, unit.legal_rep_phone_masked = phone_fields(
            fields["legal_rep_phone"]
        )
    if "security_contact_phone" in fields:
        (
            unit.security_contact_phone_token,
            _,
            unit.security_contact_phone_masked,
        ) = phone_fields(fields["security_contact_phone"])
    unit.name = (unit.name or "").strip()
    if not unit.name:
        raise Invalid("请填写单位名称。", field="name")


@transaction.atomic
def create_unit(*, actor: Any, address: Address, **fields: Any) -> Unit:
    """Register a unit at `address`, its credit code validated (GB 32100) and unique."""
    address = lock_current(address, expected_version=None)
    require(actor, "registry.change", address.area_path)
    if address.status != Status.ACTIVE:
        raise Invalid("该地址已注销。", field="address")
    unit = Unit(address=address, area_path=address.area_path)
    _apply_unit_fields(unit, fields)
    full_clean_or_invalid(unit)
    with audit.action(actor, "registry.unit.created"):
        unit.save()
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, actor: Any, version: int, **fields: Any) -> Unit:
    unit = lock_current(unit, expected_version=version)
    require(actor, "registry.change", unit.area_path)
    _apply_unit_fields(unit, fields)
    full_clean_or_invalid(unit)
    with audit.action(actor, "registry.unit.updated"):
        save_changed(unit)
    return unit


@transaction.atomic
def add_responsibility_letter(
    unit: Unit,
    *,
    actor: Any,
    kind: str,
    signed_on: dt.date,
    valid_until: dt.date | None = None,
    signer: str = "",
    note: str = "",
) -> ResponsibilityLetter:
    unit = lock_current(unit, expected_version=None)
    require(actor, "registry.change", unit.area_path)
    if valid_until is not None and valid_until < signed_on:
        raise Invalid("有效期不能早于签订日期。", field="valid_until")
    if signed_on > timezone.localdate():
        raise Invalid("签订日期不能晚于今天。", field="signed_on")
    letter = ResponsibilityLetter(
        unit=unit,
        area_path=unit.area_path,
        kind=kind,
        signed_on=signed_on,
        valid_until=valid_until,
        signer=signer.strip(),
        note=note.strip(),
    )
    full_clean_or_invalid(letter)
    with audit.action(actor, "registry.letter.created"):
        letter.save()
    return letter


# --- People --------------------------------------------------------------------------------------

_PERSON_FIELDS = (
    "name",
    "former_name",
    "sex",
    "birth_date",
    "ethnicity",
    "native_place",
    "marital",
    "political",
    "education",
    "religion",
    "occupation_category",
    "occupation",
    "workplace",
    "employer",
    "hukou_place",
    "hukou_address",
    "residence_type",
    "inflow_reason",
    "permit_type",
    "permit_no",
    "permit_valid_until",
    "dwelling_type",
)


def _apply_identity(person: Person, id_number: str | None, fields: dict[str, Any]) -> None:
    """Validate the ID number by the ladder, fill sex and birth date from it, refuse
    contradictions, and store it as token, hash and masked form."""
    raw = (id_number or "").strip()
    if not raw:
        if person.residence_type in (codes.ResidenceType.REGISTERED, codes.ResidenceType.FLOATING):
            raise Invalid("户籍人口和流动人口须登记公民身份号码。", field="id_number")
        person.id_token = person.id_hash = person.id_masked = ""
        return
    # InvalidIdNumber is an Invalid: its Chinese message reaches the form or the API as is.
    parsed = idnumbers.parse(raw, field="id_number")
    idnumbers.check_consistency(
        parsed, sex=fields.get("sex") or None, birth_date=fields.get("birth_date")
    )
    person.sex = parsed.sex_code
    person.birth_date = parsed.birth_date
    person.id_token, person.id_hash, person.id_masked = id_number_fields(parsed.number)


def _check_person(person: Person) -> None:
    person.name = (person.name or "").strip()
    if not person.name:
        raise Invalid("请填写姓名。", field="name")
    person.name_initials = name_initials(person.name)
    if person.residence_type != codes.ResidenceType.FLOATING:
        person.inflow_reason = person.permit_type = person.permit_no = ""
        person.permit_valid_until = None
    if not person.sex:
        raise Invalid("请选择性别。", field="sex")


def find_by_id_number(id_number: str) -> Person | None:
    """The person with this ID number anywhere (for the duplicate check; not a read door)."""
    try:
        number = idnumbers.parse(id_number).number
    except idnumbers.InvalidIdNumber:
        return None
    with unscoped("id duplicate check"):
        return Person.objects.filter(id_hash=crypto.lookup_hash(number, "id")).first()


def _refuse_duplicate(actor: Any, person: Person, exclude_pk: int | None = None) -> None:
    if not person.id_hash:
        return
    with unscoped("id duplicate check"):
        existing = Person.objects.filter(id_hash=person.id_hash).exclude(pk=exclude_pk).first()
    if existing is None:
        return
    if jurisdiction(actor).allows("registry.view", existing.area_path):
        raise AlreadyRegistered(f"该公民身份号码已登记为“{existing.name}”。", person=existing)
    # Registered elsewhere: say so (an ID is unique nationally) but not where or as whom.
    raise AlreadyRegistered("该公民身份号码已在其他辖区登记,请联系原登记地办理迁出后再登记。")


@transaction.atomic
def register_person(
    *,
    actor: Any,
    id_number: str | None,
    grid: Any = None,
    house: House | None = None,
    arrangement: str = codes.LivingArrangement.OWN,
    since: dt.date | None = None,
    phone: str | None = None,
    client_uuid: uuid.UUID | None = None,
    **fields: Any,
) -> Person:
    """Register a person, living at `house` (which gives the grid) or kept in `grid`.

    A retried submission with the same `client_uuid` returns the first record. An ID number
    already on file raises AlreadyRegistered (the existing record, if visible to the actor).
    """
    if client_uuid is not None:
        with unscoped("client retry check"):
            earlier = Person.objects.filter(client_uuid=client_uuid).first()
        if earlier is not None:
            require(actor, "registry.change", earlier.area_path)
            return earlier
    if house is not None:
        house = lock_current(house, expected_version=None)
        grid = house.address.grid
    grid = _active_grid(grid)
    require(actor, "registry.change", grid.path)
    person = Person(grid=grid, area_path=grid.path, client_uuid=client_uuid)
    for name in _PERSON_FIELDS:
        if name in fields:
            setattr(person, name, fields[name] if fields[name] is not None else "")
    for name in ("birth_date", "permit_valid_until", "employer"):
        if fields.get(name) is None:
            setattr(person, name, None)
    if person.residence_type not in codes.ResidenceType.values:
        raise Invalid("请选择人口类型。", field="residence_type")
    _apply_identity(person, id_number, fields)
    _check_person(person)
    person.phone_token, person.phone_hash, person.phone_masked = phone_fields(phone)
    _refuse_duplicate(actor, person)
    full_clean_or_invalid(person, exclude=["client_uuid"])
    with audit.action(actor, "registry.person.created"):
        person.save()
    if house is not None:
        _start_residence(person, house, arrangement, since or timezone.localdate(), actor)
    return person


@transaction.atomic
def update_person(
    person: Person,
    *,
    actor: Any,
    version: int,
    id_number: str | None = None,
    phone: str | None = None,
    **fields: Any,
) -> Person:
    """Change a person's details. `id_number`/`phone` None keeps the stored number."""
    person = lock_current(person, expected_version=version)
    require(actor, "registry.change", person.area_path)
    _refuse_merged(person)
    nullable = ("birth_date", "permit_valid_until", "employer")
    for name in _PERSON_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(person, name, "" if value is None and name not in nullable else value)
    if id_number is not None:
        _apply_identity(person, id_number, fields)
        _refuse_duplicate(actor, person, exclude_pk=person.pk)
    elif person.id_token:
        # Sex and birth date keep following the number on file.
        parsed = idnumbers.parse(crypto.decrypt(person.id_token))
        idnumbers.check_consistency(
            parsed, sex=fields.get("sex") or None, birth_date=fields.get("birth_date")
        )
        person.sex, person.birth_date = parsed.sex_code, parsed.birth_date
    if phone is not None:
        person.phone_token, person.phone_hash, person.phone_masked = phone_fields(phone)
    _check_person(person)
    full_clean_or_invalid(person, exclude=["client_uuid"])
    with audit.action(actor, "registry.person.updated"):
        save_changed(person)
    return person


def _start_residence(
    person: Person, house: House, arrangement: str, since: dt.date, actor: Any
) -> Residence:
    if arrangement not in codes.LivingArrangement.values:
        raise Invalid("请选择居住类型。", field="arrangement")
    if house.status != Status.ACTIVE:
        raise Invalid("该房屋已注销。", field="house")
    residence = Residence(
        person=person, house=house, area_path=house.area_path, arrangement=arrangement, since=since
    )
    full_clean_or_invalid(residence)
    with audit.action(actor, "registry.residence.started"):
        residence.save()
    return residence


def _end_current_residence(person: Person, until: dt.date, actor: Any) -> None:
    with unscoped("current residence of an authorised person"):
        current = (
            Residence.objects.select_for_update().filter(person=person, until__isnull=True).first()
        )
    if current is None:
        return
    if until < current.since:
        raise Invalid("迁出日期不能早于入住日期。", field="since")
    current.until = until
    with audit.action(actor, "registry.residence.ended"):
        save_changed(current)


@transaction.atomic
def move_person(
    person: Person,
    *,
    actor: Any,
    version: int,
    house: House,
    arrangement: str,
    since: dt.date | None = None,
) -> Person:
    """The person now lives at `house` from `since`: the current residence ends, a new one
    starts, and the person is kept in the new house's grid. History stays."""
    person = lock_current(person, expected_version=version)
    require(actor, "registry.change", person.area_path)
    house = lock_current(house, expected_version=None)
    require(actor, "registry.change", house.area_path)
    _refuse_merged(person)
    if person.status != codes.PersonStatus.PRESENT:
        raise InvalidTransition("该人员已迁出或死亡,不能登记新的居住地。")
    since = since or timezone.localdate()
    _end_current_residence(person, since, actor)
    _start_residence(person, house, arrangement, since, actor)
    grid = house.address.grid
    person.grid, person.area_path = grid, grid.path
    with audit.action(actor, "registry.person.updated"):
        save_changed(person)
    return person


@transaction.atomic
def set_person_status(
    person: Person, *, actor: Any, version: int, status: str, on: dt.date | None = None
) -> Person:
    """Mark a person moved out or deceased (or present again); never deleted."""
    person = lock_current(person, expected_version=version)
    require(actor, "registry.change", person.area_path)
    if status not in codes.PersonStatus.values:
        raise Invalid("未知的人员状态。", field="status")
    _refuse_merged(person)
    if status == codes.PersonStatus.MERGED:
        raise Invalid("合并重复档案请使用“合并”功能。", field="status")
    if status == person.status:
        raise InvalidTransition(f"该人员已是“{codes.PersonStatus(status).label}”状态。")
    if person.status == codes.PersonStatus.DECEASED:
        raise InvalidTransition("已死亡人员的状态不能再变更。")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise Invalid("日期不能晚于今天。", field="on")
    if status != codes.PersonStatus.PRESENT:
        _end_current_residence(person, on, actor)
    person.status, person.status_date = status, on
    with audit.action(actor, "registry.person.status"):
        save_changed(person)
    return person


# --- Merging duplicate records -------------------------------------------------------------------

MergeHook = Callable[[Person, Person, Any], None]
_merge_hooks: list[MergeHook] = []


def register_merge_hook(hook: MergeHook) -> None:
    """Let another app move its own rows when a duplicate is merged: `hook(keep, drop, actor)`.

    It runs inside the merge's transaction, after the registry's rows have moved and before
    `drop` is marked merged; a DomainError it raises undoes the whole merge. Apps register theirs
    in apps.py, beside their person-file section (selectors.register_file_section)."""
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)


def _refuse_merged(person: Person) -> None:
    if person.status == codes.PersonStatus.MERGED:
        raise InvalidTransition(f"“{person.name}”的档案已合并至其他档案,请在保留的档案中办理。")


# Filled on the kept record from the dropped one where the kept record has nothing. Name, sex,
# ethnicity and type of residence always have a value; sex and birth date follow an ID number.
_MERGE_FILLED = tuple(
    name for name in _PERSON_FIELDS if name not in ("name", "sex", "ethnicity", "residence_type")
)


def _lock_pair(
    keep: Person, keep_version: int, drop: Person, drop_version: int
) -> tuple[Person, Person]:
    """Lock both rows in primary-key order (two merges of the same pair cannot deadlock)."""
    wanted = {keep.pk: keep_version, drop.pk: drop_version}
    locked = {
        pk: lock_current(person, expected_version=wanted[pk])
        for pk, person in sorted({keep.pk: keep, drop.pk: drop}.items())
    }
    return locked[keep.pk], locked[drop.pk]


def _take_identity(keep: Person, drop: Person) -> None:
    """Move the dropped record's ID number to the kept one (the number is unique: one holder)."""
    parsed = idnumbers.parse(crypto.decrypt(drop.id_token))
    try:
        idnumbers.check_consistency(parsed, sex=keep.sex or None, birth_date=keep.birth_date)
    except idnumbers.InvalidIdNumber as error:
        raise Invalid(
            f"“{drop.name}”的公民身份号码与“{keep.name}”的性别或出生日期不符,不能合并:"
            f"{error.message}"
        ) from error
    keep.id_token, keep.id_hash, keep.id_masked = drop.id_token, drop.id_hash, drop.id_masked
    keep.sex, keep.birth_date = parsed.sex_code, parsed.birth_date
    drop.id_token = drop.id_hash = drop.id_masked = ""


def _move_residences(keep: Person, drop: Person) -> None:
    """The dropped record's residences become the kept one's, history and all. If both live
    somewhere now, the kept record's residence stays current and the dropped one's ends the day
    before it began (or on its own first day, if it began later), so the history has one current
    residence and no gap where there was none."""
    with unscoped("residences of two people being merged"):
        rows = Residence.objects.select_for_update()
        keep_current = rows.filter(person=keep, until__isnull=True).first()
        moved = list(rows.filter(person=drop))
    for residence in moved:
        if residence.until is None:
            if keep_current is not None:
                day_before = keep_current.since - dt.timedelta(days=1)
                residence.until = max(residence.since, day_before)
            else:
                # The kept record had no home on file: it is kept where the person lives now.
                grid = residence.house.address.grid
                keep.grid, keep.area_path = grid, grid.path
        residence.person = keep
        save_changed(residence)


@transaction.atomic
def merge_people(
    keep: Person, drop: Person, *, actor: Any, keep_version: int, drop_version: int
) -> Person:
    """Merge the duplicate record `drop` into `keep`; both histories stay, nothing is deleted.

    Who: registry.change over both records' areas. What it writes, in one transaction: drop's
    residences (and houses it owns) move to keep, keep's blank fields are filled from drop (its ID
    number too, when only drop has one), the apps' merge hooks move their rows, and drop is marked
    merged into keep (status 已合并, today). Raises Conflict for a stale version, NotPermitted,
    and InvalidTransition for: the same record, an already merged one, two ID numbers (two
    different people), or a present record into one that has moved out or died."""
    if keep.pk == drop.pk:
        raise InvalidTransition("不能把档案合并到它自己。")
    keep, drop = _lock_pair(keep, keep_version, drop, drop_version)
    require(actor, "registry.change", keep.area_path)
    require(actor, "registry.change", drop.area_path)
    for person in (drop, keep):
        _refuse_merged(person)
    if keep.id_hash and drop.id_hash:
        raise InvalidTransition(
            "两份档案都有公民身份号码,是不同的人,不能合并。如号码登记有误,请先修改档案。"
        )
    present = codes.PersonStatus.PRESENT
    if keep.status != present and drop.status == present:
        raise InvalidTransition(
            f"“{keep.name}”{keep.get_status_display()},“{drop.name}”仍在册:"
            "请保留在册的档案,把另一份合并进来。"
        )

    if drop.id_hash:
        _take_identity(keep, drop)
    for name in _MERGE_FILLED:
        if getattr(keep, name) in ("", None) and getattr(drop, name) not in ("", None):
            setattr(keep, name, getattr(drop, name))
    if not keep.phone_token and drop.phone_token:
        keep.phone_token, keep.phone_hash = drop.phone_token, drop.phone_hash
        keep.phone_masked = drop.phone_masked
    _check_person(keep)

    with audit.action(actor, "registry.person.merged"):
        _move_residences(keep, drop)
        with unscoped("houses owned by a person being merged"):
            owned = list(House.objects.select_for_update().filter(owner=drop))
        for house in owned:
            house.owner = keep
            save_changed(house)
        for hook in _merge_hooks:
            hook(keep, drop, actor)
        drop.status, drop.status_date = codes.PersonStatus.MERGED, timezone.localdate()
        drop.merged_into = keep
        save_changed(drop)  # first: it gives up its ID number before keep takes it
        full_clean_or_invalid(keep, exclude=["client_uuid"])
        save_changed(keep)
    return keep


# --- Revealing sensitive values ------------------------------------------------------------------

REVEALABLE = {"id_number": ("id_token", "公民身份号码"), "phone": ("phone_token", "联系方式")}


@transaction.atomic
def reveal_person_field(person: Person, *, actor: Any, field: str, purpose: str = "") -> str:
    """The full ID or phone number, for users whose role allows it; the read is access-logged.

    The only function that turns a person's token back into the number."""
    if field not in REVEALABLE:
        raise Invalid("该字段不能查看明文。", field="field")
    if not jurisdiction(actor).allows("registry.reveal", person.area_path):
        raise NotPermitted("您的角色不能查看明文,只能查看脱敏信息。")
    token_field, label = REVEALABLE[field]
    token = getattr(person, token_field)
    if not token:
        return ""
    value = crypto.decrypt(token)
    record_access(
        actor,
        kind="unmasked",
        area_path=person.area_path,
        obj=person,
        fields=[label],
        purpose=purpose,
    )
    return value


def record_file_view(person: Person, *, actor: Any) -> None:
    """Opening a person's file (一人一档) is written to the access log."""
    record_access(actor, kind="file_view", area_path=person.area_path, obj=person, fields=["档案"])
