"""Special-population pages: the masked list, the file (logged) with its actions, opening a
status, the grid worker's visit day and visit form (phone), overdue statuses for leaders,
handovers on both sides, and the configuration of types and visit rules. Every write calls a
service; every read starts from `for_user`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov.core import idnumbers
from gridgov.core.errors import DomainError, Invalid, NotFound
from gridgov.core.pages import add_domain_error, render_list
from gridgov.core.scoping import get_for_user_or_404, jurisdiction, unscoped
from gridgov.special import details as details_mod
from gridgov.special import forms, selectors, services
from gridgov.special.choices import RESTRICTED_ACTION, Grade
from gridgov.special.filters import SpecialStatusFilterSet
from gridgov.special.models import Handover, SpecialType, Visit, VisitRule


def _require(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise PermissionDenied


def _file(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.open_file(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- Lists ---------------------------------------------------------------------------------------


@login_required
def status_list(request: HttpRequest) -> HttpResponse:
    """All visible statuses, masked (name and ID number); opening one is logged."""
    _require(request, "special.view")
    return render_list(
        request,
        queryset=selectors.visible_statuses(request.user).order_by(
            "ended_on", "next_visit_due", "pk"
        ),
        filterset_class=SpecialStatusFilterSet,
        template="special/status_list.html",
        partial="special/_status_table.html",
        context={
            "title": "特殊人群",
            "today": selectors.today(),
            "can_open": jurisdiction(request.user).allows_anywhere("special.manage"),
        },
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """逾期未走访 and 脱管(失控), for leaders and centers: the lost first."""
    _require(request, "special.view")
    rows = selectors.overdue(request.user)
    if request.GET.get("lost"):
        rows = rows.filter(lost_since__isnull=False)
    return render_list(
        request,
        queryset=rows,
        filterset_class=SpecialStatusFilterSet,
        template="special/overdue.html",
        partial="special/_status_table.html",
        context={"title": "逾期未走访与脱管人员", "today": selectors.today()},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The grid worker's visit day (phone): who is lost, overdue, due this week."""
    _require(request, "special.visit")
    rows = list(selectors.to_visit(request.user, within_days=7)[:200])
    today = selectors.today()
    return render(
        request,
        "special/mine.html",
        {
            "lost": [s for s in rows if s.lost_since],
            "overdue": [s for s in rows if not s.lost_since and s.next_visit_due < today],
            "soon": [s for s in rows if s.next_visit_due >= today],
            "today": today,
        },
    )


# --- The file ------------------------------------------------------------------------------------

ACTIONS: dict[str, tuple[Any, str, str]] = {
    "grade": (forms.GradeForm, "调整等级", "等级已调整。"),
    "officer": (forms.OfficerForm, "更换责任人", "责任人已更换。"),
    "handover": (forms.HandoverForm, "交接到其他区域", "交接已发起,等待接收区域接收。"),
    "cancel_handover": (forms.CancelForm, "撤回交接", "交接已撤回。"),
    "end": (forms.EndForm, "解除列管", "已解除列管。"),
}


def _available(user: Any, status: Any, pending: Handover | None) -> list[str]:
    rights = jurisdiction(user)
    if not status.is_open or not rights.allows("special.manage", status.area_path):
        return []
    if status.type.restricted and not rights.allows(RESTRICTED_ACTION, status.area_path):
        return []
    if pending is not None:
        return ["grade", "officer", "cancel_handover"]
    return ["grade", "officer", "handover", "end"]


def _action_form(name: str, status: Any, pending: Handover | None, data: Any = None) -> Any:
    form_class = ACTIONS[name][0]
    kwargs: dict[str, Any] = {"prefix": name}
    if form_class in (forms.GradeForm, forms.OfficerForm):
        kwargs["status"] = status
    version = pending.version if name == "cancel_handover" and pending else status.version
    if data is None:
        kwargs["initial"] = {"version": version}
        return form_class(**kwargs)
    return form_class(data, **kwargs)


def _perform(name: str, request: HttpRequest, status: Any, pending: Any, data: dict) -> Any:
    user = request.user
    if name == "grade":
        return services.change_grade(
            status, actor=user, version=data["version"], grade=data["grade"], note=data["note"]
        )
    if name == "officer":
        return services.change_officer(
            status, actor=user, version=data["version"], officer=data["officer"], note=data["note"]
        )
    if name == "end":
        return services.end_status(
            status,
            actor=user,
            version=data["version"],
            reason=data["reason"],
            ended_on=data["ended_on"],
            note=data["note"],
        )
    if name == "handover":
        to_area = selectors.area_by_code(data["to_area_code"])
        if to_area is None:
            raise Invalid("未找到该代码的在用区域。", field="to_area_code")
        return services.start_handover(
            status, actor=user, version=data["version"], to_area=to_area, reason=data["reason"]
        )
    if name == "cancel_handover":
        if pending is None:
            raise NotFound("没有待接收的交接。")
        return services.cancel_handover(
            pending, actor=user, version=data["version"], reason=data["reason"]
        )
    raise Http404


def _detail_context(request: HttpRequest, status: Any, bound: Any = None) -> dict[str, Any]:
    pending = selectors.pending_handover_of(status)
    names = _available(request.user, status, pending)
    actions = [
        {
            "name": name,
            "label": ACTIONS[name][1],
            "form": bound[1] if bound and bound[0] == name else _action_form(name, status, pending),
        }
        for name in names
    ]
    with unscoped("the visible status's own records"):
        changes = list(status.changes.select_related("actor").order_by("-at", "-pk"))
        visits = list(status.visits.select_related("by", "event").order_by("-visited_on", "-pk"))
        handovers = list(
            status.handovers.select_related("from_area", "to_area", "started_by", "new_officer")
        )
        rule = services.rule_for(status.type_id, status.grade)
    rights = jurisdiction(request.user)
    return {
        "status": status,
        "person": status.person,
        "details": details_mod.display(status.type.code, status.details),
        "changes": changes,
        "visits": visits,
        "handovers": handovers,
        "pending": pending,
        "rule": rule,
        "actions": actions,
        "can_edit": status.is_open and "grade" in names,
        "can_visit": status.is_open
        and rights.allows("special.visit", status.area_path)
        and (not status.type.restricted or rights.allows(RESTRICTED_ACTION, status.area_path)),
        "can_see_person": rights.allows("registry.view", status.person.area_path),
        "overdue": status.is_overdue(selectors.today()),
    }


@login_required
def status_detail(request: HttpRequest, pk: int) -> HttpResponse:
    status = _file(request, pk)
    return render(request, "special/status_detail.html", _detail_context(request, status))


@login_required
@require_POST
def status_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    status = _file(request, pk)
    pending = selectors.pending_handover_of(status)
    form = _action_form(action, status, pending, data=request.POST)
    if action in _available(request.user, status, pending) and form.is_valid():
        try:
            _perform(action, request, status, pending, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, ACTIONS[action][2])
            visible = selectors.visible_statuses(request.user).filter(pk=status.pk).exists()
            return redirect("special:detail", status.pk) if visible else redirect("special:list")
    elif action not in _available(request.user, status, pending):
        messages.error(request, "当前不能执行此操作。")
    status.refresh_from_db()
    context = _detail_context(request, status, bound=(action, form))
    return render(request, "special/status_detail.html", context, status=400)


@login_required
def status_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The type's GB/T items, the helpers' team and the help measures."""
    status = _file(request, pk)
    form = forms.DetailsForm(request.POST or None, status=status)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_status(
                status,
                actor=request.user,
                version=form.cleaned_data["version"],
                details=form.details(),
                team=form.team(),
                measures=form.cleaned_data["measures"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("special:detail", status.pk)
    return render(request, "special/status_edit.html", {"form": form, "status": status})


# --- Opening -------------------------------------------------------------------------------------


@login_required
def status_open(request: HttpRequest) -> HttpResponse:
    """列管: find the person by ID number (or come from their file), then choose type and grade."""
    _require(request, "special.manage")
    from gridgov.registry.models import Person
    from gridgov.registry.selectors import search_people

    person = None
    find = forms.FindPersonForm(request.GET if "id_number" in request.GET else None)
    if request.GET.get("person", "").isdigit():
        person = (
            Person.objects.for_user(request.user, "registry.view")
            .filter(pk=request.GET["person"])
            .select_related("grid")
            .first()
        )
        if person is None:
            raise Http404(NotFound.default_message)
    elif find.is_valid():
        try:
            number = idnumbers.parse(find.cleaned_data["id_number"]).number
        except idnumbers.InvalidIdNumber:
            find.add_error("id_number", "不是有效的公民身份号码。")
        else:
            found = search_people(request.user, number).first()
            if found is None:
                find.add_error("id_number", "该人员未登记或不在您的辖区,请先在实有人口中登记。")
            else:
                return redirect(f"{reverse('special:open')}?person={found.pk}")
    if person is None:
        return render(request, "special/open.html", {"find": find, "person": None})
    form = forms.OpenForm(request.POST or None, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            status = services.open_status(
                actor=request.user,
                person=person,
                type=data["type"],
                grade=data["grade"],
                officer=data["officer"],
                started_on=data["started_on"],
                note=data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已列管,请补充类型信息与帮教小组。")
            return redirect("special:edit", status.pk)
    return render(
        request,
        "special/open.html",
        {"form": form, "person": person, "masked": selectors.mask_name(person.name)},
    )


# --- Visits (phone) ------------------------------------------------------------------------------


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a visit from the phone: kind, date, place, findings, a photo; optionally an event."""
    _require(request, "special.visit")
    status = _file(request, pk)
    form = forms.VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_visit(
                status,
                actor=request.user,
                kind=data["kind"],
                visited_on=data["visited_on"],
                place=data["place"],
                findings=data["findings"],
                test_result=data["test_result"],
                photo=data["photo"],
                client_id=data["client_id"],
                event=form.event(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "走访已登记。")
            return redirect("special:mine")
    with unscoped("the visible status's rule"):
        rule = services.rule_for(status.type_id, status.grade)
    return render(
        request,
        "special/visit.html",
        {"form": form, "status": status, "rule": rule, "today": selectors.today()},
    )


@login_required
def visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = get_for_user_or_404(Visit, request.user, "special.view", pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not item.photo:
        raise Http404
    response = FileResponse(item.photo.open("rb"), content_type=item.photo_type or "image/jpeg")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Handovers -----------------------------------------------------------------------------------


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    """Pending handovers of the user's areas, incoming and outgoing, with their age."""
    _require(request, "special.view")
    incoming, outgoing = selectors.pending_handovers(request.user)
    rights = jurisdiction(request.user)
    rows = []
    for h in incoming:
        can = rights.allows("special.manage", h.to_area_path) and (
            not h.status.type.restricted or rights.allows(RESTRICTED_ACTION, h.to_area_path)
        )
        rows.append(
            {
                "h": h,
                "accept": forms.AcceptForm(
                    prefix=f"a{h.pk}",
                    initial={"version": h.version},
                    path=h.to_area_path,
                    restricted=h.status.type.restricted,
                )
                if can
                else None,
                "reject": forms.RejectForm(prefix=f"r{h.pk}", initial={"version": h.version})
                if can
                else None,
            }
        )
    recent = list(selectors.handovers(request.user).exclude(state="pending")[:30])
    return render(
        request,
        "special/handovers.html",
        {"incoming": rows, "outgoing": outgoing, "recent": recent},
    )


@login_required
@require_POST
def handover_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("accept", "reject"):
        raise Http404
    handover = (
        selectors.handovers(request.user).filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if handover is None:
        raise Http404(NotFound.default_message)
    if action == "accept":
        form = forms.AcceptForm(
            request.POST,
            prefix=f"a{pk}",
            path=handover.to_area_path,
            restricted=handover.status.type.restricted,
        )
    else:
        form = forms.RejectForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "accept":
                services.accept_handover(
                    handover,
                    actor=request.user,
                    version=data["version"],
                    officer=data["officer"],
                    note=data["note"],
                )
            else:
                services.reject_handover(
                    handover, actor=request.user, version=data["version"], reason=data["reason"]
                )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已接收,责任人已指定。" if action == "accept" else "已拒收。")
            if action == "accept":
                return redirect("special:detail", handover.status_id)
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("special:handovers")


# --- Configuration -------------------------------------------------------------------------------


@login_required
def config(request: HttpRequest) -> HttpResponse:
    _require(request, "special.configure")
    types = SpecialType.objects.prefetch_related("rules").order_by("order", "code")
    rows = []
    for t in types:
        rules = {r.grade: r for r in t.rules.all()}
        grades = [("", "各等级(默认)")] * bool(rules.get("")) + t.grade_choices()
        rows.append({"type": t, "rules": [(g, label, rules.get(g)) for g, label in grades]})
    return render(request, "special/config.html", {"rows": rows})


@login_required
def rule_edit(request: HttpRequest, type_id: int, grade: str) -> HttpResponse:
    _require(request, "special.configure")
    status_type = get_object_or_404(SpecialType, pk=type_id)
    grade = "" if grade == "-" else grade
    if grade and grade not in status_type.grades:
        raise Http404
    rule = VisitRule.objects.filter(type=status_type, grade=grade).first()
    initial = (
        {
            "interval_value": rule.interval_value,
            "interval_unit": rule.interval_unit,
            "visit_kinds": rule.visit_kinds,
            "note": rule.note,
        }
        if rule
        else {"interval_unit": "natural_days"}
    )
    form = forms.RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rule(
                actor=request.user, type=status_type, grade=grade, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "走访规则已保存,在管人员的下次走访日期已按新规则重算。")
            return redirect("special:config")
    label = dict(Grade.choices).get(grade, "各等级")
    return render(
        request,
        "special/form.html",
        {
            "form": form,
            "title": f"走访规则:{status_type.name} · {label}",
            "back": reverse("special:config"),
        },
    )


@login_required
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "special.configure")
    status_type = get_object_or_404(SpecialType, pk=pk)
    form = forms.TypeForm(
        request.POST or None,
        initial={
            "name": status_type.name,
            "order": status_type.order,
            "is_active": status_type.is_active,
            "restricted": status_type.restricted,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_type(status_type, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("special:config")
    return render(
        request,
        "special/form.html",
        {"form": form, "title": f"类型:{status_type.name}", "back": reverse("special:config")},
    )
