"""Every change to users, departments and memberships.

Same contract as every service module: keyword-only, one transaction, permission and version
checked, audited by action code, DomainError on refusal with nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import Department, DepartmentKind, Membership, User
from gridgov.accounts.roles import DEPARTMENT_ROLES, ROLE_LEVELS, Role
from gridgov.areas.choices import Level
from gridgov.core import audit
from gridgov.core.errors import Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import forget_jurisdiction, jurisdiction, require, unscoped
from gridgov.core.services import full_clean_or_invalid, lock_current, save_changed


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(errors={"password": list(exc.messages)}) from exc


@transaction.atomic
def create_user(
    *, actor: Any, username: str, full_name: str, password: str, phone: str = ""
) -> User:
    """Create a login. The actor needs `accounts.manage` somewhere; the login's access comes
    from the memberships granted to it afterwards."""
    if not jurisdiction(actor).allows_anywhere("accounts.manage"):
        raise NotPermitted()
    return _create_user(
        actor=actor, username=username, full_name=full_name, phone=phone, password=password
    )


@transaction.atomic
def create_user_with_encoded_password(
    *, actor: Any, username: str, full_name: str, encoded_password: str, phone: str = ""
) -> User:
    """Create a login whose password is already hashed (`make_password`), for bulk system work
    such as the demo seed, which hashes one shared password once instead of once per user.

    Only the system (a superuser) may do this: the plain password, and so its strength, is
    the caller's responsibility. Raises NotPermitted, Invalid (also for an unknown hash format).
    """
    if not jurisdiction(actor).is_global:
        raise NotPermitted()
    try:
        identify_hasher(encoded_password)
    except (TypeError, ValueError) as exc:
        raise Invalid("密码哈希格式无法识别。", field="password") from exc
    return _create_user(
        actor=actor,
        username=username,
        full_name=full_name,
        phone=phone,
        encoded_password=encoded_password,
    )


def _create_user(
    *,
    actor: Any,
    username: str,
    full_name: str,
    phone: str,
    password: str | None = None,
    encoded_password: str | None = None,
) -> User:
    """The checks and the audited save both ways of creating a login share."""
    username = (username or "").strip()
    if not username:
        raise Invalid("请填写登录名。", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid("该登录名已被使用。", field="username")
    user = User(username=username, full_name=(full_name or "").strip(), phone=(phone or "").strip())
    if not user.full_name:
        raise Invalid("请填写姓名。", field="full_name")
    if encoded_password is not None:
        user.password = encoded_password
    else:
        _check_password(password or "", user)
        user.set_password(password)
    full_clean_or_invalid(user, exclude=["password"])
    paths = jurisdiction(actor).paths_for("accounts.manage")
    with audit.action(actor, "accounts.user.created", area_path=paths[0] if paths else ""):
        user.save()
    return user


def _managed_path(actor: Any, user: User) -> str:
    """The area path through which `actor` manages `user`: one of the user's memberships (current
    or past) inside the actor's `accounts.manage` jurisdiction. Audit entries are filed under it.

    Superusers, staff and users with no membership are managed by the installation admin only,
    so an area admin can never take over an account above their own level. Raises NotPermitted.
    """
    j = jurisdiction(actor)
    if j.is_global:
        return ""
    if user.is_superuser or user.is_staff:
        raise NotPermitted()
    paths = j.paths_for("accounts.manage") or ()
    user_paths = Membership._base_manager.filter(user=user).values_list("area_path", flat=True)
    for path in sorted(set(user_paths), key=len):
        if any(path.startswith(granted) for granted in paths):
            return path
    raise NotPermitted()


def can_manage_user(actor: Any, user: User) -> bool:
    try:
        _managed_path(actor, user)
    except NotPermitted:
        return False
    return True


@transaction.atomic
def set_user_active(user: User, *, actor: Any, active: bool) -> User:
    """Deactivate (or reactivate) a login. Deactivated users cannot log in; nothing is deleted."""
    path = _managed_path(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise NotPermitted("不能停用自己的账号。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        raise InvalidTransition("该账号已是启用状态。" if active else "该账号已停用。")
    user.is_active = active
    code = "accounts.user.deactivated" if not active else "accounts.user.updated"
    with audit.action(actor, code, area_path=path):
        save_changed(user)
    return user


@transaction.atomic
def reset_password(user: User, *, actor: Any, password: str) -> User:
    path = _managed_path(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_password(password, user)
    user.set_password(password)
    with audit.action(actor, "accounts.user.password_set", area_path=path):
        save_changed(user)
    return user


# --- Departments ---------------------------------------------------------------------------------


@transaction.atomic
def create_department(
    *, actor: Any, area: Any, name: str, kind: str, phone: str = ""
) -> Department:
    """A department (派出所, 司法所 …) in an area at township level or above."""
    area = lock_current(area, expected_version=None)
    require(actor, "accounts.manage", area.path)
    if not area.is_active:
        raise Invalid("该区域已撤销。", field="area")
    if area.level in (Level.VILLAGE, Level.GRID):
        raise Invalid("部门应设在乡镇(街道)或以上层级。", field="area")
    if kind not in DepartmentKind.values:
        raise Invalid("请选择部门类型。", field="kind")
    department = Department(
        name=(name or "").strip(), kind=kind, area=area, area_path=area.path, phone=phone.strip()
    )
    full_clean_or_invalid(department)
    with audit.action(actor, "accounts.department.created"):
        department.save()
    return department


@transaction.atomic
def update_department(
    department: Department, *, actor: Any, version: int, name: str, kind: str, phone: str = ""
) -> Department:
    department = lock_current(department, expected_version=version)
    require(actor, "accounts.manage", department.area_path)
    if not department.is_active:
        raise InvalidTransition("已撤销的部门不能修改。")
    if kind not in DepartmentKind.values:
        raise Invalid("请选择部门类型。", field="kind")
    department.name, department.kind, department.phone = name.strip(), kind, phone.strip()
    full_clean_or_invalid(department)
    with audit.action(actor, "accounts.department.updated"):
        save_changed(department)
    return department


@transaction.atomic
def retire_department(department: Department, *, actor: Any, version: int) -> Department:
    """Retire a department. Refused while people still hold memberships in it."""
    department = lock_current(department, expected_version=version)
    require(actor, "accounts.manage", department.area_path)
    if not department.is_active:
        raise InvalidTransition("该部门已撤销。")
    with unscoped("retire department check"):
        members = Membership.objects.filter(
            Membership.holds_area_q(), department=department
        ).count()
    if members:
        raise InvalidTransition(f"该部门仍有 {members} 名在职人员,请先终止其任职。")
    department.is_active = False
    department.retired_at = timezone.now()
    with audit.action(actor, "accounts.department.retired"):
        save_changed(department)
    return department


# --- Memberships ---------------------------------------------------------------------------------


def _new_membership(
    user: User,
    *,
    role: str,
    area: Any,
    department: Department | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> Membership:
    if role not in Role.values:
        raise Invalid("请选择角色。", field="role")
    if user is None or not user.is_active:
        raise Invalid("该账号不存在或已停用。", field="user")
    if department is not None:
        if not department.is_active:
            raise Invalid("该部门已撤销。", field="department")
        area = department.area
    elif role in DEPARTMENT_ROLES:
        raise Invalid(f"{Role(role).label}必须指定所属部门。", field="department")
    if area is None:
        raise Invalid("请选择辖区。", field="area")
    if not area.is_active:
        raise Invalid("该区域已撤销。", field="area")
    if area.level not in ROLE_LEVELS[role]:
        allowed = "、".join(Level(level).label for level in Level if level in ROLE_LEVELS[role])
        raise Invalid(f"{Role(role).label}的辖区应为:{allowed}。", field="area")
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        raise Invalid("截止日期不能早于起始日期。", field="valid_until")
    with unscoped("duplicate membership check"):
        duplicate = Membership.objects.filter(
            Membership.active_q(valid_from),
            user=user,
            role=role,
            area=area,
            department=department,
        ).exists()
    if duplicate:
        raise Invalid("该人员已有相同的任职。", field="role")
    return Membership(
        user=user,
        role=role,
        area=area,
        department=department,
        area_path=area.path,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@transaction.atomic
def grant_membership(
    user: User,
    *,
    actor: Any,
    role: str,
    area: Any = None,
    department: Department | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Membership:
    """Give `user` `role` over `area` (or in `department`). The actor must manage that area."""
    target_path = department.area_path if department is not None else getattr(area, "path", None)
    require(actor, "accounts.manage", target_path)
    membership = _new_membership(
        user,
        role=role,
        area=area,
        department=department,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    with audit.action(actor, "accounts.membership.created"):
        membership.save()
    forget_jurisdiction(user)
    return membership


def grant_membership_for_assignment(
    user: User, *, actor: Any, grid: Any, valid_from: dt.date, valid_until: dt.date | None
) -> Membership:
    """The grid-worker membership that comes with a grid assignment (called by areas.services,
    which has already checked `areas.assign` on the grid)."""
    membership = _new_membership(
        user,
        role=Role.GRID_WORKER,
        area=grid,
        department=None,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    with audit.action(actor, "accounts.membership.created"):
        membership.save()
    forget_jurisdiction(user)
    return membership


@transaction.atomic
def end_membership(
    membership: Membership, *, actor: Any, version: int, system: bool = False
) -> Membership:
    """End a membership today. `system=True` is for services that opened it themselves."""
    membership = lock_current(membership, expected_version=version)
    if not system:
        require(actor, "accounts.manage", membership.area_path)
    if membership.ended_at is not None:
        raise InvalidTransition("该任职已终止。")
    today = timezone.localdate()
    membership.ended_at = timezone.now()
    if membership.valid_until is None or membership.valid_until > today:
        membership.valid_until = max(today, membership.valid_from)
    with audit.action(actor, "accounts.membership.ended"):
        save_changed(membership)
    forget_jurisdiction(membership.user)
    return membership
