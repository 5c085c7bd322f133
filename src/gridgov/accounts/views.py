"""Account, membership and department pages (administrators; leaders and centers read)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gridgov.accounts import services
from gridgov.accounts.filters import DepartmentFilterSet, MembershipFilterSet
from gridgov.accounts.forms import (
    ConfirmForm,
    DepartmentForm,
    DepartmentUpdateForm,
    MembershipFields,
    PasswordResetForm,
    UserCreateForm,
)
from gridgov.accounts.models import Department, Membership, User
from gridgov.accounts.selectors import users_for
from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import render_list, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction


def _form_page(request: HttpRequest, form: Any, title: str, **extra: Any) -> HttpResponse:
    return render(request, "accounts/form.html", {"form": form, "title": title, **extra})


def _require_anywhere(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise Http404


def _membership_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in ("role", "area", "department", "valid_from", "valid_until")}


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Memberships in the jurisdiction: who holds which role where."""
    _require_anywhere(request, "accounts.view")
    rows = Membership.objects.for_user(request.user, "accounts.view").select_related(
        "user", "area", "department"
    )
    return render_list(
        request,
        queryset=rows.order_by("area_path", "role", "user__username"),
        filterset_class=MembershipFilterSet,
        template="accounts/user_list.html",
        partial="accounts/_membership_table.html",
        context={"can_manage": jurisdiction(request.user).allows_anywhere("accounts.manage")},
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "accounts.manage")
    form = UserCreateForm(request.POST or None, user=request.user)

    def create(data: dict[str, Any]) -> User:
        # A login is created with its first membership, so it always belongs somewhere.
        with transaction.atomic():
            user = services.create_user(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password"],
            )
            services.grant_membership(user, actor=request.user, **_membership_kwargs(data))
        return user

    done = submit(
        request,
        form,
        create,
        success=lambda user: f"已新建账号 {user.username}。",
        next_url=lambda user: reverse("accounts:user", args=[user.pk]),
    )
    return done or _form_page(request, form, "新建账号")


def _user(request: HttpRequest, pk: int, action: str = "accounts.view") -> User:
    user = users_for(request.user, action).filter(pk=pk).first()
    if user is None:
        raise Http404("未找到该账号。")
    return user


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(request, pk)
    memberships = (
        Membership.objects.for_user(request.user, "accounts.view")
        .filter(user=person)
        .select_related("area", "department")
        .order_by("ended_at", "area_path")
    )
    can_manage = services.can_manage_user(request.user, person)
    form = MembershipFields(request.POST or None, user=request.user) if can_manage else None
    if form is not None:
        done = submit(
            request,
            form,
            lambda data: services.grant_membership(
                person, actor=request.user, **_membership_kwargs(data)
            ),
            success="已授予任职。",
            next_url=reverse("accounts:user", args=[person.pk]),
        )
        if done:
            return done
    return render(
        request,
        "accounts/user_detail.html",
        {"person": person, "memberships": memberships, "form": form, "can_manage": can_manage},
    )


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(request, pk, "accounts.manage")
    form = PasswordResetForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.reset_password(person, actor=request.user, password=data["password"]),
        success="已重置密码。",
        next_url=reverse("accounts:user", args=[person.pk]),
    )
    return done or _form_page(request, form, f"重置 {person} 的密码")


@login_required
def user_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = _user(request, pk, "accounts.manage")
    if request.method != "POST":
        raise Http404
    try:
        services.set_user_active(person, actor=request.user, active=not person.is_active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已启用该账号。" if not person.is_active else "已停用该账号。")
    return redirect("accounts:user", pk=person.pk)


@login_required
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership = get_for_user_or_404(Membership, request.user, "accounts.manage", pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = ConfirmForm(request.POST or None, initial={"version": membership.version})
    done = submit(
        request,
        form,
        lambda data: services.end_membership(
            membership, actor=request.user, version=data["version"]
        ),
        success="已终止该任职。",
        next_url=reverse("accounts:user", args=[membership.user_id]),
    )
    return done or _form_page(request, form, f"终止任职:{membership}", danger=True)


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "accounts.view")
    rows = Department.objects.for_user(request.user, "accounts.view").select_related("area")
    return render_list(
        request,
        queryset=rows,
        filterset_class=DepartmentFilterSet,
        template="accounts/department_list.html",
        partial="accounts/_department_table.html",
        context={"can_manage": jurisdiction(request.user).allows_anywhere("accounts.manage")},
    )


@login_required
def department_create(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "accounts.manage")
    form = DepartmentForm(request.POST or None, user=request.user)
    done = submit(
        request,
        form,
        lambda data: services.create_department(actor=request.user, **data),
        success=lambda department: f"已新建部门「{department.name}」。",
        next_url=reverse("accounts:departments"),
    )
    return done or _form_page(request, form, "新建部门")


@login_required
def department_update(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        department = get_for_user_or_404(Department, request.user, "accounts.manage", pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = DepartmentUpdateForm(
        request.POST or None,
        initial={
            "version": department.version,
            "name": department.name,
            "kind": department.kind,
            "phone": department.phone,
        },
    )
    if request.method == "POST" and "retire" in request.POST:
        try:
            services.retire_department(
                department, actor=request.user, version=int(request.POST.get("version", 0))
            )
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", "输入有误。"))
            return redirect("accounts:department", pk=department.pk)
        messages.success(request, f"已撤销部门「{department.name}」。")
        return redirect("accounts:departments")
    done = submit(
        request,
        form,
        lambda data: services.update_department(department, actor=request.user, **data),
        success="已保存。",
        next_url=reverse("accounts:departments"),
    )
    title = f"修改部门「{department.name}」"
    return done or _form_page(request, form, title, department=department)
