"""Registry endpoints: the same services and filters as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.registry import selectors, services
from gridgov.registry.api.serializers import (
    AddressCreateSerializer,
    AddressSerializer,
    HouseCreateSerializer,
    HouseSerializer,
    MergeSerializer,
    MoveSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    ResidenceSerializer,
    RevealedSerializer,
    RevealSerializer,
    StatusSerializer,
    UnitCreateSerializer,
    UnitSerializer,
)
from gridgov.registry.filters import (
    AddressFilterSet,
    HouseFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from gridgov.registry.models import Address, House, Person, Residence, Unit


class AddressViewSet(ScopedViewSet):
    model = Address
    read_action = "registry.view"
    serializer_class = AddressSerializer
    filterset_class = AddressFilterSet
    ordering = ["area_path", "canonical"]

    @extend_schema(request=AddressCreateSerializer, responses={201: AddressSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            AddressCreateSerializer,
            lambda data: services.create_address(actor=request.user, **data),
            created=True,
        )


class HouseViewSet(ScopedViewSet):
    model = House
    read_action = "registry.view"
    serializer_class = HouseSerializer
    filterset_class = HouseFilterSet
    ordering = ["area_path", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("address")

    @extend_schema(request=HouseCreateSerializer, responses={201: HouseSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            HouseCreateSerializer,
            lambda data: services.create_house(actor=request.user, **data),
            created=True,
        )


class UnitViewSet(ScopedViewSet):
    model = Unit
    read_action = "registry.view"
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering = ["area_path", "name"]

    @extend_schema(request=UnitCreateSerializer, responses={201: UnitSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            UnitCreateSerializer,
            lambda data: services.create_unit(actor=request.user, **data),
            created=True,
        )


class PersonViewSet(ScopedViewSet):
    """People in the caller's jurisdiction. `q` searches by ID number, phone, pinyin initials,
    name or address. Numbers are masked; `reveal` returns one in full and logs the read."""

    model = Person
    read_action = "registry.view"
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering = ["area_path", "name"]

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            PersonCreateSerializer,
            lambda data: services.register_person(actor=request.user, **data),
            created=True,
        )

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        value = services.reveal_person_field(person, actor=request.user, **payload.validated_data)
        return Response({"field": payload.validated_data["field"], "value": value})

    @extend_schema(request=StatusSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        person = self.get_object()
        return self.call_service(
            StatusSerializer,
            lambda data: services.set_person_status(person, actor=request.user, **data),
        )

    @extend_schema(request=MoveSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        person = self.get_object()
        return self.call_service(
            MoveSerializer,
            lambda data: services.move_person(person, actor=request.user, **data),
        )

    @extend_schema(request=MergeSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the duplicate record `drop` into this one (kept); both histories stay."""
        keep = self.get_object()
        return self.call_service(
            MergeSerializer,
            lambda data: services.merge_people(keep, actor=request.user, **data),
        )

    @extend_schema(responses=PersonSerializer(many=True))
    @action(detail=True, methods=["get"])
    def duplicates(self, request, pk=None):
        """Possible duplicates of this person (same name, birth date and current address, at
        least one of the two without an ID number), as the person's file lists them."""
        person = self.get_object()
        rows = selectors.possible_duplicates(request.user, person)
        return Response(PersonSerializer(rows, many=True).data)

    @extend_schema(responses=ResidenceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def residences(self, request, pk=None):
        person = self.get_object()
        rows = (
            Residence.objects.for_user(request.user, "registry.view")
            .filter(person=person)
            .select_related("house__address")
            .order_by("-since")
        )
        return Response(ResidenceSerializer(rows, many=True).data)
