"""The export mechanism (core/exports.py): CSV and XLSX writing, export specs, the rule for
unmasked values, the access log, and the background job "core.export". Uses areas as the
exported list, so nothing here depends on a domain app's own specs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.areas.filters import AreaFilterSet
from gridgov.areas.models import Area
from gridgov.core import exports
from gridgov.core.access_log import AccessEntry
from gridgov.core.errors import Invalid, NotPermitted
from gridgov.core.exports import Column, ExportSpec
from gridgov.core.jobs import start_job
from gridgov.core.models import Job
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import make_user

pytestmark = pytest.mark.django_db


def _entries() -> list[AccessEntry]:
    with unscoped("test: read the access log"):
        return list(AccessEntry.objects.filter(kind="export").order_by("pk"))


@pytest.fixture
def spec():
    """Areas as an export, with a made-up "full" column only area managers may have."""
    spec = ExportSpec(
        name="test.areas",
        title="测试区域",
        model=Area,
        action="areas.view",
        filterset=AreaFilterSet,
        personal=True,
        reveal_action="areas.manage",
        reveal_label="包含内部编号",
        prepare=lambda rows: rows.order_by("path"),
        columns=(
            Column("区域代码", lambda a: a.code, text=True),
            Column("名称", lambda a: a.name),
            Column("内部编号", lambda a: "***", full=lambda a: f"内部-{a.code}"),
        ),
    )
    exports.register(spec)
    yield spec
    exports._specs.pop(spec.name, None)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


ROWS = [
    SimpleNamespace(
        name='=HYPERLINK("http://x")',
        number="330203199003150029",
        amount=Decimal("12.50"),
        flag=True,
        day=dt.date(2026, 3, 1),
        at=timezone.make_aware(dt.datetime(2026, 3, 1, 8, 30)),
        none=None,
    ),
    SimpleNamespace(
        name="王小红", number="", amount=None, flag=False, day=None, at=None, none=None
    ),
]
COLUMNS = [
    Column("姓名", lambda r: r.name),
    Column("号码", lambda r: r.number, text=True),
    ("金额", lambda r: r.amount),
    ("是否", lambda r: r.flag),
    ("日期", lambda r: r.day),
    ("时间", lambda r: r.at),
    ("空", lambda r: r.none),
]


# --- Writing -----------------------------------------------------------------------------------


def test_csv_is_streamed_with_bom_and_no_formulas(world):
    response = exports.export_rows(
        _request(world.admin), rows=ROWS, columns=COLUMNS, filename="测试", fmt="csv"
    )
    assert response.streaming
    assert "filename*=utf-8''" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["姓名", "号码", "金额", "是否", "日期", "时间", "空"]
    assert rows[1] == [
        '\'=HYPERLINK("http://x")',
        "330203199003150029",
        "12.50",
        "是",
        "2026-03-01",
        "2026-03-01 08:30:00",
        "",
    ]
    assert rows[2][:4] == ["王小红", "", "", "否"]
    assert _entries() == []  # not personal: not logged


def test_xlsx_opens_with_typed_cells_and_text_numbers(world):
    response = exports.export_rows(
        _request(world.admin), rows=ROWS, columns=COLUMNS, filename="测试", fmt="xlsx"
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "测试" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["姓名", "号码", "金额", "是否", "日期", "时间", "空"]
    assert all(c.font.b for c in sheet[1])
    name, number, amount, flag, day, at, _ = sheet[2]
    assert name.value == '=HYPERLINK("http://x")' and name.data_type == "s"  # not a formula
    assert number.value == "330203199003150029" and number.number_format == "@"
    assert amount.value == 12.5 and flag.value == "是"
    assert day.value == dt.datetime(2026, 3, 1)
    assert at.value == dt.datetime(2026, 3, 1, 8, 30)  # local time, as Excel has no zones
    assert sheet.max_row == 3


def test_unknown_format_is_refused(world):
    with pytest.raises(Invalid):
        exports.export_rows(
            _request(world.admin), rows=ROWS, columns=COLUMNS, filename="x", fmt="pdf"
        )


def test_personal_export_is_logged_under_the_rows_common_area(world):
    rows = Area.objects.for_user(world.admin, "areas.view").filter(
        path__startswith=world.village_a1.path
    )
    response = exports.export_rows(
        _request(world.admin),
        rows=rows,
        columns=[("代码", lambda a: a.code)],
        filename="区域",
        personal=True,
        purpose="检查",
    )
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 1 + rows.count()
    (entry,) = _entries()
    assert entry.kind == "export" and entry.row_count == 3 and entry.purpose == "检查"
    assert entry.fields == ["代码"] and entry.area_path == world.village_a1.path


def test_area_exports_still_work(world):
    client = Client()
    client.force_login(world.leader_a)
    response = client.get(reverse("areas:export"), {"level": "village"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "甲村" in text and "乙村" in text and "丙村" not in text
    response = client.get(reverse("areas:assignment_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "甲网格员" in text and "丙网格员" not in text
    (entry,) = _entries()
    assert entry.user == world.leader_a and entry.row_count == 2


# --- Specs and the unmasked rule ---------------------------------------------------------------


def test_spec_rows_are_scoped_and_filtered(world, spec):
    from django.http import QueryDict

    codes = {a.code for a in spec.rows(world.leader_a, QueryDict("level=village"))}
    assert codes == {"330203101201", "330203101202"}
    assert {a.code for a in spec.rows(world.admin, QueryDict("level=village"))} == {
        "330203101201",
        "330203101202",
        "330203102201",
    }
    # An invalid filter exports nothing rather than everything.
    assert not spec.rows(world.leader_a, QueryDict("level=nonsense")).exists()


def test_unmasked_needs_the_right_over_every_row_and_a_purpose(world, spec):
    from django.http import QueryDict

    rows = spec.rows(world.admin, QueryDict(""))
    exports.check_reveal(spec, world.admin, rows, "核对")
    with pytest.raises(Invalid, match="事由"):
        exports.check_reveal(spec, world.admin, rows, " ")
    rows = spec.rows(world.leader_a, QueryDict(""))
    with pytest.raises(NotPermitted):
        exports.check_reveal(spec, world.leader_a, rows, "核对")
    assert spec.may_reveal(world.admin) and not spec.may_reveal(world.leader_a)
    full = spec.columns_for(True)
    assert full[2].revealed and full[2].logged_name == "内部编号(完整)"
    assert full[2].get(world.township_a) == "内部-330203101"


def test_sync_limit_setting():
    assert exports.sync_limit() == 5000
    with override_settings(EXPORT_SYNC_LIMIT=10):
        assert exports.sync_limit() == 10


# --- Background job ----------------------------------------------------------------------------


def test_export_job_writes_the_file_with_progress_and_logs_it(
    world, spec, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export_job(
            actor=world.leader_a,
            spec=spec,
            query="level=village",
            fmt="xlsx",
            unmasked=False,
            purpose="",
        )
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.kind == "export" and job.title == "导出测试区域(Excel)"
    assert (job.total, job.processed, job.succeeded) == (2, 2, 2)
    assert job.summary["lines"][0] == ["导出行数", 2]
    with job.output_file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [
        ["区域代码", "名称", "内部编号"],
        ["330203101201", "甲村", "***"],
        ["330203101202", "乙村", "***"],
    ]
    (entry,) = _entries()
    assert entry.user == world.leader_a and entry.row_count == 2
    assert entry.area_path == world.township_a.path and entry.purpose == "测试区域"


def test_export_job_with_full_values(world, spec, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export_job(
            actor=world.admin,
            spec=spec,
            query=f"within={world.township_b.pk}",
            fmt="csv",
            unmasked=True,
            purpose="核对编号",
        )
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    with job.output_file.open("rb") as f:
        text = f.read().decode("utf-8-sig")
    assert "内部-330203102201" in text and "内部-330203101" not in text
    (entry,) = _entries()
    assert entry.purpose == "核对编号" and "内部编号(完整)" in entry.fields


def test_export_job_refuses_what_the_owner_may_not(world, spec, django_capture_on_commit_callbacks):
    with pytest.raises(NotPermitted):
        exports.start_export_job(
            actor=make_user(world, "nobody"),
            spec=spec,
            query="",
            fmt="csv",
            unmasked=False,
            purpose="",
        )
    with django_capture_on_commit_callbacks(execute=True):
        unmasked = exports.start_export_job(
            actor=world.leader_a, spec=spec, query="", fmt="csv", unmasked=True, purpose="看看"
        )
        unknown = start_job(
            actor=world.leader_a,
            handler="core.export",
            title="导出",
            params={"spec": "no.such", "fmt": "csv"},
        )
    unmasked.refresh_from_db()
    unknown.refresh_from_db()
    assert unmasked.state == Job.State.FAILED and "完整号码" in unmasked.message
    assert not unmasked.output_file
    assert unknown.state == Job.State.FAILED and unknown.message == "没有这种导出。"
    assert _entries() == []


def test_xlsx_refuses_more_rows_than_a_sheet_holds(world, spec, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    with pytest.raises(Invalid, match="CSV"):
        exports.export_response(_request(world.leader_a), spec, query="", fmt="xlsx")
    response = exports.export_response(_request(world.leader_a), spec, query="", fmt="csv")
    assert response.status_code == 200
