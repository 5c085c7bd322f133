"""API shapes of the petitions module: read-only outputs following the petition page, and one
payload per service call whose foreign keys resolve through scoped querysets (an invisible id
"does not exist")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.events.models import Category
from gridgov.petitions import selectors
from gridgov.petitions.choices import Channel, Rating
from gridgov.petitions.defaults import PREFIX
from gridgov.petitions.models import LeaderCase, Petition, Reception, ReceptionDay
from gridgov.registry.models import Person


class PetitionListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="event.code", read_only=True)
    title = serializers.CharField(source="event.title", read_only=True)
    category = serializers.CharField(source="event.category.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    deadline = serializers.DateTimeField(source="event.deadline", read_only=True)
    overdue = serializers.BooleanField(source="event.overdue", read_only=True)

    class Meta:
        model = Petition
        fields = [
            "id",
            "code",
            "title",
            "category",
            "channel",
            "people_count",
            "collective",
            "repeat",
            "skip_level",
            "department",
            "department_name",
            "stage",
            "stage_display",
            "received_at",
            "deadline",
            "overdue",
            "version",
        ]
        read_only_fields = fields


class LeaderCaseSerializer(serializers.ModelSerializer):
    leader_name = serializers.SerializerMethodField()

    class Meta:
        model = LeaderCase
        fields = ["id", "leader", "leader_name", "since", "note", "ended_at", "end_note", "version"]
        read_only_fields = fields

    def get_leader_name(self, case: LeaderCase) -> str:
        return case.leader.full_name or case.leader.username


class PetitionDetailSerializer(PetitionListSerializer):
    matter = serializers.CharField(source="event.description", read_only=True)
    event = serializers.IntegerField(source="event_id", read_only=True)
    lodged_area_name = serializers.CharField(source="lodged_area.name", read_only=True)
    proper_area_name = serializers.CharField(source="proper_area.name", read_only=True)
    previous_code = serializers.SerializerMethodField()
    petitioners = serializers.SerializerMethodField()
    leader_cases = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(PetitionListSerializer.Meta):
        fields = [
            *PetitionListSerializer.Meta.fields,
            "event",
            "matter",
            "lodged_area",
            "lodged_area_name",
            "lodged_level",
            "proper_area",
            "proper_area_name",
            "previous",
            "previous_code",
            "accept_due",
            "decided_at",
            "decision_note",
            "accepted_at",
            "handle_due",
            "extended",
            "extension_reason",
            "replied_at",
            "reply",
            "replied_on_time",
            "review_request_until",
            "review_requested_at",
            "review_due",
            "reviewed_at",
            "review_opinion",
            "re_review_request_until",
            "re_review_requested_at",
            "re_review_due",
            "re_reviewed_at",
            "re_review_opinion",
            "closed_at",
            "rating",
            "rating_comment",
            "rated_at",
            "petitioners",
            "leader_cases",
            "actions",
        ]
        read_only_fields = fields

    def get_previous_code(self, petition: Petition) -> str:
        if not petition.previous_id:
            return ""
        with unscoped("the previous petition's case code"):
            return petition.previous.event.code

    def get_petitioners(self, petition: Petition) -> list[dict[str, Any]]:
        from gridgov.petitions.services import petitioners_of

        user = self.context["request"].user
        rights = jurisdiction(user)
        return [
            {"id": p.pk, "name": p.name, "id_masked": p.id_masked}
            for p in petitioners_of(petition)
            if rights.allows("registry.view", p.area_path)
        ]

    def get_leader_cases(self, petition: Petition) -> list[dict[str, Any]]:
        cases = LeaderCase.objects.for_user(self.context["request"].user, "petitions.view").filter(
            petition=petition
        )
        return LeaderCaseSerializer(cases.select_related("leader"), many=True).data

    def get_actions(self, petition: Petition) -> list[str]:
        return selectors.available_actions(self.context["request"].user, petition)


# --- Payloads ------------------------------------------------------------------------------------


class PetitionRegisterSerializer(serializers.Serializer):
    petitioners = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=Person, action="registry.view"),
        allow_empty=False,
        help_text="信访人(实有人口 id),第一位为主要信访人",
    )
    people_count = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(code__startswith=PREFIX, is_active=True)
    )
    title = serializers.CharField(max_length=100)
    matter = serializers.CharField(max_length=4000)
    department = ScopedPrimaryKeyRelatedField(model=Department, action="accounts.view")
    lodged_area = ScopedPrimaryKeyRelatedField(
        model=Area, action="areas.view", required=False, allow_null=True
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    previous = ScopedPrimaryKeyRelatedField(
        model=Petition, action="petitions.view", required=False, allow_null=True
    )
    client_id = serializers.UUIDField(required=False, allow_null=True)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class DecideSerializer(VersionSerializer):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ExtendSerializer(VersionSerializer):
    value = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)


class ReplySerializer(VersionSerializer):
    reply = serializers.CharField(max_length=2000)


class RequestSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=500)
    requested_at = serializers.DateTimeField(required=False, allow_null=True)


class OpinionSerializer(VersionSerializer):
    opinion = serializers.CharField(max_length=2000)


class CloseSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RateSerializer(VersionSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class TakeCaseSerializer(serializers.Serializer):
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EndCaseSerializer(VersionSerializer):
    case = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class FlagSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person, action="registry.view")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReceptionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Reception
        fields = ["id", "person", "person_name", "petition", "summary", "recorded_at"]
        read_only_fields = fields


class ReceptionDaySerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    leader_name = serializers.SerializerMethodField()
    receptions = serializers.SerializerMethodField()

    class Meta:
        model = ReceptionDay
        fields = [
            "id",
            "area",
            "area_name",
            "leader",
            "leader_name",
            "day",
            "place",
            "note",
            "receptions",
            "version",
        ]
        read_only_fields = fields

    def get_leader_name(self, day: ReceptionDay) -> str:
        return day.leader.full_name or day.leader.username

    def get_receptions(self, day: ReceptionDay) -> list[dict[str, Any]]:
        rows = Reception.objects.for_user(self.context["request"].user, "petitions.view").filter(
            day=day
        )
        return ReceptionSerializer(rows.select_related("person"), many=True).data


class ReceptionDayCreateSerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(model=Area, action="areas.view")
    leader = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    day = serializers.DateField()
    place = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReceptionCreateSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person, action="registry.view")
    petition = ScopedPrimaryKeyRelatedField(
        model=Petition, action="petitions.view", required=False, allow_null=True
    )
    summary = serializers.CharField(max_length=2000)
