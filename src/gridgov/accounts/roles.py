"""Roles and what each may do. A membership binds a user and a role to an area (or department).

Action codes are declared by the apps (`<app>/permissions.py`); a role is a named set of them.
The area the membership names is where the actions apply: that area and everything under it.
"""

from django.db import models


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    VILLAGE_OFFICER = "village_officer", "村(社区)综治专干"
    CENTER_STAFF = "center_staff", "综治中心工作人员"
    DEPARTMENT_HANDLER = "department_handler", "部门承办人"
    MEDIATOR = "mediator", "调解员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


_EVERYONE = {"areas.view", "registry.view"}
# The event hub: who reports, settles, handles, verifies and supervises (events/services.py).
_REPORTERS = {"events.view", "events.report"}
_FIELD = _REPORTERS | {"events.self_handle", "events.verify"}
# Who registers and corrects basic data: the people at the door and the centre.
_COLLECTORS = {"registry.change"}
# Special populations (special/): grids and villages visit, villages and centers manage, only the
# center sees restricted types (HIV-risk persons); leaders read.
_SPECIAL_FIELD = {"special.view", "special.visit"}
# Petitions (petitions/): the center's 信访 desk registers and handles; 复查/复核 need the right
# at the level above the handling center; leaders take cases and receive petitioners.
_PETITION_DESK = {"petitions.view", "petitions.register", "petitions.handle", "petitions.review"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset(_EVERYONE | _COLLECTORS | _FIELD | _SPECIAL_FIELD),
    Role.VILLAGE_OFFICER: frozenset(
        _EVERYONE
        | _COLLECTORS
        | _FIELD
        | {"registry.import", "events.handle"}
        | _SPECIAL_FIELD
        | {"special.manage"}
    ),
    Role.CENTER_STAFF: frozenset(
        _EVERYONE
        | _COLLECTORS
        | _REPORTERS
        | {"areas.assign", "accounts.view", "registry.import", "registry.reveal"}
        | {"events.accept", "events.handle", "events.remind"}
        | _SPECIAL_FIELD
        | {"special.manage", "special.hiv"}
        | _PETITION_DESK
    ),
    # A department sees only the events dispatched to it (Event.extra_visibility), so its role
    # grants no area-wide events.view.
    Role.DEPARTMENT_HANDLER: frozenset(_EVERYONE),
    Role.MEDIATOR: frozenset(_EVERYONE | {"events.view"}),
    Role.LEADER: frozenset(
        _EVERYONE
        | {"accounts.view", "core.view_audit", "events.view", "events.remind", "events.supervise"}
        | {"special.view"}
        | {"petitions.view", "petitions.lead", "petitions.review"}
    ),
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            "areas.manage",
            "areas.assign",
            "registry.change",
            "registry.import",
            "registry.reveal",
            "accounts.view",
            "accounts.manage",
            "core.view_audit",
            "core.view_access_log",
            "events.view",
            "events.configure",
            "special.configure",
            "petitions.view",
        }
    ),
}

# Disputes (disputes/permissions.py): the field records a dispute's details; villages file the
# screening reports; mediators, village officers and the center mediate; leaders keep the
# supervised list (挂牌督办, 销号); the center sets how often its villages report.
_DISPUTE_ACTIONS: dict[str, set[str]] = {
    Role.GRID_WORKER: {"disputes.view", "disputes.record"},
    Role.VILLAGE_OFFICER: {
        "disputes.view",
        "disputes.record",
        "disputes.mediate",
        "disputes.report",
    },
    Role.CENTER_STAFF: {
        "disputes.view",
        "disputes.record",
        "disputes.mediate",
        "disputes.configure",
    },
    Role.MEDIATOR: {"disputes.view", "disputes.record", "disputes.mediate"},
    Role.LEADER: {"disputes.view", "disputes.supervise"},
    Role.ADMIN: {"disputes.view", "disputes.configure"},
}
for _role, _actions in _DISPUTE_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | frozenset(_actions)

# Metrics (metrics/permissions.py): administrators keep the targets (指标目标), so the areas being
# measured never set their own bar; the township's center, leaders and administrators view and
# export the township's report sheet (统计报表).
_METRICS_ACTIONS: dict[str, set[str]] = {
    Role.CENTER_STAFF: {"metrics.report"},
    Role.LEADER: {"metrics.report"},
    Role.ADMIN: {"metrics.manage_targets", "metrics.report"},
}
for _role, _actions in _METRICS_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | frozenset(_actions)

# Which area levels a role's membership may name (a grid worker belongs to grids, and so on).
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({"grid"}),
    Role.VILLAGE_OFFICER: frozenset({"village"}),
    Role.CENTER_STAFF: frozenset({"township", "county"}),
    Role.DEPARTMENT_HANDLER: frozenset({"township", "county", "city", "province"}),
    Role.MEDIATOR: frozenset({"village", "township", "county"}),
    Role.LEADER: frozenset({"village", "township", "county", "city", "province"}),
    Role.ADMIN: frozenset({"township", "county", "city", "province"}),
}

# Roles that act for a department and so must name one.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HANDLER})
