"""统一社会信用代码 (GB 32100-2015): normalize and validate, with Chinese messages.

18 characters from the alphabet 0-9 A-Z without I, O, Z, S, V:

- 1  登记管理部门代码 (1 机构编制, 5 民政, 9 市场监管, N 农业农村, Y 其他 …);
- 2  机构类别代码;
- 3–8  登记管理机关的行政区划代码 (digits);
- 9–17 主体标识码 (the former 组织机构代码);
- 18 check character, MOD 31 (computed by ``stdnum.cn.uscc.calc_check_digit``).

``stdnum.cn.uscc.validate`` insists that positions 1–8 are digits, which refuses real codes issued
by departments with a letter code (农村集体经济组织 "N2…", 其他 "Y…"). We therefore check the layout
ourselves and leave only the check character to stdnum.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from stdnum.cn import uscc

from gridgov.core.errors import Invalid

__all__ = ["InvalidCreditCode", "is_valid", "normalize", "parse", "region_code", "validate"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_NOT_USED = "IOZSV"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class InvalidCreditCode(Invalid):
    """The value is not a valid 统一社会信用代码."""

    default_message = "统一社会信用代码无效。"


def normalize(raw: Any) -> str:
    """Half-width, upper-case, without spaces, hyphens or Excel's leading apostrophe."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        raise InvalidCreditCode(
            "统一社会信用代码被 Excel 存成了数字,末几位已丢失,请把该列设为文本后重新录入。"
        )
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE)
    text = "".join(text.split()).replace("-", "").upper()
    if text.startswith("'"):
        text = text[1:]
    # "9.13502E+17" is Excel's rendering of a code it took for a number. A real code can look like
    # one too ("0E0000010000000003"), but it has all 18 characters.
    if _SCIENTIFIC.match(text) and len(text) != 18:
        raise InvalidCreditCode(
            "统一社会信用代码被 Excel 存成了科学计数法,末几位已丢失,请把该列设为文本后重新录入。"
        )
    return text


def validate(raw: Any, *, field: str | None = None) -> str:
    """The normalized code, or InvalidCreditCode with a message saying what is wrong."""
    code = normalize(raw)
    if not code:
        raise InvalidCreditCode("请填写统一社会信用代码。", field=field)
    if len(code) != 18:
        raise InvalidCreditCode(f"统一社会信用代码应为 18 位,现在是 {len(code)} 位。", field=field)
    unused = sorted({c for c in code if c in _NOT_USED})
    if unused:
        raise InvalidCreditCode(
            f"统一社会信用代码不使用字母 {'、'.join(unused)}"
            "(I、O、Z、S、V 都不用),请检查是否把数字 1、0、2、5 写成了字母。",
            field=field,
        )
    if any(c not in ALPHABET for c in code):
        raise InvalidCreditCode("统一社会信用代码只能由数字和大写英文字母组成。", field=field)
    if not code[2:8].isdigit():
        raise InvalidCreditCode(
            "统一社会信用代码的第 3 至 8 位是行政区划代码,只能是数字。", field=field
        )
    if code[17] != uscc.calc_check_digit(code):
        raise InvalidCreditCode(
            "统一社会信用代码校验位不对,请核对是否有抄错或颠倒的字符。", field=field
        )
    return code


parse = validate


def is_valid(raw: Any) -> bool:
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def region_code(code: str) -> str:
    """Positions 3–8: the 行政区划代码 of the registering authority."""
    return code[2:8]
