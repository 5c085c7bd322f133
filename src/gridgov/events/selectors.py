"""Reads of the event hub, all through `for_user`: queues, lists, duplicates, recipients."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gridgov.core.scoping import jurisdiction, path_prefix_q, unscoped
from gridgov.events.choices import (
    ASSIGNMENT_OPEN,
    CLOCK_STATES,
    OPEN_STATES,
    AssignmentRole,
    RequestState,
    State,
)
from gridgov.events.models import Assignment, Event, EventRequest

_DEPARTMENTS_ATTR = "_gridgov_event_departments"


def department_ids_of(user: Any) -> tuple[int, ...]:
    """The departments the user currently handles events for (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, _DEPARTMENTS_ATTR, None)
    if cached is not None:
        return cached
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    ids = tuple(
        Membership._base_manager.filter(
            Membership.active_q(),
            user=user,
            role=Role.DEPARTMENT_HANDLER,
            department__isnull=False,
            department__is_active=True,
        )
        .values_list("department_id", flat=True)
        .distinct()
    )
    setattr(user, _DEPARTMENTS_ATTR, ids)
    return ids


def visible_events(user: Any) -> QuerySet[Event]:
    return Event.objects.for_user(user, "events.view").select_related(
        "category", "kind", "grid", "center"
    )


def is_assignee(user: Any, assignment: Assignment) -> bool:
    """Whether `user` acts for the department or area the assignment names."""
    if assignment.department_id:
        return assignment.department_id in department_ids_of(user)
    # Exactly that area's people (a village officer for a village, the center for 自办): a
    # township's staff do not sign for their villages.
    paths = jurisdiction(user).paths_for("events.handle")
    return paths is None or assignment.area.path in paths


def lead_assignment(event: Event) -> Assignment | None:
    """The open (or, once handled, last done) lead assignment of the event."""
    with unscoped("event's own assignments, the event being visible"):
        return (
            Assignment.objects.filter(
                event=event,
                role=AssignmentRole.LEAD,
                state__in=[*ASSIGNMENT_OPEN, "done"],
            )
            .select_related("department", "area")
            .order_by("-assigned_at", "-pk")
            .first()
        )


# --- Queues ------------------------------------------------------------------------------------


def queue_branches(user: Any) -> list[Q]:
    """What waits for `user`, whatever their roles, one condition per kind of work: the center's
    intake and requests, the assignee's dispatches, verifications, leaders' overdue and
    supervised cases."""
    rights = jurisdiction(user)
    branches: list[Q] = []
    center_paths = rights.paths_for("events.accept")
    if center_paths is None:
        branches.append(Q(state__in=[State.REPORTED, State.ACCEPTED]))
    elif center_paths:
        branches.append(Q(center_path__in=center_paths, state__in=[State.REPORTED, State.ACCEPTED]))
        # A center's events lie in its area's subtree: only those requests are looked up.
        pending = EventRequest._base_manager.filter(
            path_prefix_q("area_path", center_paths), state=RequestState.PENDING
        )
        branches.append(Q(center_path__in=center_paths, pk__in=pending.values("event_id")))
    departments = department_ids_of(user)
    handle_paths = rights.paths_for("events.handle") or ()
    mine = Q(pk__in=[])
    if departments:
        mine |= Q(department_id__in=departments)
    if handle_paths:
        mine |= Q(area__path__in=handle_paths)
    if departments or handle_paths:
        branches.append(
            Q(
                pk__in=Assignment._base_manager.filter(mine, state__in=ASSIGNMENT_OPEN).values(
                    "event_id"
                ),
                state__in=[State.DISPATCHED, State.IN_PROGRESS],
            )
        )
    verify_paths = rights.paths_for("events.verify")
    if verify_paths is None or verify_paths:
        verify = Q(state=State.VERIFYING) & ~Q(handled_by=user)
        if verify_paths:
            verify &= path_prefix_q("area_path", verify_paths)
        branches.append(verify)
    branches.append(Q(state=State.VERIFYING, reporter=user) & ~Q(handled_by=user))
    supervise_paths = rights.paths_for("events.supervise")
    if supervise_paths is None or supervise_paths:
        # Each branch is narrowed by its own paths: the queue unions them unscoped.
        within = Q()
        if supervise_paths:
            within = path_prefix_q("area_path", supervise_paths)
        branches.append(within & Q(state__in=OPEN_STATES, overdue=True))
        branches.append(within & Q(state__in=OPEN_STATES, supervision__in=["supervise", "listed"]))
    return branches


def queue_for(user: Any) -> QuerySet[Event]:
    """The user's queue (我的待办), most urgent first: the earliest deadline, then the oldest.

    Each kind of work is its own scoped query, so the database answers each from its own index
    and only the (small) union is sorted and counted; one OR of them all made PostgreSQL scan the
    whole jurisdiction (README, events benchmark)."""
    from django.db.models import F

    # The branches are not scoped themselves: the outer query is, and it alone decides what
    # the user sees. Scoping each branch again made PostgreSQL intersect every branch with the
    # whole jurisdiction's path index. The related rows are fetched for the page only.
    everything = Event._base_manager.order_by()
    parts = [everything.filter(branch).values("pk") for branch in queue_branches(user)]
    ids = parts[0].union(*parts[1:])
    return (
        Event.objects.for_user(user, "events.view")
        .filter(pk__in=ids)
        .prefetch_related("category", "kind", "grid", "center")
        .order_by(F("deadline").asc(nulls_last=True), "reported_at", "pk")
    )


def todo_label(user: Any, event: Event) -> str:
    """What the user is expected to do with an event of their queue, in a word or two."""
    rights = jurisdiction(user)
    at_center = rights.allows("events.accept", event.center_path)
    if event.state == State.REPORTED and at_center:
        return "受理"
    if event.state == State.ACCEPTED and at_center:
        return "再派遣" if event.return_count else "派遣"
    if event.state == State.DISPATCHED:
        return "签收"
    if event.state == State.IN_PROGRESS:
        return "办理"
    if event.state == State.VERIFYING:
        return "核查"
    return "关注"


def remaining_text(event: Event, now: dt.datetime | None = None) -> str:
    """The countdown shown beside an event: "剩 3 天 4 小时" or "超期 2 小时"."""
    if event.deadline is None or event.state not in CLOCK_STATES:
        return ""
    now = now or timezone.now()
    delta = event.deadline - now
    late = delta.total_seconds() <= 0  # red from the deadline on, as Event.light()
    seconds = abs(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    # Under an hour counts in minutes; under a day in whole hours rounded up.
    hours = int(rest // 3600) if days or seconds < 3600 else math.ceil(rest / 3600)
    if days:
        text = f"{int(days)} 天 {hours} 小时" if hours else f"{int(days)} 天"
    elif hours:
        text = f"{hours} 小时"
    else:
        text = f"{max(1, math.ceil(seconds / 60))} 分钟"
    return f"超期 {text}" if late else f"剩 {text}"


# --- Duplicates --------------------------------------------------------------------------------

# About 200 m in degrees of latitude: "near the same place" for the duplicate check.
_NEAR_DEGREES = 0.0018


def possible_duplicates(
    user: Any,
    *,
    category: Any,
    grid: Any = None,
    address: Any = None,
    lat: float | None = None,
    lng: float | None = None,
    person_ids: list[int] | None = None,
    exclude: Event | None = None,
    limit: int = 10,
) -> list[Event]:
    """Open or recent events likely to be the same matter: the same category at the same address
    or near the same point, or involving the same persons, within the configured window."""
    days = getattr(settings, "GRIDGOV_EVENT_DUPLICATE_DAYS", 7)
    since = timezone.now() - dt.timedelta(days=days)
    near = Q(pk__in=[])
    if address is not None:
        near |= Q(address=address)
    if lat is not None and lng is not None:
        near |= Q(
            lat__range=(lat - _NEAR_DEGREES, lat + _NEAR_DEGREES),
            lng__range=(lng - _NEAR_DEGREES * 1.2, lng + _NEAR_DEGREES * 1.2),
        )
    same_place = Q(category=category) & near
    if grid is not None and address is None and lat is None:
        same_place |= Q(category=category, grid=grid)
    condition = same_place
    if person_ids:
        from gridgov.events.models import EventParty

        condition |= Q(
            pk__in=EventParty._base_manager.filter(person_id__in=person_ids).values("event_id")
        )
    found = (
        visible_events(user)
        .filter(condition, reported_at__gte=since)
        .exclude(state__in=[State.MERGED, State.REJECTED])
        .order_by("-reported_at")
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(found[:limit])


# --- Who hears of what -------------------------------------------------------------------------


def center_staff(area_path: str) -> list[Any]:
    """Users holding the center-staff role over exactly that area (the center's desk)."""
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    return _members(Membership._base_manager.filter(role=Role.CENTER_STAFF, area_path=area_path))


def leaders_over(area_path: str) -> list[Any]:
    """Leaders of that area or of an area above it."""
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    ancestors = _ancestor_paths(area_path)
    return _members(Membership._base_manager.filter(role=Role.LEADER, area_path__in=ancestors))


def department_handlers(department_id: int) -> list[Any]:
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    return _members(
        Membership._base_manager.filter(role=Role.DEPARTMENT_HANDLER, department_id=department_id)
    )


def area_handlers(area_path: str) -> list[Any]:
    """Village officers (or grid workers) of a lower area an event was dispatched to."""
    from gridgov.accounts.models import Membership

    return _members(Membership._base_manager.filter(area_path=area_path))


def grid_workers(grid_path: str) -> list[Any]:
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    return _members(Membership._base_manager.filter(role=Role.GRID_WORKER, area_path=grid_path))


def village_officers(grid_path: str) -> list[Any]:
    """Village officers over the grid (they verify what the grid settled itself)."""
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    return _members(
        Membership._base_manager.filter(
            role=Role.VILLAGE_OFFICER, area_path__in=_ancestor_paths(grid_path)
        )
    )


def assignees(event: Event) -> list[Any]:
    """The people acting on the event's open assignments."""
    with unscoped("notification recipients"):
        rows = list(
            Assignment.objects.filter(event=event, state__in=ASSIGNMENT_OPEN).select_related("area")
        )
    users: list[Any] = []
    for row in rows:
        users += (
            department_handlers(row.department_id)
            if row.department_id
            else area_handlers(row.area.path)
        )
    return users


def _members(memberships: Any) -> list[Any]:
    from gridgov.accounts.models import Membership, User

    ids = memberships.filter(Membership.active_q()).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _ancestor_paths(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# --- What a user may do with an event (the event page shows these forms, the API lists them) ---


# --- Events whose steps another app runs ------------------------------------------------------

WorkflowOwner = Callable[[Event], str | None]
_workflow_owners: list[WorkflowOwner] = []


def register_workflow_owner(owner: WorkflowOwner) -> None:
    """Let an app run the steps of some events itself (a petition's statutory stages:
    petitions/apps.py): `owner(event)` returns the name of its workflow ("信访事项") for such an
    event, else None. The hub then offers and accepts only supervision on it; the lamp, queue,
    sweep and figures still work from the event's fields."""
    if owner not in _workflow_owners:
        _workflow_owners.append(owner)


def workflow_owner(event: Event) -> str | None:
    for owner in _workflow_owners:
        name = owner(event)
        if name:
            return name
    return None


def available_actions(user: Any, event: Event) -> list[str]:
    """Names of the service steps `user` may take on `event` now. The services check again."""
    from gridgov.events.choices import FINISHED_STATES
    from gridgov.events.services import may_verify

    if workflow_owner(event):
        supervising = event.state in OPEN_STATES and supervision_levels(user, event)
        return ["supervise"] if supervising else []
    rights = jurisdiction(user)
    at_center = rights.allows("events.accept", event.center_path)
    state = event.state
    actions: list[str] = []
    if at_center:
        if state == State.REPORTED:
            actions += ["accept", "reject", "merge"] + (["escalate"] if _can_go_up(event) else [])
        elif state == State.ACCEPTED:
            actions += ["dispatch", "handle_here", "merge"]
            actions += ["escalate"] if _can_go_up(event) else []
        elif state == State.SUSPENDED:
            actions += ["resume"]
        elif (
            state in FINISHED_STATES
            and event.dispatched_at
            and not event.self_handled
            and _within_reopen_window(event)
        ):
            actions += ["reopen"]
        if state == State.CLOSED:
            actions += ["rate"]
        if _pending_request(event) is not None:
            actions += ["decide"]
    if state in (State.REPORTED, State.ACCEPTED) and rights.allows(
        "events.self_handle", event.area_path
    ):
        actions += ["settle"]
    if state in (State.DISPATCHED, State.IN_PROGRESS):
        mine = _my_open_assignments(user, event)
        if any(a.state == "pending" for a in mine):
            actions += ["take", "return"]
        taken = [a for a in mine if a.state == "taken"]
        if taken:
            # An assisting part is reported once the lead has signed (report_done).
            actions += ["done"] if state == State.IN_PROGRESS else []
            if any(a.role == AssignmentRole.LEAD for a in taken):
                actions += ["return"] if "return" not in actions else []
                # One request at a time (services._no_pending).
                asking = _pending_request(event) is None
                if not event.extended and asking:
                    actions += ["extend"]
                if state == State.IN_PROGRESS and asking:
                    actions += ["suspend"]
    if state == State.VERIFYING and may_verify(user, event):
        actions += ["verify"]
    if state == State.CLOSED and event.reporter_id == user.pk and "rate" not in actions:
        actions += ["rate"]
    if state in OPEN_STATES:
        levels = supervision_levels(user, event)
        if levels:
            actions += ["supervise"]
    return actions


def _can_go_up(event: Event) -> bool:
    from gridgov.core.errors import InvalidTransition
    from gridgov.events.services import _parent_center

    try:
        _parent_center(event.center)
    except InvalidTransition:
        return False
    return True


def _within_reopen_window(event: Event) -> bool:
    days = getattr(settings, "GRIDGOV_EVENT_REOPEN_DAYS", 30)
    return event.closed_at is None or timezone.now() - event.closed_at <= dt.timedelta(days=days)


def supervision_levels(user: Any, event: Event) -> list[str]:
    rights = jurisdiction(user)
    levels = []
    if rights.allows("events.remind", event.area_path) or rights.allows(
        "events.accept", event.center_path
    ):
        levels.append("remind")
    if rights.allows("events.supervise", event.area_path):
        levels += ["supervise", "listed"]
    return levels


def _pending_request(event: Event) -> EventRequest | None:
    with unscoped("the event's pending request"):
        return EventRequest.objects.filter(event=event, state=RequestState.PENDING).first()


def pending_request(event: Event) -> EventRequest | None:
    return _pending_request(event)


def _my_open_assignments(user: Any, event: Event) -> list[Assignment]:
    with unscoped("the event's assignments, filtered to the user's below"):
        rows = list(
            Assignment.objects.filter(event=event, state__in=ASSIGNMENT_OPEN)
            .exclude(role=AssignmentRole.COPY)
            .select_related("department", "area")
        )
    return [a for a in rows if is_assignee(user, a)]


def track(code: str) -> tuple[Event | None, list[dict[str, Any]]]:
    """The public tracker (一案一码): the event of a case code and its steps (action, state,
    time), for anyone holding the code. Names, places and notes are not part of it."""
    with unscoped("public case tracking by code"):
        event = Event.objects.filter(code=code).select_related("category").first()
        if event is None:
            return None, []
        return event, list(event.timeline.values("action", "to_state", "at"))
