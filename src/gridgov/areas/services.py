"""Every change to areas and grid assignments. Views, API, commands and jobs call these only.

Each function: keyword-only, one transaction, permission checked against the actor's
jurisdiction, version checked for edits, audited under a dotted action code. Failures raise a
`core.errors.DomainError` with a message for the user and change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from gridgov.areas import codes, divisions
from gridgov.areas.choices import (
    CHILD_LEVEL,
    PARENT_LEVEL,
    WORKER_POSTS,
    Duty,
    GridKind,
    Level,
    Post,
    Status,
)
from gridgov.areas.models import Area, GridAssignment
from gridgov.core import audit
from gridgov.core.errors import Invalid, InvalidTransition, NotFound
from gridgov.core.scoping import ScopedModel, jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed

# --- Boundaries ----------------------------------------------------------------------------------


def clean_boundary(boundary: Any) -> dict[str, Any] | None:
    """Check a GeoJSON Polygon/MultiPolygon (or Feature holding one); return its geometry."""
    if boundary in (None, "", {}):
        return None
    if not isinstance(boundary, dict):
        raise Invalid("边界必须是 GeoJSON 对象。", field="boundary")
    geometry = boundary.get("geometry") if boundary.get("type") == "Feature" else boundary
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise Invalid("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。", field="boundary")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise Invalid("边界坐标格式不正确。", field="boundary") from exc
    if geom.is_empty or not geom.is_valid:
        reason = explain_validity(geom) if not geom.is_empty else "为空"
        raise Invalid(f"边界图形无效({reason})。", field="boundary")
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise Invalid("边界坐标须为经度、纬度(WGS84),经度在前。", field="boundary")
    return geometry


def _apply_boundary(area: Area, geometry: dict[str, Any] | None) -> None:
    area.boundary = geometry
    if geometry is None:
        area.min_lng = area.min_lat = area.max_lng = area.max_lat = None
    else:
        area.min_lng, area.min_lat, area.max_lng, area.max_lat = shape(geometry).bounds


# --- Create, update ------------------------------------------------------------------------------


def _check_code(code: str, level: str, parent: Area | None) -> None:
    errors = codes.code_errors(
        code, level, parent.code if parent else None, parent.level if parent else None
    )
    if errors:
        raise Invalid(errors=({"code": errors}))
    with unscoped("area code uniqueness"):
        if Area.objects.filter(code=code).exists():
            raise Invalid(f"区域代码 {code} 已被使用。", field="code")


def _check_grid_fields(level: str, grid_kind: str) -> str:
    if level == Level.GRID:
        if grid_kind not in GridKind.values:
            raise Invalid("请选择网格类型(实体网格或专属网格)。", field="grid_kind")
        return grid_kind
    return ""


@transaction.atomic
def create_area(
    *,
    actor: Any,
    parent: Area | None,
    code: str,
    name: str = "",
    level: str | None = None,
    grid_kind: str = "",
    boundary: Any = None,
    households: int | None = None,
    area_sqm: Decimal | None = None,
    note: str = "",
) -> Area:
    """Create an area under `parent` (None: a new top of the tree, installation admins only).

    The level follows from the parent unless given; the name defaults to the national division
    name for the code. Raises NotPermitted, Invalid.
    """
    code = (code or "").strip()
    if parent is not None:
        parent = lock_current(parent, expected_version=None)
        require(actor, "areas.manage", parent.path)
        if not parent.is_active:
            raise Invalid("上级区域已撤销,不能在其下新建区域。", field="parent")
        level = level or CHILD_LEVEL.get(Level(parent.level))
        if level is None:
            raise Invalid("网格之下不能再建区域。", field="parent")
    else:
        require(actor, "areas.manage", None)  # only the global installation admin passes
        if not level:
            raise Invalid("请选择层级。", field="level")
    _check_code(code, level, parent)
    name = (name or "").strip()
    if not name:
        division = divisions.lookup(code)
        if division is None:
            raise Invalid("请填写名称(该代码不在国家区划代码表中)。", field="name")
        name = division.name
    area = Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=(parent.path if parent else "")
        + codes.path_segment(code, parent.code if parent else None)
        + "/",
        grid_kind=_check_grid_fields(level, grid_kind),
        households=households,
        area_sqm=area_sqm,
        note=note,
    )
    _apply_boundary(area, clean_boundary(boundary) if level == Level.GRID else None)
    full_clean_or_invalid(area)
    with audit.action(actor, "areas.area.created"):
        area.save()
    return area


@transaction.atomic
def create_areas_from_divisions(
    *, actor: Any, parent: Area, division_codes: Iterable[str]
) -> list[Area]:
    """Create the given national divisions (children of `parent`'s code) under `parent`."""
    allowed = {d.code: d for d in divisions.children_of(parent.code)}
    created = []
    for code in division_codes:
        if code not in allowed:
            raise Invalid(f"{code} 不是 {parent.name} 的下级行政区划。", field="codes")
        created.append(create_area(actor=actor, parent=parent, code=code, name=allowed[code].name))
    return created


@transaction.atomic
def update_area(
    area: Area,
    *,
    actor: Any,
    version: int,
    name: str,
    grid_kind: str | None = None,
    boundary: Any = None,
    households: int | None = None,
    area_sqm: Decimal | None = None,
    note: str = "",
) -> Area:
    """Change an area's descriptive fields. Codes change only by `move_area`."""
    area = lock_current(area, expected_version=version)
    require(actor, "areas.manage", area.path)
    if not area.is_active:
        raise InvalidTransition("已撤销的区域不能修改。")
    name = (name or "").strip()
    if not name:
        raise Invalid("名称不能为空。", field="name")
    area.name = name
    area.note = note
    if area.is_grid:
        area.grid_kind = _check_grid_fields(area.level, grid_kind or area.grid_kind)
        area.households = households
        area.area_sqm = area_sqm
        _apply_boundary(area, clean_boundary(boundary))
    full_clean_or_invalid(area)
    with audit.action(actor, "areas.area.updated"):
        save_changed(area)
    return area


# --- Move ----------------------------------------------------------------------------------------


def _path_bearing_models() -> list[type[ScopedModel]]:
    """Every model that keeps a denormalized `area_path` copied from an area and follows moves."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ScopedModel)
        and model.scope_path_field == "area_path"
        and model.follows_area_moves
    ]


@transaction.atomic
def move_area(
    area: Area, *, actor: Any, version: int, new_parent: Area, new_code: str | None = None
) -> Area:
    """Move `area` (with everything under it) to `new_parent`, renumbering codes to fit.

    The new code defaults to the new parent's code plus the area's own digits. Every descendant's
    code and path, and the area path of every record below, are rewritten in this transaction.
    Raises Invalid for a move under itself or its own descendant, a parent of the wrong level, or
    a code that does not fit or is taken.
    """
    area = lock_current(area, expected_version=version)
    new_parent = lock_current(new_parent, expected_version=None)
    require(actor, "areas.manage", area.path)
    require(actor, "areas.manage", new_parent.path)
    if not area.is_active or not new_parent.is_active:
        raise InvalidTransition("已撤销的区域不能移动,也不能移入已撤销的区域。")
    if area.parent_id is None:
        raise Invalid("顶级区域不能移动。", field="parent")
    if new_parent.pk == area.pk or new_parent.path.startswith(area.path):
        raise Invalid("不能把区域移动到它自身或它的下级区域之下。", field="parent")
    if new_parent.level != PARENT_LEVEL.get(Level(area.level)):
        raise Invalid(
            f"{Level(area.level).label}只能放在{Level(PARENT_LEVEL[Level(area.level)]).label}之下。",
            field="parent",
        )
    if new_parent.pk == area.parent_id and not new_code:
        raise Invalid("区域已在该上级之下。", field="parent")
    new_code = (new_code or new_parent.code + codes.own_digits(area.code, area.level)).strip()
    if new_code != area.code:
        _check_code(new_code, area.level, new_parent)
    else:
        errors = codes.code_errors(new_code, area.level, new_parent.code, new_parent.level)
        if errors:
            raise Invalid(errors={"code": errors})

    old_code, old_path = area.code, area.path
    new_path = new_parent.path + codes.path_segment(new_code, new_parent.code) + "/"
    with unscoped("move subtree"):
        subtree = list(
            Area.objects.select_for_update().filter(path__startswith=old_path).order_by("path")
        )
        new_codes = {a.pk: new_code + a.code[len(old_code) :] for a in subtree}
        clash = (
            Area.objects.filter(code__in=list(new_codes.values()))
            .exclude(pk__in=list(new_codes))
            .values_list("code", flat=True)
            .first()
        )
        if clash:
            raise Invalid(f"移动后的代码 {clash} 已被其他区域使用,请指定新代码。", field="code")
        with audit.action(actor, "areas.area.moved"):
            # Two passes: temporary paths first, so the unique constraint never sees a collision
            # between an old and a new path inside the subtree.
            for node in subtree:
                Area._base_manager.filter(pk=node.pk).update(path=f"~moving/{node.pk}/")
            for node in subtree:
                node.code = new_codes[node.pk]
                node.path = new_path + node.path[len(old_path) :]
                if node.pk == area.pk:
                    node.parent = new_parent
                node.version += 1
                node.save()
            for model in _path_bearing_models():
                model._base_manager.filter(area_path__startswith=old_path).update(
                    area_path=Concat(Value(new_path), Substr(F("area_path"), len(old_path) + 1))
                )
    area.refresh_from_db()
    return area


# --- Retire --------------------------------------------------------------------------------------


def records_held(area: Area) -> dict[str, int]:
    """Active records anywhere under `area`, by model verbose name (what blocks retiring it)."""
    held: dict[str, int] = {}
    with unscoped("retire check"):
        children = Area.objects.under(area).active().count()
        if children:
            held[str(Area._meta.verbose_name)] = children
        for model in _path_bearing_models():
            # Only records that say what keeps an area in use count; logs (access entries) don't.
            holds_q = getattr(model, "holds_area_q", None)
            if holds_q is None:
                continue
            count = model._base_manager.filter(holds_q(), area_path__startswith=area.path).count()
            if count:
                held[str(model._meta.verbose_name)] = count
    return held


@transaction.atomic
def retire_area(area: Area, *, actor: Any, version: int, reason: str) -> Area:
    """Retire an empty area. Refused while it has active sub-areas or holds active records."""
    area = lock_current(area, expected_version=version)
    require(actor, "areas.manage", area.path)
    if not area.is_active:
        raise InvalidTransition("该区域已撤销。")
    if area.parent_id is None:
        raise Invalid("顶级区域不能撤销。")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写撤销原因。", field="reason")
    held = records_held(area)
    if held:
        listing = "、".join(f"{name} {count} 条" for name, count in held.items())
        raise InvalidTransition(f"该区域下仍有在用记录({listing}),请先移走或结束后再撤销。")
    area.status = Status.RETIRED
    area.retired_at = timezone.now()
    area.retired_reason = reason[:200]
    with audit.action(actor, "areas.area.retired"):
        save_changed(area)
    return area


# --- Locate --------------------------------------------------------------------------------------


def locate_grid(*, actor: Any, lat: float, lng: float) -> Area | None:
    """The active real grid visible to `actor` whose boundary contains the point, or None.

    Virtual grids (专属网格: an enterprise, a school) are not places on the map, so they never
    answer a point look-up even when a boundary was drawn for them.

    Candidates are narrowed by bounding box in the database, then tested exactly with shapely.
    Where boundaries overlap, the smallest containing grid wins.
    """
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("坐标超出范围:纬度 −90~90,经度 −180~180。")
    candidates = (
        Area.objects.for_user(actor, "areas.view")
        .grids()
        .active()
        .filter(grid_kind=GridKind.REAL)
        .filter(min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng)
    )
    point = Point(lng, lat)
    hits = [g for g in candidates if g.boundary and shape(g.boundary).covers(point)]
    if not hits:
        return None
    return min(hits, key=lambda g: shape(g.boundary).area)


# --- Grid assignments ----------------------------------------------------------------------------


def _clean_duties(duties: Iterable[str]) -> list[str]:
    duties = list(dict.fromkeys(duties or []))
    unknown = [d for d in duties if d not in Duty.values]
    if unknown:
        raise Invalid(f"未知的职责:{'、'.join(unknown)}。", field="duties")
    return duties


@transaction.atomic
def assign_grid_worker(
    grid: Area,
    *,
    actor: Any,
    user: Any,
    post: str,
    duties: Iterable[str] = (),
    patch: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> GridAssignment:
    """Assign `user` to `grid` in `post` with `duties` (定人、定岗、定责、包片区).

    Workers (网格长, 专职/兼职网格员) also get a grid-worker membership on the grid unless they
    already hold one, so their jurisdiction follows the assignment; it ends with the assignment.
    Raises NotPermitted, Invalid (not a grid, retired grid, inactive user, bad dates, the same
    person already in the same post on the grid).
    """
    from gridgov.accounts import services as account_services
    from gridgov.accounts.models import Membership
    from gridgov.accounts.roles import Role

    grid = lock_current(grid, expected_version=None)
    require(actor, "areas.assign", grid.path)
    if not grid.is_grid:
        raise Invalid("只能把人员分配到网格。", field="grid")
    if not grid.is_active:
        raise Invalid("该网格已撤销。", field="grid")
    if post not in Post.values:
        raise Invalid("请选择岗位。", field="post")
    if user is None or not user.is_active:
        raise Invalid("该人员账号不存在或已停用。", field="user")
    start_date = start_date or timezone.localdate()
    if end_date is not None and end_date < start_date:
        raise Invalid("截止日期不能早于起始日期。", field="end_date")
    duties = _clean_duties(duties)
    with unscoped("duplicate assignment check"):
        duplicate = GridAssignment.objects.filter(
            GridAssignment.active_q(start_date), grid=grid, user=user, post=post
        ).exists()
    if duplicate:
        raise Invalid(f"{user} 已在该网格担任{Post(post).label}。", field="user")

    membership = None
    if post in WORKER_POSTS:
        with unscoped("existing membership check"):
            has_one = Membership.objects.filter(
                Membership.active_q(start_date),
                user=user,
                role=Role.GRID_WORKER,
                area=grid,
            ).exists()
        if not has_one:
            membership = account_services.grant_membership_for_assignment(
                user, actor=actor, grid=grid, valid_from=start_date, valid_until=end_date
            )
    assignment = GridAssignment(
        grid=grid,
        user=user,
        post=post,
        duties=duties,
        patch=(patch or "").strip()[:200],
        start_date=start_date,
        end_date=end_date,
        membership=membership,
        area_path=grid.path,
    )
    full_clean_or_invalid(assignment, exclude=["membership"])
    with audit.action(actor, "areas.assignment.created"):
        assignment.save()
    return assignment


@transaction.atomic
def end_grid_assignment(
    assignment: GridAssignment,
    *,
    actor: Any,
    version: int,
    end_date: dt.date | None = None,
) -> GridAssignment:
    """End an assignment on `end_date` (today or earlier; default today), and the membership it
    opened unless the same person still works the grid in another post, which then carries it.

    A planned end in the future is the assignment's own `end_date`, set when assigning.
    """
    from gridgov.accounts import services as account_services

    assignment = lock_current(assignment, expected_version=version)
    require(actor, "areas.assign", assignment.area_path)
    if assignment.ended_at is not None:
        raise InvalidTransition("该分配已结束。")
    today = timezone.localdate()
    end_date = end_date or today
    if end_date < assignment.start_date:
        raise Invalid("结束日期不能早于起始日期。", field="end_date")
    if end_date > today:
        raise Invalid(
            "结束日期不能晚于今天;预定的结束日期请在分配时填写为截止日期。", field="end_date"
        )
    assignment.end_date = end_date
    assignment.ended_at = timezone.now()
    with audit.action(actor, "areas.assignment.ended"):
        save_changed(assignment)
    if assignment.membership_id:
        with unscoped("end membership opened by assignment"):
            membership = type(assignment.membership).objects.get(pk=assignment.membership_id)
            successor = (
                GridAssignment.objects.select_for_update()
                .filter(
                    GridAssignment.holds_area_q(),
                    grid_id=assignment.grid_id,
                    user_id=assignment.user_id,
                    post__in=list(WORKER_POSTS),
                )
                .exclude(pk=assignment.pk)
                .order_by("start_date")
                .first()
            )
        if successor is not None:
            # The person still works this grid in another post: that post now carries the access.
            successor.membership = membership
            with audit.action(actor, "areas.assignment.updated"):
                save_changed(successor)
        elif membership.ended_at is None:
            account_services.end_membership(
                membership, actor=actor, version=membership.version, system=True
            )
    return assignment


def visible_grid(actor: Any, pk: Any, action: str = "areas.view") -> Area:
    """A grid the actor may act on, for services called with ids (API payloads)."""
    try:
        return Area.objects.for_user(actor, action).grids().get(pk=pk)
    except (Area.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("未找到该网格。") from exc


def can(actor: Any, action: str, area: Area) -> bool:
    return jurisdiction(actor).allows(action, area.path)
