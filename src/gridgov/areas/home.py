"""Home-page panels of the areas app: my grids, and grids nobody is responsible for."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gridgov.areas.models import Area, GridAssignment
from gridgov.core.home import Panel, PanelItem
from gridgov.core.scoping import jurisdiction


def my_grids_panel(user: Any) -> Panel | None:
    rows = (
        GridAssignment.objects.for_user(user, "areas.view")
        .filter(GridAssignment.active_q(), user=user)
        .select_related("grid")
        .order_by("area_path")
    )
    items = [
        PanelItem(
            label=f"{a.grid.name}({a.get_post_display()})",
            url=reverse("areas:detail", args=[a.grid_id]),
            note=a.patch or "、".join(a.duty_labels),
        )
        for a in rows
    ]
    if not items:
        return None
    return Panel(title="我负责的网格", items=items, order=10)


def unstaffed_panel(user: Any) -> Panel | None:
    if not jurisdiction(user).allows_anywhere("areas.assign"):
        return None
    count = Area.objects.for_user(user, "areas.assign").without_responsible_worker().count()
    item = PanelItem(
        label="没有责任网格员的网格",
        url=reverse("areas:unstaffed"),
        count=count,
        warn=count > 0,
        note="需要落实定人、定岗、定责" if count else "每个网格都已有责任人",
    )
    return Panel(title="待办", items=[item], order=20)


def overview_panel(user: Any) -> Panel | None:
    """How many villages, grids and workers the user's jurisdiction holds, each linked to the list
    of those records."""
    from django.db.models import Count, Q

    from gridgov.areas.choices import GridKind, Level, Status

    areas = Area.objects.for_user(user, "areas.view").filter(status=Status.ACTIVE)
    counts = areas.aggregate(
        villages=Count("pk", filter=Q(level=Level.VILLAGE)),
        real=Count("pk", filter=Q(level=Level.GRID, grid_kind=GridKind.REAL)),
        virtual=Count("pk", filter=Q(level=Level.GRID, grid_kind=GridKind.VIRTUAL)),
    )
    if not counts["villages"]:
        return None  # a grid worker's own grids are on their panel already
    workers = (
        GridAssignment.objects.for_user(user, "areas.view")
        .filter(GridAssignment.active_q())
        .values("user")
        .distinct()
        .count()
    )
    area_list, assignment_list = reverse("areas:list"), reverse("areas:assignments")
    return Panel(
        title="辖区概况",
        items=[
            PanelItem("村(社区)", f"{area_list}?level=village&status=active", counts["villages"]),
            PanelItem(
                "实体网格", f"{area_list}?level=grid&grid_kind=real&status=active", counts["real"]
            ),
            PanelItem(
                "专属网格",
                f"{area_list}?level=grid&grid_kind=virtual&status=active",
                counts["virtual"],
            ),
            PanelItem("在岗网格人员", f"{assignment_list}?current=true", workers),
        ],
        order=5,
    )
