"""Table readers (core/imports/readers.py): the files villages really upload, made here.

Every file is built by the test itself (openpyxl for XLSX, plain bytes for CSV), nothing binary is
committed. XLSX tests run twice, through python-calamine and through openpyxl (the reader picks
calamine for small sheets; `CALAMINE_MAX_XML_BYTES` = -1 forces openpyxl), and must agree.
`parse_date` and `cell_text` are also property-tested with hypothesis. No database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gridgov.core.imports import readers
from gridgov.core.imports.readers import TableError, cell_text, header_key, parse_date, read_table

ALIASES = {
    "name": ["姓名"],
    "id_number": ["公民身份号码", "身份证号", "身份证号码"],
    "birth_date": ["出生日期"],
    "phone": ["联系电话", "手机号"],
    "landline": ["固定电话"],
    "address": ["现住地址"],
}
REQUIRED = ["name", "id_number"]
JAN_5 = dt.date(2026, 1, 5)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def rows_of(reader: readers.TableReader) -> list[tuple[int, dict[str, str]]]:
    with reader:
        return list(reader)


@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run an XLSX test through each engine the reader may pick."""
    if request.param == "openpyxl":
        monkeypatch.setattr(readers, "CALAMINE_MAX_XML_BYTES", -1)
    elif readers._calamine() is None:
        pytest.skip("python-calamine is not installed")
    return request.param


# --- Building workbooks ---------------------------------------------------------------------------


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_formula_result(data: bytes, cell: str, formula: str, value: str) -> bytes:
    """Give a formula cell the cached text result Excel stores with it (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    written = f'<c r="{cell}"><f>{formula}</f><v /></c>'.encode()
    cached = f'<c r="{cell}" t="str"><f>{formula}</f><v>{value}</v></c>'.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and written in content:
                content = content.replace(written, cached)
            target.writestr(info, content)
    return out.getvalue()


def messy_workbook() -> bytes:
    """A register as a village keeps it in Excel (what each row tests is noted beside it)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口登记"
    sheet.append(["云溪镇张家村常住人口登记表"])  # 1: title row
    sheet.append(["填表单位:张家村村委会", None, None, "填表日期:2026年1月"])  # 2: subtitle
    sheet.append([])  # 3: blank
    sheet.append(
        [" 姓 名* ", "*公民身份号码", "出生日期(yyyy-mm-dd)", "联系电话", "固定电话", "备注"]
    )  # 4: header
    sheet.append(["张三  ", "330203199001011234", dt.datetime(2026, 1, 5), 13812345678, "", ""])
    sheet.append([None, None, None, None, None, None])  # 6: blank
    sheet.append(["李四", "33020319900101123x", "2026/1/5", "１３８１２３４５６７８", None, "租户"])
    sheet.append(["  ", "", None, " ", None, None])  # 8: only spaces
    sheet.append(["王五", 110105194912310000, "2026年1月5日", " 13812345678 ", None, None])
    sheet.append(["赵六\u3000", "330203199001011234", 46027, None, None, None])
    sheet.append(["钱七", "330203199001011234", dt.datetime(2026, 1, 5, 8, 30), None, None, None])
    sheet.append(["孙八", "330203199001011234", "2026-01-05", None, '="05718888"', None])
    sheet["E12"].data_type = "s"  # the CSV trick pasted into Excel: text, not a formula
    sheet.append(["周九", "330203199001011234", "2026-01-05", None, '="05716666"', None])
    return with_cached_formula_result(xlsx_bytes(book), "E13", '"05716666"', "05716666")


MESSY_ROWS = [
    (
        5,
        {
            "name": "张三",
            "id_number": "330203199001011234",
            "birth_date": "2026-01-05",
            "phone": "13812345678",
            "landline": "",
        },
    ),
    (
        7,
        {
            "name": "李四",
            "id_number": "33020319900101123x",
            "birth_date": "2026/1/5",
            "phone": "13812345678",
            "landline": "",
        },
    ),
    (
        9,
        {
            "name": "王五",
            "id_number": "1.1010519491231E+17",
            "birth_date": "2026年1月5日",
            "phone": "13812345678",
            "landline": "",
        },
    ),
    (
        10,
        {
            "name": "赵六",
            "id_number": "330203199001011234",
            "birth_date": "46027",
            "phone": "",
            "landline": "",
        },
    ),
    (
        11,
        {
            "name": "钱七",
            "id_number": "330203199001011234",
            "birth_date": "2026-01-05 08:30:00",
            "phone": "",
            "landline": "",
        },
    ),
    (
        12,
        {
            "name": "孙八",
            "id_number": "330203199001011234",
            "birth_date": "2026-01-05",
            "phone": "",
            "landline": "05718888",
        },
    ),
    (
        13,
        {
            "name": "周九",
            "id_number": "330203199001011234",
            "birth_date": "2026-01-05",
            "phone": "",
            "landline": "05716666",
        },
    ),
]


# --- XLSX -----------------------------------------------------------------------------------------


def test_messy_workbook(engine: str) -> None:
    reader = read_table(messy_workbook(), filename="人口.xlsx", aliases=ALIASES, required=REQUIRED)
    assert (reader.format, reader.engine, reader.sheet_name) == ("xlsx", engine, "人口登记")
    assert reader.header_row == 4
    assert reader.columns == {
        "name": 0,
        "id_number": 1,
        "birth_date": 2,
        "phone": 3,
        "landline": 4,
    }
    assert reader.headers["name"] == "姓 名*"
    assert reader.headers["birth_date"] == "出生日期(yyyy-mm-dd)"
    assert reader.unknown_headers == ["备注"]
    assert rows_of(reader) == MESSY_ROWS
    assert reader.blank_rows >= 2  # rows 6 and 8 (openpyxl may also report an empty row 3)


def test_messy_workbook_dates_all_parse(engine: str) -> None:
    reader = read_table(messy_workbook(), filename="人口.XLSX", aliases=ALIASES)
    assert {parse_date(row["birth_date"]) for _, row in reader} == {JAN_5}


def test_id_stored_as_number_gives_the_scientific_text_the_validator_refuses(engine: str) -> None:
    from gridgov.core import idnumbers

    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["王五", 110105194912310012])  # Excel keeps 15 digits: …310000
    [(_, row)] = rows_of(read_table(xlsx_bytes(book), filename="a.xlsx", aliases=ALIASES))
    assert row["id_number"] == "1.1010519491231E+17"
    with pytest.raises(idnumbers.InvalidIdNumber) as caught:
        idnumbers.parse(row["id_number"])
    assert caught.value.message == idnumbers.EXCEL_SCIENTIFIC_MESSAGE


def test_numbers_read_as_excel_shows_them(engine: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "联系电话", "固定电话", "现住地址"])
    book.active.append(["甲", 13812345678.0, 0.1 + 0.2, True])
    book.active.append(["乙", 57188886666, -2.5, False])
    rows = rows_of(read_table(xlsx_bytes(book), filename="a.xlsx", aliases=ALIASES))
    assert [row for _, row in rows] == [
        {"name": "甲", "phone": "13812345678", "landline": "0.3", "address": "是"},
        {"name": "乙", "phone": "57188886666", "landline": "-2.5", "address": "否"},
    ]


def test_xlsx_from_a_path_and_from_a_stream(engine: str, tmp_path: Path) -> None:
    data = messy_workbook()
    path = tmp_path / "人口.xlsx"
    path.write_bytes(data)
    assert rows_of(read_table(path, filename=path.name, aliases=ALIASES)) == MESSY_ROWS
    assert rows_of(read_table(str(path), filename=path.name, aliases=ALIASES)) == MESSY_ROWS

    stream = io.BytesIO(data)
    stream.read(10)
    stream.seek(0)
    assert rows_of(read_table(stream, filename="x.xlsx", aliases=ALIASES)) == MESSY_ROWS
    assert not stream.closed  # the caller's stream: left open and rewound
    assert stream.tell() == 0


def test_the_first_sheet_with_a_header_is_used(engine: str) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["1. 身份证号请设为文本格式"])
    notes.append(["2. 出生日期写成 2026-01-05"])
    hidden = book.create_sheet("旧表")
    hidden.append(["姓名", "身份证号"])
    hidden.append(["不该读到", "330203199001011234"])
    hidden.sheet_state = "hidden"
    data = book.create_sheet("数据")
    data.append(["姓名", "身份证号"])
    data.append(["张三", "330203199001011234"])
    content = xlsx_bytes(book)

    reader = read_table(content, filename="a.xlsx", aliases=ALIASES, required=REQUIRED)
    assert reader.sheet_name == "数据"
    assert rows_of(reader) == [(2, {"name": "张三", "id_number": "330203199001011234"})]

    reader = read_table(content, filename="a.xlsx", aliases=ALIASES, sheet="旧表")
    assert [row["name"] for _, row in rows_of(reader)] == ["不该读到"]

    with pytest.raises(TableError, match="没有名为“人口”的工作表"):
        read_table(content, filename="a.xlsx", aliases=ALIASES, sheet="人口")


def test_header_only_workbook_has_no_rows(engine: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    reader = read_table(xlsx_bytes(book), filename="a.xlsx", aliases=ALIASES, required=REQUIRED)
    assert rows_of(reader) == []


def test_a_reader_is_iterable_once() -> None:
    reader = read_table("姓名\n张三\n".encode(), filename="a.csv", aliases=ALIASES)
    assert len(list(reader)) == 1
    with pytest.raises(RuntimeError):
        list(reader)


# --- CSV ------------------------------------------------------------------------------------------

CSV_TABLE = [
    ["人口信息登记表", "", "", "", ""],  # a title row
    [" *姓名 ", "公民身份号码*", "出生日期（yyyy-mm-dd）", "联系 电话", "现住地址"],
    ["张三  ", "330203199001011234", "2026-01-05", "13812345678", "中山路7号3幢2单元502室"],
    ["", "", "", "", ""],
    [
        "李四",
        "３３０２０３１９９００１０１１２３Ｘ",
        "2026/1/5",
        "１３８１２３４５６７８",
        "云溪镇张家村3组12号",
    ],
    ["王五", "1.10105E+17", "2026年1月5日", '="013812345678"', "  "],
    ["欧阳娜娜", '="330203199001011234"', "46027", "", "和平路1号，东门"],
]
CSV_ROWS = [
    (
        3,
        {
            "name": "张三",
            "id_number": "330203199001011234",
            "birth_date": "2026-01-05",
            "phone": "13812345678",
            "address": "中山路7号3幢2单元502室",
        },
    ),
    (
        5,
        {
            "name": "李四",
            "id_number": "33020319900101123X",
            "birth_date": "2026/1/5",
            "phone": "13812345678",
            "address": "云溪镇张家村3组12号",
        },
    ),
    (
        6,
        {
            "name": "王五",
            "id_number": "1.10105E+17",
            "birth_date": "2026年1月5日",
            "phone": "013812345678",
            "address": "",
        },
    ),
    (
        7,
        {
            "name": "欧阳娜娜",
            "id_number": "330203199001011234",
            "birth_date": "46027",
            "phone": "",
            "address": "和平路1号,东门",  # the full-width comma, NFKC'd
        },
    ),
]


def csv_bytes(
    table: list[list[str]], *, encoding: str, delimiter: str = ",", newline: str = "\r\n"
) -> bytes:
    """What Excel writes: quotes where needed, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(table)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-8", "utf-8"),
        ("utf-16", "utf-16"),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(encoding: str, expected: str, delimiter: str) -> None:
    data = csv_bytes(CSV_TABLE, encoding=encoding, delimiter=delimiter)
    assert b"\r\n" in data or encoding == "utf-16"
    reader = read_table(data, filename="人口.csv", aliases=ALIASES, required=REQUIRED)
    assert (reader.format, reader.engine) == ("csv", "csv")
    assert (reader.encoding, reader.delimiter) == (expected, delimiter)
    assert reader.header_row == 2
    assert reader.headers["birth_date"] == "出生日期(yyyy-mm-dd)"
    assert rows_of(reader) == CSV_ROWS
    assert reader.blank_rows == 1


def test_csv_bom_is_not_part_of_the_first_header() -> None:
    data = "\ufeff姓名,身份证号\r\n张三,330203199001011234\r\n".encode()
    reader = read_table(data, filename="a.csv", aliases=ALIASES, required=REQUIRED)
    assert reader.encoding == "utf-8-sig"
    assert reader.headers["name"] == "姓名"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_csv_line_ends_and_a_quoted_cell_over_two_lines(newline: str) -> None:
    table = [
        ["姓名", "身份证号", "现住地址"],
        ["张三", "330203199001011234", f"中山路7号{newline}3幢"],
        ["李四", "330203199001011234", "和平路1号"],
    ]
    reader = read_table(
        csv_bytes(table, encoding="utf-8", newline=newline), filename="a.csv", aliases=ALIASES
    )
    rows = rows_of(reader)
    assert [number for number, _ in rows] == [2, 3]  # records, as Excel numbers its rows
    assert rows[0][1]["address"] == f"中山路7号{newline}3幢".strip()
    assert rows[1][1]["address"] == "和平路1号"


def test_csv_short_rows_and_a_stream_left_open(tmp_path: Path) -> None:
    data = "姓名,身份证号,联系电话\r\n张三,330203199001011234\r\n李四\r\n".encode("gbk")
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with path.open("rb") as stream:
        rows = rows_of(read_table(stream, filename="a.csv", aliases=ALIASES))
        assert not stream.closed
        assert stream.tell() == 0
    assert rows == [
        (2, {"name": "张三", "id_number": "330203199001011234", "phone": ""}),
        (3, {"name": "李四", "id_number": "", "phone": ""}),
    ]


def test_csv_large_file_is_streamed_whole() -> None:
    """More than the 64 KB delimiter sample and the 1 MB decoding chunk; GBK throughout."""
    lines = ["标题", "姓名;身份证号;现住地址"]
    lines += [f"张{n};330203199001011234;中山路{n}号" for n in range(60_000)]
    data = "\r\n".join(lines).encode("gbk")
    assert len(data) > 2 * (1 << 20)
    reader = read_table(data, filename="a.csv", aliases=ALIASES)
    assert (reader.encoding, reader.delimiter) == ("gb18030", ";")
    count = 0
    for number, row in reader:
        assert row["address"] == f"中山路{number - 3}号"
        count += 1
    assert count == 60_000


# --- File-level errors --------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["人口.pdf", "人口.docx", "人口", "人口.xlsx.zip"])
def test_unknown_suffix(filename: str) -> None:
    with pytest.raises(TableError, match="不支持的文件类型") as caught:
        read_table(b"whatever", filename=filename, aliases=ALIASES)
    assert Path(filename).suffix in caught.value.message
    assert ".xlsx" in caught.value.message


def rewrite_parts(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The workbook with each part replaced by change(name, content) (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info, content)
    return out.getvalue()


def long_workbook(rows: int = 3000) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    for n in range(rows):
        book.active.append([f"张{n}", "330203199001011234"])
    return xlsx_bytes(book)


def corrupt_sheet_data(data: bytes) -> bytes:
    """Flip bytes in the middle of the first sheet's deflated data (the CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    damaged = bytearray(data)
    for i in range(middle, middle + 16):
        damaged[i] ^= 0x5A
    return bytes(damaged)


def is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/")


def damaged_workbooks() -> Iterator[tuple[str, bytes]]:
    good = messy_workbook()
    long = long_workbook()
    yield "not a zip", b"PK\x03\x04 this is not really a workbook"
    yield "plain text", "姓名,身份证号\r\n".encode()
    yield "truncated", good[: len(good) // 2]
    yield "OLE (encrypted workbook)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    yield "a zip without a workbook", empty_zip.getvalue()
    yield "sheet part missing", rewrite_parts(good, lambda n, c: None if is_sheet(n) else c)
    cut = rewrite_parts(long, lambda n, c: c[: len(c) // 2] if is_sheet(n) else c)
    yield "sheet XML cut off", cut  # the header and many rows read fine first
    yield "sheet data corrupted", corrupt_sheet_data(long_workbook(20_000))


@pytest.mark.parametrize(("what", "data"), list(damaged_workbooks()), ids=lambda v: str(v)[:20])
def test_damaged_xlsx(engine: str, what: str, data: bytes) -> None:
    with pytest.raises(TableError) as caught:  # noqa: PT012 - opening or reading, either way
        reader = read_table(data, filename="人口.xlsx", aliases=ALIASES)
        list(reader)
    message = caught.value.message
    assert "不是有效的 Excel 工作簿" in message or message == "工作簿中没有工作表。", what


def test_missing_required_column_names_it() -> None:
    data = "姓名,联系电话\r\n张三,13812345678\r\n".encode()
    with pytest.raises(TableError) as caught:
        read_table(data, filename="a.csv", aliases=ALIASES, required=REQUIRED)
    message = caught.value.message
    assert caught.value.missing == ("id_number",)
    assert message.startswith("缺少必填列:公民身份号码。")
    assert "第 1 行是表头" in message
    assert "“公民身份号码”或“身份证号”或“身份证号码”" in message


def test_missing_required_columns_in_a_workbook(engine: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(["标题"])
    book.active.append(["联系电话", "现住地址"])
    with pytest.raises(TableError) as caught:
        read_table(xlsx_bytes(book), filename="a.xlsx", aliases=ALIASES, required=REQUIRED)
    assert caught.value.missing == ("name", "id_number")
    assert "缺少必填列:姓名、公民身份号码。" in caught.value.message
    assert "第 2 行" in caught.value.message


@pytest.mark.parametrize(
    "header", [["姓名", "身份证号", "公民身份号码"], ["姓名", "身份证号*", " 身份证号 "]]
)
def test_two_columns_for_one_field(header: list[str]) -> None:
    data = csv_bytes([header, ["张三", "1", "2"]], encoding="utf-8")
    with pytest.raises(TableError, match="两列都是公民身份号码") as caught:
        read_table(data, filename="a.csv", aliases=ALIASES, required=REQUIRED)
    assert cell_text(header[1]) in caught.value.message
    assert cell_text(header[2]) in caught.value.message


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.csv", b""),
        ("a.csv", b"\xef\xbb\xbf"),
        ("a.csv", b"\r\n\r\n,,,\r\n"),
        ("a.xlsx", xlsx_bytes(openpyxl.Workbook())),
    ],
    ids=["empty", "only a BOM", "only blank lines", "empty workbook"],
)
def test_empty_file(filename: str, data: bytes) -> None:
    with pytest.raises(TableError, match="没有找到表头") as caught:
        read_table(data, filename=filename, aliases=ALIASES, required=REQUIRED)
    assert "检查文件是否为空" in caught.value.message


def test_no_header_in_the_first_rows() -> None:
    titles = [[f"说明第{n}行"] for n in range(1, readers.HEADER_SEARCH_ROWS + 1)]
    data = csv_bytes([*titles, ["姓名", "身份证号"], ["张三", "1"]], encoding="utf-8")
    with pytest.raises(TableError, match="没有找到表头") as caught:
        read_table(data, filename="a.csv", aliases=ALIASES, required=REQUIRED)
    assert f"前 {readers.HEADER_SEARCH_ROWS} 行" in caught.value.message
    assert "“姓名”" in caught.value.message

    # Blank rows do not count towards the limit: one title row fewer and it is found.
    spaced = [row for title in titles[1:] for row in (title, [""], [])]
    data = csv_bytes([*spaced, ["姓名", "身份证号"], ["张三", "1"]], encoding="utf-8")
    reader = read_table(data, filename="a.csv", aliases=ALIASES, required=REQUIRED)
    assert reader.header_row == len(spaced) + 1


def test_undecodable_csv() -> None:
    with pytest.raises(TableError, match="无法识别文件的文字编码"):
        read_table("姓名\r\n张三".encode() + b"\x81\x20", filename="a.csv", aliases=ALIASES)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="无法打开文件"):
        read_table(tmp_path / "nope.csv", filename="nope.csv", aliases=ALIASES)


def test_an_alias_table_naming_one_header_twice_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="names both"):
        read_table(b"", filename="a.csv", aliases={"a": ["电话"], "b": ["电 话"]})
    with pytest.raises(ValueError, match="required fields"):
        read_table(b"", filename="a.csv", aliases=ALIASES, required=["nope"])


# --- header_key -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "身份证号",
        " 身份证号 ",
        "*身份证号",
        "身份证号*",
        "身 份 证 号",
        "身份证号:",
        "身份证号：",
        "身份证号\u3000",
    ],
)
def test_header_key(header: str) -> None:
    assert header_key(header) == "身份证号"


# --- parse_date -----------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def date_forms(day: dt.date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    forms = [
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}号",
        f"{y}年{m}月{d}",
        f"{y}{m:02d}{d:02d}",
        f"{day.isoformat()} 08:30",
        f"{day.isoformat()}T08:30:15",
        f"{y}/{m}/{d} 8:30:15.250",
        f" {y} 年 {m} 月 {d} 日 ",
        f"{y} - {m:02d} - {d:02d}",
        f"{y}\u3000/\u3000{m}/{d}",
    ]
    return forms + [text.translate(FULL_WIDTH) for text in forms]


def test_parse_date_examples() -> None:
    for text in date_forms(JAN_5):
        assert parse_date(text) == JAN_5, text
    assert parse_date("46027") == JAN_5
    assert parse_date("46027.0") == JAN_5
    assert parse_date("４６０２７") == JAN_5
    assert parse_date(dt.datetime(2026, 1, 5, 8, 30)) == JAN_5
    assert parse_date(JAN_5) == JAN_5


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
@example(dt.date(2000, 2, 29))
@example(dt.date(1000, 1, 1))
@example(dt.date(9999, 12, 31))
def test_parse_date_round_trips_every_form(day: dt.date) -> None:
    for text in date_forms(day):
        assert parse_date(text) == day, text


@given(st.integers(min_value=10_000, max_value=99_999))
@example(46027)
def test_parse_date_reads_excel_serial_numbers(serial: int) -> None:
    day = dt.date(1899, 12, 30) + dt.timedelta(days=serial)
    assert parse_date(str(serial)) == day
    # What an openpyxl cell formatted as a date gives for the same serial number.
    from openpyxl.utils.datetime import from_excel

    assert parse_date(cell_text(from_excel(serial))) == day


def days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


@st.composite
def impossible_dates(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(min_value=1000, max_value=9999))
    month = draw(st.integers(min_value=0, max_value=99))
    if 1 <= month <= 12:
        day = draw(
            st.one_of(
                st.just(0), st.integers(min_value=days_in_month(year, month) + 1, max_value=99)
            )
        )
    else:
        day = draw(st.integers(min_value=0, max_value=99))
    return year, month, day


@given(impossible_dates())
@example((2025, 2, 29))
@example((1900, 2, 29))
@example((2026, 4, 31))
@example((2026, 13, 1))
@example((2026, 0, 10))
def test_impossible_dates_raise_in_chinese(ymd: tuple[int, int, int]) -> None:
    y, m, d = ymd
    forms = [f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}年{m}月{d}日"]
    for text in [*forms, f"{y}{m:02d}{d:02d}"]:
        with pytest.raises(ValueError, match="不存在") as caught:
            parse_date(text)
        message = str(caught.value)
        assert CHINESE.search(message)
        assert text in message


@pytest.mark.parametrize(
    "text",
    ["明天", "2026-01", "2026-1/5", "26-1-5", "1/5/2026", "2026年1月", "2026-01-05x", "123", "--"],
)
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(ValueError, match="无法识别的日期") as caught:
        parse_date(text)
    assert "2026年1月5日" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\u200b"])
def test_empty_date(text: str) -> None:
    with pytest.raises(ValueError, match="日期为空"):
        parse_date(text)


# --- cell_text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  张三 ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("张\u200b三\ufeff", "张三"),
        ("１３８１２３４５６７８", "13812345678"),
        ("ＡＢＣ１２３", "ABC123"),
        ('="0571"', "0571"),
        ('= "0571"', '= "0571"'),  # not the trick: left alone
        ('  ="０５７１ "  ', "0571"),
        (13812345678.0, "13812345678"),
        (13812345678, "13812345678"),
        (1.1010519491231e17, "1.1010519491231E+17"),
        (110105194912310012, "110105194912310012"),  # an int holds every digit
        (1e15, "1E+15"),
        (999999999999999.0, "999999999999999"),
        (0.1 + 0.2, "0.3"),
        (2.5, "2.5"),
        (float("nan"), ""),
        (float("inf"), ""),
        (True, "是"),
        (False, "否"),
        (dt.datetime(2026, 1, 5), "2026-01-05"),
        (dt.datetime(2026, 1, 5, 8, 30, 15, 500), "2026-01-05 08:30:15"),
        (dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC), "2026-01-05 08:30:00"),
        (dt.date(2026, 1, 5), "2026-01-05"),
        (dt.time(8, 30, 0, 10), "08:30:00"),
    ],
)
def test_cell_text_examples(value: object, text: str) -> None:
    assert cell_text(value) == text


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
messy_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(" \t\u3000\u00a0" + INVISIBLE + '="０１２ＡＢ'),
    )
)
cells = st.one_of(
    st.none(),
    messy_text,
    messy_text.map(lambda s: f'="{s}"'),
    messy_text.map(lambda s: f' ="{s}" '),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


@given(cells)
@example('="="0571""')
@example("e\u200b\u0301")
@example("\u3000\u0301x")
def test_cell_text_is_idempotent(value: object) -> None:
    text = cell_text(value)
    assert isinstance(text, str)
    assert cell_text(text) == text
    assert text == text.strip()
    assert not any(c in text for c in INVISIBLE)
    assert unicodedata.is_normalized("NFKC", text)


@settings(max_examples=50)
@given(st.floats(min_value=1e15, max_value=1e19))
def test_big_numbers_stay_scientific(value: float) -> None:
    assert re.fullmatch(r"\d(\.\d+)?E\+\d\d", cell_text(value))
