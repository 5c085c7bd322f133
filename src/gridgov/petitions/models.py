"""Petitions (信访): the details of an event of the petition kind, and the leaders' work on them.

A petition IS an event of the event hub (`Petition.event`, one to one): the hub keeps its case
code, place, petitioners (event parties), timeline, deadline lamp, supervision and overdue sweep.
This module adds what the 信访工作条例 asks for: channel, collective or individual, first or
repeat, the level it was lodged at, the responsible department, and the stages with their legal
time limits (services.py moves the event's clock with each stage).

Scoping follows the event: `area_path` is the event's (the petitioner's grid). The handlers of
the responsible department see the petitions given to their department, wherever they are.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gridgov.core.fields import PathField
from gridgov.core.models import DomainModel
from gridgov.petitions.choices import Channel, Rating, Stage

_DEPARTMENT_ACTIONS = ("petitions.view", "petitions.handle")


def _department_ids(user: Any, action: str) -> tuple[int, ...]:
    if action not in _DEPARTMENT_ACTIONS:
        return ()
    from gridgov.events.selectors import department_ids_of

    return department_ids_of(user)


def _via_petition(user: Any, action: str) -> Q | None:
    departments = _department_ids(user, action)
    if not departments:
        return None
    return Q(petition__department_id__in=departments)


class Petition(DomainModel):
    """One petition (信访事项): the event it is, plus its 信访 details and stage dates."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.PROTECT, related_name="petition", verbose_name="事件"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    channel = models.CharField("信访形式", max_length=10, choices=Channel.choices)
    people_count = models.PositiveIntegerField("信访人数", default=1)
    collective = models.BooleanField("集体访", default=False)
    repeat = models.BooleanField("重复访", default=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name="前次信访",
    )
    lodged_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="登记机关所在区域"
    )
    lodged_level = models.CharField("登记层级", max_length=10)
    proper_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="属地区域"
    )
    skip_level = models.BooleanField("越级访", default=False)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name="责任单位",
    )
    stage = models.CharField(
        "阶段", max_length=20, choices=Stage.choices, default=Stage.REGISTERED, db_index=True
    )

    received_at = models.DateTimeField("收到时间", db_index=True)
    accept_due = models.DateTimeField("受理告知期限")
    decided_at = models.DateTimeField("受理告知时间", null=True, blank=True)
    decision_note = models.CharField("受理告知意见", max_length=500, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True, db_index=True)
    handle_due = models.DateTimeField("办理期限", null=True, blank=True)
    extended = models.BooleanField("已延期", default=False)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    extension_value = models.PositiveIntegerField("延长时限", null=True, blank=True)
    extension_unit = models.CharField("延长单位", max_length=20, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True, db_index=True)
    reply = models.TextField("答复意见", blank=True)
    replied_on_time = models.BooleanField("按期答复", null=True, blank=True)
    review_request_until = models.DateTimeField("请求复查截止", null=True, blank=True)
    review_requested_at = models.DateTimeField("请求复查时间", null=True, blank=True)
    review_reason = models.CharField("复查请求理由", max_length=500, blank=True)
    review_due = models.DateTimeField("复查期限", null=True, blank=True)
    reviewed_at = models.DateTimeField("复查答复时间", null=True, blank=True)
    review_opinion = models.TextField("复查意见", blank=True)
    re_review_request_until = models.DateTimeField("请求复核截止", null=True, blank=True)
    re_review_requested_at = models.DateTimeField("请求复核时间", null=True, blank=True)
    re_review_reason = models.CharField("复核请求理由", max_length=500, blank=True)
    re_review_due = models.DateTimeField("复核期限", null=True, blank=True)
    re_reviewed_at = models.DateTimeField("复核答复时间", null=True, blank=True)
    re_review_opinion = models.TextField("复核意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = verbose_name
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["area_path", "received_at"], name="petition_path_received"),
            models.Index(fields=["department", "stage"], name="petition_department_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.event.code} {self.event.title}"

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> Q | None:
        """Handlers of the responsible department see the petitions given to it."""
        departments = _department_ids(user, action)
        return Q(department_id__in=departments) if departments else None

    @property
    def current_due(self) -> Any:
        """The deadline of the stage the petition is in (None when nobody owes an answer)."""
        return {
            Stage.REGISTERED: self.accept_due,
            Stage.ACCEPTED: self.handle_due,
            Stage.REVIEW_REQUESTED: self.review_due,
            Stage.RE_REVIEW_REQUESTED: self.re_review_due,
        }.get(self.stage)

    @property
    def request_until(self) -> Any:
        """Until when the petitioner may ask for the next step (复查 or 复核), or None."""
        if self.stage == Stage.REPLIED:
            return self.review_request_until
        if self.stage == Stage.REVIEWED:
            return self.re_review_request_until
        return None


class LeaderCase(DomainModel):
    """A leader taking charge of a petition (领导包案) until the case is settled or handed on."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="leader_cases", verbose_name="信访事项"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    leader = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="包案领导"
    )
    assigned_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    since = models.DateTimeField("包案时间", default=timezone.now)
    note = models.CharField("包案要求", max_length=500, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_note = models.CharField("结束说明", max_length=500, blank=True)

    extra_visibility = classmethod(lambda cls, user, action: _via_petition(user, action))

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = verbose_name
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "leader"],
                condition=Q(ended_at__isnull=True),
                name="leader_case_one_open_per_leader",
                violation_error_message="该领导已在包案。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} 包案 {self.petition.event.code}"


class ReceptionDay(DomainModel):
    """A leader's appointed day for receiving petitioners (领导接访日) in an area."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="接访区域"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    leader = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="接访领导"
    )
    day = models.DateField("接访日期", db_index=True)
    place = models.CharField("接访地点", max_length=200)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )

    class Meta:
        verbose_name = "领导接访日"
        verbose_name_plural = verbose_name
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.leader} {self.place}"


class Reception(DomainModel):
    """A petitioner received on a reception day, with what they raised and what was agreed."""

    day = models.ForeignKey(
        ReceptionDay, on_delete=models.PROTECT, related_name="receptions", verbose_name="接访日"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="来访人"
    )
    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receptions",
        verbose_name="涉及信访事项",
    )
    summary = models.TextField("接访情况", max_length=2000)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "接访记录"
        verbose_name_plural = verbose_name
        ordering = ["recorded_at", "pk"]


class KeyPetitionerFlag(DomainModel):
    """A key-petitioner flag (重点信访人员) raised on a petitioner from a petition, kept so that
    the same person is not flagged twice from the same case and the page can say so."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="key_flags", verbose_name="信访事项"
    )
    area_path = PathField("区域路径", db_index=True, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="信访人"
    )
    reason = models.CharField("理由", max_length=500)
    petition_count = models.PositiveIntegerField("期间信访次数")
    raised_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="标记人"
    )
    raised_at = models.DateTimeField("标记时间", default=timezone.now)

    extra_visibility = classmethod(lambda cls, user, action: _via_petition(user, action))

    class Meta:
        verbose_name = "重点信访人员标记"
        verbose_name_plural = verbose_name
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "person"], name="key_flag_once_per_petition_person"
            )
        ]
