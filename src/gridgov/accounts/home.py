from __future__ import annotations

from typing import Any

from django.urls import reverse

from gridgov.accounts.grants import current_memberships
from gridgov.core.home import Panel, PanelItem


def _where(membership: Any) -> str:
    return membership.department.name if membership.department_id else membership.area.name


def jurisdiction_panel(user: Any) -> Panel:
    items = [
        PanelItem(
            label=f"{m.get_role_display()} · {_where(m)}",
            url=reverse("areas:detail", args=[m.area_id]),
            note=f"辖区:{m.area.name}({m.area.get_level_display()} {m.area.code})",
        )
        for m in current_memberships(user)
    ]
    empty = "您还没有任何任职,请联系系统管理员开通。"
    if user.is_superuser:
        empty = "系统超级管理员:可查看全部辖区(每次越权查看均记入日志)。"
    return Panel(title="我的辖区与角色", items=items, empty_text=empty, order=0)
