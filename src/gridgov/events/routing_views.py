"""Pages of the routing rules (直报与抄告): the list with its filters, create, edit and deactivate,
for whoever holds events.configure, over the rules of their own areas. Every write calls a
service (services.create_routing_rule / update_routing_rule / deactivate_routing_rule)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gridgov.core.errors import DomainError
from gridgov.core.pages import render_list, submit
from gridgov.core.scoping import jurisdiction
from gridgov.events import services
from gridgov.events.filters import RoutingRuleFilterSet
from gridgov.events.forms import RoutingRuleForm
from gridgov.events.routing import visible_rules


def _require_configure(request: HttpRequest) -> None:
    if not jurisdiction(request.user).allows_anywhere("events.configure"):
        raise PermissionDenied


def _rule(request: HttpRequest, pk: int) -> Any:
    rule = visible_rules(request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404("未找到该直报规则。")
    return rule


def _form_page(request: HttpRequest, form: Any, title: str, rule: Any = None) -> HttpResponse:
    rights = jurisdiction(request.user)
    # Copied departments set from above, which this user can neither see in the choices nor
    # remove: named on the page, kept by the service.
    kept = (
        [d for d in rule.copy_departments.all() if not rights.allows("accounts.view", d.area_path)]
        if rule is not None
        else []
    )
    return render(
        request,
        "events/routing_rule_form.html",
        {"form": form, "title": title, "rule": rule, "kept_departments": kept},
    )


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_configure(request)
    return render_list(
        request,
        queryset=visible_rules(request.user).order_by("-is_active", "area_path", "category__code"),
        filterset_class=RoutingRuleFilterSet,
        template="events/routing_rule_list.html",
        partial="events/_routing_rule_table.html",
        context={"title": "事件直报与抄告规则"},
    )


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_configure(request)
    form = RoutingRuleForm(request.POST or None, user=request.user)
    done = submit(
        request,
        form,
        lambda data: services.create_routing_rule(actor=request.user, **data),
        success=lambda rule: f"已新建{rule.area.name}“{rule.category.name}”的直报规则。",
        next_url=reverse("events:routing_rules"),
    )
    return done or _form_page(request, form, "新建直报规则")


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a rule; the form's second button deactivates it (停用), with the version shown."""
    _require_configure(request)
    rule = _rule(request, pk)
    if request.method == "POST" and "deactivate" in request.POST:
        try:
            services.deactivate_routing_rule(
                rule, actor=request.user, version=int(request.POST.get("version") or 0)
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("events:routing_rule_edit", pk=rule.pk)
        messages.success(request, "已停用该直报规则。")
        return redirect("events:routing_rules")
    initial = {
        "version": rule.version,
        "category": rule.category_id,
        "min_priority": rule.min_priority,
        "target_level": rule.target_level,
        "copy_departments": [d.pk for d in rule.copy_departments.all()],
    }
    form = RoutingRuleForm(request.POST or None, user=request.user, rule=rule, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.update_routing_rule(rule, actor=request.user, **data),
        success="已保存。",
        next_url=reverse("events:routing_rules"),
    )
    title = f"修改直报规则:{rule.area.name} · {rule.category.name}"
    return done or _form_page(request, form, title, rule=rule)
