"""API shapes of the event hub.

Outputs are read-only and follow the event page: the event's own records are read through
`for_user` (a department sees what was dispatched to it, nothing more), involved persons and units
only where the caller may see them under registry.view. Each write payload is the shape of one
service call; its foreign keys resolve through scoped querysets, so an invisible id "does not
exist" (400), never a leak.

Choice codes nested in lists (assignment, request, supervision, timeline states and roles) are
plain strings with a `*_display` label beside them: the same code names are used by other apps
with other choice sets, and one name per choice set keeps the OpenAPI schema unambiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.accounts.models import Department
from gridgov.areas.models import Area
from gridgov.core import workcalendar
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.scoping import unscoped
from gridgov.events import selectors
from gridgov.events.choices import Light, Priority, Rating, Source, Supervision
from gridgov.events.models import (
    Assignment,
    Attachment,
    Category,
    Event,
    EventRequest,
    SupervisionRecord,
    TimelineEntry,
)
from gridgov.events.templatetags.event_tags import STEP_LABELS
from gridgov.registry.models import Address, Person, Unit


def _user(serializer: serializers.Field) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _name(user: Any) -> str:
    if user is None:
        return "系统"
    return user.full_name or user.username


def _codes(choices: Any) -> str:
    return ";".join(f"{value} {label}" for value, label in choices)


# --- Configuration -------------------------------------------------------------------------------


class EventCategorySerializer(serializers.ModelSerializer):
    """An active event category of an active kind, with its time limits (处置时限)."""

    kind_code = serializers.CharField(source="kind.code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    sla_unit = serializers.CharField(
        read_only=True, help_text=f"时限单位:{_codes(workcalendar.DurationUnit.choices)}"
    )
    urgent_sla_unit = serializers.CharField(
        read_only=True, help_text="紧急事件时限单位(取值同 sla_unit;为空则同 sla_unit)"
    )
    sla_text = serializers.SerializerMethodField(help_text="时限说明,如“3 工作日”")
    urgent_sla_text = serializers.SerializerMethodField(help_text="紧急事件时限说明;无单独时限为空")

    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_code",
            "kind_name",
            "order",
            "sla_value",
            "sla_unit",
            "sla_text",
            "urgent_sla_value",
            "urgent_sla_unit",
            "urgent_sla_text",
        ]
        read_only_fields = fields

    def get_sla_text(self, obj: Category) -> str:
        return workcalendar.describe(obj.sla_value, obj.sla_unit)

    def get_urgent_sla_text(self, obj: Category) -> str:
        if not obj.urgent_sla_value:
            return ""
        return workcalendar.describe(obj.urgent_sla_value, obj.urgent_sla_unit or obj.sla_unit)


# --- Events: lists -------------------------------------------------------------------------------


class EventListSerializer(serializers.ModelSerializer):
    """One row of an event list."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    light = serializers.SerializerMethodField(
        help_text="期限灯:none 未计时、green、yellow 临期、red 超期"
    )
    remaining = serializers.SerializerMethodField(
        help_text="倒计时,如“剩 3 天 4 小时”“超期 2 小时”"
    )
    supervision = serializers.CharField(
        read_only=True, help_text=f"督办级别(空为未督办):{_codes(Supervision.choices)}"
    )
    supervision_display = serializers.CharField(source="get_supervision_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "code",
            "title",
            "state",
            "state_display",
            "priority",
            "priority_display",
            "source",
            "kind",
            "kind_name",
            "category",
            "category_name",
            "grid",
            "grid_name",
            "center",
            "center_name",
            "place",
            "reported_at",
            "deadline",
            "light",
            "remaining",
            "overdue",
            "supervision",
            "supervision_display",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Light.choices))
    def get_light(self, obj: Event) -> str:
        return str(obj.light())

    def get_remaining(self, obj: Event) -> str:
        return selectors.remaining_text(obj)


class EventQueueSerializer(EventListSerializer):
    """A row of the caller's queue (我的待办), with what they are expected to do."""

    todo = serializers.SerializerMethodField(help_text="待办事项,如“受理”“派遣”“签收”“核查”")

    class Meta(EventListSerializer.Meta):
        fields = [*EventListSerializer.Meta.fields, "todo"]
        read_only_fields = fields

    def get_todo(self, obj: Event) -> str:
        return selectors.todo_label(_user(self), obj)


# --- Events: the detail --------------------------------------------------------------------------


class EventPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField(
        help_text="角色:party 当事人、reported 被反映人、witness 知情人、other 其他"
    )
    role_display = serializers.CharField()
    person = serializers.IntegerField(allow_null=True, help_text="人员 id(人口档案)")
    unit = serializers.IntegerField(allow_null=True, help_text="单位 id")
    name = serializers.CharField(help_text="人员姓名或单位名称")


class EventAssignmentSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True, default="")
    area_name = serializers.CharField(source="area.name", read_only=True, default="")
    assignee_name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True, help_text="分工:lead 主办、assist 协办、copy 抄告")
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    state = serializers.CharField(
        read_only=True,
        help_text=(
            "状态:pending 待签收、taken 办理中、done 已反馈、returned 已退回、withdrawn 已撤回"
        ),
    )
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    taken_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "department",
            "department_name",
            "area",
            "area_name",
            "assignee_name",
            "role",
            "role_display",
            "state",
            "state_display",
            "assigned_at",
            "taken_at",
            "taken_by_name",
            "finished_at",
            "note",
        ]
        read_only_fields = fields

    def get_taken_by_name(self, obj: Assignment) -> str:
        return _name(obj.taken_by) if obj.taken_by_id else ""


class EventAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="下载地址(页面端附件地址,需登录会话)")

    class Meta:
        model = Attachment
        fields = ["id", "entry", "name", "content_type", "size", "is_image", "url", "api_url"]
        read_only_fields = fields

    def get_url(self, obj: Attachment) -> str:
        path = reverse("events:attachment", args=[obj.event_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    api_url = serializers.SerializerMethodField(
        help_text="下载地址(API,令牌或会话均可;调用者须能查看该事件)"
    )

    def get_api_url(self, obj: Attachment) -> str:
        path = reverse("event-attachment-detail", kwargs={"event_pk": obj.event_id, "pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EventTimelineEntrySerializer(serializers.ModelSerializer):
    action_display = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    from_state = serializers.CharField(read_only=True, help_text="原状态代码(取值同事件 state)")
    to_state = serializers.CharField(read_only=True, help_text="新状态代码(取值同事件 state)")

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "action",
            "action_display",
            "actor",
            "actor_name",
            "from_state",
            "to_state",
            "note",
            "at",
        ]
        read_only_fields = fields

    def get_action_display(self, obj: TimelineEntry) -> str:
        return STEP_LABELS.get(obj.action, obj.action)

    def get_actor_name(self, obj: TimelineEntry) -> str:
        return _name(obj.actor if obj.actor_id else None)


class EventRequestSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="extension 延期申请、suspension 挂账申请"
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="pending 待审批、granted 已批准、refused 未批准"
    )
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    extra_unit = serializers.CharField(read_only=True, help_text="延长单位(取值同类别 sla_unit)")

    class Meta:
        model = EventRequest
        fields = [
            "id",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "reason",
            "extra_value",
            "extra_unit",
            "requested_at",
            "decided_at",
            "decision_note",
            "version",
        ]
        read_only_fields = fields


class EventSupervisionSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True, help_text=_codes(Supervision.choices))
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionRecord
        fields = ["id", "level", "level_display", "note", "deadline", "by_name", "at", "automatic"]
        read_only_fields = fields

    def get_by_name(self, obj: SupervisionRecord) -> str:
        return _name(obj.by)


class MergedEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "code", "title"]
        read_only_fields = fields


class EventReceiptSerializer(serializers.ModelSerializer):
    """What intake answers when the client sends ``Prefer: return=minimal`` (RFC 7240): the case
    code to follow the event by, and what a next step needs, without the whole event page."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    url = serializers.SerializerMethodField(help_text="事件详情 API 地址")

    class Meta:
        model = Event
        fields = ["id", "code", "state", "state_display", "version", "reported_at", "url"]
        read_only_fields = fields

    def get_url(self, event: Event) -> str:
        return reverse("event-detail", args=[event.pk])


class EventDetailSerializer(EventListSerializer):
    """The event page as JSON: facts, deadline, parties, dispatches, timeline, files, and the
    steps the caller may take now (`actions`)."""

    source_display = serializers.CharField(source="get_source_display", read_only=True)
    address_text = serializers.SerializerMethodField(help_text="标准地址全称")
    reporter_name = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(
        source="contact_phone_masked", read_only=True, help_text="脱敏"
    )
    sla_unit = serializers.CharField(read_only=True, help_text="时限单位(取值同类别 sla_unit)")
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)
    merged_into_code = serializers.SerializerMethodField()
    parties = serializers.SerializerMethodField(
        help_text="涉及人员与单位:只列出调用者按 registry.view 可见的"
    )
    hidden_parties = serializers.SerializerMethodField(help_text="不在调用者辖区、未列出的个数")
    assignments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField(help_text="全部附件;entry 为所属办理记录")
    requests = serializers.SerializerMethodField(help_text="延期与挂账申请,最新在前")
    supervisions = serializers.SerializerMethodField(help_text="催办、督办记录,最新在前")
    merged_events = serializers.SerializerMethodField(help_text="并入本事件的重复事件")
    actions = serializers.SerializerMethodField(
        help_text=(
            "调用者现在可执行的步骤:accept、reject、merge、escalate、dispatch、handle_here"
            "(接口 handle-here)、settle、take、return、done、extend(接口 extension)、"
            "suspend(接口 suspension)、decide、resume、verify、rate、reopen、supervise"
        )
    )

    class Meta(EventListSerializer.Meta):
        fields = [
            *EventListSerializer.Meta.fields,
            "client_id",
            "description",
            "source_display",
            "occurred_at",
            "address",
            "address_text",
            "lat",
            "lng",
            "reporter",
            "reporter_name",
            "contact_name",
            "contact_phone",
            "escalations",
            "merged_into",
            "merged_into_code",
            "reject_reason",
            "self_handled",
            "accepted_at",
            "first_dispatched_at",
            "dispatched_at",
            "sla_value",
            "sla_unit",
            "warn_at",
            "extended",
            "suspended_at",
            "handled_at",
            "closed_at",
            "closed_on_time",
            "rework_count",
            "return_count",
            "reopen_count",
            "rating",
            "rating_display",
            "rating_comment",
            "rated_at",
            "supervision_deadline",
            "parties",
            "hidden_parties",
            "assignments",
            "timeline",
            "attachments",
            "requests",
            "supervisions",
            "merged_events",
            "actions",
        ]
        read_only_fields = fields

    # The event itself is visible (it came from for_user); its own records are read through
    # for_user too, with the same visibility rule (area path, or assigned to the department).

    def get_address_text(self, obj: Event) -> str:
        # A forward foreign key reads through the plain base manager: the event's own address.
        return obj.address.canonical if obj.address_id else ""

    def get_reporter_name(self, obj: Event) -> str:
        return _name(obj.reporter)

    def get_merged_into_code(self, obj: Event) -> str:
        if not obj.merged_into_id:
            return ""
        target = (
            Event.objects.for_user(_user(self), "events.view")
            .filter(pk=obj.merged_into_id)
            .values_list("code", flat=True)
            .first()
        )
        return target or ""

    def _parties(self, obj: Event) -> tuple[list[dict[str, Any]], int]:
        cache = getattr(self, "_party_cache", {})
        if obj.pk not in cache:
            cache[obj.pk] = _visible_parties(_user(self), obj)
            self._party_cache = cache
        return cache[obj.pk]

    @extend_schema_field(EventPartySerializer(many=True))
    def get_parties(self, obj: Event) -> list[dict[str, Any]]:
        return self._parties(obj)[0]

    def get_hidden_parties(self, obj: Event) -> int:
        return self._parties(obj)[1]

    @extend_schema_field(EventAssignmentSerializer(many=True))
    def get_assignments(self, obj: Event) -> list[dict[str, Any]]:
        rows = (
            Assignment.objects.for_user(_user(self), "events.view")
            .filter(event=obj)
            .select_related("department", "area", "taken_by")
            .order_by("assigned_at", "pk")
        )
        return EventAssignmentSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(EventTimelineEntrySerializer(many=True))
    def get_timeline(self, obj: Event) -> list[dict[str, Any]]:
        rows = (
            TimelineEntry.objects.for_user(_user(self), "events.view")
            .filter(event=obj)
            .select_related("actor")
            .order_by("at", "pk")
        )
        return EventTimelineEntrySerializer(rows, many=True, context=self.context).data

    @extend_schema_field(EventAttachmentSerializer(many=True))
    def get_attachments(self, obj: Event) -> list[dict[str, Any]]:
        rows = Attachment.objects.for_user(_user(self), "events.view").filter(event=obj)
        return EventAttachmentSerializer(rows.order_by("pk"), many=True, context=self.context).data

    @extend_schema_field(EventRequestSerializer(many=True))
    def get_requests(self, obj: Event) -> list[dict[str, Any]]:
        rows = EventRequest.objects.for_user(_user(self), "events.view").filter(event=obj)
        return EventRequestSerializer(rows.order_by("-requested_at", "-pk"), many=True).data

    @extend_schema_field(EventSupervisionSerializer(many=True))
    def get_supervisions(self, obj: Event) -> list[dict[str, Any]]:
        rows = (
            SupervisionRecord.objects.for_user(_user(self), "events.view")
            .filter(event=obj)
            .select_related("by")
            .order_by("-at", "-pk")
        )
        return EventSupervisionSerializer(rows, many=True).data

    @extend_schema_field(MergedEventSerializer(many=True))
    def get_merged_events(self, obj: Event) -> list[dict[str, Any]]:
        rows = Event.objects.for_user(_user(self), "events.view").filter(merged_into=obj)
        return MergedEventSerializer(rows.order_by("pk"), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj: Event) -> list[str]:
        return selectors.available_actions(_user(self), obj)


def _visible_parties(user: Any, event: Event) -> tuple[list[dict[str, Any]], int]:
    """The event's parties the caller may see under registry.view, and how many are hidden."""
    with unscoped("the visible event's own parties, filtered by registry.view below"):
        rows = list(event.parties.order_by("pk"))
    person_ids = [p.person_id for p in rows if p.person_id]
    unit_ids = [p.unit_id for p in rows if p.unit_id]
    persons = dict(
        Person.objects.for_user(user, "registry.view")
        .filter(pk__in=person_ids)
        .values_list("pk", "name")
    )
    units = dict(
        Unit.objects.for_user(user, "registry.view")
        .filter(pk__in=unit_ids)
        .values_list("pk", "name")
    )
    shown = []
    for party in rows:
        if party.person_id:
            if party.person_id not in persons:
                continue
            name = persons[party.person_id]
        elif party.unit_id in units:
            name = units[party.unit_id]
        else:
            continue
        shown.append(
            {
                "id": party.pk,
                "role": party.role,
                "role_display": party.get_role_display(),
                "person": party.person_id,
                "unit": None if party.person_id else party.unit_id,
                "name": name,
            }
        )
    return shown, len(rows) - len(shown)


# --- Write payloads ------------------------------------------------------------------------------


class ScopedIdListField(serializers.ListField):
    """A list of ids, each resolved through a scoped queryset: an unknown or invisible id is
    refused with one Chinese message (the same for both, so nothing leaks)."""

    def __init__(self, *, visible: Callable[[Any], Any], missing: str, **kwargs: Any) -> None:
        self.visible = visible
        self.missing = missing
        kwargs.setdefault("child", serializers.IntegerField(min_value=1))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        if not ids:
            return []
        found = {row.pk: row for row in self.visible(_user(self)).filter(pk__in=ids)}
        absent = [str(pk) for pk in ids if pk not in found]
        if absent:
            raise serializers.ValidationError(self.missing.format(ids="、".join(absent)))
        return [found[pk] for pk in ids]


def _visible_persons(user: Any) -> Any:
    return Person.objects.for_user(user, "registry.view")


def _visible_units(user: Any) -> Any:
    return Unit.objects.for_user(user, "registry.view")


class UploadsField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.FileField())
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "照片或材料(multipart/form-data,可多个同名 files):JPG、PNG、WEBP 或 PDF,"
            "每个不超过 10 MB,一次最多 9 个;按内容识别类型",
        )
        super().__init__(**kwargs)


class EventReportSerializer(serializers.Serializer):
    """上报事件. Give the grid, or a point (lat + lng) that resolves to one, or an address."""

    client_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=(
            "推荐:客户端生成的 UUID。网络重试时用同一编号再次提交,返回首次创建的事件"
            "(200,不会重复登记)"
        ),
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True, kind__is_active=True).select_related(
            "kind"
        ),
        help_text="事件类别 id(见 /api/event-categories/)",
    )
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=4000)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.GRID_WORKER)
    grid = ScopedPrimaryKeyRelatedField(
        model=Area,
        action="events.report",
        extra_filter={"level": "grid"},
        required=False,
        allow_null=True,
        help_text="所在网格 id;不填时按 lat/lng 或地址确定",
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = ScopedPrimaryKeyRelatedField(
        model=Address,
        action="registry.view",
        required=False,
        allow_null=True,
        help_text="标准地址 id(可选)",
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="发生时间;不填即为现在"
    )
    contact_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    contact_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    persons = ScopedIdListField(
        visible=_visible_persons,
        missing="涉及人员 {ids} 未登记或不在您的辖区。",
        required=False,
        help_text="涉及人员 id 列表(须为本人辖区内已登记人员)",
    )
    units = ScopedIdListField(
        visible=_visible_units,
        missing="涉及单位 {ids} 未登记或不在您的辖区。",
        required=False,
        help_text="涉及单位 id 列表(须为本人辖区内已登记单位)",
    )
    settled_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="已就地自行处置时填写处置情况:事件直接进入核查",
    )


class EventReportUploadSerializer(EventReportSerializer):
    files = UploadsField()


class EventVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="调用者看到的事件 version;他人已先办理时返回 409,请刷新后重试"
    )


class EventNoteSerializer(EventVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EventReasonSerializer(EventVersionSerializer):
    reason = serializers.CharField(max_length=500)


class EventMergeSerializer(EventVersionSerializer):
    into = ScopedPrimaryKeyRelatedField(
        model=Event, action="events.view", help_text="并入的目标事件 id(须为未办结事件)"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EventDispatchSerializer(EventVersionSerializer):
    department = ScopedPrimaryKeyRelatedField(
        model=Department,
        action="accounts.view",
        required=False,
        allow_null=True,
        default=None,
        help_text="主办部门 id(与 area 二选一)",
    )
    area = ScopedPrimaryKeyRelatedField(
        model=Area,
        action="areas.view",
        required=False,
        allow_null=True,
        default=None,
        help_text="或派给下级区域(事件所在的村社区或网格)id",
    )
    assisting = ScopedPrimaryKeyRelatedField(
        model=Department,
        action="accounts.view",
        many=True,
        required=False,
        help_text="协办部门 id 列表",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EventSettleSerializer(EventVersionSerializer):
    note = serializers.CharField(help_text="处置情况")


class EventSettleUploadSerializer(EventSettleSerializer):
    files = UploadsField()


class EventDoneSerializer(EventVersionSerializer):
    note = serializers.CharField(help_text="办理情况")


class EventDoneUploadSerializer(EventDoneSerializer):
    files = UploadsField()


class EventExtensionSerializer(EventVersionSerializer):
    reason = serializers.CharField(max_length=500)
    value = serializers.IntegerField(min_value=1, max_value=365, help_text="延长时限")
    unit = serializers.ChoiceField(choices=workcalendar.DurationUnit.choices, help_text="延长单位")


class EventDecideSerializer(EventVersionSerializer):
    grant = serializers.BooleanField(help_text="true 批准,false 不批准(须填写意见)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EventVerifySerializer(EventVersionSerializer):
    passed = serializers.BooleanField(help_text="true 已解决、结案;false 未解决、退回返工(须说明)")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EventVerifyUploadSerializer(EventVerifySerializer):
    files = UploadsField(help_text="核查照片(multipart/form-data,可多个同名 files)")


class EventRateSerializer(EventVersionSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


@extend_schema_field({"type": "string", "description": _codes(Supervision.choices)})
class SupervisionLevelField(serializers.ChoiceField):
    """A supervision level; documented as a string so that its code set keeps one schema name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Supervision.choices, **kwargs)


class EventSuperviseSerializer(serializers.Serializer):
    level = SupervisionLevelField(help_text=f"{_codes(Supervision.choices)}(督办、挂牌督办限领导)")
    note = serializers.CharField(max_length=500, help_text="督办意见")
    deadline = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="督办期限(可选)"
    )


class EventErrorSerializer(serializers.Serializer):
    """A refusal by a service (core.api.exceptions)."""

    detail = serializers.CharField(help_text="中文说明")
    code = serializers.CharField(
        help_text="NotFound、NotPermitted、Conflict、InvalidTransition、Invalid"
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Invalid 时按字段列出的说明",
    )
