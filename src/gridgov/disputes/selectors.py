"""Reads of disputes, all through `for_user`: dispute events, their details and mediation, the
screening reports and which are missing, the supervised list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.scoping import jurisdiction, path_prefix_q
from gridgov.disputes import periods, services
from gridgov.disputes.choices import ListingState, MediationState
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
from gridgov.events.choices import OPEN_STATES
from gridgov.events.models import Event

DISPUTE_KIND = services.DISPUTE_KIND


def dispute_events(user: Any) -> QuerySet[Event]:
    """The dispute events `user` may see (the hub's visibility)."""
    return (
        Event.objects.for_user(user, "events.view")
        .filter(kind__code=DISPUTE_KIND)
        .select_related("category", "kind", "grid")
    )


def details(user: Any, action: str = "disputes.view") -> QuerySet[DisputeDetail]:
    return DisputeDetail.objects.for_user(user, action).select_related(
        "event", "event__category", "event__grid", "owner"
    )


def detail_of_event(user: Any, event: Event) -> DisputeDetail | None:
    return details(user).filter(event_id=event.pk).first()


def mediations(user: Any) -> QuerySet[Mediation]:
    return Mediation.objects.for_user(user, "disputes.view").select_related(
        "dispute", "dispute__event"
    )


def reports(user: Any) -> QuerySet[ScreeningReport]:
    return ScreeningReport.objects.for_user(user, "disputes.view").select_related(
        "area", "filed_by"
    )


def listings(user: Any) -> QuerySet[MajorListing]:
    return MajorListing.objects.for_user(user, "disputes.view").select_related(
        "dispute__event", "owner", "listed_by", "verified_by"
    )


def dispute_context(user: Any, event: Event, detail: DisputeDetail | None) -> dict[str, Any]:
    """What the event page's dispute section shows: details, parties, mediations with their
    sessions, visits and files, the listing, and what the user may do."""
    parties: list[DisputeParty] = []
    rows: list[Mediation] = []
    listing = None
    if detail is not None:
        parties = list(
            DisputeParty.objects.for_user(user, "disputes.view")
            .filter(dispute=detail, removed_at__isnull=True)
            .select_related("person", "unit")
        )
        rows = list(
            mediations(user)
            .filter(dispute=detail)
            .prefetch_related(
                "mediators",
                Prefetch(
                    "sessions",
                    queryset=MediationSession.objects.for_user(user, "disputes.view"),
                ),
                Prefetch("files", queryset=MediationFile.objects.for_user(user, "disputes.view")),
                Prefetch(
                    "visits",
                    queryset=FollowUpVisit.objects.for_user(user, "disputes.view").select_related(
                        "visitor"
                    ),
                ),
            )
        )
        listing = (
            listings(user)
            .filter(dispute=detail, state=ListingState.LISTED)
            .order_by("-listed_at")
            .first()
        )
    rights = jurisdiction(user)
    visible_parties = [
        p for p in parties if rights.allows("registry.view", (p.person or p.unit).area_path)
    ]
    today = timezone.localdate()
    return {
        "event": event,
        "detail": detail,
        "parties": visible_parties,
        "hidden_parties": len(parties) - len(visible_parties),
        "mediations": rows,
        "open_mediation": next((m for m in rows if m.state == MediationState.OPEN), None),
        "settled": any(m.state == MediationState.SUCCEEDED for m in rows),
        "listing": listing,
        "today": today,
        "can_record": services.may(user, "disputes.record", event),
        "can_mediate": services.may(user, "disputes.mediate", event) and event.state in OPEN_STATES,
        "can_follow_up": services.may(user, "disputes.mediate", event),
        "can_list": (
            detail is not None
            and detail.is_major
            and listing is None
            and event.state in OPEN_STATES
            and rights.allows("disputes.supervise", event.area_path)
        ),
    }


# --- Screening --------------------------------------------------------------------------------


def visible_villages(user: Any, area: Area) -> QuerySet[Area]:
    """Active villages and communities under `area` that `user` may see."""
    return (
        Area.objects.for_user(user, "areas.view")
        .filter(path_prefix_q("path", [area.path]), level=Level.VILLAGE)
        .filter(Area.active_q())
        .order_by("path")
    )


@dataclass
class ReportStatus:
    """A village's state for one screening period: its report, or that it is missing."""

    village: Area
    window: periods.Window
    report: ScreeningReport | None
    overdue: bool

    @property
    def missing(self) -> bool:
        return self.report is None and self.overdue


def report_statuses(
    user: Any, area: Area, *, on: dt.date | None = None, current: bool = False
) -> list[ReportStatus]:
    """For each visible village under `area`: its last overdue period (or, with `current`, the
    period holding `on`) and the report filed for it, if any."""
    on = on or timezone.localdate()
    villages = list(visible_villages(user, area))
    windows = {}
    for village in villages:
        kind = services.policy_period(village)
        windows[village.pk] = (
            periods.window_containing(kind, on) if current else periods.last_due_window(kind, on)
        )
    starts = services.screening_starts(villages)
    filed = {
        (r.area_id, r.period_start): r
        for r in reports(user).filter(
            area_id__in=[v.pk for v in villages],
            period_start__in={w.start for w in windows.values()},
        )
    }
    return [
        ReportStatus(
            village=v,
            window=windows[v.pk],
            report=filed.get((v.pk, windows[v.pk].start)),
            overdue=windows[v.pk].due_on < on and starts[v.pk] <= windows[v.pk].end,
        )
        for v in villages
    ]


def report_dispute_ids(report: ScreeningReport) -> list[int]:
    """Ids of the dispute events a (visible) report lists; the caller reads the events through
    `dispute_events`, so only those the user may see are shown."""
    through = ScreeningReport.disputes.through
    return list(
        through.objects.filter(screeningreport_id=report.pk).values_list("event_id", flat=True)
    )


def dispute_choices_for_report(user: Any, village: Area) -> QuerySet[Event]:
    """Dispute events of the village a report may list: visible, not rejected or merged, open or
    reported within the last 90 days."""
    since = timezone.now() - dt.timedelta(days=90)
    return (
        dispute_events(user)
        .filter(path_prefix_q("area_path", [village.path]))
        .exclude(state__in=["rejected", "merged"])
        .filter(Q(state__in=OPEN_STATES) | Q(reported_at__gte=since))
        .order_by("-reported_at")
    )


# --- People a dispute's forms offer ------------------------------------------------------------

# Roles whose holders may own a case (包案), mediate it or be named responsible for it.
CADRE_ROLES = ("leader", "center_staff", "village_officer", "mediator", "department_handler")


def cadres_for(area_path: str) -> QuerySet[Any]:
    """Users holding a current cadre membership at the area or any area above it: the village,
    the township, the county … (names and roles of officials are not personal data to hide;
    the services check again that whoever is chosen may see the dispute)."""
    from gridgov.accounts.models import Membership, User

    parts = area_path.rstrip("/").split("/")
    ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    # Memberships are read across areas on purpose: who holds office above the village.
    held = Membership._base_manager.filter(
        Membership.active_q(), role__in=CADRE_ROLES, area_path__in=ancestors
    ).values("user_id")
    return User.objects.filter(pk__in=held, is_active=True).order_by("full_name", "username")


def units_near(user: Any, area_path: str) -> QuerySet[Any]:
    """Registered units the user may see in the dispute's village (its grid's parent)."""
    from gridgov.registry.models import Unit

    village = area_path.rstrip("/").rsplit("/", 1)[0] + "/"
    return (
        Unit.objects.for_user(user, "registry.view")
        .filter(path_prefix_q("area_path", [village]))
        .order_by("name")
    )
