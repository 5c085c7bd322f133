"""Users, departments and memberships (who holds which role where)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.core.audit import AuditedModelMixin
from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel


class User(AuditedModelMixin, AbstractUser):
    """A person who logs in. Chinese names are not split, so `full_name` replaces first/last."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号码", max_length=18, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class DepartmentKind(models.TextChoices):
    """Kinds of organisation events are dispatched to (归口管理、分流)."""

    CENTER = "center", "综治中心"
    POLICE = "police", "派出所"
    JUSTICE = "justice", "司法所"
    PETITION = "petition", "信访办"
    EMERGENCY = "emergency", "应急管理(安监)"
    ENVIRONMENT = "environment", "生态环境(环保)"
    HUMAN_RESOURCES = "hr", "人力社保(人社)"
    MARKET = "market", "市场监管所"
    ENFORCEMENT = "enforcement", "综合行政执法"
    CIVIL_AFFAIRS = "civil", "民政"
    HEALTH = "health", "卫生健康"
    CONSTRUCTION = "construction", "住房建设"
    EDUCATION = "education", "教育"
    LAND = "land", "自然资源"
    OTHER = "other", "其他"


class Department(DomainModel):
    """An organisation in an area that takes dispatched work: 派出所, 司法所, 信访办 …"""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="departments", verbose_name="所属区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    is_active = models.BooleanField("在用", default=True)
    retired_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                condition=Q(is_active=True),
                name="department_unique_active_name_per_area",
                violation_error_message="该区域已有同名部门。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def active_q(cls) -> Q:
        return Q(is_active=True)

    @classmethod
    def holds_area_q(cls) -> Q:
        """Rows that keep their area from being retired."""
        return cls.active_q()


class Membership(DomainModel):
    """A user holding a role over an area (their jurisdiction), optionally for a department.

    Active from `valid_from` through `valid_until` (inclusive) unless ended earlier.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="memberships", verbose_name="辖区"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="部门",
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    valid_from = models.DateField("起始日期", default=dt.date.today)
    valid_until = models.DateField("截止日期", null=True, blank=True)
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "role"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else self.area.name
        return f"{self.user} · {self.get_role_display()} · {where}"

    @classmethod
    def active_q(cls, on: dt.date | None = None) -> Q:
        on = on or timezone.localdate()
        return Q(ended_at__isnull=True, valid_from__lte=on) & (
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )

    @classmethod
    def holds_area_q(cls) -> Q:
        """Not ended and not expired: current ones and those that start later both count."""
        today = timezone.localdate()
        return Q(ended_at__isnull=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (
            self.ended_at is None
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
        )
