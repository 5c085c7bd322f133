"""公民身份号码 (GB 11643-1999): normalize, validate, upgrade 15-digit numbers, derive sex, birth.

The ladder (DOMAIN.md §7.1), each step with its own Chinese message:

1. normalize: full-width characters to half-width, spaces (any kind) removed, ``x`` upper-cased;
   a value Excel turned into scientific notation ("1.10105194912310E+17") is refused, because its
   last digits are gone;
2. length and characters: 18 (17 digits + digit or X), or 15 digits for a GB 11643-1989 number,
   which is upgraded (insert "19", compute the check character);
3. check character (ISO 7064 MOD 11-2, computed by ``stdnum.cn.ric.calc_check_digit``);
4. the birth date exists, is not in the future and not before 1900;
5. the first two digits are a province (or 81/82/83, the 港澳台居民居住证 prefixes);
6. the 6-digit address code is in the union of every historical GB/T 2260 version (python-stdnum's
   ``cn/loc.dat``). The code is the one in force when the number was *issued*, so an abolished or
   renamed code is normal. An unknown code is a warning (``IdNumber.warnings``), never a refusal.

We do not call ``stdnum.cn.ric.validate``: it also refuses an address code that was not in force
in the birth year, which rejects real numbers (a person born in 1950 and first issued a number in
1985 carries a 1985 code) and even the standard's own example 440524188001010014.

``check_consistency`` compares a parsed number with the sex and birth date a user typed in.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from stdnum import numdb
from stdnum.cn import ric

from gridgov.core.errors import Invalid

__all__ = [
    "IdNumber",
    "InvalidIdNumber",
    "check_consistency",
    "mask",
    "normalize",
    "parse",
]

MIN_BIRTH_DATE = datetime.date(1900, 1, 1)

# First two digits: provinces per GB/T 2260, plus 71 台湾 and 81/82/83, the prefixes of the
# 港澳台居民居住证 numbers (810000 香港, 820000 澳门, 830000 台湾), which follow GB 11643.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
PROVINCE_PREFIXES = frozenset(
    str(n) for low, high in _PROVINCE_RANGES for n in range(low, high + 1)
)

# Address codes of the residence permits; 830000 is not a GB/T 2260 code, so stdnum lacks it.
RESIDENCE_PERMIT_REGIONS = {
    "810000": "香港特别行政区(港澳居民居住证)",
    "820000": "澳门特别行政区(港澳居民居住证)",
    "830000": "台湾地区(台湾居民居住证)",
}

SEX_CODES = {"male": "1", "female": "2"}  # GB/T 2261.1
SEX_LABELS = {"male": "男", "female": "女"}
# What a form or an import may give for sex; GB/T 2261.1 "0 未知" and "9 未说明" mean "no claim".
_SEX_INPUTS = {
    "male": "male",
    "female": "female",
    "1": "male",
    "2": "female",
    "男": "male",
    "女": "female",
    "0": None,
    "9": None,
    "": None,
}

EXCEL_SCIENTIFIC_MESSAGE = (
    "身份证号被 Excel 存成了科学计数法,末几位已丢失,请把该列设为文本后重新录入。"
)

_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Excel keeps 15 significant digits: an 18-digit number typed into a numeric cell ends in 000.
_EXCEL_TRUNCATED_HINT = (
    "末三位是 000,若该号码来自 Excel,说明它被当成数字截断了,请把该列设为文本后重新录入。"
)


class InvalidIdNumber(Invalid):
    """The value is not a valid 公民身份号码 (or contradicts the sex or birth date given)."""

    default_message = "公民身份号码无效。"


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-character number and what it says about its holder."""

    number: str
    birth_date: datetime.date
    sex: str  # "male" | "female"
    region_code: str
    region_known: bool
    region_name: str = ""
    warnings: tuple[str, ...] = ()
    upgraded_from_15: bool = False

    @property
    def sex_code(self) -> str:
        """GB/T 2261.1 code: "1" 男, "2" 女."""
        return SEX_CODES[self.sex]

    @property
    def sex_label(self) -> str:
        return SEX_LABELS[self.sex]

    def age_on(self, day: datetime.date) -> int:
        """Age in whole years on `day` (a 29 February birthday counts from 1 March)."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def masked(self) -> str:
        return mask(self.number)


def normalize(raw: Any) -> str:
    """The value as a compact upper-case string, ready for `parse`.

    Full-width digits and letters become half-width, every space (also inner and ideographic ones)
    and zero-width character is removed, a leading apostrophe (Excel's "text" marker) is dropped and
    ``x`` becomes ``X``. Raises InvalidIdNumber for a value Excel stored as a number in scientific
    notation, or as a float that cannot hold 18 digits.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise InvalidIdNumber("公民身份号码应为文字,不能是是/否值。")
    if isinstance(raw, float):
        # openpyxl gives a float for a numeric cell: only up to 15 digits survive exactly.
        if raw.is_integer() and 0 <= raw < 1e15:
            return str(int(raw))
        raise InvalidIdNumber(EXCEL_SCIENTIFIC_MESSAGE)
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE)
    text = "".join(text.split()).upper()
    if text.startswith("'"):
        text = text[1:]
    if _SCIENTIFIC.match(text):
        raise InvalidIdNumber(EXCEL_SCIENTIFIC_MESSAGE)
    return text


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def _upgrade_15(number: str, *, field_name: str | None) -> str:
    """GB 11643-1989 → 1999: insert the century "19" and append the check character."""
    if not number.isdigit():
        raise InvalidIdNumber("15 位的旧身份证号只能由数字组成。", field=field_name)
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


@functools.lru_cache(maxsize=20_000)
def _region_entries(code: str) -> tuple[str, str, str] | None:
    """(province, prefecture entry, county entry) of a GB/T 2260 code in stdnum's loc.dat, or
    None if no version knows it. Cached: a look-up walks the whole table."""
    db = numdb.get("cn/loc")
    parts = {key: value for _, props in db.info(code) for key, value in props.items()}
    county = parts.get("county")
    if not county:
        return None
    prefecture = ""
    if code[4:] != "00":  # a county: its prefecture first, when that has a name of its own
        prefecture = {k: v for _, p in db.info(code[:4] + "00") for k, v in p.items()}.get(
            "county", ""
        )
    return parts.get("province", ""), prefecture, county


@functools.lru_cache(maxsize=100_000)
def _region(code: str, birth_year: int) -> tuple[bool, str]:
    """(known in some GB/T 2260 version, a display name). Never raises."""
    if code in RESIDENCE_PERMIT_REGIONS:
        return True, RESIDENCE_PERMIT_REGIONS[code]
    entries = _region_entries(code)
    if entries is None:
        return False, ""
    province, prefecture, county = entries
    names = [province]
    if prefecture:
        names.append(_county_name(prefecture, birth_year))
    names.append(_county_name(county, birth_year))
    names = [n for n in names if n and not _is_placeholder(n)]
    return True, "".join(dict.fromkeys(names))


# Prefecture-level entries that are groupings, not places ("北京市市辖区朝阳区" reads wrong).
def _is_placeholder(name: str) -> bool:
    return name in ("市辖区", "县") or "直辖县级行政" in name


def _county_name(entry: str, year: int) -> str:
    """Pick a name from loc.dat's "[1983-1990]城区,[1991-2019]崇川区": the first whose period had
    not ended by `year` (a number is issued at or after birth), else the last one."""
    name = entry
    for part in entry.split(","):
        if not part.startswith("["):
            return part
        period, name = part[1:].split("]", 1)
        end = period.split("-")[1]
        if not end or int(end) >= year:
            return name
    return name


def parse(raw: Any, *, today: datetime.date | None = None, field: str | None = None) -> IdNumber:
    """Validate a 公民身份号码 and return what it says. Raises InvalidIdNumber (Chinese message,
    carrying `field` so a form shows it beside the right input)."""
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber("请填写公民身份号码。", field=field)

    upgraded = False
    if len(number) == 15:
        number = _upgrade_15(number, field_name=field)
        upgraded = True
    elif len(number) != 18:
        raise InvalidIdNumber(
            f"公民身份号码应为 18 位(旧号码为 15 位),现在是 {len(number)} 位。", field=field
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(
            "公民身份号码由 17 位数字加一位校验码组成,校验码是数字或 X。", field=field
        )
    if number[17] != ric.calc_check_digit(number):
        message = "公民身份号码校验位不对,请核对是否有抄错或颠倒的数字。"
        if number.endswith("000"):
            message += _EXCEL_TRUNCATED_HINT
        raise InvalidIdNumber(message, field=field)

    digits = number[6:14]
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidIdNumber(
            f"公民身份号码中的出生日期 {digits} 不是真实存在的日期。", field=field
        ) from None
    if birth_date < MIN_BIRTH_DATE:
        raise InvalidIdNumber(
            f"公民身份号码中的出生日期 {birth_date:%Y-%m-%d} 早于 1900 年,请核对。", field=field
        )
    if birth_date > (today or _today()):
        raise InvalidIdNumber(
            f"公民身份号码中的出生日期 {birth_date:%Y-%m-%d} 晚于今天,请核对。", field=field
        )

    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(
            f"公民身份号码的前两位 {number[:2]} 不是有效的省级行政区划代码。", field=field
        )
    region_code = number[:6]
    region_known, region_name = _region(region_code, birth_date.year)
    warnings = ()
    if not region_known:
        warnings = (f"地址码 {region_code} 不在历年的行政区划代码中,请核对号码(不影响保存)。",)

    return IdNumber(
        number=number,
        birth_date=birth_date,
        sex="male" if int(number[16]) % 2 else "female",
        region_code=region_code,
        region_known=region_known,
        region_name=region_name,
        warnings=warnings,
        upgraded_from_15=upgraded,
    )


def is_valid(raw: Any, *, today: datetime.date | None = None) -> bool:
    try:
        parse(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def check_consistency(
    id_number: IdNumber,
    *,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
) -> None:
    """Refuse a sex or birth date that contradicts the number; None (or an unknown sex, GB/T
    2261.1 "0"/"9") means nothing was claimed. `sex` may be "male"/"female", "1"/"2" or "男"/"女".

    Both contradictions are reported at once, each under its own field ("sex", "birth_date").
    """
    errors: dict[str, list[str]] = {}
    if sex is not None:
        if sex not in _SEX_INPUTS:
            raise ValueError(f"unknown sex value {sex!r}")
        claimed = _SEX_INPUTS[sex]
        if claimed is not None and claimed != id_number.sex:
            errors["sex"] = [
                f"性别与公民身份号码不符:号码显示为{SEX_LABELS[id_number.sex]},"
                f"填写的是{SEX_LABELS[claimed]}。"
            ]
    if birth_date is not None:
        if isinstance(birth_date, datetime.datetime):
            birth_date = birth_date.date()
        if birth_date != id_number.birth_date:
            errors["birth_date"] = [
                f"出生日期与公民身份号码不符:号码显示为 {id_number.birth_date:%Y-%m-%d},"
                f"填写的是 {birth_date:%Y-%m-%d}。"
            ]
    if errors:
        raise InvalidIdNumber(errors=errors)


def mask(number: str | None) -> str:
    """Hide the middle: 18 characters show the first 4 and last 4 (3206**********1234). Other
    lengths show at most a quarter at each end (at most 4); 3 characters or fewer show nothing."""
    if not number:
        return ""
    keep = min(4, len(number) // 4)
    if keep == 0:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]
