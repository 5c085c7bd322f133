"""公民身份号码: the validation ladder of DOMAIN.md §7.1, property-tested against an independent
implementation of the MOD 11-2 check (the weights table, not stdnum)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.core import idnumbers
from gridgov.core.errors import Invalid
from gridgov.core.idnumbers import (
    EXCEL_SCIENTIFIC_MESSAGE,
    InvalidIdNumber,
    check_consistency,
    mask,
    normalize,
    parse,
)

TODAY = datetime.date(2026, 6, 30)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Real address codes, current and abolished (110103 崇文区 until 2010, 440524 潮阳县 1983–1993,
# 110228 密云县 until 2015), a 省直辖 county-level city and the residence-permit prefixes.
REGIONS = (
    "110105",
    "110103",
    "110228",
    "310104",
    "320602",
    "330203",
    "440305",
    "440524",
    "429004",
    "510104",
    "650102",
    "810000",
    "820000",
    "830000",
)


def check_char(body: str) -> str:
    """MOD 11-2 by the table in DOMAIN.md §7.1."""
    return "10X98765432"[sum(int(a) * w for a, w in zip(body, WEIGHTS, strict=True)) % 11]


def make(body: str) -> str:
    return body + check_char(body)


@st.composite
def id_numbers(draw, max_year: int = TODAY.year):
    region = draw(st.sampled_from(REGIONS))
    max_date = min(TODAY, datetime.date(max_year, 12, 31))
    birth = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=max_date))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return make(f"{region}{birth:%Y%m%d}{sequence:03d}"), region, birth, sequence


def rejected(raw: object, **kwargs) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        parse(raw, today=TODAY, **kwargs)
    return caught.value.message


# --- The standard's test vectors ---------------------------------------------------------------


def test_domain_vector_1949() -> None:
    result = parse("11010519491231002X", today=TODAY)
    assert result.number == "11010519491231002X"
    assert result.birth_date == datetime.date(1949, 12, 31)
    assert result.sex == "female"
    assert result.sex_code == "2"
    assert result.sex_label == "女"
    assert result.region_code == "110105"
    assert result.region_known
    assert result.region_name == "北京市朝阳区"
    assert result.warnings == ()
    assert not result.upgraded_from_15


def test_domain_vector_1880_has_a_valid_check_character_but_predates_1900() -> None:
    # The textbook example is checksum-correct; gridgov's ladder refuses births before 1900.
    assert check_char("44052418800101001") == "4"
    assert "早于 1900 年" in rejected("440524188001010014")


# --- Valid numbers -------------------------------------------------------------------------


@given(id_numbers())
@settings(max_examples=300, deadline=None)
def test_valid_numbers_are_accepted_with_derived_sex_and_birth(case) -> None:
    number, region, birth, sequence = case
    result = parse(number, today=TODAY)
    assert result.number == number
    assert result.birth_date == birth
    assert result.sex == ("male" if sequence % 2 else "female")
    assert result.sex_code == ("1" if sequence % 2 else "2")
    assert result.region_code == region
    assert result.region_known, number
    assert result.region_name
    assert result.warnings == ()


@given(id_numbers())
@settings(max_examples=200, deadline=None)
def test_every_single_character_substitution_is_rejected(case) -> None:
    number = case[0]
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for char in alphabet:
            if char == number[position]:
                continue
            mutated = number[:position] + char + number[position + 1 :]
            assert not idnumbers.is_valid(mutated, today=TODAY), (number, mutated)


@given(id_numbers())
@settings(max_examples=200, deadline=None)
def test_every_adjacent_transposition_is_rejected(case) -> None:
    number = case[0]
    for position in range(16):
        a, b = number[position], number[position + 1]
        if a == b:
            continue
        swapped = number[:position] + b + a + number[position + 2 :]
        assert "校验位不对" in rejected(swapped), (number, swapped)


@given(id_numbers(max_year=1999))
@settings(max_examples=200, deadline=None)
def test_15_digit_numbers_are_upgraded_and_round_trip(case) -> None:
    number, _, birth, _ = case
    legacy = number[:6] + number[8:17]
    result = parse(legacy, today=TODAY)
    assert result.number == number
    assert result.upgraded_from_15
    assert result.birth_date == birth


def test_15_digit_example() -> None:
    result = parse("110105491231002", today=TODAY)
    assert result.number == "11010519491231002X"
    assert result.upgraded_from_15


def test_15_digit_number_must_be_all_digits() -> None:
    assert "15 位" in rejected("11010549123100X")


def test_abolished_codes_are_known_whatever_the_birth_year() -> None:
    # stdnum.cn.ric.validate would refuse these: the code was not in force in the birth year.
    old = parse(make("44052419500101001"), today=TODAY)
    assert old.region_known
    assert old.region_name == "广东省汕头市潮阳县"
    after_abolition = parse(make("11010320150101002"), today=TODAY)
    assert after_abolition.region_known
    assert after_abolition.warnings == ()


def test_region_name_follows_renames() -> None:
    assert parse(make("32060219850101001"), today=TODAY).region_name == "江苏省南通市城区"
    assert parse(make("32060219950101001"), today=TODAY).region_name == "江苏省南通市崇川区"


def test_unknown_region_is_a_warning_not_an_error() -> None:
    result = parse(make("11999919900101001"), today=TODAY)
    assert not result.region_known
    assert result.region_name == ""
    assert result.warnings == ("地址码 119999 不在历年的行政区划代码中,请核对号码(不影响保存)。",)


def test_residence_permit_prefixes() -> None:
    for region, name in [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")]:
        result = parse(make(f"{region}19900101001"), today=TODAY)
        assert result.region_known
        assert name in result.region_name


# --- Normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X",
        "11010519491231002x",
        "  11010519491231002x\t",
        "110105 19491231 002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u300019491231\u00a0002X",
        "\ufeff110105\u200b19491231002X",
        "'11010519491231002X",
    ],
)
def test_normalize(raw: str) -> None:
    assert normalize(raw) == "11010519491231002X"
    assert parse(raw, today=TODAY).number == "11010519491231002X"


def test_normalize_empty() -> None:
    assert normalize(None) == ""
    assert normalize("  ") == ""
    assert rejected("") == "请填写公民身份号码。"
    assert rejected(None) == "请填写公民身份号码。"


@pytest.mark.parametrize(
    "raw",
    [
        "1.10105194912310E+17",
        "1.1010519491231e+17",
        "1.10105E17",
        " 1.10105194912310E+17 ",
        "１.１０１０５１９４９１２３１０Ｅ＋１７",
        1.10105194912310e17,
        110105194912310020.0,
    ],
)
def test_scientific_notation_is_refused_with_a_specific_message(raw: object) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        normalize(raw)
    assert caught.value.message == EXCEL_SCIENTIFIC_MESSAGE
    assert rejected(raw) == EXCEL_SCIENTIFIC_MESSAGE


def test_exact_numbers_from_numeric_cells() -> None:
    # A 15-digit legacy number survives a numeric cell (float or int) intact.
    assert parse(110105491231002.0, today=TODAY).number == "11010519491231002X"
    assert parse(110105491231002, today=TODAY).number == "11010519491231002X"


def test_excel_truncation_hint() -> None:
    # Excel keeps 15 significant digits: 110105194912310021 becomes 110105194912310000.
    message = rejected("110105194912310000")
    assert "校验位不对" in message
    assert "Excel" in message
    assert "Excel" not in rejected("110105194912310021")


# --- The rest of the ladder -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1101051949123100", "现在是 16 位"),
        ("11010519491231002", "现在是 17 位"),
        ("11010519491231002X1", "现在是 19 位"),
        ("1101051949123100XX", "17 位数字加一位校验码"),
        ("11010519491231002Y", "17 位数字加一位校验码"),
        ("11010A19491231002X", "17 位数字加一位校验码"),
        ("110105-19491231002", "17 位数字加一位校验码"),
    ],
)
def test_length_and_characters(raw: str, fragment: str) -> None:
    assert fragment in rejected(raw)


@pytest.mark.parametrize(
    "birth", ["19491331", "19490229", "19490431", "19490001", "19490100", "00000000"]
)
def test_impossible_dates(birth: str) -> None:
    assert f"出生日期 {birth} 不是真实存在的日期" in rejected(make(f"110105{birth}002"))


def test_date_limits() -> None:
    assert "早于 1900 年" in rejected(make("11010518991231002"))
    assert parse(make("11010519000101002"), today=TODAY).birth_date == datetime.date(1900, 1, 1)
    assert parse(make("11010520000229002"), today=TODAY).birth_date == datetime.date(2000, 2, 29)
    assert parse(make(f"110105{TODAY:%Y%m%d}002"), today=TODAY).birth_date == TODAY
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert "晚于今天" in rejected(make(f"110105{tomorrow:%Y%m%d}002"))


def test_future_is_judged_against_the_local_date_by_default() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvalidIdNumber, match="晚于今天"):
        parse(make(f"110105{tomorrow:%Y%m%d}002"))
    assert parse(make(f"110105{timezone.localdate():%Y%m%d}002")).number


@pytest.mark.parametrize("prefix", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "99"])
def test_invalid_province_prefixes(prefix: str) -> None:
    assert f"前两位 {prefix} 不是有效的省级" in rejected(make(f"{prefix}010519491231002"))


@pytest.mark.parametrize("prefix", sorted(idnumbers.PROVINCE_PREFIXES))
def test_every_province_prefix_is_accepted(prefix: str) -> None:
    assert parse(make(f"{prefix}000019900101001"), today=TODAY).region_code == f"{prefix}0000"


def test_province_prefix_set() -> None:
    expected = {
        *map(str, range(11, 16)),
        *map(str, range(21, 24)),
        *map(str, range(31, 38)),
        *map(str, range(41, 47)),
        *map(str, range(50, 55)),
        *map(str, range(61, 66)),
        "71",
        "81",
        "82",
        "83",
    }
    assert expected == idnumbers.PROVINCE_PREFIXES


def test_errors_are_domain_errors_with_a_field() -> None:
    with pytest.raises(Invalid) as caught:
        parse("123", today=TODAY, field="guardian_id_number")
    assert caught.value.as_dict() == {
        "guardian_id_number": ["公民身份号码应为 18 位(旧号码为 15 位),现在是 3 位。"]
    }


# --- Consistency with entered values -------------------------------------------------------


def test_consistency_accepts_matching_values() -> None:
    result = parse("11010519491231002X", today=TODAY)
    for sex in ("female", "2", "女", "0", "9", "", None):
        check_consistency(result, sex=sex, birth_date=datetime.date(1949, 12, 31))
    check_consistency(result)
    check_consistency(result, birth_date=datetime.datetime(1949, 12, 31, 8, 0))


@pytest.mark.parametrize("sex", ["male", "1", "男"])
def test_consistency_refuses_a_contradicting_sex(sex: str) -> None:
    result = parse("11010519491231002X", today=TODAY)
    with pytest.raises(InvalidIdNumber) as caught:
        check_consistency(result, sex=sex)
    assert caught.value.as_dict() == {"sex": ["性别与公民身份号码不符:号码显示为女,填写的是男。"]}


def test_consistency_refuses_a_contradicting_birth_date_and_reports_both() -> None:
    result = parse("11010519491231002X", today=TODAY)
    with pytest.raises(InvalidIdNumber) as caught:
        check_consistency(result, sex="male", birth_date=datetime.date(1950, 1, 1))
    errors = caught.value.as_dict()
    assert errors["birth_date"] == [
        "出生日期与公民身份号码不符:号码显示为 1949-12-31,填写的是 1950-01-01。"
    ]
    assert set(errors) == {"sex", "birth_date"}
    assert caught.value.message == errors["sex"][0]


def test_consistency_rejects_an_unknown_sex_value() -> None:
    with pytest.raises(ValueError, match="unknown sex"):
        check_consistency(parse("11010519491231002X", today=TODAY), sex="M")


def test_age() -> None:
    result = parse(make("11010520000229002"), today=TODAY)
    assert result.age_on(datetime.date(2018, 2, 28)) == 17
    assert result.age_on(datetime.date(2018, 3, 1)) == 18
    assert result.age_on(datetime.date(2024, 2, 29)) == 24


# --- Masking --------------------------------------------------------------------------------


def test_mask_18() -> None:
    assert mask("320602199501011234") == "3206**********1234"
    assert mask("11010519491231002X") == "1101**********002X"
    assert parse("11010519491231002X", today=TODAY).masked == "1101**********002X"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", ""),
        (None, ""),
        ("123", "***"),
        ("1234", "1**4"),
        ("E12345678", "E1*****78"),
        ("110105491231002", "110*********002"),
    ],
)
def test_mask_other_lengths(value: str | None, masked: str) -> None:
    assert mask(value) == masked


@given(st.text(alphabet="0123456789X", min_size=0, max_size=40))
def test_mask_never_shows_more_than_half(value: str) -> None:
    masked = mask(value)
    assert len(masked) == len(value)
    assert sum(c != "*" for c in masked) <= len(value) // 2
