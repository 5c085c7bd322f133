"""Special populations (特殊人群): a status on a registry person, its visits, its history and its
handovers between areas.

A status belongs to its responsible area (`area`, usually the person's grid; `area_path` is what
scoping filters on), and has a grade, a responsible officer, a helpers' team, help measures and
the next visit due, computed from its last visit and the visit rule of its type and grade.

Two rules narrow `for_user` beyond the jurisdiction (SpecialQuerySet):
- a restricted type (艾滋病危险人员) is visible only where the user holds `special.hiv`;
- a receiving area sees a status while a handover to it is pending (extra_visibility).
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
from gridgov.core.scoping import ScopedManager, ScopedQuerySet, jurisdiction, path_prefix_q
from gridgov.core.workcalendar import DurationUnit
from gridgov.special.choices import (
    RESTRICTED_ACTION,
    ChangeKind,
    DrugTestResult,
    EndReason,
    Grade,
    HandoverState,
    HelperRole,
    HelpMeasure,
    VisitKind,
)


class SpecialQuerySet(ScopedQuerySet):
    """The jurisdiction filter, then the restricted-type filter: rows of a restricted type stay
    only where the user holds `special.hiv`. Fails closed: no grant, no restricted rows, and they
    are not counted either."""

    def for_user(self, user: Any, action: str = "view") -> SpecialQuerySet:
        qs = super().for_user(user, action)
        paths = jurisdiction(user).paths_for(RESTRICTED_ACTION)
        if paths is None:  # the installation superuser
            return qs
        allowed = Q(**{self.model.restricted_field: False})
        if paths:
            allowed |= self.model.restricted_q(paths)
        return qs.filter(allowed)


class SpecialManager(ScopedManager.from_queryset(SpecialQuerySet)):  # type: ignore[misc]
    use_in_migrations = False


class SpecialScoped:
    """What the special models share: where the restricted flag is and which paths count."""

    restricted_field = "status__type__restricted"
    restricted_path_fields: tuple[str, ...] = ("area_path",)

    @classmethod
    def restricted_q(cls, paths: tuple[str, ...]) -> Q:
        q = Q()
        for name in cls.restricted_path_fields:
            q |= path_prefix_q(name, paths)
        return q


# --- Configuration -------------------------------------------------------------------------------


class SpecialType(AuditedModelMixin, models.Model):
    """A kind of special population (刑满释放人员, 社区矫正对象 …), configurable. `restricted` types
    (艾滋病危险人员) are seen only by roles holding special.hiv; `grades` are the 风险/管理等级 the
    type uses, in order from the strictest."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    gbt_table = models.CharField("GB/T 31000 表", max_length=20, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)
    restricted = models.BooleanField("受限类型(仅授权角色可见)", default=False)
    grades = models.JSONField("等级", default=list)

    class Meta:
        verbose_name = "特殊人群类型"
        verbose_name_plural = verbose_name
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def grade_choices(self) -> list[tuple[str, str]]:
        labels = dict(Grade.choices)
        return [(g, labels.get(g, g)) for g in self.grades]


class VisitRule(AuditedModelMixin, models.Model):
    """How often a status of `type` and `grade` is visited, and how (走访频次). A rule with an
    empty grade applies to every grade of the type without a rule of its own."""

    type = models.ForeignKey(
        SpecialType, on_delete=models.PROTECT, related_name="rules", verbose_name="类型"
    )
    grade = models.CharField("等级", max_length=20, choices=Grade.choices, blank=True)
    interval_value = models.PositiveIntegerField("走访周期")
    interval_unit = models.CharField(
        "周期单位", max_length=20, choices=DurationUnit.choices, default=DurationUnit.NATURAL_DAYS
    )
    visit_kinds = models.JSONField("走访方式", default=list)
    note = models.CharField("依据/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "走访规则"
        verbose_name_plural = verbose_name
        ordering = ["type__order", "type__code", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["type", "grade"], name="special_rule_per_type_grade")
        ]

    def __str__(self) -> str:
        return f"{self.type.name} · {self.get_grade_display() or '各等级'}"

    def kind_labels(self) -> list[str]:
        labels = dict(VisitKind.choices)
        return [labels.get(k, k) for k in self.visit_kinds]


# --- Statuses ------------------------------------------------------------------------------------


class SpecialStatus(SpecialScoped, DomainModel):
    """One person's being under special care as one type (列管), from `started_on` to
    `ended_on`. Never deleted: it is ended (解除列管). At most one open status per person and
    type. `lost_since` is the explicit 脱管/失控 state the overdue sweep sets and a visit ends."""

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="special_statuses",
        verbose_name="人员",
    )
    type = models.ForeignKey(SpecialType, on_delete=models.PROTECT, verbose_name="类型")
    grade = models.CharField("等级", max_length=20, choices=Grade.choices, blank=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="责任区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    officer = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    team = models.JSONField("帮教小组", default=list, blank=True)
    measures = models.JSONField("帮扶措施", default=list, blank=True)
    details = models.JSONField("类型信息", default=dict, blank=True)
    started_on = models.DateField("列管日期")
    ended_on = models.DateField("解除日期", null=True, blank=True)
    end_reason = models.CharField("解除原因", max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField("解除说明", max_length=500, blank=True)
    last_visit_on = models.DateField("最近走访", null=True, blank=True)
    next_visit_due = models.DateField("下次走访日期", null=True, blank=True)
    lost_since = models.DateTimeField("脱管(失控)时间", null=True, blank=True)

    restricted_field = "type__restricted"
    objects = SpecialManager()

    class Meta:
        verbose_name = "特殊人群列管"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "next_visit_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "type"],
                condition=Q(ended_on__isnull=True),
                name="special_one_open_status_per_type",
                violation_error_message="该人员已有同类型的在管记录。",
            )
        ]
        indexes = [
            models.Index(fields=["area_path", "next_visit_due"], name="special_path_due"),
            models.Index(
                fields=["next_visit_due"],
                name="special_open_due",
                condition=Q(ended_on__isnull=True, lost_since__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name}(#{self.pk})"

    @classmethod
    def holds_area_q(cls) -> Q:
        # An area holding open statuses cannot be retired: a status always has its area.
        return Q(ended_on__isnull=True)

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> Q | None:
        """The receiving side sees a status while a handover to its area is pending."""
        if action != "special.view":
            return None
        paths = jurisdiction(user).paths_for("special.view")
        if not paths:
            return None
        pending = Handover._base_manager.filter(
            path_prefix_q("to_area_path", paths), state=HandoverState.PENDING
        ).values("status_id")
        return Q(pk__in=pending)

    @classmethod
    def restricted_q(cls, paths: tuple[str, ...]) -> Q:
        pending = Handover._base_manager.filter(
            path_prefix_q("to_area_path", paths), state=HandoverState.PENDING
        ).values("status_id")
        return path_prefix_q("area_path", paths) | Q(pk__in=pending)

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def team_labels(self) -> list[tuple[str, str]]:
        roles = dict(HelperRole.choices)
        return [(roles.get(m.get("role", ""), ""), m.get("name", "")) for m in self.team]

    def measure_labels(self) -> list[str]:
        labels = dict(HelpMeasure.choices)
        return [labels.get(m, m) for m in self.measures]

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.next_visit_due is not None and self.next_visit_due < today


class StatusChange(SpecialScoped, DomainModel):
    """One step of a status's history: opened, grade or officer changed, handed over, lost and
    found, ended. What the file's timeline shows; the audit log keeps the field-level diff."""

    status = models.ForeignKey(SpecialStatus, on_delete=models.PROTECT, related_name="changes")
    area_path = PathField("区域路径", db_index=True, editable=False)
    kind = models.CharField("变动", max_length=20, choices=ChangeKind.choices)
    from_value = models.CharField("原值", max_length=200, blank=True)
    to_value = models.CharField("新值", max_length=200, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    objects = SpecialManager()

    class Meta:
        verbose_name = "列管变动记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "pk"]


def photo_path(instance: Visit, filename: str) -> str:
    dot = filename.rfind(".")
    suffix = filename[dot:].lower()[:10] if dot >= 0 else ""
    return f"special/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Visit(SpecialScoped, DomainModel):
    """One contact with the person: a home visit, a talk, a report-in, a drug test … `due_on` is
    the due date it answered (the status's next visit due when it was logged) and `on_time`
    whether it came by then: what 走访率 counts."""

    status = models.ForeignKey(SpecialStatus, on_delete=models.PROTECT, related_name="visits")
    area_path = PathField("区域路径", db_index=True, editable=False)
    client_id = models.UUIDField("客户端编号", null=True, blank=True, unique=True, editable=False)
    kind = models.CharField("方式", max_length=20, choices=VisitKind.choices)
    visited_on = models.DateField("日期", db_index=True)
    place = models.CharField("地点", max_length=200, blank=True)
    findings = models.TextField("情况记录", max_length=2000)
    test_result = models.CharField(
        "尿检结果", max_length=10, choices=DrugTestResult.choices, blank=True
    )
    photo = models.FileField("照片", upload_to=photo_path, max_length=200, blank=True)
    photo_type = models.CharField("照片类型", max_length=30, blank=True)
    due_on = models.DateField("应走访日期", null=True, blank=True)
    on_time = models.BooleanField("按期", default=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上报事件",
    )

    objects = SpecialManager()
    repeated = False  # set by log_visit on a replayed client id

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = verbose_name
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["area_path", "due_on"], name="visit_path_due")]


class Handover(SpecialScoped, DomainModel):
    """A status passed from one area to another when the person moves (交接). Until the receiving
    area accepts and names the new officer, the sending area stays responsible. Both sides see
    it: the sender by `area_path`, the receiver by `to_area_path` (extra_visibility)."""

    status = models.ForeignKey(SpecialStatus, on_delete=models.PROTECT, related_name="handovers")
    area_path = PathField("区域路径", db_index=True, editable=False)
    from_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="移交区域"
    )
    to_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="接收区域"
    )
    to_area_path = PathField("接收区域路径", db_index=True, editable=False)
    state = models.CharField(
        "状态", max_length=10, choices=HandoverState.choices, default=HandoverState.PENDING
    )
    reason = models.CharField("交接原因", max_length=500)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    started_at = models.DateTimeField("发起时间", default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decision_note = models.CharField("办理意见", max_length=500, blank=True)
    new_officer = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="新责任人",
    )

    restricted_path_fields = ("area_path", "to_area_path")
    objects = SpecialManager()

    class Meta:
        verbose_name = "特殊人群交接"
        verbose_name_plural = verbose_name
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(state="pending"),
                name="special_one_pending_handover",
                violation_error_message="该人员已有待接收的交接。",
            )
        ]

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> Q | None:
        """The receiving area sees handovers addressed to it."""
        if action not in ("special.view", "special.manage"):
            return None
        paths = jurisdiction(user).paths_for(action)
        return path_prefix_q("to_area_path", paths) if paths else None

    @property
    def is_pending(self) -> bool:
        return self.state == HandoverState.PENDING

    def age_days(self, now: Any = None) -> int:
        now = now or timezone.now()
        return max(0, (now - self.started_at).days)
