"""Event pages: report (phone), queues and lists (desk), the event page with its actions, the
public case-code tracker and the category/time-limit configuration. Every write calls a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import add_domain_error, render_list
from gridgov.core.scoping import jurisdiction, unscoped
from gridgov.events import files, forms, selectors, services
from gridgov.events.filters import EventFilterSet
from gridgov.events.models import Category, Event, EventKind
from gridgov.events.sections import event_sections
from gridgov.registry.selectors import people_by_id_numbers


def _event(request: HttpRequest, pk: int) -> Event:
    event = (
        selectors.visible_events(request.user)
        .select_related("reporter", "address", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404(NotFound.default_message)
    return event


def _require(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise PermissionDenied


def _require_events_view(request: HttpRequest) -> None:
    """Area roles see events by jurisdiction; department handlers see what was sent to them."""
    if not (
        jurisdiction(request.user).allows_anywhere("events.view")
        or selectors.department_ids_of(request.user)
    ):
        raise PermissionDenied


# --- Lists ---------------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _require_events_view(request)
    return render_list(
        request,
        queryset=selectors.visible_events(request.user).order_by("-reported_at", "-pk"),
        filterset_class=EventFilterSet,
        template="events/event_list.html",
        partial="events/_event_table.html",
        context={
            "title": "事件列表",
            "bulk": _bulk_choices(request.user),
            "bulk_departments": _bulk_departments(request.user),
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """我的待办: what waits for this user, most urgent first, with bulk actions."""
    return render_list(
        request,
        queryset=selectors.queue_for(request.user),
        filterset_class=EventFilterSet,
        template="events/queue.html",
        partial="events/_event_table.html",
        context={
            "title": "我的待办",
            "bulk": _bulk_choices(request.user),
            "bulk_departments": _bulk_departments(request.user),
            "queue": True,
        },
    )


def _bulk_choices(user: Any) -> list[tuple[str, str]]:
    rights = jurisdiction(user)
    choices = []
    if rights.allows_anywhere("events.accept"):
        choices += [("accept", "批量受理"), ("dispatch", "批量派遣"), ("remind", "批量催办")]
    elif rights.allows_anywhere("events.remind"):
        choices += [("remind", "批量催办")]
    return choices


def _bulk_departments(user: Any) -> Any:
    from gridgov.accounts.models import Department

    paths = jurisdiction(user).paths_for("events.accept")
    if not paths:
        return []
    return (
        Department.objects.for_user(user, "accounts.view")
        .filter(area_path__in=paths, is_active=True)
        .order_by("kind", "name")
    )


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Apply one step to the chosen events, each in its own transaction; report what failed."""
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    back = request.POST.get("next") or reverse("events:queue")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("events:queue")
    if not ids or action not in {"accept", "dispatch", "remind"}:
        messages.error(request, "请选择事件和要执行的操作。")
        return redirect(back)
    department = None
    if action == "dispatch":
        from gridgov.accounts.models import Department

        department_id = request.POST.get("department", "")
        department = (
            Department.objects.for_user(request.user, "accounts.view")
            .filter(pk=department_id, is_active=True)
            .first()
            if department_id.isdigit()
            else None
        )
        if department is None:
            messages.error(request, "批量派遣请选择主办部门。")
            return redirect(back)
    note = (request.POST.get("note") or "").strip()
    done, failed = 0, []
    for event in selectors.visible_events(request.user).filter(pk__in=ids):
        try:
            if action == "accept":
                services.accept_event(event, actor=request.user, version=event.version)
            elif action == "dispatch":
                services.dispatch_event(
                    event, actor=request.user, version=event.version, department=department
                )
            else:
                services.supervise_event(
                    event, actor=request.user, level="remind", note=note or "请抓紧办理"
                )
            done += 1
        except DomainError as error:
            failed.append(f"{event.code}:{error.message}")
    if done:
        messages.success(request, f"已处理 {done} 件。")
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(back)


# --- Reporting -----------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _require(request, "events.report")
    form = forms.ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            persons = people_by_id_numbers(request.user, data["persons"])
            event = services.report_event(
                actor=request.user,
                client_id=data["client_id"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                source=data["source"],
                grid=data["grid"],
                lat=data["lat"],
                lng=data["lng"],
                place=data["place"],
                occurred_at=data["occurred_at"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                persons=persons,
                files=data["files"],
                settled_note=data["settled_note"] if data["settled"] else "",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"已上报,案件编码 {event.code}。")
            return redirect("events:detail", event.pk)
    return render(request, "events/report.html", {"form": form, **_map_settings()})


def _map_settings() -> dict[str, Any]:
    from django.conf import settings

    return {
        "tile_url": settings.GRIDGOV_MAP_TILE_URL,
        "tile_attribution": settings.GRIDGOV_MAP_TILE_ATTRIBUTION,
    }


# --- The event page and its actions --------------------------------------------------------------

# action name -> (form class, label of the button, success message)
ACTIONS: dict[str, tuple[Any, str, str]] = {
    "accept": (forms.NoteForm, "受理", "已受理。"),
    "reject": (forms.ReasonForm, "不予受理", "已不予受理。"),
    "merge": (forms.MergeForm, "合并到其他事件", "已合并。"),
    "escalate": (forms.ReasonForm, "上报上级中心", "已上报上级综治中心。"),
    "dispatch": (forms.DispatchForm, "派遣", "已派遣。"),
    "handle_here": (forms.NoteForm, "中心自办", "已由本中心自办。"),
    "settle": (forms.SettleForm, "自行处置", "已自行处置,等待核查。"),
    "take": (forms.NoteForm, "签收", "已签收。"),
    "return": (forms.ReasonForm, "退回", "已退回综治中心。"),
    "done": (forms.DoneForm, "办结反馈", "已反馈办结。"),
    "extend": (forms.ExtensionForm, "申请延期", "延期申请已提交。"),
    "suspend": (forms.ReasonForm, "申请挂账", "挂账申请已提交。"),
    "decide": (forms.DecideForm, "审批申请", "已审批。"),
    "resume": (forms.NoteForm, "恢复办理", "已恢复办理。"),
    "verify": (forms.VerifyForm, "核查", "核查结果已提交。"),
    "rate": (forms.RateForm, "评价", "感谢评价。"),
    "reopen": (forms.ReasonForm, "重新办理", "已重新办理。"),
    "supervise": (forms.SuperviseForm, "督办", "已督办。"),
}


def _form_for(name: str, request: HttpRequest, event: Event, data: Any = None) -> Any:
    form_class = ACTIONS[name][0]
    kwargs: dict[str, Any] = {"prefix": name}
    if form_class is forms.DispatchForm:
        kwargs.update(user=request.user, event=event)
    if form_class is forms.SuperviseForm:
        kwargs.update(levels=selectors.supervision_levels(request.user, event))
    elif data is None:
        kwargs["initial"] = {"version": event.version}
    files = request.FILES if data is not None else None
    return form_class(data, files, **kwargs) if data is not None else form_class(**kwargs)


def _perform(name: str, request: HttpRequest, event: Event, data: dict[str, Any]) -> Any:
    user = request.user
    version = data.get("version", event.version)
    if name == "accept":
        return services.accept_event(event, actor=user, version=version, note=data["note"])
    if name == "reject":
        return services.reject_event(event, actor=user, version=version, reason=data["reason"])
    if name == "merge":
        target = selectors.visible_events(user).filter(code=data["into"].strip().upper()).first()
        if target is None:
            raise NotFound("未找到该编码的事件。")
        return services.merge_event(
            event, actor=user, version=version, into=target, note=data["note"]
        )
    if name == "escalate":
        return services.escalate_event(event, actor=user, version=version, reason=data["reason"])
    if name == "dispatch":
        return services.dispatch_event(
            event,
            actor=user,
            version=version,
            department=data["department"],
            area=data["area"],
            assisting=data["assisting"],
            note=data["note"],
        )
    if name == "handle_here":
        return services.handle_here(event, actor=user, version=version, note=data["note"])
    if name == "settle":
        return services.settle_on_spot(
            event, actor=user, version=version, note=data["note"], files=data["files"]
        )
    if name == "take":
        return services.take_event(event, actor=user, version=version)
    if name == "return":
        return services.return_event(event, actor=user, version=version, reason=data["reason"])
    if name == "done":
        return services.report_done(
            event, actor=user, version=version, note=data["note"], files=data["files"]
        )
    if name == "extend":
        return services.request_extension(
            event,
            actor=user,
            version=version,
            reason=data["reason"],
            value=data["value"],
            unit=data["unit"],
        )
    if name == "suspend":
        return services.request_suspension(
            event, actor=user, version=version, reason=data["reason"]
        )
    if name == "decide":
        pending = selectors.pending_request(event)
        if pending is None:
            raise NotFound("没有待审批的申请。")
        return services.decide_request(
            pending, actor=user, version=pending.version, grant=data["grant"], note=data["note"]
        )
    if name == "resume":
        return services.resume_event(event, actor=user, version=version, note=data["note"])
    if name == "verify":
        return services.verify_event(
            event,
            actor=user,
            version=version,
            passed=data["passed"],
            note=data["note"],
            files=data["files"],
        )
    if name == "rate":
        return services.rate_event(
            event, actor=user, version=version, rating=data["rating"], comment=data["comment"]
        )
    if name == "reopen":
        return services.reopen_event(event, actor=user, version=version, reason=data["reason"])
    if name == "supervise":
        return services.supervise_event(
            event, actor=user, level=data["level"], note=data["note"], deadline=data["deadline"]
        )
    raise Http404


def _detail_context(request: HttpRequest, event: Event, bound: Any = None) -> dict[str, Any]:
    user = request.user
    names = selectors.available_actions(user, event)
    action_forms = []
    for name in names:
        form = bound[1] if bound and bound[0] == name else _form_for(name, request, event)
        action_forms.append({"name": name, "label": ACTIONS[name][1], "form": form})
    with unscoped("the visible event's own records"):
        timeline = list(event.timeline.select_related("actor").prefetch_related("attachments"))
        assignments = list(event.assignments.select_related("department", "area", "taken_by"))
        attachments = list(event.attachments.filter(entry__isnull=True))
        requests = list(event.requests.select_related("requested_by", "decided_by"))
        supervisions = list(event.supervisions.select_related("by"))
        merged = list(event.merged_events.all())
        parties = list(event.parties.select_related("person", "unit"))
    rights = jurisdiction(user)
    visible_parties = [
        p for p in parties if rights.allows("registry.view", (p.person or p.unit).area_path)
    ]
    duplicates = []
    if "merge" in names:
        duplicates = selectors.possible_duplicates(
            user,
            category=event.category,
            grid=event.grid,
            address=event.address,
            lat=event.lat,
            lng=event.lng,
            person_ids=[p.person_id for p in parties if p.person_id],
            exclude=event,
        )
    return {
        "event": event,
        "light": event.light(),
        "remaining": selectors.remaining_text(event),
        "actions": action_forms,
        "timeline": timeline,
        "assignments": assignments,
        "attachments": attachments,
        "requests": requests,
        "supervisions": supervisions,
        "merged": merged,
        "parties": visible_parties,
        "hidden_parties": len(parties) - len(visible_parties),
        "duplicates": duplicates,
        # Sections other apps add to the page (a dispute's details and mediation).
        "sections": event_sections(user, event),
        **_map_settings(),
    }


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return render(request, "events/event_detail.html", _detail_context(request, event))


@login_required
@require_POST
def event_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    event = _event(request, pk)
    form = _form_for(action, request, event, data=request.POST)
    if form.is_valid():
        try:
            _perform(action, request, event, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, ACTIONS[action][2])
            return redirect("events:detail", event.pk)
    event.refresh_from_db()
    context = _detail_context(request, event, bound=(action, form))
    if not any(a["name"] == action for a in context["actions"]):
        # The step is no longer open to this user (someone acted first): say so on top.
        messages.error(
            request,
            "; ".join(e for errs in form.errors.values() for e in errs)
            or "当前状态下不能执行此操作。",
        )
    return render(request, "events/event_detail.html", context, status=400)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    try:
        item = files.visible_attachment(request.user, pk, attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return files.attachment_response(item)


# --- The public tracker (一案一码) ---------------------------------------------------------------


def track(request: HttpRequest) -> HttpResponse:
    """Anyone with a case code sees where the case is: steps and dates, no names or details."""
    form = forms.TrackForm(request.GET or None)
    event = steps = None
    if form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        event, steps = selectors.track(code)
        if event is None:
            form.add_error("code", "未找到该案件编码。")
    return render(request, "events/track.html", {"form": form, "event": event, "steps": steps})


# --- Configuration: kinds, categories, time limits -----------------------------------------------


@login_required
def category_list(request: HttpRequest) -> HttpResponse:
    _require(request, "events.configure")
    kinds = EventKind.objects.prefetch_related("categories").order_by("order", "code")
    return render(request, "events/category_list.html", {"kinds": kinds})


@login_required
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "events.configure")
    category = get_object_or_404(Category, pk=pk)
    form = forms.CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_category(category, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("events:categories")
    return render(
        request,
        "events/category_form.html",
        {"form": form, "category": category, "title": f"修改类别:{category}"},
    )
