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


class Job(models.Model):
    """A long piece of work a user started (an import, a big export), run by the background worker.

    The page polls it for progress; the files it reads and writes live in the default storage.
    A job belongs to its owner: only they (and system administrators) see it and its files.
    `checkpoint` is the handler's own resume state, saved in the same transaction as the work it
    describes, so a job interrupted at any point can be run again without doing anything twice.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    handler = models.CharField("处理程序", max_length=60)
    title = models.CharField("名称", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name="发起人",
    )
    params = models.JSONField("参数", default=dict, blank=True)
    dry_run = models.BooleanField("试运行", default=False)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    input_file = models.FileField("上传文件", upload_to="jobs/in/%Y%m/", blank=True)
    input_name = models.CharField("上传文件名", max_length=200, blank=True)
    output_file = models.FileField("结果文件", upload_to="jobs/out/%Y%m/", blank=True)
    output_name = models.CharField("结果文件名", max_length=200, blank=True)
    report_file = models.FileField("错误报告", upload_to="jobs/report/%Y%m/", blank=True)
    total = models.PositiveIntegerField("总行数", null=True, blank=True)
    processed = models.PositiveIntegerField("已处理", default=0)
    succeeded = models.PositiveIntegerField("成功", default=0)
    failed_rows = models.PositiveIntegerField("有误", default=0)
    skipped = models.PositiveIntegerField("跳过", default=0)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    checkpoint = models.JSONField("续传位置", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近活动", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.CANCELLED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.processed * 100 // self.total)


class JobProblem(models.Model):
    """One row of a job's input that was refused (or matched an existing record), with the
    row's values as read and the reasons: the error report is built from these.

    Written in the same transaction as the batch of rows it belongs to, so an interrupted job
    resumed from its checkpoint neither loses nor repeats a problem.
    """

    class Level(models.TextChoices):
        ERROR = "error", "有误"
        MATCHED = "matched", "已存在"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField("行号")
    level = models.CharField("类别", max_length=10, choices=Level.choices)
    messages = models.JSONField("原因", default=list)
    values = models.JSONField("原始内容", default=dict)

    class Meta:
        verbose_name = "任务问题行"
        verbose_name_plural = verbose_name
        ordering = ["job", "row"]
        indexes = [models.Index(fields=["job", "level", "row"], name="jobproblem_job_row")]

    def __str__(self) -> str:
        return f"第 {self.row} 行:{';'.join(self.messages)}"
