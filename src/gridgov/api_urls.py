from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gridgov.accounts.api.views import DepartmentViewSet, MembershipViewSet, TokenView
from gridgov.areas.api.views import AreaViewSet, GridAssignmentViewSet, GridViewSet
from gridgov.disputes.api.views import (
    DisputeViewSet,
    MajorListingViewSet,
    MediationViewSet,
    ScreeningReportViewSet,
)
from gridgov.events.api.attachments import EventAttachmentViewSet
from gridgov.events.api.routing import RoutingRuleViewSet
from gridgov.events.api.views import EventCategoryViewSet, EventViewSet
from gridgov.metrics.api import TargetViewSet
from gridgov.notifications.api.views import NotificationViewSet
from gridgov.petitions.api.views import PetitionViewSet, ReceptionDayViewSet
from gridgov.registry.api.views import AddressViewSet, HouseViewSet, PersonViewSet, UnitViewSet
from gridgov.special.api.views import (
    HandoverViewSet,
    SpecialStatusViewSet,
    SpecialTypeViewSet,
    VisitViewSet,
)

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
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("mediations", MediationViewSet, basename="mediation")
router.register("screening-reports", ScreeningReportViewSet, basename="screening-report")
router.register("major-listings", MajorListingViewSet, basename="major-listing")
router.register("petitions", PetitionViewSet, basename="petition")
router.register("reception-days", ReceptionDayViewSet, basename="reception-day")
router.register("event-categories", EventCategoryViewSet, basename="event-category")
router.register("special-statuses", SpecialStatusViewSet, basename="special-status")
router.register("special-visits", VisitViewSet, basename="special-visit")
router.register("special-handovers", HandoverViewSet, basename="special-handover")
router.register("special-types", SpecialTypeViewSet, basename="special-type")
router.register("event-routing-rules", RoutingRuleViewSet, basename="event-routing-rule")
router.register("metric-targets", TargetViewSet, basename="metric-target")
router.register(
    r"events/(?P<event_pk>\d+)/attachments", EventAttachmentViewSet, basename="event-attachment"
)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
