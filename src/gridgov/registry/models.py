"""一标三实: standard addresses, and the houses, people and units at them.

Every record hangs on a standard address, which hangs on a grid; `area_path` (the grid's path) is
what scoping filters on, kept by the services. ID and phone numbers are stored only as an
encrypted token, a keyed hash for exact look-up and a masked form for lists (core.crypto).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.registry import codes

# --- Substring search on PostgreSQL: two-character pieces --------------------------------------
#
# A LIKE '%张伟%' cannot use a btree, and pg_trgm needs three characters, while Chinese names are
# searched by two. Migration 0005 defines registry_bigrams(text) -> text[] (the distinct
# two-character pieces of a text) and GIN indexes on it: person_name_bigrams on
# registry_bigrams(name) || registry_bigrams(former_name), address_canonical_bigrams on
# registry_bigrams(canonical). A text containing the query contains all of the query's pieces, so
# `HasBigrams` narrows the rows to a few candidates and the LIKE, kept beside it, decides exactly.


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of `text`, as registry_bigrams() computes them in SQL."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


class _Bigrams(models.Func):
    function = "registry_bigrams"
    output_field = models.TextField()


class HasBigrams(models.Func):
    """PostgreSQL only: `(registry_bigrams(a) || registry_bigrams(b) …) @> pieces`, written
    exactly as the indexes of migration 0005 so that they answer it."""

    arg_joiner = " || "
    template = "(%(expressions)s) @> %%s::text[]"
    output_field = models.BooleanField()

    def __init__(self, *fields: str, pieces: list[str]) -> None:
        super().__init__(*(_Bigrams(field) for field in fields))
        self.pieces = list(pieces)

    def as_sql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, self.pieces)


class Status(models.TextChoices):
    ACTIVE = "active", "在用"
    RETIRED = "retired", "已注销"


class Address(DomainModel):
    """A standard address (标准地址) in a grid. Its canonical text is unique within the grid."""

    grid = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="addresses", verbose_name="网格"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    street = models.CharField("街路巷/村组", max_length=80, blank=True)
    door_no = models.CharField("门牌号", max_length=20, blank=True)
    compound = models.CharField("小区/院落", max_length=80, blank=True)
    building = models.CharField("楼栋", max_length=20, blank=True)
    unit_no = models.CharField("单元", max_length=10, blank=True)
    floor = models.CharField("楼层", max_length=10, blank=True)
    room = models.CharField("户室", max_length=20, blank=True)
    canonical = models.CharField("标准地址", max_length=255, editable=False)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = "标准地址"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "canonical"]
        indexes = [
            # Address lists in order, and a one-character address search (two or more use
            # address_canonical_bigrams, migration 0005) within the jurisdiction's range.
            models.Index(fields=["area_path", "canonical"], name="address_path_canonical"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "canonical"],
                condition=Q(status="active"),
                name="address_unique_canonical_per_grid",
                violation_error_message="该网格内已有相同的标准地址。",
            )
        ]

    def __str__(self) -> str:
        return self.canonical

    @classmethod
    def holds_area_q(cls) -> Q:
        return Q(status=Status.ACTIVE)


class House(DomainModel):
    """实有房屋: the dwelling or premises at one address."""

    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="houses", verbose_name="标准地址"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    use = models.CharField(
        "建筑用途", max_length=2, choices=codes.BuildingUse.choices, default="01"
    )
    floor_area = models.DecimalField(
        "建筑面积(平方米)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    ownership = models.CharField(
        "产权性质", max_length=12, choices=codes.Ownership.choices, default="private"
    )
    owner = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="houses_owned",
        verbose_name="房主/产权人",
    )
    # A landlord need not live here (or in this city): name and ID number are kept on the house,
    # and `owner` links the person when they are registered.
    owner_name = models.CharField("房东/产权人姓名", max_length=50, blank=True)
    owner_id_token = models.TextField("房东身份证号(密文)", blank=True, editable=False)
    owner_id_hash = models.CharField(
        "房东身份证号查找码", max_length=80, blank=True, editable=False, db_index=True
    )
    owner_id_masked = models.CharField(
        "房东公民身份号码", max_length=32, blank=True, editable=False
    )
    occupancy = models.CharField(
        "使用状况", max_length=10, choices=codes.Occupancy.choices, default="self"
    )
    # 出租房 (GB/T 31000 表16)
    rental_no = models.CharField("出租房编号(门牌)", max_length=50, blank=True)
    rental_use = models.CharField(
        "出租用途", max_length=2, choices=codes.RentalUse.choices, blank=True
    )
    rental_hazard = models.CharField(
        "隐患类型", max_length=2, choices=codes.RentalHazard.choices, blank=True
    )
    fire_pledge_signed = models.BooleanField("已签消防安全承诺书", default=False)
    fire_pledge_date = models.DateField("承诺书签订日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = "实有房屋"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "address__canonical"]
        constraints = [
            models.UniqueConstraint(
                fields=["address"],
                condition=Q(status="active"),
                name="house_one_per_address",
                violation_error_message="该地址已登记房屋。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.address}"

    @classmethod
    def holds_area_q(cls) -> Q:
        return Q(status=Status.ACTIVE)

    @property
    def is_rental(self) -> bool:
        return self.occupancy == codes.Occupancy.RENTED


class Unit(DomainModel):
    """实有单位: an enterprise, school, hospital, market, shop, social organisation …"""

    name = models.CharField("单位名称", max_length=150)
    unit_type = models.CharField("单位类型", max_length=20, choices=codes.UnitType.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    enterprise_category = models.CharField(
        "企业类别", max_length=2, choices=codes.EnterpriseCategory.choices, blank=True
    )
    social_org_type = models.CharField(
        "社会组织类型", max_length=2, choices=codes.SocialOrgType.choices, blank=True
    )
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="units", verbose_name="标准地址"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    legal_rep_name = models.CharField("法定代表人", max_length=50, blank=True)
    legal_rep_phone_token = models.TextField("法定代表人联系方式(密文)", blank=True, editable=False)
    legal_rep_phone_masked = models.CharField("法定代表人联系方式", max_length=20, blank=True)
    security_contact_name = models.CharField("治保负责人", max_length=50, blank=True)
    security_contact_phone_token = models.TextField(
        "治保负责人联系方式(密文)", blank=True, editable=False
    )
    security_contact_phone_masked = models.CharField(
        "治保负责人联系方式", max_length=20, blank=True
    )
    headcount = models.PositiveIntegerField("从业人数", null=True, blank=True)
    hazard = models.CharField(
        "安全隐患类型", max_length=2, choices=codes.SafetyHazard.choices, default="00"
    )
    attention = models.CharField(
        "关注程度", max_length=2, choices=codes.Attention.choices, default="03"
    )
    is_hazardous_chemicals = models.BooleanField("危化企业", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = "实有单位"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(status="active") & ~Q(credit_code=""),
                name="unit_unique_credit_code",
                violation_error_message="已有使用该统一社会信用代码的单位。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def holds_area_q(cls) -> Q:
        return Q(status=Status.ACTIVE)


class ResponsibilityLetter(DomainModel):
    """A responsibility letter a unit signed (流动人口服务管理责任状, 消防安全责任书 …)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="letters", verbose_name="单位"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    kind = models.CharField("责任书类型", max_length=20, choices=codes.LetterKind.choices)
    signed_on = models.DateField("签订日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    signer = models.CharField("签订人", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "责任书"
        verbose_name_plural = verbose_name
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"

    @property
    def is_valid_today(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class Person(DomainModel):
    """实有人口: one record per person, keyed by the resident ID number (its keyed hash).

    The GB/T 31000 person core, the category of residence, and the status (never deleted: a
    person moves out or dies). Where they live is `Residence`; `grid` is where they are kept.
    """

    # Identity: the number itself only as a token; the hash finds it, the masked form shows it.
    id_token = models.TextField("身份证号(密文)", blank=True, editable=False)
    id_hash = models.CharField("身份证号查找码", max_length=80, blank=True, editable=False)
    id_masked = models.CharField("公民身份号码", max_length=32, blank=True, editable=False)
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名拼音首字母", max_length=50, editable=False)
    former_name = models.CharField("曾用名", max_length=50, blank=True)
    sex = models.CharField("性别", max_length=1, choices=codes.Sex.choices)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField(
        "民族", max_length=2, choices=codes.ETHNICITY_CHOICES, default="01"
    )
    native_place = models.CharField("籍贯", max_length=6, blank=True)
    marital = models.CharField("婚姻状况", max_length=2, choices=codes.Marital.choices, blank=True)
    political = models.CharField(
        "政治面貌", max_length=2, choices=codes.Political.choices, blank=True
    )
    education = models.CharField("学历", max_length=2, choices=codes.Education.choices, blank=True)
    religion = models.CharField(
        "宗教信仰", max_length=2, choices=codes.Religion.choices, blank=True
    )
    occupation_category = models.CharField("职业类别", max_length=5, blank=True)
    occupation = models.CharField("职业", max_length=30, blank=True)
    workplace = models.CharField("服务处所", max_length=100, blank=True)
    employer = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name="就业单位",
    )
    phone_token = models.TextField("联系方式(密文)", blank=True, editable=False)
    phone_hash = models.CharField("联系方式查找码", max_length=80, blank=True, editable=False)
    phone_masked = models.CharField("联系方式", max_length=20, blank=True, editable=False)
    hukou_place = models.CharField("户籍地", max_length=6, blank=True)
    hukou_address = models.CharField("户籍门(楼)详址", max_length=80, blank=True)
    residence_type = models.CharField(
        "人口类型", max_length=15, choices=codes.ResidenceType.choices
    )
    # Floating population (GB/T 31000 表13)
    inflow_reason = models.CharField(
        "流入原因", max_length=2, choices=codes.InflowReason.choices, blank=True
    )
    permit_type = models.CharField(
        "办证类型", max_length=2, choices=codes.PermitType.choices, blank=True
    )
    permit_no = models.CharField("居住证号码", max_length=22, blank=True)
    permit_valid_until = models.DateField("居住证有效期至", null=True, blank=True)
    dwelling_type = models.CharField(
        "住所类型", max_length=2, choices=codes.DwellingType.choices, blank=True
    )
    grid = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="people", verbose_name="所属网格"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    status = models.CharField(
        "状态", max_length=10, choices=codes.PersonStatus.choices, default="present"
    )
    status_date = models.DateField("状态日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_from",
        verbose_name="合并至",
    )
    client_uuid = models.UUIDField("客户端编号", null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "实有人口"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=~Q(id_hash=""),
                name="person_unique_id_number",
                violation_error_message="已有使用该公民身份号码的人员。",
            )
        ]
        indexes = [
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            # Lists in order; a one-character name search (selectors.search_people) reads the
            # jurisdiction's names and former names from this index alone, not the rows. Two
            # characters or more use person_name_bigrams (migration 0005) on PostgreSQL.
            models.Index(
                fields=["area_path", "name", "former_name", "id"], name="person_path_name_search"
            ),
            # Pinyin initials prefix ("zsf%"), then the jurisdiction, inside the index. The
            # pattern operator class lets PostgreSQL use it for LIKE under any database locale
            # (other databases ignore operator classes).
            models.Index(
                fields=["name_initials", "area_path"],
                name="person_initials_path",
                opclasses=["varchar_pattern_ops", "varchar_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def holds_area_q(cls) -> Q:
        return Q(status=codes.PersonStatus.PRESENT)


class Residence(DomainModel):
    """A person living at a house, from `since` until `until` (open while current). History is
    kept: moving ends the current residence and starts a new one."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="residences", verbose_name="人员"
    )
    house = models.ForeignKey(
        House, on_delete=models.PROTECT, related_name="residences", verbose_name="房屋"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    arrangement = models.CharField(
        "居住类型", max_length=10, choices=codes.LivingArrangement.choices
    )
    since = models.DateField("起始日期")
    until = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        verbose_name = "居住关系"
        verbose_name_plural = verbose_name
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(until__isnull=True),
                name="residence_one_current_per_person",
                violation_error_message="该人员已有当前居住地,请先办理迁出。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.house}"

    @classmethod
    def holds_area_q(cls) -> Q:
        return Q(until__isnull=True)
