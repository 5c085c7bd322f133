"""Disputes (矛盾纠纷): the details a dispute event of the event hub carries, its mediation, the
villages' screening reports and the supervised list of major disputes.

A dispute is an `events.Event` of the kind "dispute": intake, workflow, deadlines, supervision and
the timeline are the hub's. This app adds what only a dispute has, in rows that carry the event's
`area_path` (the grid it happened in), so jurisdiction scoping is the event's: what a user sees
under `disputes.view` lies in the same area subtree as the events they see, and a department sees
the details of the disputes dispatched to it (`extra_visibility`), as it sees those events.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.disputes.choices import (
    SUBCATEGORY_CHOICES,
    AgreementForm,
    Committee,
    Confirmation,
    FailureRoute,
    FileKind,
    Linkage,
    ListingState,
    MediationState,
    Method,
    PartyRole,
    Performance,
    PersonCategory,
    RiskLevel,
    Scale,
    ScreeningPeriod,
    VisitWay,
)

# Actions under which a department sees the disputes dispatched to it (as it sees the events).
_DEPARTMENT_ACTIONS = ("disputes.view", "disputes.mediate")


def _dispatched_to_departments(user: Any, action: str, event_field: str) -> Q | None:
    """Rows of the events dispatched to the user's departments, or None."""
    if action not in _DEPARTMENT_ACTIONS:
        return None
    from gridgov.events.models import Assignment
    from gridgov.events.selectors import department_ids_of

    departments = department_ids_of(user)
    if not departments:
        return None
    events = Assignment._base_manager.filter(department_id__in=departments).values("event_id")
    return Q(**{f"{event_field}__in": events})


class DisputeDetail(DomainModel):
    """What a dispute event adds to the hub's event: category (GB/T 31000 5.56, second level) and
    scale (5.55), money and people involved, the escalation risks, whether it is major, and the
    cadre who owns the case (包案人)."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.PROTECT, related_name="dispute", verbose_name="事件"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    subcategory = models.CharField("纠纷类别", max_length=4, choices=SUBCATEGORY_CHOICES)
    scale = models.CharField(
        "事件规模", max_length=2, choices=Scale.choices, default=Scale.INDIVIDUAL
    )
    amount = models.DecimalField(
        "涉及金额(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    people_count = models.PositiveIntegerField("涉及人数", default=2)
    risk_collective = models.BooleanField("可能引发群体性事件", default=False)
    risk_extreme = models.BooleanField("可能引发个人极端行为", default=False)
    risk_skip_petition = models.BooleanField("可能引发越级上访", default=False)
    risk_level = models.CharField(
        "风险等级", max_length=10, choices=RiskLevel.choices, blank=True, default=""
    )
    is_major = models.BooleanField("重大纠纷", default=False, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="包案人",
    )
    assessment = models.TextField("研判意见", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(user, action, "event_id")
    )

    class Meta:
        verbose_name = "矛盾纠纷详情"
        verbose_name_plural = verbose_name
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.get_subcategory_display()}"

    @property
    def risks(self) -> list[str]:
        """Labels of the escalation risks flagged."""
        return [
            label
            for flag, label in (
                (self.risk_collective, "群体性事件"),
                (self.risk_extreme, "个人极端行为"),
                (self.risk_skip_petition, "越级上访"),
            )
            if flag
        ]


class DisputeParty(DomainModel):
    """A person or unit of the registry who is a party to the dispute, with their role and (for a
    person) their category (GB/T 31000 5.57). Removing a party ends it (`removed_at`)."""

    dispute = models.ForeignKey(DisputeDetail, on_delete=models.PROTECT, related_name="parties")
    area_path = PathField("区域路径", db_index=True, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField("角色", max_length=20, choices=PartyRole.choices)
    person_category = models.CharField(
        "人员类别", max_length=4, choices=PersonCategory.choices, blank=True
    )
    is_main = models.BooleanField("主要当事人", default=False)
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(user, action, "dispute__event_id")
    )

    class Meta:
        verbose_name = "纠纷当事人"
        verbose_name_plural = verbose_name
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False),
                name="dispute_party_has_target",
            )
        ]

    @property
    def name(self) -> str:
        return self.person.name if self.person_id else self.unit.name


class Mediation(DomainModel):
    """One mediation of a dispute, from taking it up to its outcome: the organisation and
    mediators, the way (5.58) and its link (诉调/公调/检调/访调对接), the agreement with its
    judicial confirmation and performance, or where the dispute went when mediation failed.

    People's mediation should normally end within a month (`norm_due_on`, 司法部《人民调解工作
    若干规定》第33条); judicial confirmation is asked within 30 days of the agreement taking effect
    (`confirmation_due_on`, 人民调解法 第33条)."""

    dispute = models.ForeignKey(DisputeDetail, on_delete=models.PROTECT, related_name="mediations")
    area_path = PathField("区域路径", db_index=True, editable=False)
    committee = models.CharField("调解组织类型", max_length=20, choices=Committee.choices)
    organisation = models.CharField("调解组织", max_length=100)
    method = models.CharField(
        "化解方式", max_length=4, choices=Method.choices, default=Method.PEOPLES
    )
    linkage = models.CharField(
        "对接方式", max_length=20, choices=Linkage.choices, blank=True, default=""
    )
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="调解员"
    )
    other_mediators = models.CharField("其他调解员", max_length=200, blank=True)
    started_on = models.DateField("受理调解日期", db_index=True)
    norm_due_on = models.DateField("规范调结日期")
    state = models.CharField(
        "状态",
        max_length=20,
        choices=MediationState.choices,
        default=MediationState.OPEN,
        db_index=True,
    )
    ended_on = models.DateField("调结日期", null=True, blank=True, db_index=True)
    # The agreement (调解成功).
    agreement_form = models.CharField(
        "协议形式", max_length=10, choices=AgreementForm.choices, blank=True
    )
    agreement_text = models.TextField("协议内容", max_length=8000, blank=True)
    agreement_on = models.DateField("协议生效日期", null=True, blank=True, db_index=True)
    confirmation_due_on = models.DateField("司法确认申请截止日期", null=True, blank=True)
    confirmation_requested_on = models.DateField("申请司法确认日期", null=True, blank=True)
    confirmation_court = models.CharField("受理法院", max_length=100, blank=True)
    confirmation = models.CharField(
        "司法确认结果", max_length=20, choices=Confirmation.choices, blank=True
    )
    confirmation_decided_on = models.DateField("司法确认裁定日期", null=True, blank=True)
    performance = models.CharField(
        "协议履行", max_length=20, choices=Performance.choices, blank=True, default=""
    )
    performance_checked_on = models.DateField("履行核实日期", null=True, blank=True)
    # Mediation failed (调解不成): where the dispute goes next.
    failure_route = models.CharField(
        "调解不成去向", max_length=20, choices=FailureRoute.choices, blank=True
    )
    outcome_note = models.TextField("调解结果说明", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(user, action, "dispute__event_id")
    )

    class Meta:
        verbose_name = "调解"
        verbose_name_plural = verbose_name
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["area_path", "ended_on"], name="mediation_path_ended")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.started_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state == MediationState.OPEN

    @property
    def on_time(self) -> bool | None:
        """Ended within the norm (None while open)."""
        if self.ended_on is None:
            return None
        return self.ended_on <= self.norm_due_on

    def norm_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and today > self.norm_due_on

    def confirmation_open(self, today: Any = None) -> bool:
        """A written agreement whose judicial confirmation may still be asked for."""
        today = today or timezone.localdate()
        return (
            self.agreement_form == AgreementForm.WRITTEN
            and not self.confirmation_requested_on
            and self.confirmation_due_on is not None
            and today <= self.confirmation_due_on
        )


class MediationSession(DomainModel):
    """One sitting of a mediation (调解记录/笔录): when, where, who attended, what was said."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="sessions")
    area_path = PathField("区域路径", db_index=True, editable=False)
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=100, blank=True)
    attendees = models.CharField("参加人员", max_length=500)
    notes = models.TextField("调解记录", max_length=8000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(
            user, action, "mediation__dispute__event_id"
        )
    )

    class Meta:
        verbose_name = "调解记录"
        verbose_name_plural = verbose_name
        ordering = ["held_on", "pk"]


class FollowUpVisit(DomainModel):
    """A follow-up visit (回访) after an agreement: how the agreement is being carried out."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="visits")
    area_path = PathField("区域路径", db_index=True, editable=False)
    visited_on = models.DateField("回访日期")
    way = models.CharField("回访方式", max_length=10, choices=VisitWay.choices)
    performance = models.CharField(
        "履行情况", max_length=20, choices=Performance.choices, blank=True, default=""
    )
    notes = models.TextField("回访记录", max_length=4000)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="回访人"
    )

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(
            user, action, "mediation__dispute__event_id"
        )
    )

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = verbose_name
        ordering = ["visited_on", "pk"]


def mediation_file_path(instance: MediationFile, filename: str) -> str:
    stamp = timezone.localdate()
    dot = filename.rfind(".")
    suffix = filename[dot:].lower()[:10] if dot >= 0 else ""
    return f"disputes/{stamp:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class MediationFile(DomainModel):
    """A scan of the agreement (协议书), a session record, a court's confirmation: stored through
    Django storage under MEDIA_ROOT and served only through a scoped view."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="files")
    area_path = PathField("区域路径", db_index=True, editable=False)
    kind = models.CharField("材料类型", max_length=20, choices=FileKind.choices)
    file = models.FileField("文件", upload_to=mediation_file_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    is_image = models.BooleanField("图片", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    extra_visibility = classmethod(
        lambda cls, user, action: _dispatched_to_departments(
            user, action, "mediation__dispute__event_id"
        )
    )

    class Meta:
        verbose_name = "调解材料"
        verbose_name_plural = verbose_name
        ordering = ["pk"]


# --- Screening reports (排查) ---------------------------------------------------------------------


class ScreeningPolicy(DomainModel):
    """How often the villages and communities under `area` file their screening reports. The
    nearest policy above a village applies; with none, `GRIDGOV_SCREENING_PERIOD` (weekly)."""

    area = models.OneToOneField(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    period = models.CharField("上报周期", max_length=20, choices=ScreeningPeriod.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "排查上报周期"
        verbose_name_plural = verbose_name
        ordering = ["area_path"]


class ScreeningReport(DomainModel):
    """A village's (community's) screening report for one period: the disputes found (dispute
    events), unstable factors and persons of concern, or an explicit zero report (零报告)."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    period = models.CharField("上报周期", max_length=20, choices=ScreeningPeriod.choices)
    period_start = models.DateField("排查期起")
    period_end = models.DateField("排查期止", db_index=True)
    due_on = models.DateField("应报日期")
    is_zero = models.BooleanField("零报告", default=False)
    disputes = models.ManyToManyField(
        "events.Event", blank=True, related_name="+", verbose_name="排查发现的纠纷"
    )
    unstable_factors = models.TextField("不稳定因素", max_length=4000, blank=True)
    persons_of_concern = models.TextField("重点关注人员", max_length=2000, blank=True)
    note = models.TextField("说明", max_length=2000, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上报人"
    )
    filed_at = models.DateTimeField("上报时间")
    on_time = models.BooleanField("按时上报", default=True)

    class Meta:
        verbose_name = "矛盾纠纷排查报告"
        verbose_name_plural = verbose_name
        ordering = ["-period_end", "area_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period_start"], name="screening_report_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["area_path", "period_end"], name="screening_path_end")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.period_start:%Y-%m-%d}—{self.period_end:%Y-%m-%d}"


class ScreeningReminder(DomainModel):
    """A warning sent for a missing report (the background check writes one per village and
    period, so a second run warns nobody twice)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathField("区域路径", db_index=True, editable=False)
    period_start = models.DateField("排查期起")
    period_end = models.DateField("排查期止")
    warned_at = models.DateTimeField("提醒时间")
    recipients = models.PositiveIntegerField("提醒人数", default=0)

    class Meta:
        verbose_name = "排查缺报提醒"
        verbose_name_plural = verbose_name
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period_start"], name="screening_reminder_once_per_period"
            )
        ]


# --- The supervised list (挂牌督办 / 销号) ----------------------------------------------------


class MajorListing(DomainModel):
    """A major dispute on the supervised list: it stays listed with its owner and target date
    until it is resolved and crossed off (销号), with the date and who verified it."""

    dispute = models.ForeignKey(DisputeDetail, on_delete=models.PROTECT, related_name="listings")
    area_path = PathField("区域路径", db_index=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="责任人"
    )
    target_on = models.DateField("限期化解日期")
    reason = models.CharField("挂牌理由", max_length=500)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="挂牌人"
    )
    listed_at = models.DateTimeField("挂牌时间")
    state = models.CharField(
        "状态",
        max_length=20,
        choices=ListingState.choices,
        default=ListingState.LISTED,
        db_index=True,
    )
    resolved_on = models.DateField("化解日期", null=True, blank=True)
    crossed_off_at = models.DateTimeField("销号时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )
    verification_note = models.CharField("验收意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "重大纠纷挂牌督办"
        verbose_name_plural = verbose_name
        ordering = ["state", "target_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(state="listed"),
                name="one_open_listing_per_dispute",
            )
        ]

    def overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.state == ListingState.LISTED and today > self.target_on
