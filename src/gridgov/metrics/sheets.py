"""The township's monthly and quarterly statistics sheet (综治工作统计表) that it sends up.

One row per village (community) of the township the user may see, one column per key figure of
every module the user may see (the group's `key`, its title over its columns), and a 合计 row
that is the township's own figures, computed for the township as a whole, never a sum of the
rows (a rate of the township is its counts' rate, not the sum or mean of its villages' rates).
Every value is a registered figure (`metrics.figures`), so the sheet, the statistics pages and
the record lists agree; the village values come from `figures.by_area` (one grouped query per
count). The targets that apply (`metrics.targets`) give a 目标 row and mark the values that miss
theirs. Written to XLSX with `core.xlsx`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core import xlsx
from gridgov.metrics import figures
from gridgov.metrics.figures import Average, Evaluator, Figure, Group, Period, Rate, Result
from gridgov.metrics.models import Target
from gridgov.metrics.targets import targets_for_areas

KINDS = {"month": "月报", "quarter": "季报"}
NAME = "综治工作统计表"


@dataclass(frozen=True)
class Column:
    group: Group
    figure: Figure

    @property
    def header(self) -> str:
        """The figure's label with its unit ("满意率(%)"); a snapshot is marked "*"."""
        unit = {"rate": "(%)", "average": f"({self.figure.unit})"}.get(self.figure.kind, "")
        return f"{self.figure.label}{unit}{'*' if self.figure.snapshot else ''}"

    @property
    def number_format(self) -> str | None:
        if isinstance(self.figure, Rate):
            return "0.00"
        if isinstance(self.figure, Average):
            return "0.0"
        return None


@dataclass
class Cell:
    column: Column
    result: Result
    # The target that applies to the row's area for this figure, if any.
    target: Target | None = None
    # The records list of a count (set by the page).
    url: str = ""

    @property
    def display(self) -> str:
        return self.result.display

    @property
    def met(self) -> bool | None:
        """Whether the value reaches its target; None without a target or a value."""
        return None if self.target is None else self.target.met(self.result.value)

    @property
    def missed(self) -> bool:
        return self.met is False


@dataclass
class Row:
    area: Area
    cells: list[Cell]
    is_total: bool = False
    # The statistics page of the row's area for the period (set by the page).
    url: str = ""


@dataclass
class Sheet:
    area: Area
    kind: str
    year: int
    number: int
    period: Period
    columns: list[Column]
    rows: list[Row]
    total: Row
    # The township's targets, per column (None where none applies): the 目标 row.
    targets: list[Target | None] = field(default_factory=list)

    @property
    def when(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年{self.number}月"

    @property
    def title(self) -> str:
        return f"{self.area.name} {self.when} {NAME}"

    @property
    def groups(self) -> list[tuple[Group, int]]:
        """Each group with the number of its columns, in order (the merged header)."""
        spans: list[tuple[Group, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] is column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    @property
    def has_targets(self) -> bool:
        return any(t is not None for t in self.targets) or any(
            cell.target is not None for row in self.rows for cell in row.cells
        )

    @property
    def has_snapshots(self) -> bool:
        return any(column.figure.snapshot for column in self.columns)

    @property
    def missed(self) -> int:
        """How many values of the sheet (the 合计 row included) miss their target."""
        return sum(cell.missed for row in [*self.rows, self.total] for cell in row.cells)


def period_for(kind: str, year: int, number: int, *, as_of: dt.datetime | None = None) -> Period:
    """The calendar month (`number` 1–12) or quarter (1–4) of `year`."""
    if kind == "month":
        if not 1 <= number <= 12:
            raise ValueError("month out of range")
        first = dt.date(year, number, 1)
    elif kind == "quarter":
        if not 1 <= number <= 4:
            raise ValueError("quarter out of range")
        first = dt.date(year, number * 3 - 2, 1)
    else:
        raise ValueError(f"unknown sheet kind {kind!r}")
    unit = Period.preset(kind, as_of=timezone.make_aware(dt.datetime.combine(first, dt.time(12))))
    return Period(unit.start, unit.end, as_of or timezone.now())


def key_codes(group: Group) -> tuple[str, ...]:
    """A group's headline figures: its `key`, or its breakdown when it names none."""
    return tuple(group.key or group.breakdown)


def columns_for(user: Any) -> list[Column]:
    """The key figures of every group `user` may see, group by group."""
    return [
        Column(group, figures.get(code))
        for group in figures.groups_for(user)
        for code in key_codes(group)
    ]


def townships_for(user: Any) -> Any:
    """The townships (streets) whose sheet `user` may view: where they hold metrics.report."""
    return (
        Area.objects.for_user(user, "metrics.report")
        .filter(level=Level.TOWNSHIP)
        .active()
        .order_by("path")
    )


def villages_of(user: Any, township: Area) -> Any:
    """The township's active villages and communities that `user` may see, in code order."""
    return (
        Area.objects.for_user(user, "areas.view")
        .filter(parent_id=township.pk, level=Level.VILLAGE)
        .active()
        .order_by("path")
    )


def build_sheet(
    user: Any,
    township: Area,
    kind: str,
    year: int,
    number: int,
    *,
    as_of: dt.datetime | None = None,
) -> Sheet:
    """The sheet of `township` for month or quarter `number` of `year`, as `user` sees it.

    The caller has checked that `user` may view the township's sheet (`townships_for`)."""
    period = period_for(kind, year, number, as_of=as_of)
    columns = columns_for(user)
    codes = [column.figure.code for column in columns]
    villages = list(villages_of(user, township))
    values = figures.by_area(user, township, villages, period, codes)
    own = Evaluator(user, township, period).values(codes)
    targets = targets_for_areas([township, *villages])

    def row(area: Area, results: dict[str, Result], *, total: bool = False) -> Row:
        applying = targets[area.pk]
        cells = [
            Cell(column, results[column.figure.code], applying.get(column.figure.code))
            for column in columns
        ]
        return Row(area, cells, is_total=total)

    return Sheet(
        area=township,
        kind=kind,
        year=year,
        number=number,
        period=period,
        columns=columns,
        rows=[row(village, values[village.pk]) for village in villages],
        total=row(township, own, total=True),
        targets=[targets[township.pk].get(code) for code in codes],
    )


# --- XLSX -----------------------------------------------------------------------------------------


def _cell_value(cell: Cell) -> Any:
    """A number as a number (Excel can sum and chart it), "—" where there is none."""
    value = cell.result.value
    if value is None:
        return "—"
    if isinstance(cell.column.figure, Rate):
        return round(value, 2)
    if isinstance(cell.column.figure, Average):
        return round(value, 1)
    return value


def notes(sheet: Sheet) -> list[str]:
    """The footnotes of the sheet, shared by the page and the file."""
    lines = [
        "本表由系统根据各村(社区)的业务记录自动生成,不可手工填写;合计为全镇(街道)整体计算的数值,"
        "比率不是各村比率之和或平均。",
        "比率 = 分子 ÷ 分母 × 100%,分母为 0 时记“—”;各项口径见“统计指标”页面的说明。",
    ]
    if sheet.has_snapshots:
        lines.append("带“*”的为制表时的时点数,不随统计期变化。")
    if sheet.has_targets:
        lines.append(
            "目标行为适用于本镇(街道)的目标;村(社区)另设目标的按其自身目标判断。"
            "标红的数值未达到目标。"
        )
    return lines


def write_xlsx(sheet: Sheet, *, prepared_by: str = "") -> bytes:
    """The sheet as the township files it: title, period, the two-row header (module over its
    figures), the 目标 row, one row per village, the 合计 row, notes, and the 填报单位 and date."""
    book, ws = xlsx.new_workbook(sheet.title, fallback=f"{sheet.when}{KINDS[sheet.kind]}")
    out = xlsx.ReportWriter(ws, width=len(sheet.columns) + 2)
    out.title(sheet.title)
    made = timezone.localtime(sheet.period.as_of)
    out.text(f"统计期:{sheet.period.label}    制表时间:{made:%Y-%m-%d %H:%M}")
    groups = iter(sheet.columns)
    header: list[tuple[str, list[str]]] = [("序号", []), ("村(社区)", [])]
    for group, span in sheet.groups:
        header.append((group.title, [next(groups).header for _ in range(span)]))
    header_end = out.header(header)
    if sheet.has_targets:
        out.row(["", "目标", *[t.label if t else "" for t in sheet.targets]], text_columns=2)
    formats = [None, None, *[c.number_format for c in sheet.columns]]
    for number, row in enumerate(sheet.rows, 1):
        out.row(
            [number, row.area.name, *[_cell_value(c) for c in row.cells]],
            formats=formats,
            missed=[False, False, *[c.missed for c in row.cells]],
        )
    out.row(
        ["合计", sheet.area.name, *[_cell_value(c) for c in sheet.total.cells]],
        bold=True,
        formats=formats,
        missed=[False, False, *[c.missed for c in sheet.total.cells]],
    )
    out.blank()
    for index, text in enumerate(notes(sheet), 1):
        out.text(f"{'说明:' if index == 1 else ''}{index}. {text}")
    out.blank()
    out.text(
        f"填报单位:{sheet.area.name}(盖章)    填报日期:{made:%Y年%m月%d日}"
        + (f"    制表人:{prepared_by}" if prepared_by else ""),
        bold=True,
    )
    out.widths([6, 16, *[max(10.0, min(16.0, 2.2 * len(c.header) + 1)) for c in sheet.columns]])
    out.freeze(rows=header_end + (1 if sheet.has_targets else 0), columns=2)
    return xlsx.workbook_bytes(book)
