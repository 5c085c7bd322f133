"""Import of people, houses and units from the CSV and XLSX files villages really send.

One pipeline for the page (a background job), the command line (`gridgov import people FILE`)
and the benchmark:

1. `core.imports.readers.read_table` turns the file into rows of text (encodings, blank rows,
   full-width digits, numbers that Excel stored, title rows, loose headers).
2. Each row is cleaned by its kind's `clean_*` function with the same rules as the services
   (ID ladder and contradictions, code tables by label or code, phone numbers, address parts).
   Every problem of a row is reported at once, under the column it belongs to.
3. Rows go in batches of `BATCH_SIZE`. Per batch, one query each finds what the rows refer to
   (standard addresses, houses, landlords) and what already exists (an ID number on file is
   matched, not duplicated); duplicates inside the file are refused with the first row's number.
4. The valid rows of a batch are written in one transaction together with the batch's problem
   rows, one audit entry and the job's checkpoint (PostgreSQL: COPY with ids taken from the
   sequence; elsewhere bulk_create). A job interrupted at any point resumes after the last
   committed batch, without duplicates. A dry run does everything except write records.
5. The error report is an XLSX built from the problem rows: the original columns, the row number
   and the reasons, so it can be corrected and imported again as it is.

The per-row work avoids the ORM (no model instances, no full_clean): the checks that full_clean
would make (choices, lengths, required values) are made here explicitly, once per field.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from gridgov.areas.choices import Level
from gridgov.areas.choices import Status as AreaStatus
from gridgov.areas.models import Area
from gridgov.core import audit, creditcodes, idnumbers, jobs
from gridgov.core.errors import DomainError, Invalid, NotPermitted
from gridgov.core.imports.readers import TableError, parse_date, read_table
from gridgov.core.models import Job, JobProblem
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.registry import codes
from gridgov.registry.addresses import AddressParts, fold, parse_address_text
from gridgov.registry.models import Address, House, Person, Residence, Status, Unit
from gridgov.registry.services import id_number_fields, name_initials, phone_fields

BATCH_SIZE = 2000
# Problem rows kept for the report; beyond this the job still counts them.
MAX_PROBLEMS = 200_000
HANDLER = "registry.import"


# --- Columns and code tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    note: str = ""


class RowProblems(Exception):
    """The row cannot be imported; `problems` are (column label, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


class CodeTable:
    """Label or code → code, for a code table (a TextChoices): "汉族", "汉" and "01" all give
    "01". Unknown values get a message listing what is allowed."""

    def __init__(self, choices: Any, *extra: tuple[str, str]) -> None:
        pairs = list(getattr(choices, "choices", choices))
        self.by_text: dict[str, str] = {}
        for value, label in pairs:
            for text in (value, label, label.removesuffix("族"), label.removesuffix("人口")):
                self.by_text.setdefault(fold(str(text)).lower(), value)
        for text, value in extra:
            self.by_text[fold(text).lower()] = value
        labels = [label for _, label in pairs]
        self.hint = "、".join(labels[:12]) + (" 等" if len(labels) > 12 else "")

    def code(self, text: str, label: str, problems: list[tuple[str, str]]) -> str:
        if not text:
            return ""
        value = self.by_text.get(fold(text).lower())
        if value is None:
            problems.append((label, f"“{text}”不是有效的{label},可填:{self.hint}。"))
            return ""
        return value


SEX = CodeTable(codes.Sex, ("m", "1"), ("f", "2"), ("male", "1"), ("female", "2"))
ETHNICITY = CodeTable(codes.ETHNICITY_CHOICES)
MARITAL = CodeTable(codes.Marital)
POLITICAL = CodeTable(codes.Political)
EDUCATION = CodeTable(codes.Education)
RELIGION = CodeTable(codes.Religion)
RESIDENCE_TYPE = CodeTable(codes.ResidenceType, ("户籍", "registered"), ("流动", "floating"))
INFLOW_REASON = CodeTable(codes.InflowReason)
PERMIT_TYPE = CodeTable(codes.PermitType)
DWELLING_TYPE = CodeTable(codes.DwellingType)
ARRANGEMENT = CodeTable(codes.LivingArrangement, ("租赁", "tenant"), ("借住", "lodger"))
BUILDING_USE = CodeTable(codes.BuildingUse)
OWNERSHIP = CodeTable(codes.Ownership)
OCCUPANCY = CodeTable(codes.Occupancy, ("出租房", "rented"), ("闲置", "vacant"))
RENTAL_USE = CodeTable(codes.RentalUse)
RENTAL_HAZARD = CodeTable(codes.RentalHazard)
UNIT_TYPE = CodeTable(codes.UnitType)
ENTERPRISE_CATEGORY = CodeTable(codes.EnterpriseCategory)
SOCIAL_ORG_TYPE = CodeTable(codes.SocialOrgType)
SAFETY_HAZARD = CodeTable(codes.SafetyHazard)
ATTENTION = CodeTable(codes.Attention)
_YES = {"是", "已签", "已签订", "有", "y", "yes", "1", "true", "√"}
_NO = {"否", "未签", "未签订", "无", "n", "no", "0", "false", ""}


def _flag(text: str, label: str, problems: list[tuple[str, str]]) -> bool:
    key = text.lower()
    if key in _YES:
        return True
    if key not in _NO:
        problems.append((label, f"“{text}”应填“是”或“否”。"))
    return False


def _date(text: str, label: str, problems: list[tuple[str, str]]) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        problems.append((label, str(exc)))
        return None


def _text(text: str, label: str, limit: int, problems: list[tuple[str, str]]) -> str:
    if len(text) > limit:
        problems.append((label, f"{label}不能超过 {limit} 个字(现有 {len(text)} 个)。"))
        return text[:limit]
    return text


def _phone(text: str, label: str, problems: list[tuple[str, str]]) -> tuple[str, str, str]:
    try:
        return phone_fields(text)
    except Invalid as exc:
        problems.append((label, exc.message))
        return "", "", ""


# --- Run state -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    dry_run: bool
    total: int = 0
    created: int = 0
    matched: int = 0
    failed: int = 0
    job: Job | None = None
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        """(row, column, message) of every refused row (from the stored problem rows)."""
        if self.job is None:
            return []
        out = []
        for problem in self.job.problems.filter(level=JobProblem.Level.ERROR).order_by("row"):
            for message in problem.messages:
                column, _, text = message.partition(":")
                out.append((problem.row, column, text))
        return out

    def lines(self) -> list[list[Any]]:
        verb = "可新增" if self.dry_run else "新增"
        lines = [
            ["读取行数", self.total],
            [verb, self.created],
            ["已存在(未重复导入)", self.matched],
        ]
        lines.append(["有误", self.failed])
        lines += [[label, n] for label, n in self.notes.items() if n]
        return lines


class _Run:
    """Everything one import run needs: who, which grids, what was seen earlier in the file."""

    def __init__(self, kind: str, actor: Any, job: Job, dry_run: bool) -> None:
        self.kind = kind
        self.actor = actor
        self.job = job
        self.dry_run = dry_run
        self.today = timezone.localdate()
        self.now = timezone.now()
        # Grids the actor may import into: code → (pk, path).
        grids = Area.objects.for_user(actor, "registry.import").filter(
            level=Level.GRID, status=AreaStatus.ACTIVE
        )
        self.grids: dict[str, tuple[int, str]] = {
            code: (pk, path) for pk, code, path in grids.values_list("pk", "code", "path")
        }
        with unscoped("import: division names to strip from written addresses"):
            names = dict(
                Area.objects.exclude(level=Level.GRID)
                .filter(status=AreaStatus.ACTIVE)
                .values_list("path", "name")
            )
        # Grid pk → names of its county, township and village, outermost first: people write
        # "云溪镇张家村3组12号" where the standard address is "张家村3组12号".
        self.divisions: dict[int, tuple[str, ...]] = {}
        for pk, path in self.grids.values():
            ancestors = [path[: i + 1] for i, char in enumerate(path[:-1]) if char == "/"]
            self.divisions[pk] = tuple(names[a] for a in ancestors if names.get(a))
        self.seen: dict[Any, int] = {}  # in-file duplicate key → first row number
        self.visible = jurisdiction(actor)

    def local_address(self, text: str, grid_pk: int | None) -> str:
        """`text` folded, without the division names (of the row's grid) it starts with."""
        text = fold(text)
        names = self.divisions.get(grid_pk, ()) if grid_pk else ()
        for index, name in enumerate(names):
            rest = text[len(name) :]
            if not text.startswith(name) or not rest:
                continue
            # The village's own name stays when a group number follows: "张家村3组12号" is the
            # standard form of a 村组 address, "中山社区中山路7号" is not.
            if index == len(names) - 1 and rest[0].isdigit():
                break
            text = rest
        return text

    def grid(self, code: str, problems: list[tuple[str, str]]) -> tuple[int, str] | None:
        if not code:
            problems.append(("网格编码", "请填写网格编码(15 位)。"))
            return None
        grid = self.grids.get(code)
        if grid is None:
            problems.append(("网格编码", f"网格编码 {code} 不存在、已撤销或不在您的管辖范围内。"))
        return grid


@dataclass
class _Row:
    number: int
    record: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    key: Any = None  # what makes the row a duplicate of an earlier one
    matched: str = ""  # why the row matches a record on file (then it is not imported)
    address: tuple[int | None, str] | None = None  # (grid pk, canonical address)
    parts: AddressParts | None = None
    arrangement: str = codes.LivingArrangement.OWN
    since: dt.date | None = None
    house_id: int | None = None


# --- People --------------------------------------------------------------------------------------

PEOPLE_COLUMNS = (
    Column("name", "姓名", ("人员姓名",), True, "张三丰"),
    Column(
        "id_number",
        "公民身份号码",
        ("身份证号", "身份证号码", "证件号码", "身份证"),
        False,
        "33020319800101001X",
        "户籍人口、流动人口必填;请将单元格设为文本格式,以免 Excel 改成科学计数法。",
    ),
    Column("sex", "性别", (), False, "男", "有身份证号时可不填;填写时须与号码一致。"),
    Column("birth_date", "出生日期", (), False, "1980-01-01", "有身份证号时可不填。"),
    Column("ethnicity", "民族", (), False, "汉族"),
    Column("phone", "联系电话", ("联系方式", "手机号", "手机号码", "电话"), False, "13812345678"),
    Column(
        "residence_type",
        "人口类型",
        ("人员类型", "人口类别"),
        True,
        "户籍人口",
        "户籍人口、流动人口、境外人员、未落户人员",
    ),
    Column("former_name", "曾用名"),
    Column("native_place", "籍贯", (), False, "", "6 位行政区划代码"),
    Column("marital", "婚姻状况", (), False, "已婚"),
    Column("political", "政治面貌", (), False, "群众"),
    Column("education", "学历", ("文化程度",), False, "高中"),
    Column("religion", "宗教信仰", (), False, "无宗教信仰"),
    Column("occupation", "职业"),
    Column("workplace", "服务处所", ("工作单位",)),
    Column("hukou_place", "户籍地", ("户籍地区划",), False, "330203", "6 位行政区划代码"),
    Column("hukou_address", "户籍门(楼)详址", ("户籍地址", "户籍详址")),
    Column("grid_code", "网格编码", ("所属网格编码", "网格代码"), True, "330203101001001"),
    Column(
        "address",
        "现住地址",
        ("标准地址", "居住地址", "现住址"),
        False,
        "中山路1号1幢1单元101室",
        "须为该网格已登记房屋的标准地址;不填则只登记到网格。",
    ),
    Column("arrangement", "居住类型", ("人房关系",), False, "自住", "自住、租住、寄住"),
    Column("since", "居住起始日期", ("入住日期",), False, "", "不填为导入当天"),
    Column("dwelling_type", "住所类型", (), False, "", "流动人口填写,如 租赁房屋"),
    Column("inflow_reason", "流入原因", (), False, "", "流动人口填写,如 务工"),
    Column("permit_type", "办证类型", (), False, "", "流动人口填写,如 居住证"),
    Column("permit_no", "居住证号码"),
    Column("permit_valid_until", "居住证有效期至"),
)

_REQUIRES_ID = {codes.ResidenceType.REGISTERED, codes.ResidenceType.FLOATING}


def clean_person(row: _Row, run: _Run) -> None:
    r, p, v = row.record, row.problems, row.values
    get = r.get
    v["name"] = _text(get("name", ""), "姓名", 50, p)
    if not v["name"]:
        p.append(("姓名", "请填写姓名。"))
    v["residence_type"] = RESIDENCE_TYPE.code(get("residence_type", ""), "人口类型", p)
    if not get("residence_type"):
        p.append(("人口类型", f"请填写人口类型:{RESIDENCE_TYPE.hint}。"))
    sex = SEX.code(get("sex", ""), "性别", p)
    birth = _date(get("birth_date", ""), "出生日期", p)
    raw_id = get("id_number", "")
    v["id_token"] = v["id_hash"] = v["id_masked"] = ""
    if raw_id:
        try:
            parsed = idnumbers.parse(raw_id, today=run.today)
            idnumbers.check_consistency(parsed, sex=sex or None, birth_date=birth)
        except Invalid as exc:
            for fld, messages in exc.as_dict().items():
                label = {"sex": "性别", "birth_date": "出生日期"}.get(fld, "公民身份号码")
                p += [(label, m) for m in messages]
        else:
            sex, birth = parsed.sex_code, parsed.birth_date
            v["id_token"], v["id_hash"], v["id_masked"] = id_number_fields(parsed.number)
            row.key = v["id_hash"]
    elif v["residence_type"] in _REQUIRES_ID:
        p.append(("公民身份号码", "户籍人口和流动人口须登记公民身份号码。"))
    if not sex:
        p.append(("性别", "没有公民身份号码时请填写性别。"))
    v["sex"], v["birth_date"] = sex, birth
    v["name_initials"] = name_initials(v["name"])
    v["phone_token"], v["phone_hash"], v["phone_masked"] = _phone(get("phone", ""), "联系电话", p)
    v["ethnicity"] = ETHNICITY.code(get("ethnicity", ""), "民族", p)
    v["marital"] = MARITAL.code(get("marital", ""), "婚姻状况", p)
    v["political"] = POLITICAL.code(get("political", ""), "政治面貌", p)
    v["education"] = EDUCATION.code(get("education", ""), "学历", p)
    v["religion"] = RELIGION.code(get("religion", ""), "宗教信仰", p)
    v["former_name"] = _text(get("former_name", ""), "曾用名", 50, p)
    v["occupation"] = _text(get("occupation", ""), "职业", 30, p)
    v["workplace"] = _text(get("workplace", ""), "服务处所", 100, p)
    v["hukou_address"] = _text(get("hukou_address", ""), "户籍门(楼)详址", 80, p)
    for name, label in (("native_place", "籍贯"), ("hukou_place", "户籍地")):
        code = get(name, "")
        if code and not (len(code) == 6 and code.isdigit()):
            p.append((label, f"{label}应为 6 位行政区划代码,如 330203。"))
        v[name] = code[:6]
    floating = v["residence_type"] == codes.ResidenceType.FLOATING
    v["dwelling_type"] = DWELLING_TYPE.code(get("dwelling_type", ""), "住所类型", p)
    v["inflow_reason"] = INFLOW_REASON.code(get("inflow_reason", ""), "流入原因", p) * floating
    v["permit_type"] = PERMIT_TYPE.code(get("permit_type", ""), "办证类型", p) * floating
    v["permit_no"] = _text(get("permit_no", ""), "居住证号码", 22, p) * floating
    until = _date(get("permit_valid_until", ""), "居住证有效期至", p)
    v["permit_valid_until"] = until if floating else None
    grid = run.grid(get("grid_code", ""), p)
    if grid is not None:
        v["grid_id"], v["area_path"] = grid
    address = run.local_address(get("address", ""), v.get("grid_id"))
    row.address = (v.get("grid_id"), address) if address else None
    row.arrangement = ARRANGEMENT.code(get("arrangement", ""), "居住类型", p) or "own"
    since = _date(get("since", ""), "居住起始日期", p) or run.today
    if since > run.today:
        p.append(("居住起始日期", "居住起始日期不能晚于今天。"))
    row.since = since


def _resolve_houses(rows: list[_Row]) -> None:
    """Find each row's house by its grid and standard address (one query for the batch)."""
    # Rows with other problems are looked up too: the report should name every problem at once.
    wanted = {row.address for row in rows if row.address and row.address[0] is not None}
    found: dict[tuple[int, str], tuple[int, int | None]] = {}
    if wanted:
        with unscoped("import: resolve standard addresses"):
            addresses = Address.objects.filter(
                status=Status.ACTIVE,
                grid_id__in={g for g, _ in wanted},
                canonical__in={c for _, c in wanted},
            ).values_list("pk", "grid_id", "canonical")
            by_pk = {pk: (grid, canonical) for pk, grid, canonical in addresses}
            houses = House.objects.filter(status=Status.ACTIVE, address_id__in=by_pk).values_list(
                "address_id", "pk"
            )
            house_of = dict(houses)
        found = {key: (pk, house_of.get(pk)) for pk, key in by_pk.items()}
    for row in rows:
        key = row.address
        if key not in wanted:
            continue
        hit = found.get(key)
        if hit is None:
            row.problems.append(
                ("现住地址", f"“{key[1]}”不是该网格的标准地址,请先导入房屋或登记标准地址。")
            )
        elif hit[1] is None:
            row.problems.append(("现住地址", f"“{key[1]}”尚未登记房屋,请先登记房屋。"))
        else:
            row.house_id = hit[1]


def _people_on_file(rows: list[_Row]) -> None:
    hashes = [row.key for row in rows if row.key and not row.problems]
    if not hashes:
        return
    with unscoped("import: ID numbers already on file"):
        existing = set(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", flat=True))
    for row in rows:
        if row.key in existing and not row.problems:
            row.matched = "该公民身份号码已登记,未重复导入。"


def insert_people(rows: list[_Row], run: _Run) -> int:
    people = [row.values for row in rows]
    pks = _insert(Person, people, run)
    residences = [
        {
            "person_id": pk,
            "house_id": row.house_id,
            "area_path": row.values["area_path"],
            "arrangement": row.arrangement,
            "since": row.since,
        }
        for pk, row in zip(pks, rows, strict=True)
        if row.house_id
    ]
    _insert(Residence, residences, run)
    return len(pks)


# --- Houses --------------------------------------------------------------------------------------

_ADDRESS_COLUMNS = (
    Column("street", "街路巷/村组", ("街路巷", "村组", "道路"), False, "中山路"),
    Column("door_no", "门牌号", ("门牌",), False, "1"),
    Column("compound", "小区/院落", ("小区", "院落")),
    Column("building", "楼栋", ("幢", "栋"), False, "1"),
    Column("unit_no", "单元", (), False, "1"),
    Column("floor", "楼层"),
    Column("room", "户室", ("室", "房号"), False, "101"),
)

HOUSE_COLUMNS = (
    Column("grid_code", "网格编码", ("所属网格编码", "网格代码"), True, "330203101001001"),
    Column(
        "address",
        "标准地址",
        ("房屋地址", "地址"),
        False,
        "中山路1号1幢1单元101室",
        "可只填标准地址,或只填下面各部分;都填时须一致。",
    ),
    *_ADDRESS_COLUMNS,
    Column("use", "建筑用途", ("房屋用途",), False, "住宅"),
    Column("ownership", "产权性质", (), False, "私有"),
    Column("occupancy", "使用状况", ("房屋状态", "使用情况"), False, "自住", "自住、出租、空置"),
    Column("floor_area", "建筑面积", ("面积",), False, "89.5", "平方米"),
    Column("owner_name", "房主姓名", ("房东姓名", "产权人", "房东"), False, "张三丰"),
    Column(
        "owner_id_number",
        "房主公民身份号码",
        ("房东公民身份号码", "房东身份证号", "房主身份证号"),
        False,
        "33020319800101001X",
        "出租房必填",
    ),
    Column("rental_no", "出租房编号", ("出租房门牌",)),
    Column("rental_use", "出租用途", (), False, "", "出租房填写;住宅不填时按“住房”"),
    Column("rental_hazard", "隐患类型"),
    Column("fire_pledge_signed", "已签消防安全承诺书", ("消防承诺书",), False, "否", "是/否"),
    Column("fire_pledge_date", "承诺书签订日期"),
)


def _clean_address(row: _Row, run: _Run, text_column: str) -> None:
    """The row's standard address from its parts, or from the text when no part is given."""
    r, p = row.record, row.problems
    grid = run.grid(r.get("grid_code", ""), p)
    parts = AddressParts.clean(**{c.field: r.get(c.field, "") for c in _ADDRESS_COLUMNS})
    text = run.local_address(r.get("address", ""), grid[0] if grid else None)
    if not any(parts.as_dict().values()) and text:
        parts = parse_address_text(text)
        if parts is None:
            p.append((text_column, f"无法从“{text}”识别门牌号,请分列填写街路巷/村组、门牌号等。"))
            return
    elif text and text != parts.canonical():
        p.append((text_column, f"与分列填写的地址不一致:按各部分应为“{parts.canonical()}”。"))
    if parts.missing():
        p.append((text_column, f"地址不完整:请填写{parts.missing()[0]}。"))
        return
    for c in _ADDRESS_COLUMNS:
        if len(getattr(parts, c.field)) > Address._meta.get_field(c.field).max_length:
            p.append((c.label, f"{c.label}过长。"))
    row.parts = parts
    if grid is not None:
        row.address = (grid[0], parts.canonical())
        row.values["area_path"] = grid[1]


def clean_house(row: _Row, run: _Run) -> None:
    r, p, v = row.record, row.problems, row.values
    get = r.get
    _clean_address(row, run, "标准地址")
    v["use"] = BUILDING_USE.code(get("use", ""), "建筑用途", p) or "01"
    v["ownership"] = OWNERSHIP.code(get("ownership", ""), "产权性质", p) or "private"
    v["occupancy"] = OCCUPANCY.code(get("occupancy", ""), "使用状况", p) or "self"
    area = get("floor_area", "")
    v["floor_area"] = None
    if area:
        try:
            v["floor_area"] = Decimal(area).quantize(Decimal("0.01"))
            if v["floor_area"] < 0 or v["floor_area"] >= 10**8:
                raise InvalidOperation
        except InvalidOperation:
            p.append(("建筑面积", f"建筑面积“{area}”应为平方米数,如 89.5。"))
    v["owner_name"] = _text(get("owner_name", ""), "房主姓名", 50, p)
    v["owner_id_token"] = v["owner_id_hash"] = v["owner_id_masked"] = ""
    if get("owner_id_number"):
        try:
            number = idnumbers.parse(get("owner_id_number"), today=run.today).number
        except Invalid as exc:
            p.append(("房主公民身份号码", exc.message))
        else:
            v["owner_id_token"], v["owner_id_hash"], v["owner_id_masked"] = id_number_fields(number)
    rented = v["occupancy"] == codes.Occupancy.RENTED
    v["rental_no"] = _text(get("rental_no", ""), "出租房编号", 50, p) * rented
    v["rental_use"] = RENTAL_USE.code(get("rental_use", ""), "出租用途", p) * rented
    v["rental_hazard"] = RENTAL_HAZARD.code(get("rental_hazard", ""), "隐患类型", p) * rented
    if rented:
        if not v["rental_use"]:
            if v["use"] != codes.BuildingUse.RESIDENTIAL:
                p.append(("出租用途", "非住宅的出租房请填写出租用途。"))
            v["rental_use"] = codes.RentalUse.HOME
        if not (v["owner_name"] and v["owner_id_hash"]):
            p.append(("房主公民身份号码", "出租房请填写房东的姓名和公民身份号码。"))
    v["fire_pledge_signed"] = _flag(get("fire_pledge_signed", ""), "已签消防安全承诺书", p)
    v["fire_pledge_date"] = _date(get("fire_pledge_date", ""), "承诺书签订日期", p)
    if v["fire_pledge_signed"] and v["fire_pledge_date"] is None:
        p.append(("承诺书签订日期", "已签消防安全承诺书的,请填写签订日期。"))
    if not v["fire_pledge_signed"]:
        v["fire_pledge_date"] = None
    row.key = row.address


def _addresses_for(rows: list[_Row], run: _Run, *, insert: bool) -> dict[tuple[int, str], int]:
    """Address pk of every row's (grid, canonical), creating the missing ones if `insert`."""
    wanted = {row.address for row in rows if row.address and not row.problems}
    if not wanted:
        return {}
    with unscoped("import: find standard addresses"):
        found = {
            (grid, canonical): pk
            for pk, grid, canonical in Address.objects.filter(
                status=Status.ACTIVE,
                grid_id__in={g for g, _ in wanted},
                canonical__in={c for _, c in wanted},
            ).values_list("pk", "grid_id", "canonical")
        }
    if insert:
        new = []
        for row in rows:
            key = row.address
            if key in wanted and key not in found and not row.problems and not row.matched:
                found[key] = -1
                parts = row.parts.as_dict() if row.parts else {}
                new.append(
                    (
                        key,
                        {
                            **parts,
                            "grid_id": key[0],
                            "canonical": key[1],
                            "area_path": row.values["area_path"],
                        },
                    )
                )
        pks = _insert(Address, [values for _, values in new], run)
        found.update({key: pk for (key, _), pk in zip(new, pks, strict=True)})
    return found


def _houses_on_file(rows: list[_Row], run: _Run) -> None:
    addresses = _addresses_for(rows, run, insert=False)
    if not addresses:
        return
    with unscoped("import: houses already on file"):
        housed = set(
            House.objects.filter(
                status=Status.ACTIVE, address_id__in=addresses.values()
            ).values_list("address_id", flat=True)
        )
    for row in rows:
        if not row.problems and addresses.get(row.address) in housed:
            row.matched = "该地址已登记房屋,未重复导入。"


def insert_houses(rows: list[_Row], run: _Run) -> int:
    addresses = _addresses_for(rows, run, insert=True)
    owners = _visible_people([r.values["owner_id_hash"] for r in rows], run)
    houses = []
    for row in rows:
        values = dict(row.values, address_id=addresses[row.address])
        values["owner_id"] = owners.get(values["owner_id_hash"])
        houses.append(values)
    return len(_insert(House, houses, run))


def _visible_people(hashes: Iterable[str], run: _Run) -> dict[str, int]:
    """ID hash → pk of the registered people the actor may see (landlords to link)."""
    wanted = {h for h in hashes if h}
    if not wanted:
        return {}
    with unscoped("import: landlords by ID number"):
        rows = list(
            Person.objects.filter(id_hash__in=wanted).values_list("id_hash", "pk", "area_path")
        )
    return {h: pk for h, pk, path in rows if run.visible.allows("registry.view", path)}


# --- Units ---------------------------------------------------------------------------------------

UNIT_COLUMNS = (
    Column("name", "单位名称", ("名称", "企业名称"), True, "宁波华力物流有限公司"),
    Column("unit_type", "单位类型", ("类型",), True, "企业", "企业、学校、医院、市场、商铺 …"),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("信用代码", "社会信用代码"),
        False,
        "91330203148543546K",
    ),
    Column("enterprise_category", "企业类别", (), False, "内资企业"),
    Column("social_org_type", "社会组织类型"),
    Column("grid_code", "网格编码", ("所属网格编码", "网格代码"), True, "330203101001001"),
    Column("address", "单位地址", ("标准地址", "地址"), False, "中山路1001号"),
    *_ADDRESS_COLUMNS,
    Column("legal_rep_name", "法定代表人", ("负责人",), False, "金华"),
    Column("legal_rep_phone", "法定代表人联系电话", ("负责人电话",), False, "13047364667"),
    Column("security_contact_name", "治保负责人"),
    Column("security_contact_phone", "治保负责人联系电话"),
    Column("headcount", "从业人数", ("员工人数",), False, "20"),
    Column("hazard", "安全隐患类型"),
    Column("attention", "关注程度"),
    Column("is_hazardous_chemicals", "危化企业", (), False, "否", "是/否"),
)


def clean_unit(row: _Row, run: _Run) -> None:
    r, p, v = row.record, row.problems, row.values
    get = r.get
    v["name"] = _text(get("name", ""), "单位名称", 150, p)
    if not v["name"]:
        p.append(("单位名称", "请填写单位名称。"))
    v["unit_type"] = UNIT_TYPE.code(get("unit_type", ""), "单位类型", p)
    if not get("unit_type"):
        p.append(("单位类型", f"请填写单位类型:{UNIT_TYPE.hint}。"))
    v["credit_code"] = ""
    if get("credit_code"):
        try:
            v["credit_code"] = creditcodes.validate(get("credit_code"))
        except Invalid as exc:
            p.append(("统一社会信用代码", exc.message))
    v["enterprise_category"] = ENTERPRISE_CATEGORY.code(
        get("enterprise_category", ""), "企业类别", p
    )
    v["social_org_type"] = SOCIAL_ORG_TYPE.code(get("social_org_type", ""), "社会组织类型", p)
    v["hazard"] = SAFETY_HAZARD.code(get("hazard", ""), "安全隐患类型", p)
    v["attention"] = ATTENTION.code(get("attention", ""), "关注程度", p)
    v["is_hazardous_chemicals"] = _flag(get("is_hazardous_chemicals", ""), "危化企业", p)
    v["legal_rep_name"] = _text(get("legal_rep_name", ""), "法定代表人", 50, p)
    token, _, masked = _phone(get("legal_rep_phone", ""), "法定代表人联系电话", p)
    v["legal_rep_phone_token"], v["legal_rep_phone_masked"] = token, masked
    v["security_contact_name"] = _text(get("security_contact_name", ""), "治保负责人", 50, p)
    token, _, masked = _phone(get("security_contact_phone", ""), "治保负责人联系电话", p)
    v["security_contact_phone_token"], v["security_contact_phone_masked"] = token, masked
    headcount = get("headcount", "")
    v["headcount"] = None
    if headcount:
        if headcount.isdigit() and int(headcount) < 2**31:
            v["headcount"] = int(headcount)
        else:
            p.append(("从业人数", f"从业人数“{headcount}”应为整数。"))
    _clean_address(row, run, "单位地址")
    row.key = v["credit_code"] or (row.address, v["name"])


def _units_on_file(rows: list[_Row], run: _Run) -> None:
    codes_ = [row.values["credit_code"] for row in rows if row.values.get("credit_code")]
    if not codes_:
        return
    with unscoped("import: credit codes already on file"):
        existing = set(
            Unit.objects.filter(status=Status.ACTIVE, credit_code__in=codes_).values_list(
                "credit_code", flat=True
            )
        )
    for row in rows:
        if not row.problems and row.values.get("credit_code") in existing:
            row.matched = "已有使用该统一社会信用代码的单位,未重复导入。"


def insert_units(rows: list[_Row], run: _Run) -> int:
    addresses = _addresses_for(rows, run, insert=True)
    units = [dict(row.values, address_id=addresses[row.address]) for row in rows]
    return len(_insert(Unit, units, run))


# --- Kinds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    clean: Callable[[_Row, _Run], None]
    check: Callable[[list[_Row], _Run], None]  # batch look-ups: references and existing records
    insert: Callable[[list[_Row], _Run], int]
    duplicate: str  # message for a row repeating an earlier one (the key)

    @property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        return {c.field: (c.label, *c.aliases) for c in self.columns}

    @property
    def required(self) -> list[str]:
        return [c.field for c in self.columns if c.required]


def _check_people(rows: list[_Row], run: _Run) -> None:
    _resolve_houses(rows)
    _people_on_file(rows)


KINDS: dict[str, Kind] = {
    "people": Kind(
        "people",
        "实有人口",
        Person,
        PEOPLE_COLUMNS,
        clean_person,
        _check_people,
        insert_people,
        "公民身份号码与第 {row} 行重复。",
    ),
    "houses": Kind(
        "houses",
        "实有房屋",
        House,
        HOUSE_COLUMNS,
        clean_house,
        _houses_on_file,
        insert_houses,
        "标准地址与第 {row} 行重复。",
    ),
    "units": Kind(
        "units",
        "实有单位",
        Unit,
        UNIT_COLUMNS,
        clean_unit,
        _units_on_file,
        insert_units,
        "与第 {row} 行是同一单位(统一社会信用代码或名称和地址相同)。",
    ),
}


def kind_for(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise Invalid(f"不支持导入“{name}”,可导入:实有人口、实有房屋、实有单位。") from None


# --- Writing -------------------------------------------------------------------------------------


def _insert(model: type[models.Model], rows: list[dict[str, Any]], run: _Run) -> list[int]:
    """Insert plain dicts of field values (attnames) and return the new primary keys, in order.

    The model's defaults fill the fields a dict leaves out; the common columns of every domain
    record (version, created_at, updated_at) are set here. PostgreSQL gets a COPY with ids taken
    from the table's sequence first; other databases a bulk_create.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if f.attname in ("created_at", "updated_at"):
            defaults[f.attname] = run.now
        elif f.attname == "version":
            defaults[f.attname] = 1
        elif f.has_default() or not f.null:
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    if connection.vendor != "postgresql":
        objs = model._base_manager.bulk_create(
            [model(**{**defaults, **row}) for row in rows], batch_size=500
        )
        return [obj.pk for obj in objs]
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(  # the table and column names come from the model, not from input
            f"SELECT nextval(pg_get_serial_sequence('{table}', '{pk_column}')) "  # noqa: S608
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
    names = [f.attname for f in fields]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    if json_fields:
        rows = [{**row, **{k: Jsonb(row[k]) for k in json_fields if k in row}} for row in rows]
    columns = ", ".join(f'"{c}"' for c in [pk_column, *[f.column for f in fields]])
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for pk, row in zip(pks, rows, strict=True):
            merged = defaults | row
            copy.write_row([pk, *[merged[name] for name in names]])
    return pks


def _common_path(paths: Iterable[str]) -> str:
    paths = list(paths)
    if not paths:
        return ""
    prefix = os.path.commonprefix(paths)  # noqa: RUF071 (character-wise is right for paths)
    return prefix[: prefix.rfind("/") + 1] if "/" in prefix else ""


def _commit_batch(rows: list[_Row], kind: Kind, run: _Run, progress: jobs.Progress) -> None:
    """Write a batch: its valid rows, its problem rows, one audit entry, the checkpoint."""
    good = [row for row in rows if not row.problems and not row.matched]
    job = run.job
    with transaction.atomic():
        created = 0
        if good and not run.dry_run:
            created = kind.insert(good, run)
            audit.record_bulk(
                run.actor,
                "registry.import.batch",
                model=kind.model,
                object_repr=f"导入{kind.label}:{job.input_name or job.title}",
                changes={
                    "导入任务": str(job.pk),
                    "行号": f"{rows[0].number}–{rows[-1].number}",
                    "新增": f"{created} 条",
                },
                area_path=_common_path(row.values.get("area_path", "") for row in good),
            )
        elif good:
            created = len(good)
        problems = [row for row in rows if row.problems or row.matched]
        stored = job.failed_rows + job.skipped
        _insert(
            JobProblem,
            [
                {
                    "job_id": job.pk,
                    "row": row.number,
                    "level": JobProblem.Level.ERROR if row.problems else JobProblem.Level.MATCHED,
                    "messages": [f"{col}:{msg}" for col, msg in row.problems] or [row.matched],
                    "values": row.record,
                }
                for row in problems[: max(0, MAX_PROBLEMS - stored)]
            ],
            run,
        )
        job.succeeded += created
        job.failed_rows += sum(1 for row in rows if row.problems)
        job.skipped += sum(1 for row in rows if row.matched and not row.problems)
        job.processed += len(rows)
        progress.checkpoint(row=rows[-1].number)
    progress.tick()


def _count_lines(path: str | os.PathLike[str] | None) -> int | None:
    """Rows in a CSV (newlines, minus the header), for the progress bar; None for a workbook."""
    if path is None or not str(path).lower().endswith((".csv", ".txt")):
        return None
    try:
        with open(path, "rb") as stream:
            count = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, count - 1)


def _batches(reader: Iterable[tuple[int, dict[str, str]]]) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    for number, record in reader:
        batch.append(_Row(number, record))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(job: Job, progress: jobs.Progress) -> None:
    """The job handler: import `job.params["kind"]` from the job's file (or `params["path"]`)."""
    kind = kind_for(job.params.get("kind", ""))
    actor = job.owner
    run = _Run(kind.name, actor, job, job.dry_run)
    resume_after = int(job.checkpoint.get("row", 0))
    path = job.params.get("path")
    if job.input_file:
        source: Any = job.input_file.open("rb")
        filename = job.input_name
    else:
        source, filename = path, job.params.get("filename") or os.path.basename(path or "")
    if job.total is None:
        progress.tick(total=_count_lines(path) if path else None, force=True)
    try:
        try:
            reader = read_table(
                source, filename=filename, aliases=kind.aliases, required=kind.required
            )
        except TableError as exc:
            raise Invalid(exc.message) from None
        columns = [
            [c.field, reader.headers[c.field]] for c in kind.columns if c.field in reader.headers
        ]
        job.summary = {**job.summary, "columns": columns, "unknown": reader.unknown_headers}
        Job.objects.filter(pk=job.pk).update(summary=job.summary)
        for batch in _batches(reader):
            if batch[-1].number <= resume_after:
                for row in batch:  # done before the interruption: only remember the keys
                    _quick_key(row, kind, run)
                continue
            batch = [row for row in batch if row.number > resume_after]
            for row in batch:
                kind.clean(row, run)
                if row.key is not None and not row.problems:
                    first = run.seen.setdefault(row.key, row.number)
                    if first != row.number:
                        row.problems.append(("", kind.duplicate.format(row=first)))
            kind.check(batch, run)
            _commit_batch(batch, kind, run, progress)
    finally:
        if hasattr(source, "close"):
            source.close()
    _finish(job, kind, progress)


def _quick_key(row: _Row, kind: Kind, run: _Run) -> None:
    """Rebuild the in-file duplicate key of a row committed before a resume."""
    kind.clean(row, run)
    if row.key is not None and not row.problems:
        run.seen.setdefault(row.key, row.number)


def _finish(job: Job, kind: Kind, progress: jobs.Progress) -> None:
    outcome = outcome_of(job)
    job.summary = {**job.summary, "lines": outcome.lines()}
    job.total = job.processed
    if job.failed_rows or job.skipped:
        progress.save_file("report_file", f"错误报告-{kind.label}-{job.pk}.xlsx", report_xlsx(job))
    verb, created = ("试运行完成", "可新增") if job.dry_run else ("导入完成", "新增")
    job.message = (
        f"{verb}:读取 {outcome.total} 行,{created} {outcome.created} 条,"
        f"已存在 {outcome.matched} 条,有误 {outcome.failed} 行。"
    )
    if job.failed_rows:
        job.message += "请下载错误报告,改正后重新导入报告中的行。"


def outcome_of(job: Job) -> Outcome:
    return Outcome(
        kind=job.params.get("kind", ""),
        dry_run=job.dry_run,
        total=job.processed,
        created=job.succeeded,
        matched=job.skipped,
        failed=job.failed_rows,
        job=job,
    )


# --- Report and template -------------------------------------------------------------------------


def report_xlsx(job: Job) -> bytes:
    """The error report: the refused rows with their original columns and the reasons (first
    sheet, importable again once corrected), then the rows matched to existing records."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = job.summary.get("columns") or []
    book = Workbook(write_only=True)
    for level, title in (
        (JobProblem.Level.ERROR, "有误的行"),
        (JobProblem.Level.MATCHED, "已存在"),
    ):
        sheet = book.create_sheet(title)
        bold = Font(bold=True)
        head = ["行号", *[header for _, header in columns], "原因"]
        sheet.append([_bold_cell(sheet, h, bold) for h in head])
        problems = job.problems.filter(level=level).order_by("row").iterator(chunk_size=2000)
        for problem in problems:
            cells = [problem.values.get(name, "") for name, _ in columns]
            sheet.append([problem.row, *cells, ";".join(problem.messages)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold_cell(sheet: Any, value: Any, font: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def template_xlsx(kind_name: str) -> bytes:
    """The import template: the header row (required columns marked *), an example row, all as
    text cells so Excel keeps ID numbers whole, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    kind = kind_for(kind_name)
    book = Workbook()
    sheet = book.active
    sheet.title = kind.label
    for index, column in enumerate(kind.columns, start=1):
        head = sheet.cell(
            row=1, column=index, value=("*" if column.required else "") + column.label
        )
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="FFF2CC" if column.required else "DDEBF7")
        example = sheet.cell(row=2, column=index, value=column.example)
        example.number_format = "@"
        for row in range(3, 200):
            sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[head.column_letter].width = max(12, len(column.label) * 2 + 4)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明", "示例"])
    for column in kind.columns:
        notes.append([column.label, "是" if column.required else "", column.note, column.example])
    notes.append([])
    notes.append(["第 2 行是示例,导入前请删除或覆盖。支持 .xlsx 和 .csv(UTF-8 或 GBK)。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Entry points --------------------------------------------------------------------------------


def start_import(*, actor: Any, kind: str, upload: Any, filename: str, dry_run: bool = True) -> Job:
    """Queue an import of an uploaded file as a background job (the page's door)."""
    spec = kind_for(kind)
    if not jurisdiction(actor).allows_anywhere("registry.import"):
        raise NotPermitted()
    job = jobs.start_job(
        actor=actor,
        handler=HANDLER,
        title=f"{'试导入' if dry_run else '导入'}{spec.label}:{filename}",
        params={"kind": kind},
        upload=upload,
        upload_name=filename,
        dry_run=dry_run,
    )
    if dry_run:  # the job page offers to import the checked file for real
        job.params["commit_url"] = reverse("registry:import_commit", args=[job.pk])
        Job.objects.filter(pk=job.pk).update(params=job.params)
    return job


@transaction.atomic
def commit_checked_import(job: Job, *, actor: Any) -> Job:
    """After a dry run, import the same stored file for real."""
    if job.owner_id != actor.pk or not job.dry_run or job.state != Job.State.DONE:
        raise Invalid("只能对自己已完成的试导入确认导入。")
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.params.get("committed_as"):
        raise Invalid("该试导入已确认导入过,请在“我的任务”中查看。")
    spec = kind_for(job.params.get("kind", ""))
    real = Job.objects.create(
        kind=Job.Kind.IMPORT,
        handler=HANDLER,
        title=f"导入{spec.label}:{job.input_name}",
        owner=actor,
        params={"kind": spec.name, "checked_by": job.pk},
        input_file=job.input_file.name,
        input_name=job.input_name,
    )
    job.params = {**job.params, "committed_as": real.pk}
    job.params.pop("commit_url", None)
    Job.objects.filter(pk=job.pk).update(params=job.params)
    transaction.on_commit(lambda: jobs.run_job.enqueue(real.pk))
    return real


def run_import(
    kind: str,
    source: str | os.PathLike[str],
    *,
    filename: str = "",
    actor: Any,
    dry_run: bool = False,
    job: Job | None = None,
) -> Outcome:
    """Import a file on disk now, in this process (the command line and the benchmark).
    The run is a Job like any other: it is listed on the user's job page with its report."""
    spec = kind_for(kind)
    if not jurisdiction(actor).allows_anywhere("registry.import"):
        raise NotPermitted()
    path = str(source)
    if job is None:
        job = Job.objects.create(
            kind=Job.Kind.IMPORT,
            handler=HANDLER,
            title=f"{'试导入' if dry_run else '导入'}{spec.label}:{filename or Path(path).name}",
            owner=actor,
            params={"kind": kind, "path": path, "filename": filename or Path(path).name},
            dry_run=dry_run,
        )
    jobs.run_job.call(job.pk)
    job.refresh_from_db()
    if job.state == Job.State.FAILED:
        raise Invalid(job.message)
    return outcome_of(job)


def register_job_handler() -> None:
    jobs.register(
        HANDLER, kind=Job.Kind.IMPORT, run=_run, label="导入", permission="registry.import"
    )


__all__ = [
    "BATCH_SIZE",
    "KINDS",
    "DomainError",
    "Outcome",
    "commit_checked_import",
    "run_import",
    "start_import",
    "template_xlsx",
]
