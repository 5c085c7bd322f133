"""统一社会信用代码 (GB 32100-2015): layout, MOD 31 check character, Chinese messages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from gridgov.core import creditcodes
from gridgov.core.creditcodes import ALPHABET, InvalidCreditCode, normalize, validate
from gridgov.core.errors import Invalid

DIGITS = "0123456789"
# GB 32100 weights 3^i mod 31, written out independently of stdnum.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(body: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@st.composite
def credit_codes(draw, digit_prefix: bool = False):
    head = st.sampled_from(DIGITS if digit_prefix else ALPHABET)
    body = (
        draw(head)
        + draw(head)
        + draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
        + draw(st.text(alphabet=ALPHABET, min_size=9, max_size=9))
    )
    return body + check_char(body)


def rejected(raw: object) -> str:
    with pytest.raises(InvalidCreditCode) as caught:
        validate(raw)
    return caught.value.message


def test_known_code() -> None:
    assert validate("91110000600037341L") == "91110000600037341L"
    assert creditcodes.parse("91110000600037341L") == "91110000600037341L"
    assert creditcodes.region_code("91110000600037341L") == "110000"


def test_our_check_table_matches_stdnum() -> None:
    assert check_char("91110000600037341") == uscc.calc_check_digit("91110000600037341L") == "L"


@given(credit_codes(digit_prefix=True))
@settings(max_examples=300, deadline=None)
def test_valid_codes_accepted_like_stdnum(code: str) -> None:
    assert validate(code) == code
    assert uscc.is_valid(code)


@given(credit_codes())
@settings(max_examples=300, deadline=None)
def test_valid_codes_with_letter_authorities_accepted(code: str) -> None:
    # stdnum refuses a letter in positions 1–2 (N 农业农村, Y 其他 …); GB 32100 allows it.
    assert validate(code) == code


def test_rural_collective_code() -> None:
    code = "N2" + "330203" + "MA2AB3C4D"
    code += check_char(code)
    assert validate(code) == code
    assert not uscc.is_valid(code)


@given(credit_codes())
@settings(max_examples=200, deadline=None)
def test_every_single_character_substitution_is_rejected(code: str) -> None:
    for position in range(18):
        for char in ALPHABET:
            if char == code[position]:
                continue
            mutated = code[:position] + char + code[position + 1 :]
            assert not creditcodes.is_valid(mutated), (code, mutated)


@given(credit_codes())
@settings(max_examples=200, deadline=None)
def test_every_adjacent_transposition_is_rejected(code: str) -> None:
    for position in range(17):
        a, b = code[position], code[position + 1]
        if a == b:
            continue
        assert not creditcodes.is_valid(code[:position] + b + a + code[position + 2 :])


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",
        " 9111 0000 6000 3734 1L ",
        "91-110000-600037341L",
        "９１１１００００６０００３７３４１Ｌ",
        "'91110000600037341L",
        "\ufeff91110000600037341L",
    ],
)
def test_normalize(raw: str) -> None:
    assert normalize(raw) == "91110000600037341L"
    assert validate(raw) == "91110000600037341L"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "请填写统一社会信用代码"),
        (None, "请填写统一社会信用代码"),
        ("91110000600037341", "现在是 17 位"),
        ("911100006000373", "现在是 15 位"),
        ("91110000600O37341L", "不使用字母 O"),
        ("9111000060003734IS", "不使用字母 I、S"),
        ("91110000600037341#", "只能由数字和大写英文字母组成"),
        ("911A0000600037341L", "第 3 至 8 位是行政区划代码"),
        ("91110000600037342L", "校验位不对"),
        ("9.1110000600037E+17", "科学计数法"),
        (9.1110000600037e17, "存成了数字"),
    ],
)
def test_errors(raw: object, fragment: str) -> None:
    assert fragment in rejected(raw)


def test_errors_are_domain_errors_with_a_field() -> None:
    with pytest.raises(Invalid) as caught:
        validate("123", field="credit_code")
    assert caught.value.as_dict() == {"credit_code": ["统一社会信用代码应为 18 位,现在是 3 位。"]}
