"""The township's monthly summary (月度汇总) and quarterly report (季度报告) of dispute screening
and mediation: one row per village (community), built from the villages' screening reports and
the dispute records, never typed. Each cell is a registered figure (disputes/metrics.py)
evaluated for that village and period, so the sheet, the statistics page and its record lists
agree; the total row is the same figures for the whole area. Export to XLSX in the layout a
township files (per village: found, settled, success rate, major ones)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from openpyxl.styles import Font

from gridgov.core import xlsx
from gridgov.disputes import metrics, selectors
from gridgov.metrics.figures import Evaluator, Period

KINDS = {"month": "月度汇总", "quarter": "季度报告"}

# (key, header) of the sheet's columns, in order.
COLUMNS = [
    ("due", "应报期数"),
    ("filed", "已报期数"),
    ("on_time", "按时上报"),
    ("zero", "零报告"),
    ("missing", "缺报期数"),
    ("found", "排查发现纠纷"),
    ("registered", "登记纠纷"),
    ("concluded", "调处结束"),
    ("succeeded", "调处成功"),
    ("rate", "调处成功率(%)"),
    ("major", "重大纠纷"),
    ("listed_open", "挂牌督办在办"),
]


@dataclass
class SheetRow:
    area: Any
    due: int = 0
    filed: int = 0
    on_time: int = 0
    zero: int = 0
    missing: int = 0
    found: int = 0
    registered: int = 0
    concluded: int = 0
    succeeded: int = 0
    rate: float | None = None
    major: int = 0
    listed_open: int = 0
    major_events: list[Any] = field(default_factory=list)

    def cells(self) -> list[Any]:
        return [getattr(self, key) for key, _ in COLUMNS]

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.2f}"


@dataclass
class Sheet:
    area: Any
    kind: str
    period: Period
    rows: list[SheetRow]
    total: SheetRow

    @property
    def title(self) -> str:
        if self.kind == "quarter":
            quarter = (self.period.start.month - 1) // 3 + 1
            when = f"{self.period.start.year}年第{quarter}季度"
        else:
            when = f"{self.period.start.year}年{self.period.start.month}月"
        return f"{self.area.name}矛盾纠纷排查调处{KINDS[self.kind]}({when})"


def period_of(kind: str, day: dt.date, as_of: dt.datetime | None = None) -> Period:
    """The calendar month or quarter holding `day`."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    unit = Period.preset(kind, as_of=noon)
    return Period(unit.start, unit.end, as_of or timezone.now())


def _row(user: Any, area: Any, period: Period, *, village: bool) -> SheetRow:
    figures = Evaluator(user, area, period)
    row = SheetRow(area=area)
    for key in ("found", "registered", "concluded", "succeeded", "major", "listed_open"):
        setattr(row, key, figures(f"disputes.{key}").value)
    row.rate = figures("disputes.success_rate").value
    row.major_events = list(
        metrics.major(user, area, period).select_related("grid", "dispute", "dispute__owner")
    )
    windows = (
        {area: metrics.due_windows(area, period)}
        if village
        else metrics.village_windows(user, area, period)
    )
    filed = {(r.area_id, r.period_start): r for r in metrics.reports_filed(user, area, period)}
    for place, due in windows.items():
        for window in due:
            row.due += 1
            report = filed.get((place.pk, window.start))
            if report is None:
                row.missing += 1
                continue
            row.filed += 1
            row.on_time += report.on_time
            row.zero += report.is_zero
    return row


def build_sheet(user: Any, area: Any, kind: str, period: Period) -> Sheet:
    """The sheet of `area` (a township, or any area above villages) for the month or quarter."""
    rows = [_row(user, v, period, village=True) for v in selectors.visible_villages(user, area)]
    total = _row(user, area, period, village=area.level == "village")
    return Sheet(area=area, kind=kind, period=period, rows=rows, total=total)


# --- XLSX --------------------------------------------------------------------------------------


def write_xlsx(sheet: Sheet, *, prepared_by: str = "") -> bytes:
    """The sheet as a township files it: title, unit and period, one row per village, the total,
    the formulas; a second sheet lists the major disputes."""
    book, ws = xlsx.new_workbook(sheet.title, fallback=KINDS[sheet.kind])
    out = xlsx.ReportWriter(ws, width=len(COLUMNS) + 2)
    out.title(sheet.title)
    made = timezone.localtime(sheet.period.as_of)
    out.text(
        f"填报单位:{sheet.area.name}    统计期:{sheet.period.label}    "
        f"制表时间:{made:%Y-%m-%d %H:%M}" + (f"    制表人:{prepared_by}" if prepared_by else "")
    )
    out.header([("序号", ()), ("村(社区)", ()), *[(label, ()) for _, label in COLUMNS]])
    formats = [None, None, *["0.00" if key == "rate" else None for key, _ in COLUMNS]]
    for number, row in enumerate(sheet.rows, 1):
        out.row([number, row.area.name, *row.cells()], formats=formats)
    out.row(["合计", "", *sheet.total.cells()], bold=True, formats=formats)
    notes = [
        "说明:1. 本表由系统根据各村(社区)排查报告与纠纷调处记录自动生成,不可手工填写。",
        "2. 调处成功率 = 调处成功 ÷ 调处结束 × 100%(以调结日期计);无调处结束时为空。",
        "3. 应报期数为统计期内排查期止日且已过应报日期的期数;缺报期数 = 应报期数 − 已报期数。",
        "4. 排查发现纠纷为首次列入排查报告的纠纷;重大纠纷为统计期内登记并研判为重大的纠纷。",
    ]
    out.blank()
    for text in notes:
        out.text(text)
    out.widths([6, 18, *[11] * len(COLUMNS)])
    out.freeze(rows=3, columns=2)

    majors = book.create_sheet("重大纠纷")
    header = ["序号", "村(社区)", "案件编码", "纠纷", "类别", "规模", "涉及人数", "包案人", "状态"]
    for column, text in enumerate(header, 1):
        majors.cell(1, column, text).font = Font(bold=True)
    names = {r.area.path: r.area.name for r in sheet.rows}
    line = 2
    for number, event in enumerate(sheet.total.major_events, 1):
        detail = getattr(event, "dispute", None)
        village = next((n for p, n in names.items() if event.area_path.startswith(p)), "")
        owner = detail.owner if detail is not None else None
        values = [
            number,
            village,
            event.code,
            xlsx.safe(event.title),
            detail.get_subcategory_display() if detail else "",
            detail.get_scale_display() if detail else "",
            detail.people_count if detail else "",
            (owner.full_name or owner.username) if owner else "",
            event.get_state_display(),
        ]
        for column, value in enumerate(values, 1):
            majors.cell(line, column, value)
        line += 1
    for column, size in zip("ABCDEFGHI", (6, 14, 16, 30, 24, 14, 9, 10, 10), strict=True):
        majors.column_dimensions[column].width = size

    return xlsx.workbook_bytes(book)
