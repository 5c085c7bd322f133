"""The home-page panel of the special populations: what a grid worker should visit now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from gridgov.core.home import Panel, PanelItem
from gridgov.core.scoping import jurisdiction
from gridgov.special import selectors


def visits_panel(user: Any) -> Panel | None:
    if not jurisdiction(user).allows_anywhere("special.visit"):
        return None
    today = selectors.today()
    mine = selectors.open_statuses(user, "special.visit")
    lost = mine.filter(lost_since__isnull=False).count()
    overdue = mine.filter(next_visit_due__lt=today).count()
    soon = mine.filter(
        next_visit_due__gte=today, next_visit_due__lte=today + dt.timedelta(days=7)
    ).count()
    url = reverse("special:mine")
    return Panel(
        title="特殊人群走访",
        items=[
            PanelItem("脱管(失控)", url, lost, warn=bool(lost)),
            PanelItem("逾期未走访", url, overdue, warn=bool(overdue)),
            PanelItem("7 天内应走访", url, soon),
        ],
        order=40,
    )
