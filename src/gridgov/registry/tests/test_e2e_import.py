"""Browser journey: a village officer imports houses and people, checks first, downloads the error
report, confirms, and finds the people imported (desktop, then the import page on a phone)."""

from __future__ import annotations

import openpyxl
import pytest

from gridgov.core.testing.personas import build_world
from gridgov.core.tests.test_e2e_navigation import DESKTOP, PHONE, _login, _shot, browser
from gridgov.registry.tests.test_imports import _houses_file, _people_xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
__all__ = ["browser"]  # the fixture, shared with the navigation journeys


def _upload(page, live_server, kind: str, path, *, dry_run: bool) -> None:
    page.goto(f"{live_server.url}/registry/import/")
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(path))
    if not dry_run:
        page.uncheck("#id_dry_run")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=job-state] >> text=已完成")


def test_village_officer_imports_with_a_dry_run_and_an_error_report(browser, live_server, tmp_path):
    build_world()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, "officer_a1")

    page.click("nav.sidebar >> text=批量导入")
    _shot(page, "import-desktop-page")
    template = page.request.get(f"{live_server.url}/registry/import/template/people/")
    assert template.status == 200, template.text()[:500]
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")

    houses = tmp_path / "甲村房屋.csv"
    houses.write_bytes(_houses_file())
    _upload(page, live_server, "houses", houses, dry_run=True)
    assert "可新增 2 条" in page.content() and "有误 4 行" in page.content()
    _shot(page, "import-desktop-dry-run")
    with page.expect_download() as report:
        page.click('#job-progress a:has-text("下载错误报告")')
    assert report.value.suggested_filename.endswith(".xlsx")
    with open(report.value.path(), "rb") as stream:
        sheet = openpyxl.load_workbook(stream)["有误的行"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [5, 6, 7, 8]
    assert "重复" in sheet.cell(row=2, column=sheet.max_column).value

    page.click("text=确认导入有效的 2 行")
    page.wait_for_selector("[data-testid=job-state] >> text=已完成")
    assert "新增 2 条" in page.content()

    people = tmp_path / "甲村人口.xlsx"
    people.write_bytes(_people_xlsx())
    _upload(page, live_server, "people", people, dry_run=False)
    assert "新增 3 条" in page.content() and "有误 5 行" in page.content()
    _shot(page, "import-desktop-people-done")

    page.goto(f"{live_server.url}/registry/people/?q=zsf")
    page.wait_for_selector("#results >> text=张三丰")
    page.goto(f"{live_server.url}/jobs/")
    assert page.locator("main tbody tr").count() == 3
    _shot(page, "import-desktop-jobs")
    assert not errors, errors
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone.new_page()
    _login(page, live_server, "officer_a1")
    page.goto(f"{live_server.url}/registry/import/")
    _shot(page, "import-phone-page")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    page.goto(f"{live_server.url}/jobs/")
    _shot(page, "import-phone-jobs")
    phone.close()
