"""Petition pages: the list, registration, the petition page with its steps, reception days.
Every write calls a service; every read starts from `for_user`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import add_domain_error, render_list
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.events.selectors import leaders_over, remaining_text
from gridgov.petitions import forms, selectors, services
from gridgov.petitions.config import LIMIT_LABELS, config
from gridgov.petitions.filters import PetitionFilterSet
from gridgov.petitions.models import LeaderCase, Petition
from gridgov.registry.selectors import people_by_id_numbers


def _require_view(request: HttpRequest) -> None:
    if not selectors.may_view_any(request.user):
        raise PermissionDenied


def _petition(request: HttpRequest, pk: int) -> Petition:
    petition = selectors.visible_petitions(request.user).filter(pk=pk).first()
    if petition is None:
        raise Http404(NotFound.default_message)
    return petition


def _by_code(user: Any, code: str) -> Petition | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    found = selectors.visible_petitions(user).filter(event__code=code).first()
    if found is None:
        raise NotFound(f"未找到案件编码为 {code} 的信访事项。")
    return found


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render_list(
        request,
        queryset=selectors.visible_petitions(request.user).order_by("-received_at", "-pk"),
        filterset_class=PetitionFilterSet,
        template="petitions/petition_list.html",
        partial="petitions/_petition_table.html",
        context={
            "title": "信访事项",
            "may_register": jurisdiction(request.user).allows_anywhere("petitions.register"),
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not jurisdiction(request.user).allows_anywhere("petitions.register"):
        raise PermissionDenied
    form = forms.RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = services.register_petition(
                actor=request.user,
                client_id=data["client_id"],
                petitioners=people_by_id_numbers(
                    request.user, data["petitioners"], field="petitioners"
                ),
                people_count=data["people_count"],
                channel=data["channel"],
                category=data["category"],
                title=data["title"],
                matter=data["matter"],
                department=data["department"],
                lodged_area=data["lodged_area"],
                received_at=data["received_at"],
                previous=_by_code(request.user, data["previous"]),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            with unscoped("the new petition's case code"):
                code = petition.event.code
            messages.success(request, f"已登记,案件编码 {code}。")
            return redirect("petitions:detail", petition.pk)
    return render(
        request,
        "petitions/register.html",
        {"form": form, "limits": _limits()},
    )


def _limits() -> list[tuple[str, str]]:
    from gridgov.core.workcalendar import describe

    return [(LIMIT_LABELS[k], describe(*v)) for k, v in config().limits.items()]


# --- The petition page and its steps -------------------------------------------------------------

# action name -> (form class, button label, success message)
ACTIONS: dict[str, tuple[Any, str, str]] = {
    "decide": (forms.DecideForm, "告知是否受理", "已告知。"),
    "extend": (forms.ExtendForm, "延期办理", "已延期。"),
    "reply": (forms.ReplyForm, "书面答复", "已答复。"),
    "request_review": (forms.RequestForm, "登记复查请求", "已登记复查请求。"),
    "review": (forms.OpinionForm, "作出复查意见", "已作出复查意见。"),
    "request_re_review": (forms.RequestForm, "登记复核请求", "已登记复核请求。"),
    "re_review": (forms.OpinionForm, "作出复核意见", "已作出复核意见。"),
    "close": (forms.CloseForm, "办结", "已办结。"),
    "rate": (forms.RateForm, "记录评价", "已记录评价。"),
    "take_case": (forms.TakeCaseForm, "领导包案", "已包案。"),
    "flag": (forms.FlagForm, "标记重点信访人员", "已标记,并通知重点人群管理。"),
}


def _form_for(name: str, request: HttpRequest, petition: Petition, data: Any = None) -> Any:
    form_class = ACTIONS[name][0]
    kwargs: dict[str, Any] = {"prefix": name}
    if form_class is forms.TakeCaseForm:
        kwargs["leaders"] = (
            leaders_over(petition.area_path) if services.at_center(request.user, petition) else []
        )
    elif form_class is forms.FlagForm:
        kwargs["people"] = selectors.flaggable(petition)
    elif data is None:
        kwargs["initial"] = {"version": petition.version}
    return form_class(data, **kwargs) if data is not None else form_class(**kwargs)


def _perform(name: str, request: HttpRequest, petition: Petition, data: dict[str, Any]) -> Any:
    user = request.user
    version = data.get("version", petition.version)
    if name == "decide":
        return services.decide_acceptance(
            petition, actor=user, version=version, accepted=data["accepted"], note=data["note"]
        )
    if name == "extend":
        return services.extend_handling(
            petition, actor=user, version=version, value=data["value"], reason=data["reason"]
        )
    if name == "reply":
        return services.reply_petition(petition, actor=user, version=version, reply=data["reply"])
    if name in ("request_review", "request_re_review"):
        step = services.request_review if name == "request_review" else services.request_re_review
        return step(
            petition,
            actor=user,
            version=version,
            reason=data["reason"],
            requested_at=data["requested_at"],
        )
    if name in ("review", "re_review"):
        step = services.record_review if name == "review" else services.record_re_review
        return step(petition, actor=user, version=version, opinion=data["opinion"])
    if name == "close":
        return services.close_petition(petition, actor=user, version=version, note=data["note"])
    if name == "rate":
        return services.rate_petition(
            petition, actor=user, version=version, rating=data["rating"], comment=data["comment"]
        )
    if name == "take_case":
        return services.take_case(petition, actor=user, leader=data["leader"], note=data["note"])
    if name == "flag":
        person = next((p for p in selectors.flaggable(petition) if p.pk == data["person"]), None)
        return services.flag_key_petitioner(
            petition, actor=user, person=person, reason=data["reason"]
        )
    raise Http404


def _detail_context(request: HttpRequest, petition: Petition, bound: Any = None) -> dict[str, Any]:
    user = request.user
    names = selectors.available_actions(user, petition)
    action_forms = []
    for name in names:
        form = bound[1] if bound and bound[0] == name else _form_for(name, request, petition)
        action_forms.append({"name": name, "label": ACTIONS[name][1], "form": form})
    event = petition.event
    with unscoped("the visible petition's own records"):
        timeline = list(event.timeline.select_related("actor"))
        supervisions = list(event.supervisions.select_related("by"))
        cases = list(petition.leader_cases.select_related("leader", "assigned_by"))
        receptions = list(petition.receptions.select_related("day", "day__leader", "person"))
        key_flags = list(petition.key_flags.select_related("person", "raised_by"))
        petitioners = services.petitioners_of(petition)
        previous = petition.previous.event.code if petition.previous_id else ""
    rights = jurisdiction(user)
    return {
        "petition": petition,
        "event": event,
        "light": event.light(),
        "remaining": remaining_text(event),
        "actions": action_forms,
        "timeline": timeline,
        "supervisions": supervisions,
        "cases": cases,
        "receptions": receptions,
        "key_flags": key_flags,
        "petitioners": [p for p in petitioners if rights.allows("registry.view", p.area_path)],
        "hidden_petitioners": sum(
            1 for p in petitioners if not rights.allows("registry.view", p.area_path)
        ),
        "previous": previous,
        "event_visible": rights.allows("events.view", event.area_path),
        "end_case_version": {c.pk: c.version for c in cases},
        "may_end": {
            c.pk
            for c in cases
            if c.ended_at is None and (c.leader_id == user.pk or services.at_center(user, petition))
        },
    }


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _petition(request, pk)
    return render(request, "petitions/petition_detail.html", _detail_context(request, petition))


@login_required
@require_POST
def petition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    petition = _petition(request, pk)
    form = _form_for(action, request, petition, data=request.POST)
    if form.is_valid():
        try:
            _perform(action, request, petition, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, ACTIONS[action][2])
            return redirect("petitions:detail", petition.pk)
    petition = _petition(request, pk)
    context = _detail_context(request, petition, bound=(action, form))
    if not any(a["name"] == action for a in context["actions"]):
        messages.error(
            request,
            "; ".join(e for errs in form.errors.values() for e in errs)
            or "当前阶段不能执行此操作。",
        )
    return render(request, "petitions/petition_detail.html", context, status=400)


@login_required
@require_POST
def end_case(request: HttpRequest, pk: int, case_id: int) -> HttpResponse:
    petition = _petition(request, pk)
    case = (
        LeaderCase.objects.for_user(request.user, "petitions.view")
        .filter(pk=case_id, petition=petition)
        .first()
    )
    if case is None:
        raise Http404(NotFound.default_message)
    form = forms.EndCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请刷新后重试。")
        return redirect("petitions:detail", petition.pk)
    try:
        services.end_case(
            case,
            actor=request.user,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "包案已结束。")
    return redirect("petitions:detail", petition.pk)


# --- Reception days (领导接访日) --------------------------------------------------------------


def _leaders_of(user: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for path in jurisdiction(user).paths_for("petitions.lead") or ():
        for leader in leaders_over(path):
            seen[leader.pk] = leader
    for path in jurisdiction(user).paths_for("petitions.handle") or ():
        for leader in leaders_over(path):
            seen[leader.pk] = leader
    if jurisdiction(user).allows_anywhere("petitions.lead"):
        seen[user.pk] = user
    return list(seen.values())


@login_required
def reception_days(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    rights = jurisdiction(request.user)
    may_arrange = rights.allows_anywhere("petitions.lead") or rights.allows_anywhere(
        "petitions.handle"
    )
    form = None
    if may_arrange:
        form = forms.ReceptionDayForm(
            request.POST or None, user=request.user, leaders=_leaders_of(request.user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                day = services.schedule_reception_day(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "已安排接访日。")
                return redirect("petitions:reception_day", day.pk)
    elif request.method == "POST":
        raise PermissionDenied
    days = selectors.visible_reception_days(request.user).order_by("-day", "-pk")[:100]
    return render(
        request,
        "petitions/reception_days.html",
        {"days": days, "form": form, "title": "领导接访日"},
    )


@login_required
def reception_day(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    day = selectors.visible_reception_days(request.user).filter(pk=pk).first()
    if day is None:
        raise Http404(NotFound.default_message)
    form = forms.ReceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people = people_by_id_numbers(request.user, data["person"], field="person")
            services.record_reception(
                day,
                actor=request.user,
                person=people[0] if people else None,
                petition=_by_code(request.user, data["petition"]),
                summary=data["summary"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已记录接访情况。")
            return redirect("petitions:reception_day", day.pk)
    with unscoped("the visible day's receptions"):
        receptions = list(day.receptions.select_related("person", "petition__event", "recorded_by"))
    return render(
        request,
        "petitions/reception_day.html",
        {"day": day, "receptions": receptions, "form": form},
    )
