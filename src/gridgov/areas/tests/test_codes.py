"""Area codes (areas/codes.py): pure functions, tested with hypothesis and the shipped divisions.

No database: every test here runs in microseconds per example.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gridgov.areas import codes, divisions
from gridgov.areas.choices import CODE_LENGTH, PARENT_LEVEL, ROOT_LEVELS, Level

CJK = re.compile(r"[\u4e00-\u9fff]")
CHILD_LEVELS = [lvl for lvl in Level if lvl in PARENT_LEVEL]
ALL_LEVELS = list(Level)

# --- Strategies -----------------------------------------------------------------------------------

provinces = st.sampled_from(sorted(codes.PROVINCE_PREFIXES))
bad_provinces = (
    st.integers(0, 99).map(lambda n: f"{n:02d}").filter(lambda p: p not in codes.PROVINCE_PREFIXES)
)
# Valid own digits of each level below the province.
OWN_DIGITS = {
    Level.CITY: st.integers(1, 99).map(lambda n: f"{n:02d}"),
    Level.COUNTY: st.integers(1, 99).map(lambda n: f"{n:02d}"),
    Level.TOWNSHIP: st.integers(1, 599).map(lambda n: f"{n:03d}"),
    Level.VILLAGE: st.integers(1, 999).map(lambda n: f"{n:03d}"),
    Level.GRID: st.integers(1, 999).map(lambda n: f"{n:03d}"),
}
ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID]

# Same examples on every run (CI and local); failures still shrink.
DETERMINISTIC = settings(derandomize=True, deadline=None)


@st.composite
def chains(draw: st.DrawFn, prefix: st.SearchStrategy[str] = provinces) -> list[tuple[Level, str]]:
    """A valid chain of codes, province down to grid: [(level, code), …]."""
    code = draw(prefix)
    chain = [(Level.PROVINCE, code)]
    for level in ORDER[1:]:
        code += draw(OWN_DIGITS[level])
        chain.append((level, code))
    return chain


@st.composite
def child_with_parent(draw: st.DrawFn) -> tuple[Level, str, Level, str]:
    """(level, code, parent_level, parent_code) of a valid child below the province."""
    chain = draw(chains())
    i = draw(st.integers(1, len(chain) - 1))
    (parent_level, parent_code), (level, code) = chain[i - 1], chain[i]
    return level, code, parent_level, parent_code


def _assert_chinese_errors(errors: list[str]) -> None:
    assert errors, "expected at least one error"
    assert all(isinstance(e, str) and CJK.search(e) for e in errors), errors


# --- Valid codes pass -----------------------------------------------------------------------------


@DETERMINISTIC
@given(chains())
@example(
    [
        (lvl, c)
        for lvl, c in zip(
            ORDER,
            ["33", "3302", "330203", "330203101", "330203101201", "330203101201001"],
            strict=True,
        )
    ]
)
def test_code_errors_valid_chain_passes(chain: list[tuple[Level, str]]) -> None:
    # given a chain of codes, each its parent's code plus valid digits
    (root_level, root_code), *_ = chain
    # then the root passes without a parent and every child passes under its parent
    assert codes.code_errors(root_code, root_level, None, None) == []
    for (parent_level, parent_code), (level, code) in pairwise(chain):
        assert codes.code_errors(code, level, parent_code, parent_level) == [], code
        assert len(code) == CODE_LENGTH[level]


@DETERMINISTIC
@given(chains(), st.sampled_from(sorted(ROOT_LEVELS, key=ORDER.index)))
def test_code_errors_root_levels_pass_without_parent(
    chain: list[tuple[Level, str]], level: Level
) -> None:
    code = dict(chain)[level]
    assert codes.code_errors(code, level, None, None) == []


@DETERMINISTIC
@given(chains())
def test_own_digits_and_path_segment_rebuild_the_code(chain: list[tuple[Level, str]]) -> None:
    assert codes.own_digits(chain[0][1], Level.PROVINCE) == chain[0][1]
    assert codes.path_segment(chain[0][1], None) == chain[0][1]
    for (_, parent_code), (level, code) in pairwise(chain):
        own = codes.own_digits(code, level)
        assert parent_code + own == code
        assert codes.path_segment(code, parent_code) == own
        assert len(own) == CODE_LENGTH[level] - CODE_LENGTH[PARENT_LEVEL[level]]


# --- Invalid codes fail, with Chinese messages ----------------------------------------------------


@DETERMINISTIC
@given(child_with_parent(), st.data())
def test_code_errors_non_digit_fails(child: tuple, data: st.DataObject) -> None:
    level, code, parent_level, parent_code = child
    # given a valid code with one character replaced by a non-digit
    i = data.draw(st.integers(0, len(code) - 1))
    char = data.draw(st.characters().filter(lambda c: not ("0" <= c <= "9")))
    bad = code[:i] + char + code[i + 1 :]
    # then it is refused
    _assert_chinese_errors(codes.code_errors(bad, level, parent_code, parent_level))


@DETERMINISTIC
@given(
    child_with_parent(),
    st.one_of(
        st.integers(1, 6).map(lambda n: ("extra", n)), st.integers(1, 15).map(lambda n: ("cut", n))
    ),
)
def test_code_errors_wrong_length_fails(child: tuple, change: tuple[str, int]) -> None:
    level, code, parent_level, parent_code = child
    how, n = change
    bad = code + "1" * n if how == "extra" else code[: max(0, len(code) - n)]
    assert len(bad) != CODE_LENGTH[level]
    _assert_chinese_errors(codes.code_errors(bad, level, parent_code, parent_level))


@DETERMINISTIC
@given(chains(), chains(), st.sampled_from(CHILD_LEVELS))
def test_code_errors_not_extending_parent_fails(
    chain: list[tuple[Level, str]], other: list[tuple[Level, str]], level: Level
) -> None:
    # given a child code built on another parent than the one it is checked under
    parent_level = PARENT_LEVEL[level]
    parent_code = dict(chain)[parent_level]
    code = dict(other)[level]
    assume(not code.startswith(parent_code))
    # then it is refused
    errors = codes.code_errors(code, level, parent_code, parent_level)
    _assert_chinese_errors(errors)
    assert any(parent_code in e for e in errors)


@DETERMINISTIC
@given(child_with_parent(), st.one_of(st.none(), st.sampled_from(ALL_LEVELS), st.text()))
def test_code_errors_wrong_parent_level_fails(child: tuple, parent_level: object) -> None:
    level, code, right_parent_level, parent_code = child
    assume(parent_level != right_parent_level)
    _assert_chinese_errors(codes.code_errors(code, level, parent_code, parent_level))


@DETERMINISTIC
@given(chains(), st.sampled_from([Level.TOWNSHIP, Level.VILLAGE, Level.GRID]))
def test_code_errors_non_root_level_without_parent_fails(
    chain: list[tuple[Level, str]], level: Level
) -> None:
    _assert_chinese_errors(codes.code_errors(dict(chain)[level], level, None, None))


@DETERMINISTIC
@given(chains(), st.sampled_from([Level.VILLAGE, Level.GRID]))
def test_code_errors_000_suffix_fails(chain: list[tuple[Level, str]], level: Level) -> None:
    parent_level = PARENT_LEVEL[level]
    parent_code = dict(chain)[parent_level]
    errors = codes.code_errors(parent_code + "000", level, parent_code, parent_level)
    _assert_chinese_errors(errors)
    assert any("000" in e for e in errors)


@DETERMINISTIC
@given(chains(), st.sampled_from([Level.CITY, Level.COUNTY]))
def test_code_errors_00_city_or_county_digits_fail(
    chain: list[tuple[Level, str]], level: Level
) -> None:
    parent_level = PARENT_LEVEL[level]
    parent_code = dict(chain)[parent_level]
    _assert_chinese_errors(codes.code_errors(parent_code + "00", level, parent_code, parent_level))


@DETERMINISTIC
@given(chains(), st.one_of(st.just(0), st.integers(600, 999)))
@example([(Level.COUNTY, "330203")], 600)
@example([(Level.COUNTY, "330203")], 0)
def test_code_errors_township_digits_outside_001_599_fail(
    chain: list[tuple[Level, str]], n: int
) -> None:
    county = dict(chain)[Level.COUNTY]
    errors = codes.code_errors(f"{county}{n:03d}", Level.TOWNSHIP, county, Level.COUNTY)
    _assert_chinese_errors(errors)
    assert any("001–599" in e for e in errors)


@DETERMINISTIC
@given(chains(prefix=bad_provinces), st.sampled_from(ORDER))
@example([(Level.PROVINCE, "00")], Level.PROVINCE)
@example([(Level.PROVINCE, "99"), (Level.CITY, "9901")], Level.CITY)
def test_code_errors_bad_province_prefix_fails(
    chain: list[tuple[Level, str]], level: Level
) -> None:
    # given a chain that is consistent except for an unknown province prefix
    by_level = dict(chain)
    code = by_level[level]
    parent_level = PARENT_LEVEL.get(level)
    parent_code = by_level[parent_level] if parent_level else None
    # then every level of it is refused, with the prefix named as the problem
    errors = codes.code_errors(code, level, parent_code, parent_level)
    _assert_chinese_errors(errors)
    assert any("省级" in e for e in errors)


def test_code_errors_unknown_level_fails() -> None:
    _assert_chinese_errors(codes.code_errors("330203", "district", None, None))


# --- Total on any input ---------------------------------------------------------------------------

text_or_level = st.one_of(st.sampled_from([str(lvl) for lvl in ALL_LEVELS]), st.text())
digits_or_text = st.one_of(st.from_regex(r"[0-9]{0,16}", fullmatch=True), st.text())


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    code=digits_or_text,
    level=text_or_level,
    parent_code=st.one_of(st.none(), digits_or_text),
    parent_level=st.one_of(st.none(), text_or_level),
)
@example(code="", level="grid", parent_code="", parent_level="village")
@example(code="３３０２", level="city", parent_code="33", parent_level="province")
@example(code="33", level="province", parent_code="", parent_level=None)
def test_code_errors_never_raises_on_any_text(
    code: str, level: str, parent_code: str | None, parent_level: str | None
) -> None:
    # when
    errors = codes.code_errors(code, level, parent_code, parent_level)
    # then a list of Chinese messages; and whatever passes is well formed
    assert isinstance(errors, list)
    assert all(isinstance(e, str) and CJK.search(e) for e in errors)
    if not errors:
        lvl = Level(level)
        assert code.isascii()
        assert code.isdigit()
        assert len(code) == CODE_LENGTH[lvl]
        assert code[:2] in codes.PROVINCE_PREFIXES
        if parent_code is None:
            assert lvl in ROOT_LEVELS
        else:
            assert code.startswith(parent_code)


# --- township_kind (GB/T 10114) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "kind"),
    [
        ("001", "街道"),
        ("099", "街道"),
        ("100", "镇"),
        ("199", "镇"),
        ("200", "乡"),
        ("399", "乡"),
        ("400", "政企合一单位"),
        ("599", "政企合一单位"),
    ],
)
def test_township_kind_boundaries(digits: str, kind: str) -> None:
    assert codes.township_kind(f"330203{digits}") == kind


@DETERMINISTIC
@given(st.integers(1, 599))
def test_township_kind_is_monotonic_in_the_digits(n: int) -> None:
    order = ["街道", "镇", "乡", "政企合一单位"]
    kind = codes.township_kind(f"330203{n:03d}")
    assert kind in order
    if n < 599:
        assert order.index(codes.township_kind(f"330203{n + 1:03d}")) >= order.index(kind)


# --- The shipped national divisions ---------------------------------------------------------------

# 不设区的地级市 (Dongguan, Zhongshan, Danzhou): their county-level row is the city code + "00".
CITIES_WITHOUT_COUNTIES = ("441900", "442000", "460400")
# 金门县 has a single placeholder row 350527000 in the NBS table (no real townships).
PLACEHOLDER_ROWS = ("350527000",)


def _division_errors(code: str) -> list[str]:
    division = divisions.lookup(code)
    assert division is not None
    parent = divisions.lookup(division.parent_code) if division.parent_code else None
    return codes.code_errors(
        code, division.level, parent.code if parent else None, parent.level if parent else None
    )


def test_code_errors_shipped_divisions_pass() -> None:
    # given every province, city, county and township in data/divisions (as of divisions.AS_OF)
    by_code, _ = divisions._index()
    skipped = set(CITIES_WITHOUT_COUNTIES) | set(PLACEHOLDER_ROWS)
    # then each passes under its parent, except the known exceptions tested below
    failing = {
        code: errors
        for code in by_code
        if code not in skipped and (errors := _division_errors(code))
    }
    assert failing == {}


@pytest.mark.parametrize("code", CITIES_WITHOUT_COUNTIES)
def test_code_errors_city_without_districts_passes(code: str) -> None:
    # given the county-level row of a city without districts, as a tree root
    # then it is accepted, as its townships (e.g. 441900003 东城街道) are
    assert codes.code_errors(code, Level.COUNTY, None, None) == []
