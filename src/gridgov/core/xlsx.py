"""Formatted report sheets (报表) as XLSX: the small, printed-looking table a township files.

`core.exports` streams long lists of records (one header row, write-only, thousands of rows);
this writes one page top-down with openpyxl's normal workbook: a title, lines of particulars, a
header of one or two rows (a group title merged over its columns), bordered rows of values, a
total, footnotes, frozen panes and column widths. The disputes sheets (disputes/sheets.py) and
the township's statistics sheet (metrics/sheets.py) are written with it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import save_workbook

# A cell starting with one of these would be run by a spreadsheet as a formula.
FORMULA_START = ("=", "+", "-", "@")
_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# A value that misses its target: dark red on light red, readable in black and white print too
# (the sheet's note says what the colour means, and the page marks it in words).
MISSED_FONT = Font(color="9C0006", bold=True)
MISSED_FILL = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
HEADER_FILL = PatternFill(fill_type="solid", start_color="EEF1F4", end_color="EEF1F4")


def safe(value: Any) -> Any:
    """A value as a cell may hold it: text a spreadsheet would run as a formula is written as
    plain text, and characters XLSX cannot store are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def sheet_title(text: str, fallback: str) -> str:
    """A worksheet name: at most 31 characters and none of []:*?/\\ ."""
    cleaned = "".join(ch for ch in ILLEGAL_CHARACTERS_RE.sub("", text) if ch not in "[]:*?/\\")
    return cleaned if 0 < len(cleaned) <= 31 else fallback[:31]


class ReportWriter:
    """Writes one worksheet `width` columns wide, line by line from the top."""

    def __init__(self, worksheet: Any, *, width: int) -> None:
        self.ws = worksheet
        self.width = width
        self.line = 0
        self._texts: list[tuple[int, str]] = []  # full-width lines, sized to their text

    def _merge(self, row: int, column: int, end_row: int, end_column: int) -> None:
        if (row, column) != (end_row, end_column):
            self.ws.merge_cells(
                start_row=row, start_column=column, end_row=end_row, end_column=end_column
            )

    def title(self, text: str) -> int:
        """The sheet's title, large and bold, centred over the full width."""
        self.line += 1
        cell = self.ws.cell(self.line, 1, safe(text))
        cell.font = Font(bold=True, size=14)
        cell.alignment = CENTER
        self._merge(self.line, 1, self.line, self.width)
        self.ws.row_dimensions[self.line].height = 26
        return self.line

    def text(self, text: str, *, bold: bool = False) -> int:
        """A line of text over the full width (particulars, a note, the footer)."""
        self.line += 1
        cell = self.ws.cell(self.line, 1, safe(text))
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if bold:
            cell.font = Font(bold=True)
        self._merge(self.line, 1, self.line, self.width)
        self._texts.append((self.line, text))
        return self.line

    def blank(self) -> int:
        self.line += 1
        return self.line

    def _header_cell(self, row: int, column: int, text: str) -> None:
        cell = self.ws.cell(row, column, safe(text))
        cell.font = Font(bold=True)
        cell.alignment = CENTER
        cell.border = BORDER
        cell.fill = HEADER_FILL

    def header(self, groups: Sequence[tuple[str, Sequence[str]]]) -> int:
        """The column headers. Each group is (title, labels): a title over its labels' columns,
        merged, with the labels on the row below; a group without labels is one column whose
        title spans both rows. With no labels anywhere, the header is one row."""
        two_rows = any(labels for _, labels in groups)
        top = self.line + 1
        bottom = top + 1 if two_rows else top
        column = 1
        for title, labels in groups:
            span = max(len(labels), 1)
            for offset in range(span):  # every cell of a merged range keeps the border
                for row in range(top, bottom + 1):
                    self._header_cell(row, column + offset, "")
            self.ws.cell(top, column).value = safe(title)
            if labels:
                for offset, label in enumerate(labels):
                    self.ws.cell(bottom, column + offset).value = safe(label)
                self._merge(top, column, top, column + span - 1)
            else:
                self._merge(top, column, bottom, column)
            column += span
        self.line = bottom
        return bottom

    def row(
        self,
        values: Sequence[Any],
        *,
        bold: bool = False,
        formats: Sequence[str | None] = (),
        missed: Sequence[bool] = (),
        text_columns: int = 2,
    ) -> int:
        """A bordered row of values. The first `text_columns` are left-aligned text, the rest
        centred; `formats` gives a number format per column (None: general); `missed` marks the
        columns whose value misses its target."""
        self.line += 1
        for index, value in enumerate(values):
            cell = self.ws.cell(self.line, index + 1, safe(value))
            cell.border = BORDER
            cell.alignment = LEFT if index < text_columns else CENTER
            if bold:
                cell.font = Font(bold=True)
            if index < len(formats) and formats[index] and isinstance(value, int | float):
                cell.number_format = formats[index]
            if index < len(missed) and missed[index]:
                cell.font = MISSED_FONT
                cell.fill = MISSED_FILL
        return self.line

    def widths(self, sizes: Sequence[float]) -> None:
        """Set the column widths (in characters), and give each full-width line of text the
        height its wrapped text needs (spreadsheets do not grow merged rows by themselves)."""
        for index, size in enumerate(sizes, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = size
        total = sum(sizes) or 1
        for line, text in self._texts:
            # A CJK character takes about two width units, a Latin one about one.
            units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            lines = -(-units // int(total))
            if lines > 1:
                self.ws.row_dimensions[line].height = 15 * lines

    def freeze(self, *, rows: int, columns: int) -> None:
        """Keep the first `rows` rows and `columns` columns in view while scrolling."""
        self.ws.freeze_panes = self.ws.cell(rows + 1, columns + 1).coordinate


def new_workbook(title: str, *, fallback: str = "报表") -> tuple[Workbook, Any]:
    """A workbook with its first worksheet named after `title`."""
    book = Workbook()
    worksheet = book.active
    worksheet.title = sheet_title(title, fallback)
    return book, worksheet


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    return buffer.getvalue()
