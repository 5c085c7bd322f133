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
