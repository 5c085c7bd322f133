"""Area and grid pages. Reads through `for_user`, writes through `areas.services` only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.selectors import users_for
from gridgov.areas import divisions, services
from gridgov.areas.choices import CHILD_LEVEL, Level
from gridgov.areas.filters import AreaFilterSet, GridAssignmentFilterSet
from gridgov.areas.forms import (
    AreaCreateForm,
    AreaMoveForm,
    AreaRetireForm,
    AreaUpdateForm,
    AssignmentForm,
    DivisionImportForm,
    EndAssignmentForm,
    LocateForm,
)
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.audit import entries_for
from gridgov.core.errors import DomainError, NotFound
from gridgov.core.exports import export_csv
from gridgov.core.pages import add_domain_error, render_list, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction


def _area(request: HttpRequest, pk: int, action: str = "areas.view") -> Area:
    try:
        return get_for_user_or_404(Area, request.user, action, pk=pk)
    except NotFound as exc:
        raise Http404("未找到该区域。") from exc


def _require_anywhere(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise Http404


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "areas.view")
    areas = (
        Area.objects.for_user(request.user, "areas.view")
        .select_related("parent")
        .annotate(child_count=Count("children", filter=Q(children__status="active")))
        .order_by("path")
    )
    return render_list(
        request,
        queryset=areas,
        filterset_class=AreaFilterSet,
        template="areas/area_list.html",
        partial="areas/_area_table.html",
        context={"export_url": reverse("areas:export")},
    )


def _filtered(request: HttpRequest, queryset, filterset_class):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


@login_required
def area_export(request: HttpRequest) -> HttpResponse:
    """The area list as CSV, with the list page's filters."""
    _require_anywhere(request, "areas.view")
    rows = _filtered(
        request,
        Area.objects.for_user(request.user, "areas.view").select_related("parent"),
        AreaFilterSet,
    )
    return export_csv(
        request,
        rows=rows,
        columns=[
            ("区域代码", lambda a: a.code),
            ("名称", lambda a: a.name),
            ("层级", lambda a: a.get_level_display()),
            ("网格类型", lambda a: a.get_grid_kind_display() if a.grid_kind else ""),
            ("上级代码", lambda a: a.parent.code if a.parent_id else ""),
            ("户数", lambda a: a.households),
            ("状态", lambda a: a.get_status_display()),
        ],
        filename="区域网格",
        action="areas.view",
    )


@login_required
def assignment_export(request: HttpRequest) -> HttpResponse:
    """Grid assignments as CSV. Names of people: the export is written to the access log."""
    _require_anywhere(request, "areas.view")
    rows = _filtered(
        request,
        GridAssignment.objects.for_user(request.user, "areas.view").select_related("grid", "user"),
        GridAssignmentFilterSet,
    )
    return export_csv(
        request,
        rows=rows.order_by("area_path", "post"),
        columns=[
            ("网格代码", lambda a: a.grid.code),
            ("网格", lambda a: a.grid.name),
            ("姓名", lambda a: str(a.user)),
            ("岗位", lambda a: a.get_post_display()),
            ("职责", lambda a: "、".join(a.duty_labels)),
            ("包片范围", lambda a: a.patch),
            ("起始日期", lambda a: a.start_date),
            ("截止日期", lambda a: a.end_date),
            ("状态", lambda a: "在岗" if a.is_current else "已结束"),
        ],
        filename="网格人员",
        action="areas.view",
        personal=True,
    )


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request, pk)
    user = request.user
    j = jurisdiction(user)
    visible = Area.objects.for_user(user, "areas.view")
    ancestors = list(visible.filter(path__in=area.ancestor_paths()[:-1]).order_by("path"))
    children = (
        visible.filter(parent=area)
        .annotate(child_count=Count("children", filter=Q(children__status="active")))
        .order_by("code")
    )
    context: dict[str, Any] = {
        "area": area,
        "ancestors": ancestors,
        "children": children,
        "child_level": CHILD_LEVEL.get(Level(area.level)),
        "can_manage": j.allows("areas.manage", area.path),
        "can_assign": j.allows("areas.assign", area.path),
        "missing_divisions": [],
    }
    if area.is_grid:
        context["assignments"] = (
            GridAssignment.objects.for_user(user, "areas.view")
            .filter(grid=area)
            .select_related("user")
            .order_by("ended_at", "post", "start_date")
        )
    if context["can_manage"] and area.level in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        existing = set(visible.filter(parent=area).values_list("code", flat=True))
        context["missing_divisions"] = [
            d for d in divisions.children_of(area.code) if d.code not in existing
        ]
    if j.allows("accounts.view", area.path) and area.level not in (Level.VILLAGE, Level.GRID):
        from gridgov.accounts.models import Department

        context["departments"] = Department.objects.for_user(user, "accounts.view").filter(
            area=area, is_active=True
        )
    if j.allows("core.view_audit", area.path):
        context["history"] = entries_for(area)[:20]
    return render(request, "areas/area_detail.html", context)


@login_required
def area_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _area(request, pk, "areas.manage")
    form = AreaCreateForm(request.POST or None, parent=parent)
    done = submit(
        request,
        form,
        lambda data: services.create_area(actor=request.user, parent=parent, **_clean(data)),
        success=lambda area: f"已新建 {area.get_level_display()}「{area.name}」。",
        next_url=lambda area: reverse("areas:detail", args=[area.pk]),
    )
    child = Level(CHILD_LEVEL[Level(parent.level)]).label
    return done or _form_page(request, form, parent, f"在「{parent.name}」下新建{child}")


def _form_page(
    request: HttpRequest, form: Any, area: Area, title: str, *, danger: bool = False
) -> HttpResponse:
    context = {"form": form, "area": area, "title": title, "danger": danger}
    return render(request, "areas/area_form.html", context)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("" if v is None and k in ("name", "note", "grid_kind") else v) for k, v in data.items()
    }


@login_required
def area_update(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request, pk, "areas.manage")
    initial = {
        "version": area.version,
        "name": area.name,
        "grid_kind": area.grid_kind,
        "households": area.households,
        "area_sqm": area.area_sqm,
        "boundary": area.boundary,
        "note": area.note,
    }
    form = AreaUpdateForm(request.POST or None, initial=initial, area=area)
    done = submit(
        request,
        form,
        lambda data: services.update_area(area, actor=request.user, **_clean(data)),
        success="已保存。",
        next_url=reverse("areas:detail", args=[area.pk]),
    )
    return done or _form_page(request, form, area, f"修改「{area.name}」")


@login_required
def area_move(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request, pk, "areas.manage")
    form = AreaMoveForm(
        request.POST or None, initial={"version": area.version}, area=area, user=request.user
    )
    done = submit(
        request,
        form,
        lambda data: services.move_area(
            area,
            actor=request.user,
            version=data["version"],
            new_parent=data["new_parent"],
            new_code=data["new_code"] or None,
        ),
        success="已移动,下级区域及其记录已随之更新代码与归属。",
        next_url=reverse("areas:detail", args=[area.pk]),
    )
    return done or _form_page(request, form, area, f"移动「{area.name}」")


@login_required
def area_retire(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request, pk, "areas.manage")
    form = AreaRetireForm(request.POST or None, initial={"version": area.version})
    done = submit(
        request,
        form,
        lambda data: services.retire_area(area, actor=request.user, **data),
        success=f"已撤销「{area.name}」。",
        next_url=reverse("areas:detail", args=[area.pk]),
    )
    return done or _form_page(request, form, area, f"撤销「{area.name}」", danger=True)


@login_required
def area_import_divisions(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _area(request, pk, "areas.manage")
    with_codes = set(
        Area.objects.for_user(request.user, "areas.view")
        .filter(parent=parent)
        .values_list("code", flat=True)
    )
    choices = [
        (d.code, f"{d.code} {d.name}")
        for d in divisions.children_of(parent.code)
        if d.code not in with_codes
    ]
    form = DivisionImportForm(
        request.POST or None, choices=choices, initial={"codes": [c for c, _ in choices]}
    )
    done = submit(
        request,
        form,
        lambda data: services.create_areas_from_divisions(
            actor=request.user, parent=parent, division_codes=data["codes"]
        ),
        success=lambda created: f"已从国家区划代码导入 {len(created)} 个下级区域。",
        next_url=reverse("areas:detail", args=[parent.pk]),
    )
    title = f"从国家区划代码({divisions.AS_OF})导入「{parent.name}」的下级区域"
    return done or _form_page(request, form, parent, title)


@login_required
def unstaffed_grids(request: HttpRequest) -> HttpResponse:
    """Grids with no current 网格长 or 专职网格员."""
    _require_anywhere(request, "areas.view")
    grids = (
        Area.objects.for_user(request.user, "areas.view")
        .without_responsible_worker()
        .select_related("parent")
        .annotate(child_count=Count("children"))
        .order_by("path")
    )
    return render_list(
        request,
        queryset=grids,
        filterset_class=AreaFilterSet,
        template="areas/unstaffed_list.html",
        partial="areas/_area_table.html",
    )


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "areas.view")
    rows = GridAssignment.objects.for_user(request.user, "areas.view").select_related(
        "grid", "grid__parent", "user"
    )
    return render_list(
        request,
        queryset=rows.order_by("area_path", "post"),
        filterset_class=GridAssignmentFilterSet,
        template="areas/assignment_list.html",
        partial="areas/_assignment_table.html",
        context={"export_url": reverse("areas:assignment_export")},
    )


@login_required
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    grid = _area(request, pk, "areas.assign")
    if not grid.is_grid:
        raise Http404
    candidates = (
        users_for(request.user, "areas.assign").filter(is_active=True).order_by("full_name")
    )
    form = AssignmentForm(
        request.POST or None,
        user_queryset=candidates,
        initial={
            "start_date": timezone.localdate(),
            "duties": [d for d, _ in AssignmentForm.base_fields["duties"].choices],
        },
    )
    done = submit(
        request,
        form,
        lambda data: services.assign_grid_worker(grid, actor=request.user, **data),
        success=lambda a: f"已将 {a.user} 分配到「{grid.name}」。",
        next_url=reverse("areas:detail", args=[grid.pk]),
    )
    return done or _form_page(request, form, grid, f"为「{grid.name}」分配人员")


@login_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assignment = get_for_user_or_404(GridAssignment, request.user, "areas.assign", pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = EndAssignmentForm(
        request.POST or None,
        initial={"version": assignment.version, "end_date": timezone.localdate()},
    )
    done = submit(
        request,
        form,
        lambda data: services.end_grid_assignment(assignment, actor=request.user, **data),
        success="已结束该分配。",
        next_url=reverse("areas:detail", args=[assignment.grid_id]),
    )
    title = f"结束分配:{assignment}"
    return done or _form_page(request, form, assignment.grid, title, danger=True)


@login_required
def locate(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request, "areas.view")
    form = LocateForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        context["searched"] = True
        try:
            context["grid"] = services.locate_grid(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
    template = "areas/_locate_result.html" if request.htmx else "areas/locate.html"
    return render(request, template, context)
