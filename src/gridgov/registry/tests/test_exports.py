"""Registry list exports (CSV and Excel): scoped, filtered, masked unless revealed with a purpose,
access-logged, and moved to a background job above the size limit."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.core.access_log import AccessEntry
from gridgov.core.models import Job
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import make_user
from gridgov.registry import services

pytestmark = pytest.mark.django_db

ZHANG = "11010519491231002X"  # female, 1949-12-31
LI = "33020319800101001X"  # male, 1980-01-01
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """GB 11643: the check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


WANG = id_number("33020319900315002")  # 330203199003150029, female 1990-03-15
ZHAO = id_number("33020320010720003")  # 330203200107200030, male 2001-07-20

PEOPLE_URL = reverse("registry:people_export")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _house(world, worker, grid, street):
    address = services.create_address(actor=worker, grid=grid, street=street, door_no="1号")
    return services.create_house(actor=worker, address=address, occupancy="self")


@pytest.fixture
def people(world):
    """Three people in township A (two villages), one in township B."""
    house_a1 = _house(world, world.worker_a1, world.grid_a1, "沿河路")
    house_a2 = _house(world, world.worker_a2, world.grid_a2, "乙村路")
    house_b1 = _house(world, world.worker_b1, world.grid_b1, "丙村路")

    def register(worker, house, number, name, phone, kind="registered"):
        return services.register_person(
            actor=worker,
            id_number=number,
            house=house,
            name=name,
            residence_type=kind,
            phone=phone,
        )

    return {
        "zhang": register(world.worker_a1, house_a1, ZHANG, "张三丰", "13812345678"),
        "wang": register(world.worker_a1, house_a1, WANG, "王小红", "13900001111", "floating"),
        "zhao": register(world.worker_a2, house_a2, ZHAO, "赵大山", "13700002222"),
        "li": register(world.worker_b1, house_b1, LI, "李四", "13600003333"),
    }


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _sheet_rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _exports() -> list[AccessEntry]:
    with unscoped("test: read the access log"):
        return list(AccessEntry.objects.filter(kind="export").order_by("pk"))


def _names(rows: list[list]) -> set[str]:
    return {row[0] for row in rows[1:]}


# --- Scoping and filters -----------------------------------------------------------------------


def test_township_a_user_never_gets_township_b_rows(world, people):
    rows = _csv(_client(world.center_a).get(PEOPLE_URL, {"fmt": "csv"}))
    assert rows[0][:2] == ["姓名", "公民身份号码"]
    assert _names(rows) == {"张三丰", "王小红", "赵大山"}
    rows_b = _csv(_client(world.center_b).get(PEOPLE_URL, {"fmt": "csv"}))
    assert _names(rows_b) == {"李四"}
    # Asking for township B's area by filter finds nothing rather than B's rows.
    rows = _csv(
        _client(world.center_a).get(PEOPLE_URL, {"fmt": "csv", "within": world.township_b.pk})
    )
    assert _names(rows) <= {"张三丰", "王小红", "赵大山"}
    assert "李四" not in _names(rows)


def test_export_applies_the_list_filters(world, people):
    client = _client(world.center_a)
    rows = _csv(client.get(PEOPLE_URL, {"fmt": "csv", "residence_type": "floating"}))
    assert _names(rows) == {"王小红"}
    rows = _csv(client.get(PEOPLE_URL, {"fmt": "csv", "within": world.village_a2.pk}))
    assert _names(rows) == {"赵大山"}
    rows = _csv(client.get(PEOPLE_URL, {"fmt": "csv", "q": ZHANG}))
    assert _names(rows) == {"张三丰"}


def test_officer_exports_only_their_village(world, people):
    rows = _csv(_client(world.officer_a1).get(PEOPLE_URL, {"fmt": "csv"}))
    assert _names(rows) == {"张三丰", "王小红"}


def test_without_the_export_right_there_is_no_export(world, people):
    """Exporting basic data is registry.import: a grid worker sees the list, not the button."""
    client = _client(world.worker_a1)
    assert client.get(PEOPLE_URL, {"fmt": "csv"}).status_code == 404
    assert client.get(PEOPLE_URL).status_code == 404
    page = client.get(reverse("registry:people")).content.decode()
    assert "people/export/" not in page
    assert _exports() == []


def test_list_pages_link_exports_that_follow_the_filters(world, people):
    client = _client(world.center_a)
    for name in ("people", "houses", "units", "addresses"):
        page = client.get(reverse(f"registry:{name}")).content.decode()
        assert f"/registry/{name}/export/?fmt=xlsx" in page
        assert f"/registry/{name}/export/?fmt=csv" in page
    # The htmx partial (what a filter change swaps in) carries the filters in its links.
    partial = client.get(
        reverse("registry:people"), {"residence_type": "floating"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "/registry/people/export/?residence_type=floating&amp;fmt=xlsx" in partial
    assert "含完整号码导出" in partial
    # No full-number option for a user who may not reveal.
    partial = _client(world.officer_a1).get(reverse("registry:people")).content.decode()
    assert "/registry/people/export/?fmt=csv" in partial and "含完整号码导出" not in partial


# --- Masking -----------------------------------------------------------------------------------


def test_export_is_masked_by_default_and_logged(world, people):
    response = _client(world.center_a).get(PEOPLE_URL, {"fmt": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet = _xlsx(b"".join(response.streaming_content))
    rows = _sheet_rows(sheet)
    header = rows[0]
    id_col, phone_col = header.index("公民身份号码"), header.index("联系方式")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"张三丰", "王小红", "赵大山"}
    assert by_name["张三丰"][id_col] == "1101**********002X"
    assert by_name["张三丰"][phone_col] == "138****5678"
    assert by_name["张三丰"][header.index("现住址")] == "沿河路1号"
    text = repr(rows)
    for number in (ZHANG, WANG, ZHAO, "13812345678"):
        assert number not in text
    (entry,) = _exports()
    assert entry.user == world.center_a and entry.row_count == 3
    assert "公民身份号码" in entry.fields and "公民身份号码(完整)" not in entry.fields
    # Logged under the deepest area above every row: township A.
    assert entry.area_path == world.township_a.path


def test_xlsx_header_is_bold_and_frozen_and_numbers_stay_text(world, people):
    response = _client(world.admin).post(
        PEOPLE_URL, {"fmt": "xlsx", "unmasked": "on", "purpose": "户籍核对", "query": ""}
    )
    sheet = _xlsx(b"".join(response.streaming_content))
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    header = [c.value for c in sheet[1]]
    id_col = header.index("公民身份号码") + 1
    cells = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=id_col) for r in range(2, 6)
    }
    assert set(cells) == {"张三丰", "王小红", "赵大山", "李四"}
    wang = cells["王小红"]
    # An all-digit ID number stays text: no 3.30203E+17, no lost digits.
    assert wang.value == WANG and wang.data_type == "s" and wang.number_format == "@"


def test_full_numbers_with_reveal_right_and_purpose(world, people):
    client = _client(world.center_a)
    page = client.get(PEOPLE_URL, {"residence_type": "registered"}).content.decode()
    assert "包含完整身份证号和电话" in page and "事由" in page
    assert 'data-testid="export-count">2<' in page
    response = client.post(
        PEOPLE_URL,
        {
            "fmt": "csv",
            "unmasked": "on",
            "purpose": "入户走访核对",
            "query": "residence_type=registered",
        },
    )
    rows = _csv(response)
    header = rows[0]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"张三丰", "赵大山"}
    assert by_name["张三丰"][header.index("公民身份号码")] == ZHANG
    assert by_name["张三丰"][header.index("联系方式")] == "13812345678"
    assert by_name["赵大山"][header.index("公民身份号码")] == ZHAO
    (entry,) = _exports()
    assert entry.purpose == "入户走访核对" and entry.row_count == 2
    assert "公民身份号码(完整)" in entry.fields and "联系方式(完整)" in entry.fields


def test_full_numbers_need_a_purpose(world, people):
    response = _client(world.center_a).post(
        PEOPLE_URL, {"fmt": "csv", "unmasked": "on", "purpose": "  ", "query": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "导出完整号码须填写事由" in page
    assert _exports() == []


def test_without_reveal_right_no_option_and_never_full_numbers(world, people):
    client = _client(world.officer_a1)
    page = client.get(PEOPLE_URL).content.decode()
    assert "包含完整身份证号和电话" not in page
    # A forged tick is ignored: the field does not exist for this user.
    rows = _csv(
        client.post(PEOPLE_URL, {"fmt": "csv", "unmasked": "on", "purpose": "x", "query": ""})
    )
    text = repr(rows)
    assert ZHANG not in text and WANG not in text and "1101**********002X" in text
    (entry,) = _exports()
    assert not any(f.endswith("(完整)") for f in entry.fields)


def test_full_numbers_only_if_the_right_covers_every_row(world, people):
    """Reveal right over township A, export right over A and village B1: all rows together
    are refused; narrowed to A, allowed."""
    user = make_user(world, "mixed_user", "混合权限")
    accounts.grant_membership(
        user, actor=world.system, role=Role.CENTER_STAFF, area=world.township_a
    )
    accounts.grant_membership(
        user, actor=world.system, role=Role.VILLAGE_OFFICER, area=world.village_b1
    )
    client = _client(user)
    response = client.post(
        PEOPLE_URL, {"fmt": "csv", "unmasked": "on", "purpose": "核对", "query": ""}
    )
    assert response.status_code == 200
    assert "无权查看完整号码" in response.content.decode()
    assert _exports() == []
    rows = _csv(
        client.post(
            PEOPLE_URL,
            {
                "fmt": "csv",
                "unmasked": "on",
                "purpose": "核对",
                "query": f"within={world.township_a.pk}",
            },
        )
    )
    assert _names(rows) == {"张三丰", "王小红", "赵大山"}
    assert ZHANG in repr(rows)
    # Masked, everything in reach.
    assert _names(_csv(client.get(PEOPLE_URL, {"fmt": "csv"}))) == {
        "张三丰",
        "王小红",
        "赵大山",
        "李四",
    }


# --- Other lists -------------------------------------------------------------------------------


def test_houses_units_and_addresses_export(world, people):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="工业路", door_no="8号"
    )
    services.create_unit(
        actor=world.worker_a1,
        address=address,
        name="甲村五金厂",
        unit_type="enterprise",
        legal_rep_name="钱老板",
        legal_rep_phone="13588889999",
    )
    client = _client(world.center_a)
    houses = _csv(client.get(reverse("registry:houses_export"), {"fmt": "csv"}))
    assert {row[0] for row in houses[1:]} == {"沿河路1号", "乙村路1号"}
    units = _sheet_rows(
        _xlsx(
            b"".join(
                client.get(reverse("registry:units_export"), {"fmt": "xlsx"}).streaming_content
            )
        )
    )
    assert units[1][0] == "甲村五金厂"
    assert "135****9999" in units[1] and "13588889999" not in units[1]
    addresses = _csv(client.get(reverse("registry:addresses_export"), {"fmt": "csv", "q": "工业"}))
    assert [row[0] for row in addresses[1:]] == ["工业路8号"]
    # Houses and units carry names (logged); standard addresses do not.
    assert [e.row_count for e in _exports()] == [2, 1]
    rows_b = _csv(_client(world.center_b).get(reverse("registry:houses_export"), {"fmt": "csv"}))
    assert {row[0] for row in rows_b[1:]} == {"丙村路1号"}


# --- Background exports ------------------------------------------------------------------------


@override_settings(EXPORT_SYNC_LIMIT=2)
def test_big_export_runs_as_a_background_job(world, people, django_capture_on_commit_callbacks):
    client = _client(world.center_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PEOPLE_URL, {"fmt": "xlsx", "within": world.township_a.pk})
    assert response.status_code == 302
    match = re.fullmatch(r"/jobs/(\d+)/", response.url)
    assert match
    job = Job.objects.get(pk=int(match.group(1)))
    assert job.owner == world.center_a and job.handler == "core.export" and job.kind == "export"
    assert job.params["spec"] == "registry.people"
    assert job.params["model"] == "registry.Person"
    assert job.params["query"] == f"within={world.township_a.pk}"
    assert job.state == Job.State.DONE, job.message
    assert job.total == 3 and job.processed == 3 and job.succeeded == 3
    assert job.output_name.endswith(".xlsx")
    assert ["导出行数", 3] in job.summary["lines"]
    with job.output_file.open("rb") as f:
        rows = _sheet_rows(_xlsx(f.read()))
    assert _names(rows) == {"张三丰", "王小红", "赵大山"}
    assert ZHANG not in repr(rows)
    (entry,) = _exports()
    assert entry.user == world.center_a and entry.row_count == 3
    # The progress page offers the file; the download list has it; only the owner gets it.
    assert "下载结果文件" in client.get(response.url).content.decode()
    assert f"/jobs/{job.pk}/file/output/" in client.get(reverse("jobs:list")).content.decode()
    download = client.get(reverse("jobs:file", args=[job.pk, "output"]))
    assert download.status_code == 200
    other = _client(world.center_b).get(reverse("jobs:file", args=[job.pk, "output"]))
    assert other.status_code == 404


@override_settings(EXPORT_SYNC_LIMIT=1)
def test_background_export_with_full_numbers_and_filter(
    world, people, django_capture_on_commit_callbacks
):
    client = _client(world.center_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PEOPLE_URL,
            {
                "fmt": "csv",
                "unmasked": "on",
                "purpose": "专项排查",
                "query": "residence_type=registered",
            },
        )
    assert response.status_code == 302
    job = Job.objects.get(owner=world.center_a)
    assert job.state == Job.State.DONE, job.message
    assert job.params["unmasked"] is True and job.params["purpose"] == "专项排查"
    with job.output_file.open("rb") as f:
        text = f.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert _names(rows) == {"张三丰", "赵大山"}
    assert ZHANG in text and ZHAO in text and WANG not in text
    (entry,) = _exports()
    assert entry.purpose == "专项排查" and entry.row_count == 2
    assert "公民身份号码(完整)" in entry.fields


@override_settings(EXPORT_SYNC_LIMIT=0)
def test_background_job_rows_are_the_owners(world, people, django_capture_on_commit_callbacks):
    """The job builds the rows again for its owner: township B's staff get township B only."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.center_b).get(PEOPLE_URL, {"fmt": "csv"})
    assert response.status_code == 302
    job = Job.objects.get(owner=world.center_b)
    assert job.state == Job.State.DONE, job.message
    assert job.total == 1 and job.output_name.endswith(".csv")
    with job.output_file.open("rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))
    assert _names(rows) == {"李四"}


def test_a_bad_format_shows_the_options_page(world, people):
    response = _client(world.center_a).get(PEOPLE_URL, {"fmt": "pdf"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "不支持的导出格式" in page and "导出实有人口" in page
    assert _exports() == []
