from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.throttling import ScopedRateThrottle

from gridgov.accounts import services
from gridgov.accounts.api.serializers import (
    DepartmentCreateSerializer,
    DepartmentSerializer,
    DepartmentUpdateSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    VersionSerializer,
)
from gridgov.accounts.filters import DepartmentFilterSet, MembershipFilterSet
from gridgov.accounts.models import Department, Membership
from gridgov.accounts.selectors import users_for
from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.errors import NotFound


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (lockout rules apply as for the page)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class DepartmentViewSet(ScopedViewSet):
    model = Department
    read_action = "accounts.view"
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    ordering = ["area_path", "kind", "name"]

    @extend_schema(request=DepartmentCreateSerializer, responses={201: DepartmentSerializer})
    def create(self, request, *args, **kwargs):
        return self.call_service(
            DepartmentCreateSerializer,
            lambda data: services.create_department(actor=request.user, **data),
            created=True,
        )

    @extend_schema(request=DepartmentUpdateSerializer, responses=DepartmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        department = self.get_object()
        return self.call_service(
            DepartmentUpdateSerializer,
            lambda data: services.update_department(department, actor=request.user, **data),
        )

    @extend_schema(request=VersionSerializer, responses=DepartmentSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        department = self.get_object()
        return self.call_service(
            VersionSerializer,
            lambda data: services.retire_department(department, actor=request.user, **data),
        )


class MembershipViewSet(ScopedViewSet):
    model = Membership
    read_action = "accounts.view"
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering = ["area_path", "role"]

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        def grant(data: dict) -> Membership:
            user = users_for(request.user, "accounts.manage").filter(pk=data.pop("user")).first()
            if user is None:
                raise NotFound("未找到该账号。")
            return services.grant_membership(user, actor=request.user, **data)

        return self.call_service(MembershipCreateSerializer, grant, created=True)

    @extend_schema(request=VersionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        membership = self.get_object()
        return self.call_service(
            VersionSerializer,
            lambda data: services.end_membership(membership, actor=request.user, **data),
        )
