from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gridgov.accounts.api.views import DepartmentViewSet, MembershipViewSet, TokenView
from gridgov.areas.api.views import AreaViewSet, GridAssignmentViewSet, GridViewSet
from gridgov.events.api.views import EventCategoryViewSet, EventViewSet
from gridgov.notifications.api.views import NotificationViewSet
from gridgov.registry.api.views import AddressViewSet, HouseViewSet, PersonViewSet, UnitViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("grids", GridViewSet, basename="grid")
router.register("assignments", GridAssignmentViewSet, basename="assignment")
router.register("departments", DepartmentViewSet, basename="department")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("addresses", AddressViewSet, basename="address")
router.register("houses", HouseViewSet, basename="house")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("events", EventViewSet, basename="event")
router.register("event-categories", EventCategoryViewSet, basename="event-category")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
