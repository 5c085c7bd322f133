"""Home page, health check, and the audit and access-log pages."""

from __future__ import annotations

import django_filters
from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from gridgov.core.audit_codes import all_codes
from gridgov.core.errors import DomainError
from gridgov.core.home import home_context
from gridgov.core.jobs import cancel_job, job_result_context, jobs_for, resume_job
from gridgov.core.models import AccessEntry
from gridgov.core.pages import render_list
from gridgov.core.scoping import jurisdiction


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", home_context(request.user))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def audit_entries_for(user) -> Q | None:
    """The audit entries `user` may read: those whose area path lies in their audit jurisdiction."""
    paths = jurisdiction(user).paths_for("core.view_audit")
    if paths is None:
        return Q()
    if not paths:
        return None
    # A JSON value is text in the database's own collation, so no range here: a prefix match is
    # right under any collation (this filter is not indexed either way).
    condition = Q()
    for path in paths:
        condition |= Q(additional_data__area_path__startswith=path)
    return condition


class AuditFilterSet(django_filters.FilterSet):
    action_code = django_filters.ChoiceFilter(label="操作", method="filter_action_code", choices=[])
    object_repr = django_filters.CharFilter(label="对象", lookup_expr="icontains")
    actor = django_filters.CharFilter(label="操作人", method="filter_actor")
    since = django_filters.DateFilter(
        label="起始日期", field_name="timestamp", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label="截止日期", field_name="timestamp", lookup_expr="date__lte"
    )

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action_code"].extra["choices"] = sorted(all_codes().items())

    def filter_action_code(self, queryset, name, value):
        return queryset.filter(additional_data__action=value)

    def filter_actor(self, queryset, name, value):
        return queryset.filter(
            Q(actor__username__icontains=value) | Q(actor__full_name__icontains=value)
        )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    condition = audit_entries_for(request.user)
    if condition is None:
        raise Http404
    entries = LogEntry.objects.filter(condition).select_related("actor", "content_type")
    return render_list(
        request,
        queryset=entries.order_by("-timestamp"),
        filterset_class=AuditFilterSet,
        template="core/audit_list.html",
        partial="core/_audit_table.html",
        context={"codes": all_codes()},
    )


class AccessFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=AccessEntry.Kind.choices)
    user_repr = django_filters.CharFilter(label="用户", lookup_expr="icontains")
    since = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AccessEntry
        fields: list[str] = []


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    if not jurisdiction(request.user).allows_anywhere("core.view_access_log"):
        raise Http404
    return render_list(
        request,
        queryset=AccessEntry.objects.for_user(request.user, "core.view_access_log"),
        filterset_class=AccessFilterSet,
        template="core/access_list.html",
        partial="core/_access_table.html",
    )


# --- Background jobs (imports, big exports): progress and downloads -----------------------------


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's own jobs, newest first: the download list."""
    page = Paginator(jobs_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(jobs_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "resume":
                resume_job(job, actor=request.user)
                messages.success(request, "任务已重新排队,将从中断处继续。")
            elif request.POST.get("do") == "cancel":
                cancel_job(job, actor=request.user)
                messages.success(request, "任务已取消。")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("jobs:detail", pk=job.pk)
    context = {"job": job, "result": job_result_context(job)}
    if request.htmx:
        return render(request, "core/_job_progress.html", context)
    return render(request, "core/job_detail.html", context)


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """A job's file, to its owner only. Exports were logged when they were made."""
    job = get_object_or_404(jobs_for(request.user), pk=pk)
    fields = {"input": "input_file", "output": "output_file", "report": "report_file"}
    if which not in fields or not getattr(job, fields[which]):
        raise Http404
    stored = getattr(job, fields[which])
    names = {"input": job.input_name, "output": job.output_name}
    name = names.get(which) or f"错误报告-{job.pk}.xlsx"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)
