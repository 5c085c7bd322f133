"""The area tree (district → township → village → grid) and grid-worker assignments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from gridgov.areas.choices import (
    RESPONSIBLE_POSTS,
    GridKind,
    Level,
    Post,
    Status,
)
from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.core.scoping import ScopedManager, ScopedQuerySet


class AreaQuerySet(ScopedQuerySet):
    def active(self) -> AreaQuerySet:
        return self.filter(status=Status.ACTIVE)

    def grids(self) -> AreaQuerySet:
        return self.filter(level=Level.GRID)

    def under(self, area: Area) -> AreaQuerySet:
        """Strict descendants of `area`."""
        return self.filter(path__startswith=area.path).exclude(pk=area.pk)

    def without_responsible_worker(self, on: dt.date | None = None) -> AreaQuerySet:
        """Active grids where no 网格长 or 专职网格员 assignment is current on `on`."""
        current = GridAssignment.active_q(on) & Q(post__in=list(RESPONSIBLE_POSTS))
        responsible = GridAssignment._base_manager.filter(current, grid=OuterRef("pk"))
        return self.grids().active().filter(~Exists(responsible))


class Area(DomainModel):
    """One node of the area tree. Its `path` (code segments, each ending in "/") scopes everything.

    A grid is real (a piece of land, optionally with a GeoJSON boundary) or virtual (专属网格: an
    enterprise, school or market). Areas are retired, never deleted.
    """

    scope_path_field = "path"

    code = models.CharField("区域代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级区域",
    )
    path = PathField("路径", unique=True, editable=False)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    retired_at = models.DateTimeField("撤销时间", null=True, blank=True)
    retired_reason = models.CharField("撤销原因", max_length=200, blank=True)
    grid_kind = models.CharField(
        "网格类型", max_length=10, choices=GridKind.choices, blank=True, default=""
    )
    # GB/T 31000 表8 (网格化建设): households and area of a grid.
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    area_sqm = models.DecimalField(
        "面积(平方米)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    # Bounding box of `boundary`, kept by the service, so point look-ups filter in the database.
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedManager.from_queryset(AreaQuerySet)()

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = verbose_name
        ordering = ["path"]
        indexes = [
            # "grids (or villages) in my jurisdiction, in tree order": equality on level, range on
            # path, already sorted (bench/scoping.py).
            models.Index(fields=["level", "path"], name="area_level_path"),
            models.Index(fields=["level", "min_lat", "max_lat"], name="area_level_bbox"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def active_q(cls) -> Q:
        return Q(status=Status.ACTIVE)

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def ancestor_paths(self) -> list[str]:
        """Paths of this area's ancestors, top first, and its own last."""
        segments = self.path.rstrip("/").split("/")
        return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


class GridAssignment(DomainModel):
    """A worker assigned to a grid: 定人 (who), 定岗 (post), 定责 (duties), 包片区 (which part).

    Current from `start_date` through `end_date` (inclusive) unless ended early.
    """

    grid = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="assignments", verbose_name="网格"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grid_assignments",
        verbose_name="人员",
    )
    post = models.CharField("岗位", max_length=20, choices=Post.choices)
    duties = models.JSONField("职责", default=list, blank=True)
    patch = models.CharField("包片范围", max_length=200, blank=True)
    start_date = models.DateField("起始日期", default=dt.date.today)
    end_date = models.DateField("截止日期", null=True, blank=True)
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="随岗任职",
        help_text="分配时为该人员开通的网格员任职,岗位结束时一并终止。",
    )
    area_path = PathField("区域路径", db_index=True, editable=False)

    class Meta:
        verbose_name = "网格人员分配"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "post", "start_date"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.get_post_display()} · {self.user}"

    @classmethod
    def active_q(cls, on: dt.date | None = None) -> Q:
        on = on or timezone.localdate()
        return Q(ended_at__isnull=True, start_date__lte=on) & (
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )

    @classmethod
    def holds_area_q(cls) -> Q:
        """Not ended and not expired: current ones and those that start later both count."""
        today = timezone.localdate()
        return Q(ended_at__isnull=True) & (Q(end_date__isnull=True) | Q(end_date__gte=today))

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (
            self.ended_at is None
            and self.start_date <= today
            and (self.end_date is None or self.end_date >= today)
        )

    @property
    def duty_labels(self) -> list[str]:
        from gridgov.areas.choices import Duty

        return [Duty(d).label for d in self.duties if d in Duty.values]


__all__ = ["Area", "GridAssignment", "GridKind", "Level", "Post", "Status"]
