"""Reading the tables people really upload, row by row, as text.

`read_table(source, filename=..., aliases=..., required=...)` opens a ``.csv`` or ``.xlsx`` (also
``.xlsm``, and ``.xls`` when python-calamine is installed), finds the header row, maps its columns
to field names through the caller's alias table, and returns a `TableReader`: an iterator of
``(row_number, {field: text})``. Everything wrong with the file as a whole (unknown type, damaged
workbook, undecodable text, no header, a required column missing, two columns for one field) is a
`TableError` with a Chinese message, raised by `read_table` before any row is read.

What Excel and WPS really produce, and what becomes of it:

- CSV in UTF-8 with a BOM ("CSV UTF-8"), without one, or in GBK (a Chinese Windows "CSV");
  GB 18030 is read as the superset of GBK, UTF-16 with a BOM too. The delimiter is the one of
  ``,`` ``;`` tab under which the header row is recognised best.
- Cells stored as numbers: an integral float loses its ".0" (13812345678.0 → "13812345678"). A
  number of 10^15 or more cannot hold an 18-digit ID (Excel keeps 15 significant digits), so it
  comes through in scientific notation ("1.10105194912310E+17"): the ID validator then gives its
  own message (`core.idnumbers.EXCEL_SCIENTIFIC_MESSAGE`) instead of a wrong number.
- Dates stored as dates → ISO text "2026-01-05" (a time of day, if any, follows: "2026-01-05
  08:30:00"); dates typed as text stay text: `parse_date` reads the usual Chinese forms, and an
  Excel serial number (46027).
- Every text: NFKC (full-width digits and letters to half-width, ideographic and no-break spaces
  to plain ones), zero-width characters removed, stripped; the CSV trick ``="0571…"`` unwrapped.
- Blank rows are skipped, but row numbers stay those of the sheet (1-based, header included), so
  an error message can say "第 12 行" and the user finds row 12.
- Header cells are matched loosely: spaces anywhere, a leading or trailing ``*`` (required-column
  marks), case, and a trailing note in brackets ("出生日期(yyyy-mm-dd)") do not matter. Title rows
  above the header (up to `HEADER_SEARCH_ROWS` non-blank rows) are skipped.

Memory: rows are streamed. A CSV is decoded incrementally (the encoding check reads it once, in
chunks); an XLSX is read with openpyxl in read-only mode. python-calamine (Rust) reads XLSX about
ten times faster but loads the whole sheet, so it is used only while the sheets' XML is at most
`CALAMINE_MAX_XML_BYTES` (its memory is about 1.3 times that).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "CALAMINE_MAX_XML_BYTES",
    "HEADER_SEARCH_ROWS",
    "TableError",
    "TableReader",
    "cell_text",
    "header_key",
    "parse_date",
    "read_table",
]

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

HEADER_SEARCH_ROWS = 10
"""Non-blank rows looked at for the header (title rows above it are common)."""

CALAMINE_MAX_XML_BYTES = 24 * 1024 * 1024
"""Uncompressed size of the worksheets (+ shared strings) up to which python-calamine is used."""

_CHUNK = 1 << 20
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t")
_CSV_SUFFIXES = {".csv", ".txt"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_XLS_SUFFIXES = {".xls"}

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)
_TRAILING_NOTE = re.compile(r"^(.+?)[(\[【][^()\[\]【】]*[)\]】]$")
_SCIENTIFIC_FROM = 1e15  # an 18-digit ID stored as a number is at least this


class TableError(ValueError):
    """The file as a whole cannot be imported; `message` is in Chinese, for the user.

    `missing` names the required fields whose columns were not found (if that is the reason).
    """

    def __init__(self, message: str, *, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.missing = tuple(missing)


# --- Cells ----------------------------------------------------------------------------------------


def _clean_str(text: str) -> str:
    if not text.isascii():
        # Invisible characters go first: left between a letter and its accent, they would keep
        # NFKC from composing the two, and a second pass would then change the text.
        text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    text = text.strip()
    while text.startswith('="'):  # unwrapped to the end, so that cleaning twice changes nothing
        match = _EXCEL_TEXT_FORMULA.match(text)
        if not match:
            break
        text = match.group(1).strip()
    return text


def _number_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return ""
    if abs(value) >= _SCIENTIFIC_FROM:
        # The last digits are gone: keep the scientific form, which the ID validator recognises
        # (15 significant digits, as Excel keeps: 1.10105194912310E+17 → "1.1010519491231E+17").
        return f"{value:.15G}"
    if value.is_integer():
        return str(int(value))
    # What Excel shows: 15 significant digits (0.1 + 0.2 → "0.3"), no binary noise.
    return repr(float(f"{value:.15g}"))


def cell_text(value: Any) -> str:
    """One cell as the text a user would read in Excel, normalised (see the module notes)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.replace(tzinfo=None, microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    return _clean_str(str(value))


def header_key(text: Any) -> str:
    """A header or alias reduced to what identifies it: no spaces, no required-marks, lower case."""
    key = "".join(cell_text(text).split()).strip("*").lower()
    return key.rstrip(":")


# --- Dates ----------------------------------------------------------------------------------------

_DATE_FORMS = (
    # 2026-01-05, 2026/1/5, 2026.1.5 (one separator throughout), maybe with a time after it
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})()年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})()(\d{2})(\d{2})$"),
)
_AROUND_MARKS = re.compile(r"\s*([-/.年月日号:])\s*")
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's 1900-02-29
_DATE_HINT = "2026-01-05、2026/1/5、2026.1.5、2026年1月5日 或 20260105"


def parse_date(text: str | dt.date) -> dt.date:
    """A date from the forms people type: 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105
    (full-width digits and stray spaces allowed, a time after it ignored), or an Excel serial
    number such as 46027 (a date cell formatted as a number).

    Raises ValueError with a Chinese message for an empty, unreadable or impossible date."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO, the common case: fast
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass  # e.g. "2026-02-30": the general path gives the message
    shown = cell_text(text)
    compact = _AROUND_MARKS.sub(r"\1", " ".join(shown.split()))
    if not compact:
        raise ValueError("日期为空。")
    for form in _DATE_FORMS:
        match = form.match(compact)
        if match:
            year, _, month, day = match.groups()
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                raise ValueError(
                    f"日期“{shown}”不存在:月份应为 1–12,日不能超过当月的天数。"
                ) from None
    serial = _EXCEL_SERIAL.match(compact)
    if serial:
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial.group(1)))
    raise ValueError(f"无法识别的日期“{shown}”,请写成 {_DATE_HINT}。")


# --- Alias table ----------------------------------------------------------------------------------


class _Columns:
    """The caller's alias table, compiled: normalised header → field."""

    def __init__(self, aliases: Mapping[str, Sequence[str]], required: Iterable[str]) -> None:
        self.labels: dict[str, str] = {}
        self.names: dict[str, tuple[str, ...]] = {}
        self.lookup: dict[str, str] = {}
        for field, names in aliases.items():
            if isinstance(names, str):
                names = [names]
            self.names[field] = tuple(names)
            self.labels[field] = names[0] if names else field
            for name in (*names, field):
                key = header_key(name)
                other = self.lookup.setdefault(key, field)
                if other != field:
                    raise ValueError(f"alias {name!r} names both {other!r} and {field!r}")
        self.required = tuple(dict.fromkeys(required))
        unknown = [f for f in self.required if f not in self.names]
        if unknown:
            raise ValueError(f"required fields missing from the alias table: {unknown}")

    def field_for(self, header: Any) -> str | None:
        key = header_key(header)
        if not key:
            return None
        field = self.lookup.get(key)
        if field is None:
            note = _TRAILING_NOTE.match(key)
            if note:
                field = self.lookup.get(note.group(1))
        return field

    def score(self, row: Sequence[Any]) -> tuple[int, int]:
        """(required columns found, columns recognised) in a candidate header row."""
        found = {self.field_for(v) for v in row} - {None}
        return sum(f in found for f in self.required), len(found)

    def hint(self, field: str) -> str:
        names = self.names[field] or (field,)
        return "“" + "”或“".join(names[:3]) + "”"


# --- Sources ----------------------------------------------------------------------------------


def _suffix(filename: str) -> str:
    return Path(filename or "").suffix.lower()


def _binary(source: Source) -> tuple[BinaryIO, Callable[[], None]]:
    """A seekable binary stream over `source` and how to let go of it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        stream: BinaryIO = io.BytesIO(bytes(source))
        return stream, stream.close
    if isinstance(source, (str, os.PathLike)):
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed by the reader
        except OSError as exc:
            raise TableError(f"无法打开文件:{exc.strerror or exc}。") from exc
        return stream, stream.close
    if hasattr(source, "read") and hasattr(source, "seek"):
        start = source.tell()
        return source, lambda: source.seek(start)  # the caller's stream: left open
    raise TypeError(f"read_table() takes a path, bytes or a binary file, not {type(source)}")


RawRows = Iterator[tuple[int, Sequence[Any]]]


# --- CSV ------------------------------------------------------------------------------------------


def _decodes(stream: BinaryIO, encoding: str, start: int) -> bool:
    """Whether the whole stream decodes, read in chunks (constant memory)."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(start)
    return True


def _detect_encoding(stream: BinaryIO, start: int) -> str:
    head = stream.read(4)
    stream.seek(start)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(stream, encoding, start):
            return encoding
    raise TableError("无法识别文件的文字编码:请在 Excel 中另存为“CSV UTF-8(逗号分隔)”后重新上传。")


def _sample_records(stream: BinaryIO, encoding: str, start: int) -> str:
    data = stream.read(_SNIFF_BYTES)
    stream.seek(start)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)
    if len(data) == _SNIFF_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def _pick_delimiter(sample: str, columns: _Columns) -> str:
    """The delimiter under which a header row is recognised best; then the widest first row."""
    best, best_score = ",", (-1, -1, -1)
    for delimiter in _DELIMITERS:
        rows = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                rows.append(row)
                if len(rows) >= HEADER_SEARCH_ROWS * 3:
                    break
        except csv.Error:
            continue
        recognised = max((columns.score(r) for r in rows), default=(0, 0))
        width = max((len(r) for r in rows), default=0)
        score = (*recognised, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _CsvSource:
    kind = "csv"

    def __init__(self, source: Source, columns: _Columns) -> None:
        self.stream, self._release = _binary(source)
        try:
            start = self.stream.tell()
            self.encoding = _detect_encoding(self.stream, start)
            self.delimiter = _pick_delimiter(
                _sample_records(self.stream, self.encoding, start), columns
            )
            self.text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        except BaseException:
            self._release()
            raise
        self.engine = "csv"
        self.sheet_name = ""

    def rows(self) -> RawRows:
        reader = csv.reader(self.text, delimiter=self.delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise TableError(f"第 {number + 1} 行无法读取:{exc}。") from exc

    def close(self) -> None:
        text = getattr(self, "text", None)
        if text is not None:
            self.text = None
            text.detach()  # do not close the stream through the wrapper: the caller may own it
        self._release()


# --- XLSX -----------------------------------------------------------------------------------------


def _calamine() -> Any:
    try:
        import python_calamine
    except ImportError:  # an optional accelerator
        return None
    return python_calamine


def _sheet_xml_bytes(stream: BinaryIO) -> int | None:
    """Uncompressed size of every worksheet and the shared strings, from the zip directory."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
                or info.filename == "xl/sharedStrings.xml"
            )
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        stream.seek(start)


_BAD_WORKBOOK = "文件不是有效的 Excel 工作簿(.xlsx),可能已损坏或设置了打开密码:请另存后重新上传。"


class _OpenpyxlSource:
    kind = "xlsx"
    engine = "openpyxl"
    encoding = delimiter = ""

    def __init__(self, stream: BinaryIO) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            with warnings.catch_warnings():
                # "Workbook contains no default style", "Data Validation extension …": noise.
                warnings.simplefilter("ignore")
                self.book = openpyxl.load_workbook(
                    stream, read_only=True, data_only=True, keep_links=False
                )
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise TableError(_BAD_WORKBOOK) from exc
        self.sheet_name = ""

    def sheets(self) -> list[str]:
        visible = [ws.title for ws in self.book.worksheets if ws.sheet_state == "visible"]
        return visible or [ws.title for ws in self.book.worksheets]

    def has_sheet(self, name: str) -> bool:
        return name in self.book.sheetnames

    def rows_of(self, name: str) -> RawRows:
        sheet = self.book[name]
        # The <dimension> written by some tools is wrong; trusting it would drop rows.
        sheet.reset_dimensions()
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
            # The sheet's XML is streamed: a cut-off or corrupted part shows only now.
            raise TableError(_BAD_WORKBOOK) from exc

    def close(self) -> None:
        self.book.close()


class _CalamineSource:
    kind = "xlsx"
    engine = "calamine"
    encoding = delimiter = ""

    def __init__(self, module: Any, stream: BinaryIO) -> None:
        self.module = module
        try:
            self.book = module.CalamineWorkbook.from_filelike(stream)
        except Exception as exc:  # calamine's errors share no base class worth naming
            raise TableError(_BAD_WORKBOOK) from exc
        self.sheet_name = ""

    def sheets(self) -> list[str]:
        shown = self.module.SheetVisibleEnum.Visible
        visible = [m.name for m in self.book.sheets_metadata if m.visible == shown]
        return visible or list(self.book.sheet_names)

    def has_sheet(self, name: str) -> bool:
        return name in self.book.sheet_names

    def rows_of(self, name: str) -> RawRows:
        try:
            sheet = self.book.get_sheet_by_name(name)  # the whole sheet is parsed here
        except Exception as exc:  # a missing or damaged sheet part (no common base class)
            raise TableError(_BAD_WORKBOOK) from exc
        # calamine yields every row from the sheet's first (row 1), blank ones as "" cells.
        yield from enumerate(sheet.iter_rows(), start=1)

    def close(self) -> None:
        self.book.close()


def _open_workbook(source: Source, suffix: str) -> tuple[Any, Callable[[], None]]:
    stream, release = _binary(source)
    try:
        calamine = _calamine()
        if suffix in _XLS_SUFFIXES:
            if calamine is None:
                raise TableError("不支持旧版 .xls 文件:请在 Excel 中另存为 .xlsx 后重新上传。")
            return _CalamineSource(calamine, stream), release
        size = _sheet_xml_bytes(stream)
        if size is None:
            raise TableError(_BAD_WORKBOOK)
        if calamine is not None and size <= CALAMINE_MAX_XML_BYTES:
            return _CalamineSource(calamine, stream), release
        return _OpenpyxlSource(stream), release
    except BaseException:
        release()
        raise


# --- The reader -------------------------------------------------------------------------------


def _blank(row: Sequence[Any]) -> bool:
    return all(cell_text(v) == "" for v in row)


def _find_header(rows: RawRows, columns: _Columns) -> tuple[int, Sequence[Any]] | None:
    """The first row (among the first non-blank ones) holding every required column; if none
    does, the one recognising the most. None when nothing looks like a header at all."""
    best: tuple[tuple[int, int], int, Sequence[Any]] | None = None
    seen = 0
    for number, row in rows:
        if _blank(row):
            continue
        score = columns.score(row)
        if score[1] and score[0] == len(columns.required):
            return number, row
        if score[1] and (best is None or score > best[0]):
            best = (score, number, row)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return None if best is None else (best[1], best[2])


class TableReader:
    """Rows of one table: iterate for ``(row_number, {field: text})``; use it as a context
    manager (or call `close`) to let go of the file early. Iterable once.

    Attributes, known before the first row: `format` ("csv" | "xlsx"), `engine` ("csv" |
    "openpyxl" | "calamine"), `encoding` and `delimiter` (CSV), `sheet_name` (XLSX),
    `header_row`, `columns` (field → 0-based column), `headers` (field → the header as written),
    `unknown_headers` (headers no alias matched, in column order). After iterating:
    `blank_rows` (how many were skipped). A row's dict holds every field whose column exists
    ("" for an empty cell); fields without a column are absent.
    """

    def __init__(
        self,
        *,
        source: Any,
        rows: RawRows,
        header_row: int,
        header: Sequence[Any],
        columns: _Columns,
        filename: str,
        closer: Any,
    ) -> None:
        self.filename = filename
        self.format = source.kind
        self.engine = source.engine
        self.encoding = source.encoding
        self.delimiter = source.delimiter
        self.sheet_name = source.sheet_name
        self.header_row = header_row
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.unknown_headers: list[str] = []
        self.blank_rows = 0
        self._closer = closer
        self._rows: RawRows | None = rows
        for index, value in enumerate(header):
            text = cell_text(value)
            field = columns.field_for(value)
            if field is None:
                if text:
                    self.unknown_headers.append(text)
                continue
            if field in self.columns:
                raise TableError(
                    f"“{self.headers[field]}”和“{text}”两列都是{columns.labels[field]},"
                    "请只保留一列。"
                )
            self.columns[field] = index
            self.headers[field] = text
        missing = [f for f in columns.required if f not in self.columns]
        if missing:
            wanted = "、".join(columns.hint(f) for f in missing)
            raise TableError(
                f"缺少必填列:{'、'.join(columns.labels[f] for f in missing)}。"
                f"请确认第 {header_row} 行是表头,并包含 {wanted} 列。",
                missing=missing,
            )

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self._rows is None:
            raise RuntimeError("a TableReader can be iterated only once")
        rows, self._rows = self._rows, None
        fields = list(self.columns.items())
        try:
            for number, row in rows:
                width = len(row)
                record = {f: cell_text(row[i]) if i < width else "" for f, i in fields}
                if not any(record.values()):
                    self.blank_rows += 1
                    continue
                yield number, record
        finally:
            self.close()

    def close(self) -> None:
        """Let go of the file (also done when the rows run out)."""
        closer, self._closer = self._closer, None
        if closer is not None:
            closer.close()

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_table(
    source: Source,
    *,
    filename: str,
    aliases: Mapping[str, Sequence[str]],
    required: Iterable[str] = (),
    sheet: str | None = None,
) -> TableReader:
    """Open an uploaded table and check its header; iterate the result for the rows.

    `source` is a path, the file's bytes or a seekable binary file (left open, rewound to where
    it was). `filename` gives the type by its suffix. `aliases` maps each field to the header
    names that mean it (the first is its label in messages; the field name itself also works).
    `required` fields must have a column. `sheet` names the worksheet; by default the first
    visible one whose header has every required column.

    Raises TableError (Chinese message) for anything wrong with the file as a whole.
    """
    columns = _Columns(aliases, required)
    suffix = _suffix(filename)
    if suffix in _CSV_SUFFIXES:
        csv_source = _CsvSource(source, columns)
        try:
            return _with_header(csv_source, csv_source.rows(), columns, filename, csv_source)
        except BaseException:
            csv_source.close()
            raise
    if suffix not in _XLSX_SUFFIXES | _XLS_SUFFIXES:
        raise TableError(f"不支持的文件类型“{suffix or filename}”:请上传 .xlsx 或 .csv 文件。")
    book, release = _open_workbook(source, suffix)
    try:
        if sheet is not None and not book.has_sheet(sheet):
            raise TableError(f"工作簿中没有名为“{sheet}”的工作表。")
        first_error: TableError | None = None
        for name in [sheet] if sheet is not None else book.sheets():
            book.sheet_name = name
            rows = book.rows_of(name)
            try:
                return _with_header(book, rows, columns, filename, _Closing(book, release))
            except TableError as exc:
                rows.close()
                first_error = first_error or exc
        raise first_error or TableError("工作簿中没有工作表。")
    except BaseException:
        book.close()
        release()
        raise


class _Closing:
    """Closes the workbook, then lets go of the stream."""

    def __init__(self, book: Any, release: Callable[[], None]) -> None:
        self.book, self.release = book, release

    def close(self) -> None:
        try:
            self.book.close()
        finally:
            self.release()


def _with_header(
    source: Any, rows: RawRows, columns: _Columns, filename: str, closer: Any
) -> TableReader:
    found = _find_header(rows, columns)
    if found is None:
        examples = "、".join(f"“{columns.labels[f]}”" for f in list(columns.labels)[:3])
        raise TableError(
            f"没有找到表头:前 {HEADER_SEARCH_ROWS} 行中没有可识别的列名(如 {examples})。"
            "请使用导入模板,或检查文件是否为空。"
        )
    number, header = found
    return TableReader(
        source=source,
        rows=rows,
        header_row=number,
        header=header,
        columns=columns,
        filename=filename,
        closer=closer,
    )
