"""The event hub: events, who they were assigned to, their timeline, requests and supervision.

An event lives in the grid where it happened (`area_path`, what scoping filters on) and is handled
by one center at a time (`center`, a township or county area; escalation moves it up). Departments
see only what was assigned to them (`Event.extra_visibility`).

Kinds, categories and their time limits are configuration tables kept by the administrator.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gridgov.core.audit import AuditedModelMixin
from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.core.workcalendar import DurationUnit
from gridgov.events.choices import (
    CLOCK_STATES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    Light,
    PartyRole,
    Priority,
    Rating,
    RequestKind,
    RequestState,
    Source,
    State,
    Supervision,
)


def _department_event_ids(user: Any, action: str) -> Any:
    """Ids of the events assigned to the user's departments (a subquery), or None."""
    if action not in ("events.view", "events.handle"):
        return None
    from gridgov.events.selectors import department_ids_of

    departments = department_ids_of(user)
    if not departments:
        return None
    return Assignment._base_manager.filter(department_id__in=departments).values("event_id")


def _via_event(user: Any, action: str) -> Q | None:
    events = _department_event_ids(user, action)
    return None if events is None else Q(event_id__in=events)


# --- Configuration ---------------------------------------------------------------------------


class EventKind(AuditedModelMixin, models.Model):
    """A kind of event (矛盾纠纷, 安全隐患 …): the first level of the configurable code table."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "事件类型"
        verbose_name_plural = verbose_name
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Category(AuditedModelMixin, models.Model):
    """A category of a kind, with its time limit (处置时限) per priority."""

    kind = models.ForeignKey(
        EventKind, on_delete=models.PROTECT, related_name="categories", verbose_name="事件类型"
    )
    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)
    sla_value = models.PositiveIntegerField("处置时限")
    sla_unit = models.CharField("时限单位", max_length=20, choices=DurationUnit.choices)
    urgent_sla_value = models.PositiveIntegerField("紧急事件处置时限", null=True, blank=True)
    urgent_sla_unit = models.CharField(
        "紧急时限单位", max_length=20, choices=DurationUnit.choices, blank=True
    )

    class Meta:
        verbose_name = "事件类别"
        verbose_name_plural = verbose_name
        ordering = ["kind__order", "order", "code"]

    def __str__(self) -> str:
        return f"{self.kind.name} / {self.name}"

    def sla_for(self, priority: str) -> tuple[int, str]:
        """(value, unit) of the time limit for an event of this category and priority."""
        if priority == Priority.URGENT and self.urgent_sla_value:
            return self.urgent_sla_value, self.urgent_sla_unit or self.sla_unit
        return self.sla_value, self.sla_unit


class RoutingRule(DomainModel):
    """A per-area rule (直报与抄告): an urgent event of `category` reported under `area` goes
    straight to the center at `target_level` and is copied to `copy_departments`."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="适用区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name="事件类别")
    min_priority = models.CharField(
        "最低紧急程度", max_length=10, choices=Priority.choices, default=Priority.URGENT
    )
    target_level = models.CharField("直报层级", max_length=10, blank=True)
    copy_departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name="抄告部门"
    )
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "事件直报规则"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "category__code"]

    def __str__(self) -> str:
        return f"{self.area.name}·{self.category.name} 直报规则"


# --- Events --------------------------------------------------------------------------------------


class Event(DomainModel):
    """One thing that needs handling, from intake to rating."""

    code = models.CharField("案件编码", max_length=20, unique=True, editable=False)
    # Made by the reporting client: a retried submission finds the first event (DESIGN).
    client_id = models.UUIDField("客户端编号", null=True, blank=True, unique=True, editable=False)
    # Indexes are few on purpose: every one is written by each intake and each deadline flag
    # (README, events benchmark). The composite indexes in Meta answer what single ones would.
    kind = models.ForeignKey(
        EventKind, on_delete=models.PROTECT, verbose_name="事件类型", db_index=False
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name="事件类别")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("事件描述", max_length=4000)
    priority = models.CharField(
        "紧急程度", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    occurred_at = models.DateTimeField("发生时间")
    grid = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="events", verbose_name="所在网格"
    )
    area_path = PathField("区域路径", editable=False)  # indexed by event_path_reported
    address = models.ForeignKey(
        "registry.Address",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="标准地址",
    )
    place = models.CharField("发生地点", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    reporter = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="reported_events",
        verbose_name="登记人",
    )
    contact_name = models.CharField("反映人", max_length=50, blank=True)
    contact_phone_token = models.TextField(blank=True, editable=False)
    contact_phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    contact_phone_masked = models.CharField("反映人电话", max_length=20, blank=True)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REPORTED)
    # The center handling it now: the grid's township, or higher after escalation.
    center = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理中心",
        db_index=False,  # found by center_path
    )
    center_path = PathField("受理中心路径", editable=False)  # indexed by event_center_queue
    escalations = models.PositiveSmallIntegerField("升级次数", default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_events",
        verbose_name="合并到",
    )
    reject_reason = models.CharField("不予受理理由", max_length=500, blank=True)
    self_handled = models.BooleanField("自行处置", default=False)

    reported_at = models.DateTimeField("上报时间", default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    first_dispatched_at = models.DateTimeField("首次派遣时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派遣时间", null=True, blank=True)
    sla_value = models.PositiveIntegerField("处置时限", null=True, blank=True)
    sla_unit = models.CharField("时限单位", max_length=20, blank=True)
    deadline = models.DateTimeField("办理期限", null=True, blank=True)  # event_open_deadline
    warn_at = models.DateTimeField("临期提醒时间", null=True, blank=True)
    warned = models.BooleanField("已临期提醒", default=False)
    overdue = models.BooleanField("已超期", default=False)
    overdue_escalated = models.BooleanField("超期已上报", default=False)
    # When the deadline sweep last raised each flag: a sweep finds the rows it has just marked
    # by these (its timeline entries and notices are written from them in the database).
    warned_at = models.DateTimeField("标记临期时间", null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField("标记超期时间", null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField("超期上报时间", null=True, blank=True, editable=False)
    extended = models.BooleanField("已延期", default=False)
    suspended_at = models.DateTimeField("挂账时间", null=True, blank=True)
    handled_at = models.DateTimeField("办结反馈时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    closed_at = models.DateTimeField("结案时间", null=True, blank=True, db_index=True)
    closed_on_time = models.BooleanField("按期结案", null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    supervision = models.CharField(
        "督办级别", max_length=20, choices=Supervision.choices, blank=True
    )
    supervision_deadline = models.DateTimeField("督办期限", null=True, blank=True)

    # Set on the instance `services.report_event` returns when the client id was seen before.
    repeated = False

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = verbose_name
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["center_path", "state", "deadline"], name="event_center_queue"),
            models.Index(fields=["area_path", "reported_at"], name="event_path_reported"),
            models.Index(
                fields=["deadline"],
                name="event_open_deadline",
                condition=Q(state__in=["dispatched", "in_progress", "verifying"]),
            ),
            # The figures count an area's events closed, rated or due in a period (metrics):
            # without these, such a count reads every event row of the area (2.2 s for a
            # township of 103,000 events, 10 ms with one). Partial on "set", they are not
            # written at intake, where the times are still empty.
            models.Index(
                fields=["area_path", "closed_at"],
                name="event_path_closed",
                condition=Q(closed_at__isnull=False),
            ),
            models.Index(
                fields=["area_path", "rated_at"],
                name="event_path_rated",
                condition=Q(rated_at__isnull=False),
            ),
            models.Index(
                fields=["area_path", "deadline"],
                name="event_path_deadline",
                condition=Q(deadline__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> Q | None:
        """A department handler sees the events assigned to their departments, nothing more."""
        events = _department_event_ids(user, action)
        return None if events is None else Q(pk__in=events)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def light(self, now: Any = None) -> str:
        """The deadline lamp: red after the deadline, yellow after the warning time."""
        if self.deadline is None or self.state not in CLOCK_STATES:
            return Light.NONE
        now = now or timezone.now()
        if now >= self.deadline:
            return Light.RED
        if self.warn_at and now >= self.warn_at:
            return Light.YELLOW
        return Light.GREEN


class EventParty(DomainModel):
    """A person or unit of the registry involved in an event, with their role."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="parties")
    area_path = PathField("区域路径", db_index=True, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField("角色", max_length=20, choices=PartyRole.choices)

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))

    class Meta:
        verbose_name = "事件涉及人员与单位"
        verbose_name_plural = verbose_name
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False), name="party_has_target"
            )
        ]


class Assignment(DomainModel):
    """A dispatch of an event to a department or a lower area: one lead, others assisting (会办),
    or copied for information (抄告). A returned dispatch stays as history."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="assignments")
    area_path = PathField("区域路径", db_index=True, editable=False)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name="承办部门",
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承办区域",
    )
    role = models.CharField("分工", max_length=10, choices=AssignmentRole.choices)
    state = models.CharField(
        "状态", max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    assigned_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="派遣人"
    )
    assigned_at = models.DateTimeField("派遣时间", default=timezone.now)
    taken_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField("签收时间", null=True, blank=True)
    finished_at = models.DateTimeField("反馈/退回时间", null=True, blank=True)
    note = models.CharField("意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "事件派遣"
        verbose_name_plural = verbose_name
        ordering = ["assigned_at", "pk"]
        indexes = [
            models.Index(fields=["department", "state"], name="assignment_department_state"),
            models.Index(fields=["area", "state"], name="assignment_area_state"),
        ]

    def __str__(self) -> str:
        return self.assignee_name

    @property
    def assignee_name(self) -> str:
        return self.department.name if self.department_id else self.area.name

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))


class TimelineEntry(DomainModel):
    """One step of an event's life: who did what, from which state to which, with a note."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="timeline")
    area_path = PathField("区域路径", db_index=True, editable=False)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "事件办理记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "pk"]

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))


def attachment_path(instance: Attachment, filename: str) -> str:
    stamp = timezone.localdate()
    return f"events/{stamp:%Y/%m}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:10] if dot >= 0 else ""


class Attachment(DomainModel):
    """A photo or document of an event (evidence of a report, of handling, of a verification).
    Stored through Django storage under MEDIA_ROOT and served only through a scoped view."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="attachments")
    entry = models.ForeignKey(
        TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    is_image = models.BooleanField("图片", default=False)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "事件附件"
        verbose_name_plural = verbose_name
        ordering = ["pk"]

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))


class EventRequest(DomainModel):
    """A handler's request the center decides: an extension (once per event) or a suspension
    (挂账)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="requests")
    area_path = PathField("区域路径", db_index=True, editable=False)
    kind = models.CharField("类型", max_length=20, choices=RequestKind.choices)
    state = models.CharField(
        "状态", max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    reason = models.CharField("理由", max_length=500)
    extra_value = models.PositiveIntegerField("延长时限", null=True, blank=True)
    extra_unit = models.CharField("延长单位", max_length=20, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "延期与挂账申请"
        verbose_name_plural = verbose_name
        ordering = ["-requested_at"]

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))


class SupervisionRecord(DomainModel):
    """A 催办 / 督办 / 挂牌督办 given to an event, with its own deadline."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="supervisions")
    area_path = PathField("区域路径", db_index=True, editable=False)
    level = models.CharField("级别", max_length=20, choices=Supervision.choices)
    note = models.CharField("督办意见", max_length=500)
    deadline = models.DateTimeField("督办期限", null=True, blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)
    automatic = models.BooleanField("系统生成", default=False)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = verbose_name
        ordering = ["-at"]

    extra_visibility = classmethod(lambda cls, user, action: _via_event(user, action))
