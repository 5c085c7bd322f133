"""The township's monthly sheet and the dispute figures against a hand-computed fixture, and the
XLSX export of the same sheet.

October 2026, township A (横街镇). Weeks ending in October: 10-04, 10-11, 10-18, 10-25.

    甲村 (weekly)
      report week ending 10-04 (filed 10-05, on time): D1, D2
      report week ending 10-11 (filed 10-12, on time): zero report
      report week ending 10-18 (filed 10-22, late):    D2 again, unstable factors
      week ending 10-25: missing
      D1 reported 10-01; mediation 10-02 → agreement 10-20 (within the month's norm)
      D2 reported 10-03, major; mediation 10-05 → failed 10-28
    乙村 (monthly, set on the village)
      report October (filed 11-01, due 11-01, on time): D3
      D3 reported 10-08; mediation 10-10 → agreement 11-03 (November)
    丙村 (township B): D9 reported 10-02, mediation → agreement 10-09 (other township)

By hand, October:
    甲村: due 4, filed 3, on time 2, zero 1, missing 1, found 2, registered 2, concluded 2,
          succeeded 1, rate 50.00, major 1
    乙村: due 1, filed 1, on time 1, zero 0, missing 0, found 1, registered 1, concluded 0,
          succeeded 0, rate —, major 0
    total: due 5, filed 4, on time 3, zero 1, missing 1, found 3, registered 3, concluded 2,
           succeeded 1, rate 50.00, major 1
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gridgov.disputes import services, sheets
from gridgov.disputes.tests.support import dispute_event
from gridgov.events.tests.support import TZ
from gridgov.metrics.figures import Evaluator, Period

AS_OF = dt.datetime(2026, 11, 10, 12, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def _dispute(world, clock, when, grid, actor, *, major=False, subcategory="0201"):
    clock.set(when)
    event = dispute_event(world, actor=actor, grid=grid, days_back=0)
    detail = services.record_dispute(
        event, actor=actor, subcategory=subcategory, scale="01", people_count=2, is_major=major
    )
    return event, detail


def _mediate(world, clock, detail, actor, start, end, *, success=True):
    clock.set(start)
    row = services.start_mediation(
        detail,
        actor=actor,
        committee="village",
        organisation="人民调解委员会",
        method="0103",
        mediators=[world.mediator_a] if detail.area_path.startswith(world.township_a.path) else [],
        other_mediators="" if detail.area_path.startswith(world.township_a.path) else "老调解员",
    )
    if end is None:
        return row
    clock.set(end)
    if success:
        return services.conclude_agreement(
            row, actor=actor, version=row.version, agreement_form="written", agreement_text="协议"
        )
    return services.record_failure(
        row, actor=actor, version=row.version, failure_route="litigation", note="告知起诉"
    )


@pytest.fixture
def october(autumn):
    world, clock = autumn
    a1, a2 = world.officer_a1, world.officer_a2
    services.set_screening_period(world.village_a2, actor=world.center_a, period="month")
    d1, d1x = _dispute(world, clock, at(10, 1), world.grid_a1, a1)
    d2, d2x = _dispute(world, clock, at(10, 3), world.grid_a1, a1, major=True)
    d3, d3x = _dispute(world, clock, at(10, 8), world.grid_a2, a2)
    _d9, d9x = _dispute(world, clock, at(10, 2), world.grid_b1, world.center_b)
    _mediate(world, clock, d1x, a1, at(10, 2), None)
    _mediate(world, clock, d2x, a1, at(10, 5), None)
    clock.set(at(10, 5, 18))
    services.file_screening_report(
        actor=a1, area=world.village_a1, day=dt.date(2026, 10, 1), disputes=[d1, d2]
    )
    clock.set(at(10, 12, 9))
    services.file_screening_report(
        actor=a1, area=world.village_a1, day=dt.date(2026, 10, 8), is_zero=True
    )
    _mediate(world, clock, d3x, a2, at(10, 10), None)
    _mediate(world, clock, d9x, world.center_b, at(10, 3), at(10, 9))
    clock.set(at(10, 20))
    m1 = d1x.mediations.model._base_manager.get(dispute=d1x)
    services.conclude_agreement(
        m1, actor=a1, version=m1.version, agreement_form="written", agreement_text="协议"
    )
    clock.set(at(10, 22))
    services.file_screening_report(
        actor=a1,
        area=world.village_a1,
        day=dt.date(2026, 10, 15),
        disputes=[d2],
        unstable_factors="征地补偿分歧",
    )
    clock.set(at(10, 28))
    m2 = d2x.mediations.model._base_manager.get(dispute=d2x)
    services.record_failure(
        m2, actor=a1, version=m2.version, failure_route="litigation", note="已告知可起诉"
    )
    clock.set(at(11, 1, 20))
    services.file_screening_report(
        actor=a2, area=world.village_a2, day=dt.date(2026, 10, 20), disputes=[d3]
    )
    clock.set(at(11, 3))
    m3 = d3x.mediations.model._base_manager.get(dispute=d3x)
    services.conclude_agreement(
        m3, actor=a2, version=m3.version, agreement_form="oral", agreement_text="口头协议"
    )
    clock.set(AS_OF)
    return world


EXPECTED = {
    "甲村": {
        "due": 4,
        "filed": 3,
        "on_time": 2,
        "zero": 1,
        "missing": 1,
        "found": 2,
        "registered": 2,
        "concluded": 2,
        "succeeded": 1,
        "rate": 50.0,
        "major": 1,
        "listed_open": 0,
    },
    "乙村": {
        "due": 1,
        "filed": 1,
        "on_time": 1,
        "zero": 0,
        "missing": 0,
        "found": 1,
        "registered": 1,
        "concluded": 0,
        "succeeded": 0,
        "rate": None,
        "major": 0,
        "listed_open": 0,
    },
    "合计": {
        "due": 5,
        "filed": 4,
        "on_time": 3,
        "zero": 1,
        "missing": 1,
        "found": 3,
        "registered": 3,
        "concluded": 2,
        "succeeded": 1,
        "rate": 50.0,
        "major": 1,
        "listed_open": 0,
    },
}


def _values(row) -> dict:
    return {key: getattr(row, key) for key, _ in sheets.COLUMNS}


def test_monthly_sheet_matches_the_hand_computed_figures(october):
    world = october
    sheet = sheets.build_sheet(
        world.center_a, world.township_a, "month", sheets.period_of("month", dt.date(2026, 10, 1))
    )
    assert sheet.title == "横街镇矛盾纠纷排查调处月度汇总(2026年10月)"
    assert [r.area.name for r in sheet.rows] == ["甲村", "乙村"]
    assert _values(sheet.rows[0]) == EXPECTED["甲村"]
    assert _values(sheet.rows[1]) == EXPECTED["乙村"]
    assert _values(sheet.total) == EXPECTED["合计"]
    assert [e.title for e in sheet.total.major_events] == ["两户村民因排水沟堵塞发生争执"]


def test_quarterly_sheet_adds_the_other_months(october):
    world = october
    sheet = sheets.build_sheet(
        world.center_a,
        world.township_a,
        "quarter",
        sheets.period_of("quarter", dt.date(2026, 10, 1)),
    )
    # Q4 as of 11-10: 甲村 weeks ending 10-04 … 11-08 (6 due; 11-01, 11-08 missing too),
    # 乙村 October only (November not yet due); D3's agreement of 11-03 now counts.
    assert (sheet.total.due, sheet.total.missing) == (7, 3)
    assert (sheet.total.concluded, sheet.total.succeeded) == (3, 2)
    assert round(sheet.total.rate, 2) == 66.67


def test_a_village_officer_sees_only_his_village_and_township_b_nothing_of_a(october):
    world = october
    period = sheets.period_of("month", dt.date(2026, 10, 1))
    own = sheets.build_sheet(world.officer_a1, world.township_a, "month", period)
    assert [r.area.name for r in own.rows] == ["甲村"]
    other = sheets.build_sheet(world.center_b, world.township_b, "month", period)
    assert other.total.concluded == 1 and other.total.succeeded == 1
    assert sheets.build_sheet(world.center_b, world.township_a, "month", period).rows == []


def test_each_count_equals_its_records(october):
    world = october
    from gridgov.metrics.figures import Count, figures

    period = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31), AS_OF)
    for area in (world.township_a, world.village_a1, world.district):
        evaluate = Evaluator(world.leader_a, area, period)
        for figure in figures("disputes"):
            if isinstance(figure, Count):
                assert evaluate(figure.code).value == evaluate.records(figure.code).count()
    rate = Evaluator(world.leader_a, world.township_a, period)("disputes.success_rate")
    assert rate.value == 50.0
    assert (
        Evaluator(world.leader_a, world.township_a, period)("disputes.screening_rate").value == 50.0
    )


def test_xlsx_export_has_the_township_layout(october):
    world = october
    sheet = sheets.build_sheet(
        world.center_a, world.township_a, "month", sheets.period_of("month", dt.date(2026, 10, 1))
    )
    book = load_workbook(io.BytesIO(sheets.write_xlsx(sheet, prepared_by="甲中心")))
    ws = book.worksheets[0]
    assert ws.cell(1, 1).value == sheet.title
    headers = [c.value for c in ws[3]]
    assert headers[:2] == ["序号", "村(社区)"]
    assert "调处成功率(%)" in headers and "排查发现纠纷" in headers and "重大纠纷" in headers
    rows = {ws.cell(r, 2).value: [c.value for c in ws[r]] for r in range(4, 6)}
    col = {h: i for i, h in enumerate(headers)}
    assert rows["甲村"][col["排查发现纠纷"]] == 2
    assert rows["甲村"][col["调处成功率(%)"]] == 50.0
    assert rows["乙村"][col["调处成功率(%)"]] is None
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[col["调处结束"]] == 2
    assert book.worksheets[1].title == "重大纠纷"
    assert book.worksheets[1].cell(2, 2).value == "甲村"
