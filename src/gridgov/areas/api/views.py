"""Area, grid and assignment endpoints: the same services and filters as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.areas import services
from gridgov.areas.api.serializers import (
    AreaCreateSerializer,
    AreaMoveSerializer,
    AreaRetireSerializer,
    AreaSerializer,
    AreaUpdateSerializer,
    GridAssignmentCreateSerializer,
    GridAssignmentEndSerializer,
    GridAssignmentSerializer,
    LocateSerializer,
)
from gridgov.areas.filters import AreaFilterSet, GridAssignmentFilterSet
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.scoping import require


class AreaViewSet(ScopedViewSet):
    """Areas at every level in the caller's jurisdiction. Writes: create, update, move, retire."""

    model = Area
    read_action = "areas.view"
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    ordering_fields = ["path", "code", "name"]
    ordering = ["path"]

    def get_queryset(self):
        return super().get_queryset().select_related("parent")

    def _manageable(self) -> Area:
        # Look up within the managing scope: visible-but-not-manageable gives 403, invisible 404.
        area = self.get_object()
        require(self.request.user, "areas.manage", area.path)
        return area

    @extend_schema(request=AreaCreateSerializer, responses={201: AreaSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            AreaCreateSerializer,
            lambda data: services.create_area(actor=request.user, **data),
            created=True,
        )

    @extend_schema(request=AreaUpdateSerializer, responses=AreaSerializer)
    def partial_update(self, request, *args, **kwargs):
        area = self._manageable()
        # A PATCH leaves out what it does not change.
        unchanged = {
            "grid_kind": area.grid_kind,
            "households": area.households,
            "area_sqm": area.area_sqm,
            "boundary": area.boundary,
        }
        return self.call_service(
            AreaUpdateSerializer,
            lambda data: services.update_area(area, actor=request.user, **(unchanged | data)),
        )

    @extend_schema(request=AreaMoveSerializer, responses=AreaSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        area = self._manageable()
        return self.call_service(
            AreaMoveSerializer,
            lambda data: services.move_area(
                area,
                actor=request.user,
                version=data["version"],
                new_parent=data["new_parent"],
                new_code=data.get("new_code") or None,
            ),
        )

    @extend_schema(request=AreaRetireSerializer, responses=AreaSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        area = self._manageable()
        return self.call_service(
            AreaRetireSerializer,
            lambda data: services.retire_area(area, actor=request.user, **data),
        )


class GridViewSet(ScopedViewSet):
    """Grids only, with point look-up and the list of grids without a responsible worker."""

    model = Area
    read_action = "areas.view"
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    ordering = ["path"]

    def get_queryset(self):
        return super().get_queryset().grids().select_related("parent")

    @extend_schema(parameters=[LocateSerializer], responses={200: AreaSerializer, 404: None})
    @action(detail=False, methods=["get"])
    def locate(self, request):
        payload = LocateSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        grid = services.locate_grid(actor=request.user, **payload.validated_data)
        if grid is None:
            return Response({"detail": "该位置不在您辖区内任何已划定边界的网格中。"}, status=404)
        return Response(AreaSerializer(grid).data)

    @extend_schema(responses=AreaSerializer(many=True))
    @action(detail=False, methods=["get"])
    def unstaffed(self, request):
        queryset = self.filter_queryset(self.get_queryset().without_responsible_worker())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AreaSerializer(page, many=True).data)


class GridAssignmentViewSet(ScopedViewSet):
    """Who works which grid in which post (定人、定岗、定责、包片区)."""

    model = GridAssignment
    read_action = "areas.view"
    serializer_class = GridAssignmentSerializer
    filterset_class = GridAssignmentFilterSet
    ordering = ["area_path", "post"]

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "user")

    @extend_schema(
        request=GridAssignmentCreateSerializer, responses={201: GridAssignmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        return self.call_service(
            GridAssignmentCreateSerializer,
            lambda data: services.assign_grid_worker(data.pop("grid"), actor=request.user, **data),
            created=True,
        )

    @extend_schema(request=GridAssignmentEndSerializer, responses=GridAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        return self.call_service(
            GridAssignmentEndSerializer,
            lambda data: services.end_grid_assignment(assignment, actor=request.user, **data),
        )
