"""Home-page panel of disputes: this period's screening report of the user's villages, and the
mediations past their one-month norm."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.home import Panel, PanelItem
from gridgov.core.scoping import jurisdiction, path_prefix_q
from gridgov.disputes import periods, selectors, services
from gridgov.disputes.choices import MediationState


def disputes_panel(user: Any) -> Panel | None:
    rights = jurisdiction(user)
    if not rights.allows_anywhere("disputes.view"):
        return None
    items: list[PanelItem] = []
    report_paths = rights.paths_for("disputes.report")
    if report_paths:
        villages = (
            Area.objects.for_user(user, "areas.view")
            .filter(path_prefix_q("path", report_paths), level=Level.VILLAGE)
            .filter(Area.active_q())
            .order_by("path")[:10]
        )
        today = timezone.localdate()
        for village in villages:
            window = periods.window_containing(services.policy_period(village), today)
            filed = selectors.reports(user).filter(area=village, period_start=window.start).first()
            items.append(
                PanelItem(
                    label=f"{village.name}本期排查报告({window.label})",
                    url=reverse("disputes:report", args=[filed.pk])
                    if filed
                    else f"{reverse('disputes:report_new')}?area={village.pk}",
                    note="已上报" if filed else f"未上报,应于 {window.due_on:%m-%d} 前报送",
                    warn=filed is None,
                )
            )
    late = (
        selectors.mediations(user)
        .filter(state=MediationState.OPEN, norm_due_on__lt=timezone.localdate())
        .count()
    )
    items.append(
        PanelItem(
            label="调解超过一个月未调结",
            url=f"{reverse('disputes:list')}?mediation=open",
            count=late,
            warn=bool(late),
        )
    )
    return Panel(title="矛盾纠纷", items=items, order=40)
