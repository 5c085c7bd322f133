"""API shapes of disputes. Outputs are read-only; each write payload is the shape of one service
call, its foreign keys resolved through scoped querysets (an invisible id "does not exist")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.scoping import jurisdiction
from gridgov.disputes.choices import (
    SUBCATEGORY_CHOICES,
    AgreementForm,
    Committee,
    Confirmation,
    FailureRoute,
    FileKind,
    Linkage,
    Method,
    PartyRole,
    Performance,
    PersonCategory,
    RiskLevel,
    Scale,
    ScreeningPeriod,
    VisitWay,
)
from gridgov.disputes.models import (
    DisputeDetail,
    DisputeParty,
    FollowUpVisit,
    MajorListing,
    Mediation,
    MediationFile,
    MediationSession,
    ScreeningReport,
)
from gridgov.disputes.services import MEDIATION_METHODS
from gridgov.events.models import Event
from gridgov.registry.models import Person, Unit


def _codes(choices: Any) -> str:
    return ";".join(f"{value} {label}" for value, label in choices if value)


def code_field(choices: Any, **kwargs: Any) -> serializers.CharField:
    """A code of one of the app's code tables, as a plain string (the service checks it, with a
    Chinese message): other apps use the same field names with other code sets, and one enum
    name per set keeps the OpenAPI schema unambiguous."""
    kwargs.setdefault("help_text", "取值:" + _codes(choices))
    return serializers.CharField(**kwargs)


class CodedModelSerializer(serializers.ModelSerializer):
    """Read-only output whose coded model fields are plain strings with their codes described
    (see code_field)."""

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs:
            return serializers.CharField, {
                "read_only": True,
                "help_text": f"{model_field.verbose_name}:" + _codes(model_field.choices),
            }
        return field_class, kwargs


def _name(user: Any) -> str:
    return "" if user is None else (user.full_name or user.username)


class UserField(serializers.PrimaryKeyRelatedField):
    """A user by id; the service checks that they may see the dispute."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(**kwargs)


# --- Outputs -------------------------------------------------------------------------------------


class DisputePartySerializer(CodedModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = DisputeParty
        fields = [
            "id",
            "person",
            "unit",
            "name",
            "role",
            "role_display",
            "person_category",
            "is_main",
            "version",
        ]
        read_only_fields = fields

    def get_name(self, obj: DisputeParty) -> str:
        target = obj.person or obj.unit
        user = self.context["request"].user
        return target.name if jurisdiction(user).allows("registry.view", target.area_path) else ""


class MediationSessionSerializer(CodedModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_on", "place", "attendees", "notes"]
        read_only_fields = fields


class FollowUpVisitSerializer(CodedModelSerializer):
    visitor_name = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpVisit
        fields = ["id", "visited_on", "way", "performance", "notes", "visitor", "visitor_name"]
        read_only_fields = fields

    def get_visitor_name(self, obj: FollowUpVisit) -> str:
        return _name(obj.visitor)


class MediationFileSerializer(CodedModelSerializer):
    class Meta:
        model = MediationFile
        fields = ["id", "kind", "name", "content_type", "size", "is_image"]
        read_only_fields = fields


class MediationSerializer(CodedModelSerializer):
    """A mediation with its norm date, agreement, judicial-confirmation deadline and records."""

    event = serializers.IntegerField(source="dispute.event_id", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    mediator_names = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    visits = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    norm_overdue = serializers.SerializerMethodField(help_text="调解中且已超过一个月")

    class Meta:
        model = Mediation
        fields = [
            "id",
            "dispute",
            "event",
            "committee",
            "organisation",
            "method",
            "method_display",
            "linkage",
            "mediators",
            "mediator_names",
            "other_mediators",
            "started_on",
            "norm_due_on",
            "norm_overdue",
            "state",
            "state_display",
            "ended_on",
            "agreement_form",
            "agreement_text",
            "agreement_on",
            "confirmation_due_on",
            "confirmation_requested_on",
            "confirmation_court",
            "confirmation",
            "confirmation_decided_on",
            "performance",
            "performance_checked_on",
            "failure_route",
            "outcome_note",
            "sessions",
            "visits",
            "files",
            "version",
        ]
        read_only_fields = fields

    def _user(self) -> Any:
        return self.context["request"].user

    def get_mediator_names(self, obj: Mediation) -> list[str]:
        return [_name(u) for u in obj.mediators.all()]

    def get_norm_overdue(self, obj: Mediation) -> bool:
        return obj.norm_overdue()

    def get_sessions(self, obj: Mediation) -> list[dict[str, Any]]:
        rows = MediationSession.objects.for_user(self._user(), "disputes.view").filter(
            mediation=obj
        )
        return MediationSessionSerializer(rows, many=True).data

    def get_visits(self, obj: Mediation) -> list[dict[str, Any]]:
        rows = FollowUpVisit.objects.for_user(self._user(), "disputes.view").filter(mediation=obj)
        return FollowUpVisitSerializer(rows.select_related("visitor"), many=True).data

    def get_files(self, obj: Mediation) -> list[dict[str, Any]]:
        rows = MediationFile.objects.for_user(self._user(), "disputes.view").filter(mediation=obj)
        return MediationFileSerializer(rows, many=True).data


class DisputeSerializer(CodedModelSerializer):
    """A dispute event's details, its parties and mediations."""

    code = serializers.CharField(source="event.code", read_only=True)
    title = serializers.CharField(source="event.title", read_only=True)
    state = serializers.CharField(source="event.state", read_only=True)
    subcategory_display = serializers.CharField(source="get_subcategory_display", read_only=True)
    scale_display = serializers.CharField(source="get_scale_display", read_only=True)
    owner_name = serializers.SerializerMethodField()
    parties = serializers.SerializerMethodField()
    mediations = serializers.SerializerMethodField()

    class Meta:
        model = DisputeDetail
        fields = [
            "id",
            "event",
            "code",
            "title",
            "state",
            "subcategory",
            "subcategory_display",
            "scale",
            "scale_display",
            "amount",
            "people_count",
            "risk_collective",
            "risk_extreme",
            "risk_skip_petition",
            "risk_level",
            "is_major",
            "owner",
            "owner_name",
            "assessment",
            "parties",
            "mediations",
            "version",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj: DisputeDetail) -> str:
        return _name(obj.owner)

    def get_parties(self, obj: DisputeDetail) -> list[dict[str, Any]]:
        user = self.context["request"].user
        rows = DisputeParty.objects.for_user(user, "disputes.view").filter(
            dispute=obj, removed_at__isnull=True
        )
        return DisputePartySerializer(
            rows.select_related("person", "unit"), many=True, context=self.context
        ).data

    def get_mediations(self, obj: DisputeDetail) -> list[int]:
        user = self.context["request"].user
        return list(
            Mediation.objects.for_user(user, "disputes.view")
            .filter(dispute=obj)
            .values_list("pk", flat=True)
        )


class ScreeningReportSerializer(CodedModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    disputes = serializers.SerializerMethodField(help_text="排查发现的纠纷(事件 id,仅可见的)")

    class Meta:
        model = ScreeningReport
        fields = [
            "id",
            "area",
            "area_name",
            "period",
            "period_start",
            "period_end",
            "due_on",
            "is_zero",
            "disputes",
            "unstable_factors",
            "persons_of_concern",
            "note",
            "filed_by",
            "filed_at",
            "on_time",
            "version",
        ]
        read_only_fields = fields

    def get_disputes(self, obj: ScreeningReport) -> list[int]:
        from gridgov.disputes import selectors

        user = self.context["request"].user
        return list(
            selectors.dispute_events(user)
            .filter(pk__in=selectors.report_dispute_ids(obj))
            .values_list("pk", flat=True)
        )


class MajorListingSerializer(CodedModelSerializer):
    event = serializers.IntegerField(source="dispute.event_id", read_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = MajorListing
        fields = [
            "id",
            "dispute",
            "event",
            "owner",
            "owner_name",
            "target_on",
            "reason",
            "listed_by",
            "listed_at",
            "state",
            "resolved_on",
            "crossed_off_at",
            "verified_by",
            "verification_note",
            "version",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj: MajorListing) -> str:
        return _name(obj.owner)


class ScreeningStatusSerializer(serializers.Serializer):
    area = serializers.IntegerField(source="village.pk")
    area_name = serializers.CharField(source="village.name")
    period_start = serializers.DateField(source="window.start")
    period_end = serializers.DateField(source="window.end")
    due_on = serializers.DateField(source="window.due_on")
    report = serializers.IntegerField(source="report.pk", allow_null=True, default=None)
    missing = serializers.BooleanField()


class ScreeningSheetRowSerializer(serializers.Serializer):
    area = serializers.IntegerField(source="area.pk", allow_null=True)
    area_name = serializers.CharField(source="area.name")
    due = serializers.IntegerField()
    filed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    zero = serializers.IntegerField()
    missing = serializers.IntegerField()
    found = serializers.IntegerField()
    registered = serializers.IntegerField()
    concluded = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="调处成功率(%),无调处结束为 null")
    major = serializers.IntegerField()
    listed_open = serializers.IntegerField()


class ScreeningSheetSerializer(serializers.Serializer):
    title = serializers.CharField()
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    rows = ScreeningSheetRowSerializer(many=True)
    total = ScreeningSheetRowSerializer()


# --- Payloads ------------------------------------------------------------------------------------


def _dispute_events() -> dict[str, Any]:
    return {"model": Event, "action": "events.view", "extra_filter": {"kind__code": "dispute"}}


class DisputeDetailPayload(serializers.Serializer):
    subcategory = code_field(SUBCATEGORY_CHOICES)
    scale = code_field(Scale.choices, default=Scale.INDIVIDUAL)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    people_count = serializers.IntegerField(min_value=1, default=2)
    risk_collective = serializers.BooleanField(default=False)
    risk_extreme = serializers.BooleanField(default=False)
    risk_skip_petition = serializers.BooleanField(default=False)
    risk_level = code_field(RiskLevel.choices, default="", allow_blank=True)
    is_major = serializers.BooleanField(default=False)
    owner = UserField(required=False, allow_null=True, default=None, help_text="包案人用户 id")
    assessment = serializers.CharField(required=False, allow_blank=True, default="")


class DisputeRecordPayload(DisputeDetailPayload):
    event = ScopedPrimaryKeyRelatedField(**_dispute_events(), help_text="矛盾纠纷事件 id")


class DisputeUpdatePayload(DisputeDetailPayload):
    version = serializers.IntegerField()


class DisputePartyPayload(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(
        model=Person, action="registry.view", required=False, allow_null=True, default=None
    )
    unit = ScopedPrimaryKeyRelatedField(
        model=Unit, action="registry.view", required=False, allow_null=True, default=None
    )
    role = code_field(PartyRole.choices)
    person_category = code_field(PersonCategory.choices, default="", allow_blank=True)
    is_main = serializers.BooleanField(default=False)


class MediationPayload(serializers.Serializer):
    committee = code_field(Committee.choices)
    organisation = serializers.CharField(max_length=100)
    method = code_field(
        [c for c in Method.choices if c[0] in MEDIATION_METHODS], default=Method.PEOPLES
    )
    linkage = code_field(Linkage.choices, default="", allow_blank=True)
    mediators = UserField(many=True, required=False, default=list)
    other_mediators = serializers.CharField(required=False, allow_blank=True, default="")
    started_on = serializers.DateField(required=False, allow_null=True, default=None)


class MediationSessionPayload(serializers.Serializer):
    held_on = serializers.DateField()
    place = serializers.CharField(required=False, allow_blank=True, default="")
    attendees = serializers.CharField(max_length=500)
    notes = serializers.CharField(max_length=8000)


class MediationAgreementPayload(serializers.Serializer):
    version = serializers.IntegerField()
    agreement_form = code_field(AgreementForm.choices)
    agreement_text = serializers.CharField(max_length=8000)
    agreement_on = serializers.DateField(required=False, allow_null=True, default=None)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    finish_event = serializers.BooleanField(default=False)


class MediationFailurePayload(serializers.Serializer):
    version = serializers.IntegerField()
    failure_route = code_field(FailureRoute.choices)
    note = serializers.CharField(max_length=2000)
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    finish_event = serializers.BooleanField(default=False)


class MediationConfirmationPayload(serializers.Serializer):
    version = serializers.IntegerField()
    requested_on = serializers.DateField()
    court = serializers.CharField(max_length=100)
    result = code_field(Confirmation.choices, default=Confirmation.PENDING)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)


class MediationPerformancePayload(serializers.Serializer):
    version = serializers.IntegerField()
    performance = code_field([c for c in Performance.choices if c[0]])
    checked_on = serializers.DateField()


class MediationVisitPayload(serializers.Serializer):
    visited_on = serializers.DateField()
    way = code_field(VisitWay.choices)
    performance = code_field(Performance.choices, default="", allow_blank=True)
    notes = serializers.CharField(max_length=4000)


class MediationFilesPayload(serializers.Serializer):
    kind = code_field(FileKind.choices)
    files = serializers.ListField(child=serializers.FileField(), min_length=1)


class ScreeningReportPayload(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(
        model=Area,
        action="disputes.report",
        extra_filter={"level": "village"},
        help_text="上报的村(社区) id",
    )
    day = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="排查期内任一天;不填为今天"
    )
    is_zero = serializers.BooleanField(default=False)
    disputes = ScopedPrimaryKeyRelatedField(
        **_dispute_events(), many=True, required=False, default=list
    )
    unstable_factors = serializers.CharField(required=False, allow_blank=True, default="")
    persons_of_concern = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ScreeningAmendPayload(serializers.Serializer):
    version = serializers.IntegerField()
    is_zero = serializers.BooleanField(default=False)
    disputes = ScopedPrimaryKeyRelatedField(
        **_dispute_events(), many=True, required=False, default=list
    )
    unstable_factors = serializers.CharField(required=False, allow_blank=True, default="")
    persons_of_concern = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MajorListingPayload(serializers.Serializer):
    owner = UserField(help_text="责任人用户 id")
    target_on = serializers.DateField()
    reason = serializers.CharField(max_length=500)


class MajorListingCrossOffPayload(serializers.Serializer):
    version = serializers.IntegerField()
    resolved_on = serializers.DateField()
    note = serializers.CharField(max_length=500)


class DisputePartyRemovePayload(serializers.Serializer):
    party = serializers.IntegerField(help_text="当事人 id(见详情 parties)")
    version = serializers.IntegerField()


class ScreeningPolicyPayload(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(
        model=Area, action="disputes.configure", help_text="区域 id(乡镇、村社区或以上)"
    )
    period = code_field(ScreeningPeriod.choices)


class ScreeningPolicySerializer(serializers.Serializer):
    area = serializers.IntegerField(source="area_id")
    period = serializers.CharField()
