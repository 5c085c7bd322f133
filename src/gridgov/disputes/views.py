"""Dispute pages: the dispute ledger, the details and mediation steps of a dispute event (its
section on the event page links here), screening reports with the missing list and the
township's monthly and quarterly sheets (XLSX), and the supervised list. Every write calls a
service; every read starts from `for_user`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.errors import DomainError, NotFound
from gridgov.core.pages import render_list, submit
from gridgov.core.scoping import get_for_user_or_404, jurisdiction
from gridgov.disputes import forms, periods, selectors, services, sheets
from gridgov.disputes.files import mediation_file_response
from gridgov.disputes.filters import DisputeFilterSet, ReportFilterSet
from gridgov.disputes.models import (
    DisputeParty,
    MajorListing,
    Mediation,
    MediationFile,
    ScreeningReport,
)
from gridgov.events.models import Event
from gridgov.registry.selectors import people_by_id_numbers


def _need(request: HttpRequest, action: str) -> None:
    if not jurisdiction(request.user).allows_anywhere(action):
        raise PermissionDenied


def _get(model: Any, request: HttpRequest, action: str, **lookup: Any) -> Any:
    try:
        return get_for_user_or_404(model, request.user, action, **lookup)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _event(request: HttpRequest, pk: int) -> Event:
    event = selectors.dispute_events(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404(NotFound.default_message)
    return event


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, **extra: Any) -> Any:
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "disputes/form.html", context, status=status)


# --- The ledger -----------------------------------------------------------------------------------


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    """矛盾纠纷台账: the dispute events the user may see, with their details."""
    _need(request, "disputes.view")
    return render_list(
        request,
        queryset=selectors.dispute_events(request.user)
        .select_related("dispute", "dispute__owner")
        .order_by("-reported_at", "-pk"),
        filterset_class=DisputeFilterSet,
        template="disputes/dispute_list.html",
        partial="disputes/_dispute_table.html",
        context={"title": "矛盾纠纷台账"},
    )


# --- Details and parties --------------------------------------------------------------------------


@login_required
def detail_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or change the details of a dispute event (研判)."""
    event = _event(request, pk)
    detail = selectors.detail_of_event(request.user, event)
    back = reverse("events:detail", args=[event.pk])
    initial: dict[str, Any] = {}
    if detail is not None:
        initial = {name: getattr(detail, name) for name in services.DETAIL_FIELDS}
        initial["version"] = detail.version
    form = forms.DetailForm(request.POST or None, initial=initial, event=event)

    def perform(data: dict[str, Any]) -> Any:
        values = {name: data[name] for name in services.DETAIL_FIELDS}
        if detail is None:
            return services.record_dispute(event, actor=request.user, **values)
        return services.update_dispute(
            detail, actor=request.user, version=data.get("version") or detail.version, **values
        )

    done = submit(request, form, perform, success="纠纷详情已保存。", next_url=back)
    return done or _form_page(
        request, form, title=f"纠纷详情:{event.code} {event.title}", back=back
    )


@login_required
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    detail = selectors.detail_of_event(request.user, event)
    back = reverse("events:detail", args=[event.pk])
    if detail is None:
        messages.error(request, "请先登记纠纷详情。")
        return redirect(back)
    form = forms.PartyForm(request.POST or None, user=request.user, event=event)

    def perform(data: dict[str, Any]) -> Any:
        person = None
        if data["id_number"].strip():
            person = people_by_id_numbers(request.user, data["id_number"], field="id_number")[0]
        return services.add_party(
            detail,
            actor=request.user,
            person=person,
            unit=data["unit"],
            role=data["role"],
            person_category=data["person_category"] if person else "",
            is_main=data["is_main"],
        )

    done = submit(request, form, perform, success="已添加当事人。", next_url=back)
    return done or _form_page(request, form, title="添加当事人", back=back)


@login_required
@require_POST
def party_remove(request: HttpRequest, pk: int) -> HttpResponse:
    party = _get(DisputeParty, request, "disputes.view", pk=pk)
    try:
        services.remove_party(party, actor=request.user, version=party.version)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已移除当事人。")
    return redirect("events:detail", party.dispute.event_id)


# --- Mediation ------------------------------------------------------------------------------------


@login_required
def mediation_start(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    detail = selectors.detail_of_event(request.user, event)
    back = reverse("events:detail", args=[event.pk])
    if detail is None:
        messages.error(request, "请先登记纠纷详情。")
        return redirect(back)
    form = forms.MediationForm(
        request.POST or None, event=event, initial={"started_on": timezone.localdate()}
    )
    done = submit(
        request,
        form,
        lambda d: services.start_mediation(detail, actor=request.user, **d),
        success="已受理调解。",
        next_url=back,
    )
    return done or _form_page(
        request,
        form,
        title="受理调解",
        back=back,
        hint=f"人民调解一般应在一个月内调结(受理之日起 {services.mediation_norm_months()} 个月)。",
    )


# step -> (form class, title, success message, service call)
STEPS: dict[str, tuple[Any, str, str]] = {
    "session": (forms.SessionForm, "登记调解记录", "调解记录已保存。"),
    "agree": (forms.AgreementStepForm, "调解成功,登记协议", "已登记调解协议。"),
    "fail": (forms.FailureForm, "调解不成", "已登记调解不成。"),
    "confirm": (forms.ConfirmationForm, "登记司法确认", "已登记司法确认。"),
    "perform": (forms.PerformanceForm, "登记协议履行情况", "已登记履行情况。"),
    "visit": (forms.VisitForm, "登记回访", "已登记回访。"),
    "files": (forms.FilesForm, "上传调解材料", "材料已上传。"),
}


def _perform_step(step: str, mediation: Mediation, user: Any, data: dict[str, Any]) -> Any:
    if step == "session":
        return services.record_session(mediation, actor=user, **data)
    if step == "agree":
        return services.conclude_agreement(mediation, actor=user, **data)
    if step == "fail":
        return services.record_failure(mediation, actor=user, **data)
    if step == "confirm":
        return services.record_confirmation(mediation, actor=user, **data)
    if step == "perform":
        return services.record_performance(mediation, actor=user, **data)
    if step == "visit":
        return services.record_visit(mediation, actor=user, **data)
    if step == "files":
        return services.add_mediation_files(mediation, actor=user, **data)
    raise Http404


@login_required
def mediation_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    mediation = _get(Mediation, request, "disputes.view", pk=pk)
    form_class, title, success = STEPS[step]
    event_id = mediation.dispute.event_id
    back = reverse("events:detail", args=[event_id])
    today = timezone.localdate()
    initial: dict[str, Any] = {"version": mediation.version}
    for name in ("held_on", "visited_on", "checked_on", "agreement_on", "requested_on"):
        initial[name] = today
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: _perform_step(step, mediation, request.user, d),
        success=success,
        next_url=back,
    )
    hint = ""
    if step == "confirm" and mediation.confirmation_due_on:
        hint = (
            f"司法确认须在协议生效之日起 30 日内由双方共同向人民法院申请,"
            f"本协议截止 {mediation.confirmation_due_on:%Y-%m-%d}。"
        )
    if step in ("agree", "fail", "session"):
        hint = f"规范调结日期:{mediation.norm_due_on:%Y-%m-%d}(受理调解后一个月)。"
    return done or _form_page(
        request, form, title=title, back=back, hint=hint, multipart=step in ("agree", "files")
    )


@login_required
def mediation_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    item = _get(MediationFile, request, "disputes.view", pk=file_id, mediation_id=pk)
    return mediation_file_response(item)


# --- Screening ------------------------------------------------------------------------------------


def _area_param(request: HttpRequest, key: str = "area") -> Area | None:
    raw = request.GET.get(key) or request.POST.get(key) or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(NotFound.default_message)
    return _get(Area, request, "areas.view", pk=raw)


def _my_villages(user: Any) -> Any:
    paths = jurisdiction(user).paths_for("disputes.report")
    villages = Area.objects.for_user(user, "areas.view").filter(
        Area.active_q(), level=Level.VILLAGE
    )
    if paths is None:
        return villages.order_by("path")
    from gridgov.core.scoping import path_prefix_q

    return villages.filter(path_prefix_q("path", paths)).order_by("path")


def _top_area(user: Any) -> Area | None:
    paths = jurisdiction(user).paths_for("disputes.view")
    areas = Area.objects.for_user(user, "areas.view").exclude(level=Level.GRID)
    if paths:
        areas = areas.filter(path__in=paths)
    return areas.order_by("path").first()


@login_required
def screening(request: HttpRequest) -> HttpResponse:
    """Screening reports: this period's state of each village, the reports filed, links."""
    _need(request, "disputes.view")
    area = _area_param(request) or _top_area(request.user)
    statuses = selectors.report_statuses(request.user, area, current=True) if area else []
    return render_list(
        request,
        queryset=selectors.reports(request.user).order_by("-period_end", "area_path"),
        filterset_class=ReportFilterSet,
        template="disputes/screening.html",
        partial="disputes/_report_table.html",
        context={
            "title": "矛盾纠纷排查",
            "area": area,
            "statuses": statuses,
            "villages": list(_my_villages(request.user)),
            "may_report": jurisdiction(request.user).allows_anywhere("disputes.report"),
            "perms_configure": jurisdiction(request.user).allows_anywhere("disputes.configure"),
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    _need(request, "disputes.report")
    villages = list(_my_villages(request.user))
    village = _area_param(request) or (villages[0] if len(villages) == 1 else None)
    if village is None:
        messages.error(request, "请选择上报排查报告的村(社区)。")
        return redirect("disputes:screening")
    day = _day(request.GET.get("day") or request.POST.get("day")) or timezone.localdate()
    window = periods.window_containing(services.policy_period(village), day)
    form = forms.ReportForm(request.POST or None, user=request.user, village=village)
    done = submit(
        request,
        form,
        lambda d: services.file_screening_report(
            actor=request.user,
            area=village,
            day=day,
            **{k: v for k, v in d.items() if k != "version"},
        ),
        success=lambda r: (
            f"已上报{village.name}{window.label}排查报告"
            + ("(零报告)" if r.is_zero else "")
            + ("。" if r.on_time else ",本期已逾应报日期,记为迟报。")
        ),
        next_url=lambda r: reverse("disputes:report", args=[r.pk]),
    )
    return done or render(
        request,
        "disputes/report_form.html",
        {
            "form": form,
            "village": village,
            "window": window,
            "day": day,
            "title": f"上报排查报告:{village.name}",
        },
        status=400 if request.method == "POST" else 200,
    )


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise Http404("日期格式不正确。") from exc


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(ScreeningReport, request, "disputes.view", pk=pk)
    disputes = selectors.dispute_events(request.user).filter(
        pk__in=selectors.report_dispute_ids(report)
    )
    return render(
        request,
        "disputes/report_detail.html",
        {
            "report": report,
            "disputes": disputes,
            "may_amend": jurisdiction(request.user).allows("disputes.report", report.area_path),
            "title": "排查报告",
        },
    )


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(ScreeningReport, request, "disputes.view", pk=pk)
    village = report.area
    initial = {
        "version": report.version,
        "is_zero": report.is_zero,
        "disputes": list(selectors.report_dispute_ids(report)),
        "unstable_factors": report.unstable_factors,
        "persons_of_concern": report.persons_of_concern,
        "note": report.note,
    }
    form = forms.ReportForm(
        request.POST or None, user=request.user, village=village, initial=initial
    )
    back = reverse("disputes:report", args=[report.pk])
    done = submit(
        request,
        form,
        lambda d: services.amend_screening_report(
            report,
            actor=request.user,
            version=d.pop("version") or report.version,
            **d,
        ),
        success="排查报告已修改。",
        next_url=back,
    )
    window = periods.Window(report.period, report.period_start, report.period_end)
    return done or render(
        request,
        "disputes/report_form.html",
        {"form": form, "village": village, "window": window, "title": "修改排查报告"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def missing(request: HttpRequest) -> HttpResponse:
    """Villages whose report for their last overdue period is missing (the background check
    warns them too)."""
    _need(request, "disputes.view")
    area = _area_param(request) or _top_area(request.user)
    statuses = selectors.report_statuses(request.user, area) if area else []
    return render(
        request,
        "disputes/missing.html",
        {
            "title": "排查报告缺报",
            "area": area,
            "missing": [s for s in statuses if s.missing],
            "statuses": statuses,
        },
    )


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """How often the villages under an area report (set per area)."""
    _need(request, "disputes.configure")
    area = _area_param(request) or _top_area(request.user)
    if area is None:
        raise PermissionDenied
    form = forms.PolicyForm(request.POST or None, initial={"period": services.policy_period(area)})
    done = submit(
        request,
        form,
        lambda d: services.set_screening_period(area, actor=request.user, period=d["period"]),
        success=f"已设置{area.name}的排查上报周期。",
        next_url=reverse("disputes:screening") + f"?area={area.pk}",
    )
    return done or _form_page(
        request,
        form,
        title=f"排查上报周期:{area.name}",
        back=reverse("disputes:screening"),
        hint="适用于该区域及其下属村(社区),下级区域单独设置的以下级为准。",
    )


@login_required
def sheet(request: HttpRequest) -> HttpResponse:
    """The monthly summary or quarterly report of an area (a township), per village; ?fmt=xlsx
    downloads it."""
    _need(request, "disputes.view")
    area = _area_param(request) or _top_area(request.user)
    if area is None:
        raise PermissionDenied
    kind = request.GET.get("kind") if request.GET.get("kind") in sheets.KINDS else "month"
    day = timezone.localdate()
    raw = request.GET.get("month") or ""
    if raw:
        try:
            day = dt.date.fromisoformat(raw + "-01")
        except ValueError as exc:
            raise Http404("月份格式不正确。") from exc
    # The form shows the month the sheet is for, this month when none was asked for.
    shown = request.GET.copy()
    shown["month"] = f"{day:%Y-%m}"
    shown.setdefault("kind", kind)
    form = forms.SheetForm(shown)
    period = sheets.period_of(kind, day)
    result = sheets.build_sheet(request.user, area, kind, period)
    if request.GET.get("fmt") == "xlsx":
        body = sheets.write_xlsx(
            result, prepared_by=request.user.full_name or request.user.username
        )
        from django.utils.http import content_disposition_header

        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{result.title}.xlsx")
        return response
    query = request.GET.copy()
    query["fmt"] = "xlsx"
    return render(
        request,
        "disputes/sheet.html",
        {
            "title": result.title,
            "sheet": result,
            "form": form,
            "area": area,
            "columns": sheets.COLUMNS,
            "xlsx_query": query.urlencode(),
            "areas": Area.objects.for_user(request.user, "areas.view")
            .filter(level__in=[Level.TOWNSHIP, Level.COUNTY, Level.VILLAGE])
            .order_by("path")[:200],
        },
    )


# --- The supervised list --------------------------------------------------------------------------


@login_required
def listed(request: HttpRequest) -> HttpResponse:
    """挂牌督办台账: major disputes on the list until crossed off, overdue ones first."""
    _need(request, "disputes.view")
    show = request.GET.get("show", "listed")
    rows = selectors.listings(request.user)
    if show != "all":
        rows = rows.filter(state="listed")
    rows = list(rows.order_by("state", "target_on", "pk")[:500])
    return render(
        request,
        "disputes/listed.html",
        {
            "title": "重大纠纷挂牌督办",
            "rows": rows,
            "show": show,
            "today": timezone.localdate(),
        },
    )


@login_required
def list_major(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    detail = selectors.detail_of_event(request.user, event)
    back = reverse("events:detail", args=[event.pk])
    if detail is None:
        raise Http404(NotFound.default_message)
    form = forms.ListForm(request.POST or None, event=event)
    done = submit(
        request,
        form,
        lambda d: services.list_major(detail, actor=request.user, **d),
        success="已挂牌督办。",
        next_url=reverse("disputes:listed"),
    )
    return done or _form_page(request, form, title="重大纠纷挂牌督办", back=back)


@login_required
def cross_off(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _get(MajorListing, request, "disputes.view", pk=pk)
    form = forms.CrossOffForm(
        request.POST or None,
        initial={"version": listing.version, "resolved_on": timezone.localdate()},
    )
    done = submit(
        request,
        form,
        lambda d: services.cross_off(listing, actor=request.user, **d),
        success="已验收销号。",
        next_url=reverse("disputes:listed"),
    )
    return done or _form_page(
        request, form, title="验收销号", back=reverse("disputes:listed"), listing=listing
    )
