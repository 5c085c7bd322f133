"""Import of houses, people and units: messy real-world files, every validation rule, dry run,
error report, resume after an interruption, scoping, the command and the pages."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from gridgov.core import crypto, jobs
from gridgov.core.errors import Invalid, NotPermitted
from gridgov.core.models import Job, JobProblem
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import CJK
from gridgov.registry import imports, services
from gridgov.registry.models import Address, House, Person, Residence, Unit

pytestmark = pytest.mark.django_db(transaction=True)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(region: str, birth: str, order: int) -> str:
    """A valid 18-digit number: region (6), birth YYYYMMDD, order (3 digits; odd = male)."""
    body = f"{region}{birth}{order:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


MAN = make_id("330203", "19800101", 1)
WOMAN = make_id("330203", "19850315", 2)
GRANDPA = make_id("330203", "19450704", 13)
TENANT = make_id("420106", "19990909", 21)
LANDLORD = make_id("310101", "19700202", 33)
GRID_A1, GRID_B1 = "330203101201001", "330203102201001"


def _gbk_csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode("gbk") + b"\r\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(tmp_path, actor, kind, name, content, **options):
    path = tmp_path / name
    path.write_bytes(content)
    return imports.run_import(kind, path, filename=name, actor=actor, **options)


HOUSES_HEADER = ["网格编码", "街路巷/村组", "门牌号", "楼栋", "单元", "户室", "使用状况"]
HOUSES_HEADER += ["房主姓名", "房主公民身份号码", "建筑面积"]


def _houses_file() -> bytes:
    return _gbk_csv(
        [
            HOUSES_HEADER,
            [GRID_A1, "中山路", "1", "1", "1", "101", "自住", "", "", "89.5"],
            [GRID_A1, "中山路", "１", "1", "1", "102 ", "出租", "王房东", LANDLORD, ""],
            [],  # a blank row
            [GRID_A1, "中山路", "1", "1", "1", "101", "自住", "", "", ""],  # same as row 2
            [GRID_B1, "东街", "5", "", "", "", "自住", "", "", ""],  # not the officer's grid
            [GRID_A1, "中山路", "1", "1", "1", "103", "出租", "", "", ""],  # rental, no landlord
            [GRID_A1, "中山路", "", "", "", "", "自住", "", "", "大"],  # no door, bad area
        ]
    )


@pytest.fixture
def houses(world, tmp_path):
    return _import(tmp_path, world.officer_a1, "houses", "房屋.csv", _houses_file())


def test_houses_from_a_gbk_csv(world, houses):
    assert (houses.total, houses.created, houses.matched, houses.failed) == (6, 2, 0, 4)
    with unscoped("test"):
        canonical = sorted(Address.objects.values_list("canonical", flat=True))
        rental = House.objects.get(address__canonical="中山路1号1幢1单元102室")
    assert canonical == ["中山路1号1幢1单元101室", "中山路1号1幢1单元102室"]
    assert rental.occupancy == "rented" and rental.rental_use == "02"  # 住宅 → 住房
    assert rental.owner_name == "王房东" and rental.owner_id is None
    assert crypto.decrypt(rental.owner_id_token) == LANDLORD
    errors: dict[int, str] = {}
    for row, _, message in houses.errors:
        errors[row] = errors.get(row, "") + message
    assert "与第 2 行重复" in errors[5]
    assert "不在您的管辖范围内" in errors[6]
    assert "房东的姓名和公民身份号码" in errors[7]
    assert "地址不完整" in errors[8]
    assert any(column == "建筑面积" for row, column, _ in houses.errors if row == 8)
    for message in errors.values():
        assert CJK.search(message)


def test_importing_the_same_houses_again_matches_them(world, houses, tmp_path):
    again = _import(tmp_path, world.officer_a1, "houses", "房屋2.csv", _houses_file())
    assert (again.created, again.matched) == (0, 2)
    with unscoped("test"):
        assert House.objects.count() == 2


def _people_xlsx() -> bytes:
    header = ["*姓名", "公民身份号码", "性别", "出生日期(yyyy-mm-dd)", "民族", "联系电话"]
    header += ["人口类型", "网格编码", "现住地址", "居住类型"]
    address = "中山路1号1幢1单元101室"
    return _xlsx(
        [
            ["甲村实有人口登记表"],  # a title row above the header
            header,
            [
                "张三丰 ",
                MAN,
                "男",
                dt.date(1980, 1, 1),
                "汉族",
                13812345678,
                "户籍人口",
                GRID_A1,
                address,
                "自住",
            ],
            [
                "李四",
                WOMAN,
                "",
                "1985/3/15",
                "汉",
                "１３９１２３４５６７８",
                "户籍",
                GRID_A1,
                address,
                "",
            ],
            [None, None, None, None, None, None, None, None, None, None],
            ["王五", float(GRANDPA[:17] + "0"), "", "", "", "", "户籍人口", GRID_A1, address, ""],
            ["赵六", GRANDPA, "女", "", "", "", "户籍人口", GRID_A1, address, ""],  # sex wrong
            ["钱七", TENANT, "", "", "", "138123", "流动人口", GRID_A1, "中山路9号", "租住"],
            ["孙八", MAN, "", "", "", "", "户籍人口", GRID_A1, address, ""],  # same as row 3
            ["周九", "", "女", "2001年2月3日", "", "", "未落户人员", GRID_A1, address, "寄住"],
            ["吴十", "", "", "", "火星族", "", "户籍人口", GRID_A1, "", ""],
        ]
    )


def test_people_from_a_messy_xlsx(world, houses, tmp_path):
    outcome = _import(tmp_path, world.officer_a1, "people", "人口.xlsx", _people_xlsx())
    assert (outcome.total, outcome.created, outcome.failed) == (8, 3, 5)
    with unscoped("test"):
        zhang = Person.objects.get(name="张三丰")
        li = Person.objects.get(name="李四")
        zhou = Person.objects.get(name="周九")
        assert Residence.objects.filter(until__isnull=True).count() == 3
    assert zhang.id_hash == crypto.lookup_hash(MAN, "id") and MAN not in zhang.id_token
    assert zhang.id_masked.startswith("3302") and "*" in zhang.id_masked
    assert zhang.name_initials == "zsf" and zhang.phone_masked == "138****5678"
    assert (li.sex, li.birth_date, li.ethnicity) == ("2", dt.date(1985, 3, 15), "01")
    assert crypto.decrypt(li.phone_token) == "13912345678"  # full-width digits folded
    assert (zhou.id_hash, zhou.birth_date, zhou.sex) == ("", dt.date(2001, 2, 3), "2")
    errors: dict[int, list[str]] = {}
    for row, column, message in outcome.errors:
        errors.setdefault(row, []).append(f"{column}:{message}")
    assert "科学计数法" in " ".join(errors[6])  # the ID Excel stored as a number
    assert any(m.startswith("性别:") for m in errors[7])  # contradicts the number
    assert any("联系电话" in m for m in errors[8]) and any("中山路9号" in m for m in errors[8])
    assert any("与第 3 行重复" in m for m in errors[9])
    assert any("民族" in m and "火星族" in m for m in errors[11])
    assert any("户籍人口和流动人口须登记公民身份号码" in m for m in errors[11])


def test_error_report_lists_rows_with_their_values_and_reasons(world, houses, tmp_path):
    outcome = _import(tmp_path, world.officer_a1, "people", "人口.xlsx", _people_xlsx())
    job = outcome.job
    assert job.report_file
    with job.report_file.open("rb") as report:
        book = openpyxl.load_workbook(report, read_only=True)
    rows = list(book["有误的行"].iter_rows(values_only=True))
    assert rows[0][0] == "行号" and rows[0][1] == "*姓名" and rows[0][-1] == "原因"
    assert [r[0] for r in rows[1:]] == [6, 7, 8, 9, 11]
    by_row = {r[0]: r for r in rows[1:]}
    assert by_row[7][1] == "赵六" and "性别" in by_row[7][-1]


def test_an_id_number_on_file_is_matched_not_duplicated(world, houses, tmp_path):
    house = House.objects.for_user(world.officer_a1, "registry.view").first()
    services.register_person(
        actor=world.officer_a1,
        id_number=MAN,
        house=house,
        name="张三丰",
        residence_type="registered",
    )
    outcome = _import(tmp_path, world.officer_a1, "people", "人口.xlsx", _people_xlsx())
    assert outcome.matched == 1 and outcome.created == 2
    with unscoped("test"):
        assert Person.objects.filter(id_hash=crypto.lookup_hash(MAN, "id")).count() == 1
    matched = outcome.job.problems.get(level=JobProblem.Level.MATCHED)
    assert matched.row == 3 and "已登记" in matched.messages[0]


def test_dry_run_writes_nothing_and_reports_the_same(world, houses, tmp_path):
    before = LogEntry.objects.count()
    with unscoped("test"):
        people = Person.objects.count()
    outcome = _import(
        tmp_path, world.officer_a1, "people", "人口.xlsx", _people_xlsx(), dry_run=True
    )
    assert (outcome.created, outcome.failed) == (3, 5)
    with unscoped("test"):
        assert Person.objects.count() == people
    assert LogEntry.objects.count() == before
    assert "可新增" in outcome.job.message


def test_batches_are_audited(world, houses):
    entry = LogEntry.objects.filter(additional_data__action="registry.import.batch").get()
    assert entry.actor == world.officer_a1
    assert entry.changes["新增"] == ["", "2 条"]
    assert entry.additional_data["area_path"].startswith(world.village_a1.path)


def test_interrupted_import_resumes_without_duplicates(world, houses, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    real_insert = imports.insert_people
    calls = {"n": 0}

    def failing_second_batch(rows, run):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_insert(rows, run)

    monkeypatch.setitem(
        imports.KINDS,
        "people",
        imports.KINDS["people"].__class__(
            **{**imports.KINDS["people"].__dict__, "insert": failing_second_batch}
        ),
    )
    with pytest.raises(Exception, match="中断"):
        _import(tmp_path, world.officer_a1, "people", "人口.xlsx", _people_xlsx())
    job = Job.objects.get(handler=imports.HANDLER, params__kind="people")
    # Batches of two: rows 3–4 were inserted, 6–9 had nothing valid, 10–11 failed to insert.
    assert job.state == Job.State.FAILED and job.checkpoint["row"] == 9
    with unscoped("test"):
        assert Person.objects.count() == 2
    imports.run_import("people", job.params["path"], actor=world.officer_a1, job=_requeue(job))
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (job.succeeded, job.failed_rows, job.processed) == (3, 5, 8)
    with unscoped("test"):
        assert Person.objects.count() == 3
    assert job.problems.count() == 5  # none lost, none repeated


def _requeue(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    job.refresh_from_db()
    return job


def test_units_with_credit_codes(world, tmp_path):
    content = _gbk_csv(
        [
            ["单位名称", "单位类型", "统一社会信用代码", "网格编码", "单位地址", "从业人数"],
            ["宁波华力物流有限公司", "企业", "91330203148543546K", GRID_A1, "中山路1001号", "197"],
            ["坏代码公司", "企业", "91330203148543546X", GRID_A1, "中山路1002号", "3"],
            ["重复公司", "企业", "91330203148543546K", GRID_A1, "中山路1003号", "3"],
            ["小店", "商铺", "", GRID_A1, "中山路", "两个"],
        ]
    )
    outcome = _import(tmp_path, world.officer_a1, "units", "单位.csv", content)
    assert (outcome.created, outcome.failed) == (1, 3)
    with unscoped("test"):
        unit = Unit.objects.get()
    assert unit.address.canonical == "中山路1001号" and unit.headcount == 197
    columns: dict[int, set[str]] = {}
    messages: dict[int, str] = {}
    for row, column, message in outcome.errors:
        columns.setdefault(row, set()).add(column)
        messages[row] = messages.get(row, "") + message
    assert columns[3] == {"统一社会信用代码"}
    assert "与第 2 行是同一单位" in messages[4]
    assert columns[5] == {"单位地址", "从业人数"}  # no door number, and "两个" people


def test_a_user_without_the_import_right_cannot_import(world, tmp_path):
    with pytest.raises(NotPermitted):
        _import(tmp_path, world.worker_a1, "houses", "房屋.csv", _houses_file())


def test_file_level_errors_fail_the_job_with_a_chinese_message(world, tmp_path):
    with pytest.raises(Invalid, match="缺少必填列"):
        _import(tmp_path, world.officer_a1, "people", "人口.csv", _gbk_csv([["姓名", "电话"]]))


def test_command_line_import(world, tmp_path, capsys):
    path = tmp_path / "房屋.csv"
    path.write_bytes(_houses_file())
    report = tmp_path / "报告.xlsx"
    call_command("import", "houses", str(path), "--user", "officer_a1", "--report", str(report))
    out = capsys.readouterr().out
    assert "新增: 2" in out and "有误: 4" in out
    assert openpyxl.load_workbook(report)["有误的行"].max_row == 5


def test_template_is_an_xlsx_with_the_required_columns_marked(world, client):
    client.force_login(world.officer_a1)
    response = client.get(reverse("registry:import_template", args=["people"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert "*姓名" in header and "公民身份号码" in header and "*网格编码" in header
    assert sheet.cell(row=2, column=header.index("公民身份号码") + 1).number_format == "@"


def test_upload_page_dry_run_then_confirm(world, client):
    client.force_login(world.officer_a1)
    page = client.get(reverse("registry:import"))
    assert page.status_code == 200 and "试导入" in page.content.decode()
    upload = SimpleUploadedFile("房屋.csv", _houses_file(), content_type="text/csv")
    response = client.post(
        reverse("registry:import"), {"kind": "houses", "file": upload, "dry_run": "on"}
    )
    job = Job.objects.get(owner=world.officer_a1)
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    assert job.state == Job.State.DONE and job.dry_run and job.succeeded == 2
    detail = client.get(response["Location"]).content.decode()
    assert "确认导入有效的 2 行" in detail and "下载错误报告" in detail
    assert client.get(reverse("jobs:file", args=[job.pk, "report"])).status_code == 200
    with unscoped("test"):
        assert not House.objects.exists()
    client.post(reverse("registry:import_commit", args=[job.pk]))
    real = Job.objects.exclude(pk=job.pk).get()
    assert real.state == Job.State.DONE and real.succeeded == 2 and not real.dry_run
    with unscoped("test"):
        assert House.objects.count() == 2
    again = client.post(reverse("registry:import_commit", args=[job.pk]), follow=True)
    assert "已确认导入过" in again.content.decode()


def test_someone_elses_job_is_not_found(world, client, houses):
    job = Job.objects.get(owner=world.officer_a1)
    client.force_login(world.officer_a2)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:file", args=[job.pk, "report"])).status_code == 404


def test_import_page_is_hidden_from_grid_workers(world, client):
    client.force_login(world.worker_a1)
    assert client.get(reverse("registry:import")).status_code == 404


def test_cancel_and_resume_rules(world, houses):
    job = Job.objects.get(owner=world.officer_a1)
    with pytest.raises(Exception, match="无法取消"):
        jobs.cancel_job(job, actor=world.officer_a1)
    with pytest.raises(Exception, match="只有失败或中断"):
        jobs.resume_job(job, actor=world.officer_a1)
