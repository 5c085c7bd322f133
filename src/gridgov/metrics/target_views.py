"""Pages of the targets (指标目标): the list with what applies to an area (its own targets and
those it inherits), set, change and retire, for whoever holds metrics.manage_targets, over the
targets of their own areas. Every write calls a service (metrics.services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gridgov.areas.models import Area
from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import add_domain_error, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction
from gridgov.metrics import figures, services
from gridgov.metrics.filters import TargetFilterSet
from gridgov.metrics.models import Target
from gridgov.metrics.target_forms import RetireTargetForm, TargetForm
from gridgov.metrics.targets import targets_for, targets_for_areas

MANAGE = services.MANAGE


def _require_manage(request: HttpRequest) -> None:
    if not jurisdiction(request.user).allows_anywhere(MANAGE):
        raise PermissionDenied


def visible_targets(user: Any) -> Any:
    """The targets in the areas where `user` holds metrics.manage_targets, with their areas."""
    return Target.objects.for_user(user, MANAGE).select_related(
        "area", "area__parent", "updated_by", "retired_by"
    )


def _target(request: HttpRequest, pk: int) -> Target:
    try:
        return get_for_user_or_404(Target, request.user, MANAGE, pk=pk)
    except NotFound as exc:
        raise Http404("未找到该指标目标。") from exc


def _home_area(user: Any) -> Area | None:
    """The highest area where `user` keeps targets: what the list shows as applying first."""
    paths = jurisdiction(user).paths_for(MANAGE)
    areas = Area.objects.for_user(user, "areas.view")
    areas = areas.filter(parent__isnull=True) if paths is None else areas.filter(path__in=paths)
    return areas.order_by("path").first()


def _figure_parts(code: str) -> dict[str, Any]:
    try:
        figure = figures.get(code)
    except KeyError:
        return {"figure": None, "group_title": "", "label": code}
    return {
        "figure": figure,
        "group_title": figures.group(figure.group).title,
        "label": figure.label,
    }


def _applying(user: Any, area: Area) -> list[dict[str, Any]]:
    """What applies to `area`, figure by figure: its own target or the one it inherits."""
    rights = jurisdiction(user)
    may_set_here = rights.allows(MANAGE, area.path) and area.level != "grid" and area.is_active
    rows = []
    for code, target in targets_for(area).items():
        own = target.area_id == area.pk
        rows.append(
            {
                **_figure_parts(code),
                "target": target,
                "own": own,
                "editable": rights.allows(MANAGE, target.area_path),
                "override_url": (
                    f"{reverse('metrics:target_create')}?area={area.pk}&figure={code}"
                    if not own and may_set_here
                    else ""
                ),
            }
        )
    order = {f.code: i for i, f in enumerate(figures.figures())}
    rows.sort(key=lambda r: order.get(r["target"].figure_code, len(order)))
    return rows


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    """The targets of the user's areas (filtered by area, figure and status), each with the
    target above it that it overrides; and what applies to the chosen area, own or inherited."""
    _require_manage(request)
    user = request.user
    queryset = visible_targets(user).order_by("-is_active", "area_path", "figure_code", "pk")
    filterset = TargetFilterSet(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound else queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = queryset.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    targets = list(page.object_list)
    parents = {t.area.parent.pk: t.area.parent for t in targets if t.area.parent is not None}
    above = targets_for_areas(parents.values())
    items = [
        {
            "target": t,
            **_figure_parts(t.figure_code),
            "overrides": above.get(t.area.parent_id, {}).get(t.figure_code)
            if t.area.parent_id
            else None,
        }
        for t in targets
    ]
    chosen = filterset.form.cleaned_data.get("area") if filterset.is_bound else None
    area = chosen or _home_area(user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "指标目标",
        "filter": filterset,
        "page": page,
        "items": items,
        "query": query.urlencode(),
        "area": area,
        "applying": _applying(user, area) if area is not None else [],
    }
    template = "metrics/_targets_table.html" if request.htmx else "metrics/targets.html"
    return render(request, template, context)


def _form_page(
    request: HttpRequest, form: Any, title: str, target: Target | None = None
) -> HttpResponse:
    return render(
        request,
        "metrics/targets_form.html",
        {
            "form": form,
            "title": title,
            "target": target,
            **_figure_parts(getattr(target, "figure_code", "")),
        },
    )


@login_required
def target_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    initial = {"area": request.GET.get("area"), "figure_code": request.GET.get("figure")}
    form = TargetForm(request.POST or None, user=request.user, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.set_target(
            data["area"],
            figure_code=data["figure_code"],
            comparison=data["comparison"],
            value=data["value"],
            note=data["note"],
            actor=request.user,
        ),
        success=lambda t: f"已设置{t.area.name}的“{t.figure.label}”目标:{t.label}。",
        next_url=lambda t: f"{reverse('metrics:targets')}?area={t.area_id}",
    )
    return done or _form_page(request, form, "设置指标目标")


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a target's comparison, value or note; a retired one is shown, not changed."""
    _require_manage(request)
    target = _target(request, pk)
    initial = {
        "version": target.version,
        "comparison": target.comparison,
        "value": f"{target.value.normalize():f}",
        "note": target.note,
    }
    form = TargetForm(request.POST or None, user=request.user, target=target, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.update_target(
            target,
            version=data["version"],
            comparison=data["comparison"],
            value=data["value"],
            note=data["note"],
            actor=request.user,
        ),
        success=lambda t: f"已保存:{t.area.name}“{t.figure.label}”目标 {t.label}。",
        next_url=lambda t: f"{reverse('metrics:targets')}?area={t.area_id}",
    )
    name = _figure_parts(target.figure_code)["label"]
    return done or _form_page(request, form, f"修改指标目标:{target.area.name} · {name}", target)


@login_required
def target_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a target, with a reason; the target above it (if any) applies again."""
    _require_manage(request)
    target = _target(request, pk)
    if not target.is_active:
        messages.info(request, "该目标已停用。")
        return redirect("metrics:target_edit", pk=target.pk)
    form = RetireTargetForm(request.POST or None, initial={"version": target.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.retire_target(
                target,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"已停用{target.area.name}的“{_figure_parts(target.figure_code)['label']}”目标。",
            )
            return redirect(f"{reverse('metrics:targets')}?area={target.area_id}")
    above = (
        targets_for(target.area.parent).get(target.figure_code) if target.area.parent_id else None
    )
    return render(
        request,
        "metrics/targets_retire.html",
        {
            "form": form,
            "title": "停用指标目标",
            "target": target,
            "above": above,
            **_figure_parts(target.figure_code),
        },
    )
