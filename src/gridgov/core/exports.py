"""Exports of a scoped, filtered list to CSV or Excel: the same rows the list page shows.

One function writes both formats (`export_rows`): CSV is streamed as it is read from the
database; XLSX is written row by row (openpyxl write-only) into a temporary file and sent from
there, so memory stays flat whatever the size. Exports that carry personal data are written to
the access log (one entry per export: row count, columns, purpose).

An app declares what its lists export as an `ExportSpec` (model, the action that scopes the rows,
the list's FilterSet, the columns, whether it is personal data) and registers it in `ready()`.
The page door (`export_view`) and the background job (handler "core.export") both build the rows
from the spec, so a file made in the background has exactly the rows and columns of one made on
the spot. Above `EXPORT_SYNC_LIMIT` rows (setting, default 5000) the page starts the job instead
and sends the user to its progress page; the file is then on the download list (/jobs/).

Masked by default: a column may have a `full` getter (the decrypted ID or phone number). Only a
user holding the spec's `reveal_action` over the area of *every* exported row may ask for it, and
must give a purpose; the access-log entry then names those columns and the purpose.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import IO, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import save_workbook

from gridgov.core.access_log import record_access
from gridgov.core.errors import DomainError, Invalid, NotPermitted
from gridgov.core.pages import add_domain_error
from gridgov.core.scoping import jurisdiction, path_prefix_q

DEFAULT_SYNC_LIMIT = 5000
FORMATS = {"csv": "CSV", "xlsx": "Excel"}
JOB_HANDLER = "core.export"
# Query-string keys that belong to the page, not to the list's filters.
_PAGE_KEYS = ("fmt", "page")
_CHUNK = 2000
# One sheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sync_limit() -> int:
    return int(getattr(settings, "EXPORT_SYNC_LIMIT", DEFAULT_SYNC_LIMIT))


# --- Columns and specs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One exported column. `get(row)` is the (masked) value everyone gets; `full(row)`, if any,
    the unmasked one. `text` keeps the value as text in Excel (ID numbers, codes, phones)."""

    header: str
    get: Callable[[Any], Any]
    full: Callable[[Any], Any] | None = None
    text: bool = False
    revealed: bool = False  # set on the resolved column when `get` is the unmasked value

    @property
    def logged_name(self) -> str:
        return f"{self.header}(完整)" if self.revealed else self.header


def _column(spec: Column | tuple[str, Callable[[Any], Any]]) -> Column:
    return spec if isinstance(spec, Column) else Column(header=spec[0], get=spec[1])


@dataclass(frozen=True)
class ExportSpec:
    """What one list exports. `action` scopes the rows (`for_user(user, action)`) and is the
    right to export at all; `prepare` adds joins and the order; `reveal_action` is the right a
    user needs over every row's area to get the `full` values of the columns that have them."""

    name: str
    title: str
    model: type
    action: str
    filterset: type
    columns: tuple[Column, ...]
    personal: bool = True
    reveal_action: str = ""
    reveal_label: str = "包含完整身份证号和电话"
    list_url: str = ""  # URL name of the list page, for the options page's way back
    prepare: Callable[[QuerySet], QuerySet] = field(default=lambda qs: qs)

    @property
    def revealable(self) -> bool:
        return bool(self.reveal_action) and any(c.full for c in self.columns)

    def columns_for(self, unmasked: bool) -> list[Column]:
        if not unmasked:
            return list(self.columns)
        return [
            Column(c.header, c.full, text=c.text, revealed=True) if c.full else c
            for c in self.columns
        ]

    def may_export(self, user: Any) -> bool:
        return jurisdiction(user).allows_anywhere(self.action)

    def may_reveal(self, user: Any) -> bool:
        """Whether to offer the unmasked option at all (each export still checks every row)."""
        return self.revealable and jurisdiction(user).allows_anywhere(self.reveal_action)

    def rows(self, user: Any, data: QueryDict, request: Any = None) -> QuerySet:
        """The rows `user` may export, filtered by the list's FilterSet with `data`."""
        queryset = self.prepare(self.model.objects.for_user(user, self.action))
        filterset = self.filterset(
            data or None, queryset=queryset, request=request or SimpleNamespace(user=user)
        )
        if filterset.is_bound and not filterset.is_valid():
            return queryset.none()
        return filterset.qs if filterset.is_bound else queryset


_specs: dict[str, ExportSpec] = {}


def register(spec: ExportSpec) -> None:
    """Make `spec` exportable (apps call this in ready())."""
    _specs[spec.name] = spec


def spec_for(name: str) -> ExportSpec:
    try:
        return _specs[name]
    except KeyError:
        raise Invalid("没有这种导出。") from None


def filter_query(data: QueryDict) -> str:
    """The list's filters from a query string, without the page's own keys."""
    query = data.copy()
    for key in _PAGE_KEYS:
        query.pop(key, None)
    return query.urlencode()


def check_size(fmt: str, total: int) -> None:
    if fmt == "xlsx" and total > XLSX_MAX_ROWS:
        raise Invalid(
            f"共 {total} 条记录,超过 Excel 一张表的上限({XLSX_MAX_ROWS} 行),"
            "请改用 CSV 或缩小筛选范围。",
            field="fmt",
        )


def check_reveal(spec: ExportSpec, user: Any, rows: QuerySet, purpose: str) -> None:
    """Refuse unmasked values unless `user` may reveal them in the area of every row."""
    if not spec.revealable:
        raise Invalid("该导出没有可显示完整号码的字段。")
    paths = jurisdiction(user).paths_for(spec.reveal_action)
    if paths is not None:
        if not paths:
            raise NotPermitted("您的角色不能导出完整号码,只能导出脱敏信息。")
        outside = rows.exclude(path_prefix_q(spec.model.scope_path_field, paths))
        if outside.exists():
            raise NotPermitted("所选记录中有您无权查看完整号码的,请缩小筛选范围或只导出脱敏信息。")
    if not purpose.strip():
        raise Invalid("导出完整号码须填写事由。", field="purpose")


# --- Writing ---------------------------------------------------------------------------------


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _plain(value: Any) -> Any:
    """A value as a spreadsheet cell takes it: no None, no booleans, no time zones."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _csv_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Any], columns: list[Column], tick: Callable[[int], None]):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel on Windows reads the file as UTF-8
    yield writer.writerow([c.header for c in columns])
    count = 0
    for row in rows:
        yield writer.writerow([_csv_value(c.get(row)) for c in columns])
        count += 1
        if count % 500 == 0:
            tick(count)
    tick(count)


def _xlsx_cell(sheet: Any, column: Column, value: Any) -> Any:
    value = _plain(value)
    if column.text and value != "":
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if column.text or value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # never a formula, never a number
            if column.text:
                cell.number_format = "@"
            return cell
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(
    out: IO[bytes],
    rows: Iterable[Any],
    columns: list[Column],
    *,
    title: str,
    tick: Callable[[int], None] = lambda n: None,
) -> int:
    """Write the rows as one sheet (bold, frozen header) into `out`; return the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(ILLEGAL_CHARACTERS_RE.sub("", title) or "导出")[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 22 if column.text else 14
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c, c.get(row)) for c in columns])
        count += 1
        if count % 500 == 0:
            tick(count)
    tick(count)
    save_workbook(workbook, out)  # openpyxl's writer; the workbook is write-only
    return count


def write_csv(
    out: IO[bytes],
    rows: Iterable[Any],
    columns: list[Column],
    tick: Callable[[int], None] = lambda n: None,
) -> int:
    count = 0

    def counting(n: int) -> None:
        nonlocal count
        count = n
        tick(n)

    for line in _csv_lines(rows, columns, counting):
        out.write(line.encode("utf-8"))
    return count


def _iterate(rows: Any) -> Iterator[Any]:
    return rows.iterator(chunk_size=_CHUNK) if isinstance(rows, QuerySet) else iter(rows)


def _common_path(rows: QuerySet, user: Any, action: str | None) -> str:
    """The deepest area path above every exported row, for the access log."""
    path_field = getattr(rows.model, "scope_path_field", None)
    if path_field:
        bounds = rows.order_by().aggregate(low=Min(path_field), high=Max(path_field))
        low, high = bounds["low"], bounds["high"]
        if low and high:
            common = ""
            for a, b in zip(low.split("/"), high.split("/"), strict=False):
                if a != b or not a:
                    break
                common += a + "/"
            return common or "/"
    paths = jurisdiction(user).paths_for(action) if action else None
    return paths[0] if paths else "/"


def log_export(
    user: Any,
    *,
    rows: QuerySet,
    row_count: int,
    columns: list[Column],
    purpose: str,
    action: str | None = None,
) -> None:
    record_access(
        user,
        kind="export",
        area_path=_common_path(rows, user, action),
        row_count=row_count,
        fields=[c.logged_name for c in columns],
        purpose=purpose,
    )


def export_rows(
    request: Any,
    *,
    rows: Any,
    columns: list[Column] | list[tuple[str, Callable[[Any], Any]]],
    filename: str,
    fmt: str = "csv",
    personal: bool = False,
    purpose: str = "",
    action: str | None = None,
    row_count: int | None = None,
) -> HttpResponse:
    """Send `rows` (already scoped and filtered) as a CSV (streamed) or XLSX file download.

    A personal export is access-logged first (one entry: row count, columns, purpose)."""
    if fmt not in FORMATS:
        raise Invalid("不支持的导出格式。", field="fmt")
    cols = [_column(c) for c in columns]
    if personal:
        count = row_count if row_count is not None else rows.count()
        log_export(
            request.user,
            rows=rows,
            row_count=count,
            columns=cols,
            purpose=purpose or filename,
            action=action,
        )
    name = f"{filename}-{_stamp()}.{fmt}"
    if fmt == "csv":
        lines = _csv_lines(_iterate(rows), cols, lambda n: None)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - closed by the response
    write_xlsx(spool, _iterate(rows), cols, title=filename)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_csv(
    request: Any,
    *,
    rows: Any,
    columns: list[tuple[str, Callable[[Any], Any]]],
    filename: str,
    action: str,
    personal: bool = False,
    purpose: str = "",
) -> HttpResponse:
    """Stream `rows` (already scoped and filtered) as a UTF-8 CSV that Excel opens correctly."""
    return export_rows(
        request,
        rows=rows,
        columns=columns,
        filename=filename,
        fmt="csv",
        personal=personal,
        purpose=purpose,
        action=action,
    )


# --- Background exports ----------------------------------------------------------------------


def job_title(spec: ExportSpec, fmt: str, unmasked: bool) -> str:
    return f"导出{spec.title}({FORMATS[fmt]}{',含完整号码' if unmasked else ''})"


def start_export_job(
    *, actor: Any, spec: ExportSpec, query: str, fmt: str, unmasked: bool, purpose: str
) -> Any:
    """Queue the export as a background job of `actor`; the job builds the rows again."""
    from gridgov.core.jobs import start_job

    if not spec.may_export(actor):
        raise NotPermitted()
    return start_job(
        actor=actor,
        handler=JOB_HANDLER,
        title=job_title(spec, fmt, unmasked),
        params={
            "model": spec.model._meta.label,
            "spec": spec.name,
            "query": query,
            "fmt": fmt,
            "unmasked": unmasked,
            "purpose": purpose,
        },
    )


def run_export_job(job: Any, progress: Any) -> None:
    """Job handler "core.export": the owner's rows, filtered as the page was, into a file."""
    params = job.params
    spec = spec_for(params.get("spec", ""))
    if params.get("model") != spec.model._meta.label:
        raise Invalid("导出类型已变更,请重新发起导出。")
    fmt = params.get("fmt", "csv")
    if fmt not in FORMATS:
        raise Invalid("不支持的导出格式。")
    user = job.owner
    if not spec.may_export(user):
        raise NotPermitted("您已没有导出这些数据的权限。")
    rows = spec.rows(user, QueryDict(params.get("query", "")))
    unmasked = bool(params.get("unmasked"))
    purpose = params.get("purpose", "")
    if unmasked:
        check_reveal(spec, user, rows, purpose)
    columns = spec.columns_for(unmasked)
    total = rows.count()
    check_size(fmt, total)
    progress.tick(total=total, processed=0, succeeded=0, force=True)

    def tick(n: int) -> None:
        progress.tick(processed=n, succeeded=n)

    name = f"{spec.title}-{_stamp()}.{fmt}"
    with tempfile.TemporaryFile() as out:
        if fmt == "xlsx":
            count = write_xlsx(out, _iterate(rows), columns, title=spec.title, tick=tick)
        else:
            count = write_csv(out, _iterate(rows), columns, tick=tick)
        out.seek(0)
        with transaction.atomic():
            if spec.personal:
                log_export(
                    user,
                    rows=rows,
                    row_count=count,
                    columns=columns,
                    purpose=purpose or spec.title,
                    action=spec.action,
                )
            progress.save_file("output_file", name, File(out, name=name))
    job.summary = {
        "lines": [
            ["导出行数", count],
            ["格式", FORMATS[fmt]],
            ["完整号码", "包含" if unmasked else "脱敏"],
        ]
    }
    progress.tick(processed=count, succeeded=count, force=True)


# --- The page door ---------------------------------------------------------------------------


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(
        label="文件格式",
        choices=[("xlsx", "Excel(.xlsx)"), ("csv", "CSV(.csv)")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    unmasked = forms.BooleanField(label="包含完整身份证号和电话", required=False)
    purpose = forms.CharField(
        label="事由",
        max_length=200,
        required=False,
        help_text="导出完整号码时必填,记入敏感信息访问记录。",
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, spec: ExportSpec, can_reveal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if can_reveal:
            self.fields["unmasked"].label = spec.reveal_label
        else:
            del self.fields["unmasked"]
            self.fields["purpose"].help_text = "选填,记入敏感信息访问记录。"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("unmasked") and not (data.get("purpose") or "").strip():
            self.add_error("purpose", "导出完整号码须填写事由。")
        return data


def export_context(request: HttpRequest, name: str, url: str) -> dict[str, Any]:
    """Context for a list page's export links (`includes/export_links.html`)."""
    spec = _specs.get(name)
    if spec is None or not spec.may_export(request.user):
        return {"export_url": ""}
    return {"export_url": url, "export_reveal": spec.may_reveal(request.user)}


def export_response(
    request: HttpRequest,
    spec: ExportSpec,
    *,
    query: str,
    fmt: str,
    unmasked: bool = False,
    purpose: str = "",
) -> HttpResponse:
    """The file now, or (above the limit) a background job and its progress page."""
    if fmt not in FORMATS:
        raise Invalid("不支持的导出格式。", field="fmt")
    user = request.user
    rows = spec.rows(user, QueryDict(query), request=request)
    if unmasked:
        check_reveal(spec, user, rows, purpose)
    total = rows.count()
    check_size(fmt, total)
    if total > sync_limit():
        job = start_export_job(
            actor=user, spec=spec, query=query, fmt=fmt, unmasked=unmasked, purpose=purpose
        )
        messages.info(request, f"共 {total} 条记录,已转入后台导出,完成后可在“我的任务”中下载。")
        return redirect("jobs:detail", pk=job.pk)
    return export_rows(
        request,
        rows=rows,
        columns=spec.columns_for(unmasked),
        filename=spec.title,
        fmt=fmt,
        personal=spec.personal,
        purpose=purpose,
        action=spec.action,
        row_count=total,
    )


@login_required
def export_view(request: HttpRequest, name: str) -> HttpResponse:
    """Export a list with its filters. GET ?fmt=csv|xlsx&<filters>: the masked file at once.
    GET without fmt: the options page (format, full numbers, purpose); its POST exports."""
    spec = _specs.get(name)
    if spec is None or not spec.may_export(request.user):
        raise Http404
    can_reveal = spec.may_reveal(request.user)
    if request.method == "POST":
        form = ExportForm(request.POST, spec=spec, can_reveal=can_reveal)
        if form.is_valid():
            data = form.cleaned_data
            try:
                return export_response(
                    request,
                    spec,
                    query=filter_query(QueryDict(data["query"])),
                    fmt=data["fmt"],
                    unmasked=bool(data.get("unmasked")),
                    purpose=data["purpose"].strip(),
                )
            except DomainError as error:
                add_domain_error(form, error)
        query = filter_query(QueryDict(request.POST.get("query", "")))
    elif "fmt" in request.GET:
        try:
            return export_response(
                request, spec, query=filter_query(request.GET), fmt=request.GET["fmt"]
            )
        except DomainError as error:
            messages.error(request, error.message)
            query = filter_query(request.GET)
            form = ExportForm(initial={"query": query}, spec=spec, can_reveal=can_reveal)
    else:
        query = filter_query(request.GET)
        form = ExportForm(initial={"query": query}, spec=spec, can_reveal=can_reveal)
    count = spec.rows(request.user, QueryDict(query), request=request).count()
    return render(
        request,
        "core/export_form.html",
        {
            "form": form,
            "spec": spec,
            "can_reveal": can_reveal,
            "count": count,
            "limit": sync_limit(),
            "back": (reverse(spec.list_url) + (f"?{query}" if query else ""))
            if spec.list_url
            else "",
        },
    )
