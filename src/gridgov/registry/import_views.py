"""Import pages: upload a file (checked first by default), follow the job, confirm, templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gridgov.core.errors import DomainError
from gridgov.core.jobs import jobs_for
from gridgov.core.models import Job
from gridgov.core.scoping import jurisdiction
from gridgov.registry import imports
from gridgov.registry.forms import ImportForm


def _may_import(request: HttpRequest) -> None:
    if not jurisdiction(request.user).allows_anywhere("registry.import"):
        raise Http404


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.start_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=upload,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "文件已上传,正在后台处理。")
            return redirect("jobs:detail", pk=job.pk)
    recent = jobs_for(request.user).filter(kind=Job.Kind.IMPORT)[:10]
    kinds = [(name, kind.label) for name, kind in imports.KINDS.items()]
    return render(request, "registry/import.html", {"form": form, "recent": recent, "kinds": kinds})


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _may_import(request)
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(
        imports.template_xlsx(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{imports.KINDS[kind].label}导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real the file a finished dry run checked."""
    _may_import(request)
    checked = get_object_or_404(jobs_for(request.user), pk=pk, kind=Job.Kind.IMPORT)
    try:
        job = imports.commit_checked_import(checked, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("jobs:detail", pk=checked.pk)
    messages.success(request, "已开始导入。")
    return redirect(reverse("jobs:detail", args=[job.pk]))


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
