"""Shared model bases and the access log of sensitive reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gridgov.core.audit import AuditedModelMixin
from gridgov.core.fields import PathField
from gridgov.core.scoping import ScopedManager, ScopedModel


class DomainModel(AuditedModelMixin, ScopedModel):
    """Base of scoped, audited, versioned domain records.

    `version` grows by one on every change made through a service; an edit that carries an older
    version is refused (Conflict) instead of silently overwriting someone else's change.
    """

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AccessEntry(ScopedModel):
    """One sensitive read: an unmasked ID or phone number, a special-population file, an export.

    Written only by `core.access_log.record_access`, in the function that unmasks or exports.
    Append-only: no code path updates or deletes these rows.
    """

    class Kind(models.TextChoices):
        UNMASKED = "unmasked", "查看明文敏感信息"
        FILE_VIEW = "file_view", "查阅重点人员档案"
        EXPORT = "export", "导出个人信息"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="用户"
    )
    user_repr = models.CharField("用户", max_length=150)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    fields = models.JSONField("字段", default=list, blank=True)
    row_count = models.PositiveIntegerField("记录数", default=1)
    purpose = models.CharField("事由", max_length=200, blank=True)
    area_path = PathField("区域路径", db_index=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)

    objects = ScopedManager()
    follows_area_moves = False  # a log keeps the area path the read happened under

    class Meta:
        verbose_name = "敏感信息访问记录"
        verbose_name_plural = verbose_name
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_repr} {self.get_kind_display()} {self.object_repr}"
