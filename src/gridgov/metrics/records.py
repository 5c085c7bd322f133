"""The records behind a count, as its list page shows them and as they are exported.

`records_of` is the one place that turns (count, area, period, dimension value) into a queryset:
the list page (`metrics:records`), its Excel export (`metrics:records_export`) and the background
export job all call it, so a figure, its list and its file hold the same rows.

An export is of personal data (events name places and people, special populations are sensitive
by law): each one is written to the access log with its row count, columns and purpose, through
`core.exports` as the registry's exports are. Above `EXPORT_SYNC_LIMIT` rows the file is made by
a background job (handler "metrics.records_export") and offered on the user's task list.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from gridgov.areas.models import Area
from gridgov.core import exports
from gridgov.core.errors import Invalid, NotFound, NotPermitted
from gridgov.core.scoping import get_for_user_or_404
from gridgov.metrics import figures
from gridgov.metrics.figures import Count, Dimension, Period
from gridgov.metrics.forms import PeriodForm

JOB_HANDLER = "metrics.records_export"


def records_of(
    user: Any, figure: Count, area: Any, period: Period, dim: str = "", value: str = ""
) -> tuple[QuerySet, Dimension | None]:
    """The records of the count `figure` for (user, area, period), kept to the records whose
    dimension `dim` has `value` when `dim` is given. NotFound for a dimension the count does not
    have, Invalid for a value the dimension's field cannot take."""
    queryset = figure.records(user, area, period)
    if not dim:
        return queryset, None
    try:
        dimension = figures.group(figure.group).dimension(dim)
    except KeyError:
        raise NotFound("没有这种分类。") from None
    if not dimension.applies_to(figure.code):
        raise NotFound(f"“{figure.label}”不按{dimension.label}分类。")
    try:
        return dimension.filter(queryset, value), dimension
    except (ValueError, TypeError, ValidationError):
        raise Invalid("分类取值不正确。", field="value") from None


def _columns(figure: Count, queryset: QuerySet) -> list[exports.Column]:
    group = figures.group(figure.group)
    if group.export_columns is None:
        raise NotFound("这项统计的明细不能导出。")
    return [
        c if isinstance(c, exports.Column) else exports.Column(header=c[0], get=c[1])
        for c in group.export_columns(queryset.model)
    ]


def _prepared(figure: Count, queryset: QuerySet) -> QuerySet:
    group = figures.group(figure.group)
    return group.prepare_list(queryset) if group.prepare_list is not None else queryset


def filename(figure: Count, area: Any, period: Period) -> str:
    when = "当前" if figure.snapshot else f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return f"{figure.label}明细-{area.name}-{when}"


def can_export(figure: Count) -> bool:
    return figures.group(figure.group).export_columns is not None


def export_response(
    request: HttpRequest,
    figure: Count,
    area: Any,
    period: Period,
    queryset: QuerySet,
    params: dict[str, str],
) -> HttpResponse:
    """The XLSX file of `queryset` (the records of a list page), access-logged; above the
    synchronous limit a background job instead, and its progress page."""
    columns = _columns(figure, queryset)
    total = queryset.count()
    exports.check_size("xlsx", total)
    name = filename(figure, area, period)
    if total > exports.sync_limit():
        job = start_export_job(actor=request.user, figure=figure, params=params)
        messages.info(request, f"共 {total} 条记录,已转入后台导出,完成后可在“我的任务”中下载。")
        return redirect("jobs:detail", pk=job.pk)
    return exports.export_rows(
        request,
        rows=_prepared(figure, queryset),
        columns=columns,
        filename=name,
        fmt="xlsx",
        personal=True,
        purpose=f"导出{name}",
        action=figures.group(figure.group).action,
        row_count=total,
    )


def start_export_job(*, actor: Any, figure: Count, params: dict[str, str]) -> Any:
    """Queue the export of a records list as a background job of `actor`; the job selects the
    records again from `params` (area, start, end, dim, value) as the list page did."""
    from gridgov.core.jobs import start_job

    if figures.group(figure.group) not in figures.groups_for(actor):
        raise NotPermitted()
    return start_job(
        actor=actor,
        handler=JOB_HANDLER,
        title=f"导出{figure.label}明细(Excel)",
        params={"code": figure.code, **params},
    )


def run_export_job(job: Any, progress: Any) -> None:
    """Job handler "metrics.records_export": the owner's records of the count, into a file."""
    params = job.params
    user = job.owner
    try:
        figure = figures.get(params.get("code", ""))
    except KeyError:
        raise Invalid("这项统计已不存在。") from None
    if not isinstance(figure, Count) or figures.group(figure.group) not in figures.groups_for(user):
        raise NotPermitted("您已没有导出这些数据的权限。")
    area = get_for_user_or_404(Area, user, "areas.view", pk=params.get("area"))
    form = PeriodForm(params)
    if not form.is_valid() or not (params.get("start") and params.get("end")):
        raise Invalid("统计期不正确。")
    period = form.result
    queryset, _dimension = records_of(
        user, figure, area, period, params.get("dim", ""), params.get("value", "")
    )
    columns = _columns(figure, queryset)
    total = queryset.count()
    exports.check_size("xlsx", total)
    progress.tick(total=total, processed=0, succeeded=0, force=True)

    def tick(n: int) -> None:
        progress.tick(processed=n, succeeded=n)

    name = filename(figure, area, period)
    rows = _prepared(figure, queryset).iterator(chunk_size=2000)
    with tempfile.TemporaryFile() as out:
        count = exports.write_xlsx(out, rows, columns, title=name, tick=tick)
        out.seek(0)
        with transaction.atomic():
            exports.log_export(
                user,
                rows=queryset,
                row_count=count,
                columns=columns,
                purpose=f"导出{name}",
                action=figures.group(figure.group).action,
            )
            progress.save_file("output_file", f"{name}.xlsx", File(out, name=f"{name}.xlsx"))
    job.summary = {"lines": [["导出行数", count], ["格式", "Excel"], ["统计期", period.label]]}
    progress.tick(processed=count, succeeded=count, force=True)
