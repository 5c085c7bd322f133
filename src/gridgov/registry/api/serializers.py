"""API shapes of the registry. Numbers leave only masked; `reveal` returns one in full, logged."""

from __future__ import annotations

from rest_framework import serializers

from gridgov.areas.models import Area
from gridgov.core.api.fields import ScopedPrimaryKeyRelatedField
from gridgov.registry import codes
from gridgov.registry.models import Address, House, Person, Residence, Unit


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
            "grid",
            "street",
            "door_no",
            "compound",
            "building",
            "unit_no",
            "floor",
            "room",
            "canonical",
            "lat",
            "lng",
            "status",
            "version",
        ]
        read_only_fields = fields


class AddressCreateSerializer(serializers.Serializer):
    grid = ScopedPrimaryKeyRelatedField(
        model=Area, action="registry.change", extra_filter={"level": "grid"}
    )
    street = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    door_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    compound = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit_no = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    floor = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    room = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)


class HouseSerializer(serializers.ModelSerializer):
    address_text = serializers.CharField(source="address.canonical", read_only=True)

    class Meta:
        model = House
        fields = [
            "id",
            "address",
            "address_text",
            "use",
            "floor_area",
            "ownership",
            "owner",
            "occupancy",
            "rental_no",
            "rental_use",
            "rental_hazard",
            "fire_pledge_signed",
            "fire_pledge_date",
            "status",
            "version",
        ]
        read_only_fields = fields


class HouseCreateSerializer(serializers.Serializer):
    address = ScopedPrimaryKeyRelatedField(model=Address, action="registry.change")
    use = serializers.ChoiceField(choices=codes.BuildingUse.choices, default="01")
    floor_area = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    ownership = serializers.ChoiceField(choices=codes.Ownership.choices, default="private")
    owner = ScopedPrimaryKeyRelatedField(
        model=Person, action="registry.view", required=False, allow_null=True
    )
    occupancy = serializers.ChoiceField(choices=codes.Occupancy.choices, default="self")
    rental_no = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    rental_use = serializers.ChoiceField(
        choices=codes.RentalUse.choices, required=False, allow_blank=True, default=""
    )
    rental_hazard = serializers.ChoiceField(
        choices=codes.RentalHazard.choices, required=False, allow_blank=True, default=""
    )
    fire_pledge_signed = serializers.BooleanField(default=False)
    fire_pledge_date = serializers.DateField(required=False, allow_null=True)


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "unit_type",
            "credit_code",
            "enterprise_category",
            "social_org_type",
            "address",
            "legal_rep_name",
            "legal_rep_phone_masked",
            "security_contact_name",
            "security_contact_phone_masked",
            "headcount",
            "hazard",
            "attention",
            "is_hazardous_chemicals",
            "status",
            "version",
        ]
        read_only_fields = fields


class UnitCreateSerializer(serializers.Serializer):
    address = ScopedPrimaryKeyRelatedField(model=Address, action="registry.change")
    name = serializers.CharField(max_length=150)
    unit_type = serializers.ChoiceField(choices=codes.UnitType.choices)
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    enterprise_category = serializers.ChoiceField(
        choices=codes.EnterpriseCategory.choices, required=False, allow_blank=True, default=""
    )
    social_org_type = serializers.ChoiceField(
        choices=codes.SocialOrgType.choices, required=False, allow_blank=True, default=""
    )
    legal_rep_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    legal_rep_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    security_contact_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    security_contact_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    headcount = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    hazard = serializers.ChoiceField(choices=codes.SafetyHazard.choices, default="00")
    attention = serializers.ChoiceField(choices=codes.Attention.choices, default="03")
    is_hazardous_chemicals = serializers.BooleanField(default=False)


class ResidenceSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="house.address.canonical", read_only=True)

    class Meta:
        model = Residence
        fields = ["id", "house", "address", "arrangement", "since", "until"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        source="id_masked", read_only=True, help_text="脱敏;明文见 reveal"
    )
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "id_number",
            "name",
            "former_name",
            "sex",
            "birth_date",
            "ethnicity",
            "native_place",
            "marital",
            "political",
            "education",
            "religion",
            "occupation",
            "workplace",
            "employer",
            "phone",
            "hukou_place",
            "hukou_address",
            "residence_type",
            "inflow_reason",
            "permit_type",
            "permit_no",
            "permit_valid_until",
            "dwelling_type",
            "grid",
            "status",
            "status_date",
            "merged_into",
            "version",
        ]
        read_only_fields = fields


class PersonCreateSerializer(serializers.Serializer):
    house = ScopedPrimaryKeyRelatedField(model=House, action="registry.change")
    arrangement = serializers.ChoiceField(choices=codes.LivingArrangement.choices, default="own")
    since = serializers.DateField(required=False, allow_null=True)
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="客户端生成;重复提交返回同一记录"
    )
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=50)
    former_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    sex = serializers.ChoiceField(
        choices=codes.Sex.choices, required=False, allow_blank=True, default=""
    )
    birth_date = serializers.DateField(required=False, allow_null=True)
    ethnicity = serializers.ChoiceField(choices=codes.ETHNICITY_CHOICES, default="01")
    residence_type = serializers.ChoiceField(choices=codes.ResidenceType.choices)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    occupation = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    workplace = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    inflow_reason = serializers.ChoiceField(
        choices=codes.InflowReason.choices, required=False, allow_blank=True, default=""
    )


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("id_number", "公民身份号码"), ("phone", "联系方式")])
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class StatusSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    # 已合并 is set by the merge endpoint, never chosen here.
    status = serializers.ChoiceField(
        choices=[c for c in codes.PersonStatus.choices if c[0] != codes.PersonStatus.MERGED]
    )
    on = serializers.DateField(required=False, allow_null=True)


class MoveSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    house = ScopedPrimaryKeyRelatedField(model=House, action="registry.change")
    arrangement = serializers.ChoiceField(choices=codes.LivingArrangement.choices)
    since = serializers.DateField(required=False, allow_null=True)


class MergeSerializer(serializers.Serializer):
    drop = ScopedPrimaryKeyRelatedField(
        model=Person, action="registry.change", help_text="并入的重复档案;合并后标记为已合并"
    )
    keep_version = serializers.IntegerField(help_text="保留档案的 version")
    drop_version = serializers.IntegerField(help_text="并入档案的 version")
