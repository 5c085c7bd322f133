"""What the registry lists export (core/exports.py does the exporting).

Each list page (people, houses, units, addresses) exports its own filtered rows with these
columns, on the spot or as a background job. Exporting basic data is the `registry.import` right
("批量导入、导出基础数据"), and the rows are those the user may export (`for_user(user,
"registry.import")`), narrowed by the list's filters. ID and phone numbers are masked unless the
user holds `registry.reveal` over every exported row, asks for them and gives a purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from gridgov.core import crypto
from gridgov.core.exports import Column, ExportSpec
from gridgov.registry.filters import (
    AddressFilterSet,
    HouseFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from gridgov.registry.models import Address, House, Person, Residence, Unit

EXPORT_ACTION = "registry.import"
REVEAL_ACTION = "registry.reveal"


def _decrypted(token: str) -> str:
    if not token:
        return ""
    try:
        return crypto.decrypt(token)
    except crypto.DecryptionError:
        return "(无法解密)"


def _full(token_field: str) -> Callable[[Any], str]:
    return lambda obj: _decrypted(getattr(obj, token_field, "") or "")


def _display(name: str) -> Callable[[Any], str]:
    return lambda obj: getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""


# --- People ----------------------------------------------------------------------------------


def _people(rows: QuerySet) -> QuerySet:
    # The current address, read beside the person (a person the user may export).
    current = Residence._base_manager.filter(person=OuterRef("pk"), until__isnull=True)
    return (
        rows.select_related("grid")
        .annotate(
            current_address=Subquery(
                current.order_by("-since").values("house__address__canonical")[:1]
            )
        )
        .order_by("area_path", "pk")
    )


PEOPLE = ExportSpec(
    name="registry.people",
    title="实有人口",
    model=Person,
    action=EXPORT_ACTION,
    filterset=PersonFilterSet,
    personal=True,
    reveal_action=REVEAL_ACTION,
    list_url="registry:people",
    prepare=_people,
    columns=(
        Column("姓名", lambda p: p.name),
        Column("公民身份号码", lambda p: p.id_masked, full=_full("id_token"), text=True),
        Column("性别", _display("sex")),
        Column("出生日期", lambda p: p.birth_date),
        Column("民族", _display("ethnicity")),
        Column("人口类型", _display("residence_type")),
        Column("联系方式", lambda p: p.phone_masked, full=_full("phone_token"), text=True),
        Column("现住址", lambda p: p.current_address),
        Column("户籍门(楼)详址", lambda p: p.hukou_address),
        Column("职业", lambda p: p.occupation),
        Column("服务处所", lambda p: p.workplace),
        Column("所属网格", lambda p: p.grid.name),
        Column("网格代码", lambda p: p.grid.code, text=True),
        Column("状态", _display("status")),
        Column("状态日期", lambda p: p.status_date),
    ),
)


# --- Houses ----------------------------------------------------------------------------------


def _owner_name(house: House) -> str:
    name = getattr(house, "owner_name", "")
    return name or (house.owner.name if house.owner_id else "")


def _owner_id_masked(house: House) -> str:
    masked = getattr(house, "owner_id_masked", "")
    return masked or (house.owner.id_masked if house.owner_id else "")


def _owner_id_full(house: House) -> str:
    token = getattr(house, "owner_id_token", "")
    return _decrypted(token or (house.owner.id_token if house.owner_id else ""))


HOUSES = ExportSpec(
    name="registry.houses",
    title="实有房屋",
    model=House,
    action=EXPORT_ACTION,
    filterset=HouseFilterSet,
    personal=True,  # landlords' names and ID numbers
    reveal_action=REVEAL_ACTION,
    reveal_label="包含房东完整身份证号",
    list_url="registry:houses",
    prepare=lambda rows: rows.select_related("address__grid", "owner").order_by("area_path", "pk"),
    columns=(
        Column("标准地址", lambda h: h.address.canonical),
        Column("所属网格", lambda h: h.address.grid.name),
        Column("建筑用途", _display("use")),
        Column("建筑面积(平方米)", lambda h: h.floor_area),
        Column("产权性质", _display("ownership")),
        Column("房东/产权人", _owner_name),
        Column("房东公民身份号码", _owner_id_masked, full=_owner_id_full, text=True),
        Column("使用状况", _display("occupancy")),
        Column("出租房编号", lambda h: h.rental_no, text=True),
        Column("出租用途", _display("rental_use")),
        Column("隐患类型", _display("rental_hazard")),
        Column("已签消防安全承诺书", lambda h: h.fire_pledge_signed),
        Column("承诺书签订日期", lambda h: h.fire_pledge_date),
        Column("状态", _display("status")),
    ),
)


# --- Units -----------------------------------------------------------------------------------

UNITS = ExportSpec(
    name="registry.units",
    title="实有单位",
    model=Unit,
    action=EXPORT_ACTION,
    filterset=UnitFilterSet,
    personal=True,  # legal representatives' and contacts' names and phones
    reveal_action=REVEAL_ACTION,
    reveal_label="包含完整联系电话",
    list_url="registry:units",
    prepare=lambda rows: rows.select_related("address__grid").order_by("area_path", "pk"),
    columns=(
        Column("单位名称", lambda u: u.name),
        Column("单位类型", _display("unit_type")),
        Column("统一社会信用代码", lambda u: u.credit_code, text=True),
        Column("标准地址", lambda u: u.address.canonical),
        Column("所属网格", lambda u: u.address.grid.name),
        Column("法定代表人", lambda u: u.legal_rep_name),
        Column(
            "法定代表人联系方式",
            lambda u: u.legal_rep_phone_masked,
            full=_full("legal_rep_phone_token"),
            text=True,
        ),
        Column("治保负责人", lambda u: u.security_contact_name),
        Column(
            "治保负责人联系方式",
            lambda u: u.security_contact_phone_masked,
            full=_full("security_contact_phone_token"),
            text=True,
        ),
        Column("从业人数", lambda u: u.headcount),
        Column("安全隐患类型", _display("hazard")),
        Column("关注程度", _display("attention")),
        Column("危化企业", lambda u: u.is_hazardous_chemicals),
        Column("状态", _display("status")),
    ),
)


# --- Addresses -------------------------------------------------------------------------------

ADDRESSES = ExportSpec(
    name="registry.addresses",
    title="标准地址",
    model=Address,
    action=EXPORT_ACTION,
    filterset=AddressFilterSet,
    personal=False,  # places only: no names, no numbers
    list_url="registry:addresses",
    prepare=lambda rows: rows.select_related("grid").order_by("area_path", "pk"),
    columns=(
        Column("标准地址", lambda a: a.canonical),
        Column("网格代码", lambda a: a.grid.code, text=True),
        Column("所属网格", lambda a: a.grid.name),
        Column("街路巷/村组", lambda a: a.street),
        Column("门牌号", lambda a: a.door_no, text=True),
        Column("小区/院落", lambda a: a.compound),
        Column("楼栋", lambda a: a.building, text=True),
        Column("单元", lambda a: a.unit_no, text=True),
        Column("楼层", lambda a: a.floor, text=True),
        Column("户室", lambda a: a.room, text=True),
        Column("纬度", lambda a: a.lat),
        Column("经度", lambda a: a.lng),
        Column("状态", _display("status")),
    ),
)

SPECS = (PEOPLE, HOUSES, UNITS, ADDRESSES)
