"""Navigation by role: each entry shows only when the user holds an action it needs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gridgov.core.scoping import jurisdiction

# (label, url name, action needed anywhere in the jurisdiction — a tuple: any one of them;
# None = every logged-in user)
NAVIGATION: list[tuple[str, str, str | tuple[str, ...] | None]] = [
    ("首页", "home", None),
    ("我的待办", "events:queue", None),
    ("上报事件", "events:report", "events.report"),
    ("事件列表", "events:list", "events.view"),
    ("综合看板", "metrics:dashboard", ("events.view", "petitions.view", "special.view")),
    ("事件统计", "metrics:index", "events.view"),
    ("网格地图", "metrics:map", "events.view"),
    ("统计报表", "metrics:sheet", "metrics.report"),
    ("矛盾纠纷", "disputes:list", "disputes.view"),
    ("纠纷排查", "disputes:screening", "disputes.view"),
    ("挂牌督办", "disputes:listed", "disputes.view"),
    ("信访事项", "petitions:list", "petitions.view"),
    ("今日走访", "special:mine", "special.visit"),
    ("特殊人群", "special:list", "special.view"),
    ("实有人口", "registry:people", "registry.view"),
    ("实有房屋", "registry:houses", "registry.view"),
    ("实有单位", "registry:units", "registry.view"),
    ("标准地址", "registry:addresses", "registry.view"),
    ("批量导入", "registry:import", "registry.import"),
    ("区域网格", "areas:list", "areas.view"),
    ("网格定位", "areas:locate", "areas.view"),
    ("无责任人网格", "areas:unstaffed", "areas.view"),
    ("网格人员", "areas:assignments", "areas.view"),
    ("部门", "accounts:departments", "accounts.view"),
    ("账号", "accounts:users", "accounts.view"),
    ("我的任务", "jobs:list", None),
    ("事件类别与时限", "events:categories", "events.configure"),
    ("事件直报规则", "events:routing_rules", "events.configure"),
    ("特殊人群走访规则", "special:config", "special.configure"),
    ("指标目标", "metrics:targets", "metrics.manage_targets"),
    ("变更审计", "core:audit", "core.view_audit"),
    ("访问记录", "core:access_log", "core.view_access_log"),
    ("接口文档", "api-docs", None),
]


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    j = jurisdiction(user)
    path = request.path
    items = []
    for label, name, action in NAVIGATION:
        needed = (action,) if isinstance(action, str) else action
        if needed is not None and not any(j.allows_anywhere(a) for a in needed):
            continue
        url = reverse(name)
        active = path == url if name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    # Only the most specific match is current (/events/queue/ is not also /events/).
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return {"nav_items": items}
