"""Reads of the special populations, all through `for_user`: lists, the file (logged), what a
grid worker visits next, overdue statuses, handovers on both sides, and who may be responsible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from gridgov.core.access_log import record_access
from gridgov.core.errors import NotFound
from gridgov.core.scoping import jurisdiction, path_prefix_q
from gridgov.special.choices import RESTRICTED_ACTION, HandoverState
from gridgov.special.models import Handover, SpecialStatus

# The lost (脱管/失控) before the rest, the same on every database (NULLs sort differently).
LOST_FIRST = F("lost_since").desc(nulls_last=True)


def today() -> dt.date:
    return timezone.localdate()


def mask_name(name: str) -> str:
    """A name as lists show it: 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def visible_statuses(user: Any, action: str = "special.view") -> QuerySet[SpecialStatus]:
    return SpecialStatus.objects.for_user(user, action).select_related(
        "person", "type", "area", "officer"
    )


@transaction.atomic
def open_file(user: Any, pk: Any, *, purpose: str = "") -> SpecialStatus:
    """The status file `pk` if `user` may see it, written to the access log: the one function
    that opens a special-population file (pages and the API call it). NotFound otherwise."""
    status = visible_statuses(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if status is None:
        raise NotFound()
    record_access(
        user,
        kind="file_view",
        area_path=status.area_path,
        obj=status,
        fields=["特殊人群档案"],
        purpose=purpose,
    )
    return status


def open_statuses(user: Any, action: str = "special.view") -> QuerySet[SpecialStatus]:
    return visible_statuses(user, action).filter(ended_on__isnull=True)


def to_visit(user: Any, *, within_days: int = 7) -> QuerySet[SpecialStatus]:
    """A grid worker's visit list: open statuses they may visit, due within `within_days` or
    already overdue (the lost first), earliest due first."""
    horizon = today() + dt.timedelta(days=within_days)
    return (
        open_statuses(user, "special.visit")
        .filter(next_visit_due__lte=horizon)
        .order_by(LOST_FIRST, "next_visit_due", "pk")
    )


def overdue(user: Any, on: dt.date | None = None) -> QuerySet[SpecialStatus]:
    """Open statuses whose visit is overdue: the lost (脱管/失控) first, then the longest late."""
    return (
        open_statuses(user)
        .filter(next_visit_due__lt=on or today())
        .order_by(LOST_FIRST, "next_visit_due", "pk")
    )


def handovers(user: Any) -> QuerySet[Handover]:
    return Handover.objects.for_user(user, "special.view").select_related(
        "status__person", "status__type", "from_area", "to_area", "started_by", "new_officer"
    )


def pending_handovers(user: Any) -> tuple[list[Handover], list[Handover]]:
    """(incoming, outgoing) pending handovers of the user's areas, oldest first: incoming are
    addressed to their areas, outgoing started from them."""
    paths = jurisdiction(user).paths_for("special.view")
    rows = list(handovers(user).filter(state=HandoverState.PENDING).order_by("started_at", "pk"))
    if paths is None:
        return rows, rows
    incoming = [h for h in rows if any(h.to_area_path.startswith(p) for p in paths)]
    outgoing = [h for h in rows if any(h.area_path.startswith(p) for p in paths)]
    return incoming, outgoing


def pending_handover_of(status: SpecialStatus) -> Handover | None:
    return Handover._base_manager.filter(status=status, state=HandoverState.PENDING).first()


# --- Who acts ------------------------------------------------------------------------------------


def ancestor_paths(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _roles_with(*actions: str) -> list[str]:
    from gridgov.accounts.roles import ROLE_ACTIONS

    return [str(role) for role, held in ROLE_ACTIONS.items() if set(actions) <= held]


def holders(path: str, *actions: str) -> QuerySet:
    """Active users holding every one of `actions` over `path` (a membership at it or above)."""
    from gridgov.accounts.models import Membership, User

    ids = Membership._base_manager.filter(
        Membership.active_q(), role__in=_roles_with(*actions), area_path__in=ancestor_paths(path)
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def officer_candidates(path: str, *, restricted: bool) -> QuerySet:
    """Who may be made responsible for a status at `path`: people who may visit it there (and,
    for a restricted type, see it)."""
    actions = ("special.visit", RESTRICTED_ACTION) if restricted else ("special.visit",)
    return holders(path, *actions)


def managers(path: str, *, restricted: bool = False) -> list[Any]:
    actions = ("special.manage", RESTRICTED_ACTION) if restricted else ("special.manage",)
    return list(holders(path, *actions))


def township_paths(paths: set[str]) -> dict[str, str]:
    """Each path -> the path of the township (乡镇/街道) above it, where there is one."""
    from gridgov.areas.choices import Level
    from gridgov.areas.models import Area

    wanted = {a for p in paths for a in ancestor_paths(p)}
    townships = set(
        Area._base_manager.filter(level=Level.TOWNSHIP, path__in=wanted).values_list(
            "path", flat=True
        )
    )
    result = {}
    for path in paths:
        found = [a for a in ancestor_paths(path) if a in townships]
        if found:
            result[path] = found[-1]
    return result


def within_paths_q(field: str, paths: tuple[str, ...]) -> Any:
    return path_prefix_q(field, paths)


def area_by_code(code: str) -> Any:
    """An active area by its code, wherever it lies: a sender hands a status over to an area
    outside its own reach (the receiver then sees the handover, not the sender the area)."""
    from gridgov.areas.models import Area
    from gridgov.core.scoping import unscoped

    with unscoped("receiving area by its code"):
        return Area.objects.filter(code=(code or "").strip(), status="active").first()
