"""Area codes: national division codes with a grid suffix. Pure functions, no database.

province 2 digits, city 4, county 6 (GB/T 2260); township 9 (+3, GB/T 10114: 001–099 街道,
100–199 镇, 200–399 乡, 400–599 政企合一单位); village 12 (+3, 统计用区划代码); grid 15 (+3, ours).
A child's code is its parent's code with its own digits appended.
"""

from __future__ import annotations

from gridgov.areas.choices import CODE_LENGTH, PARENT_LEVEL, ROOT_LEVELS, Level

# First two digits of GB/T 2260 province-level codes (71 台湾, 81 香港, 82 澳门 included).
PROVINCE_PREFIXES = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)


def code_errors(
    code: str, level: str, parent_code: str | None, parent_level: str | None
) -> list[str]:
    """Everything wrong with `code` for an area of `level` under the given parent.

    An empty list means the code is fine."""
    errors: list[str] = []
    try:
        lvl = Level(level)
    except ValueError:
        return ["未知的区域层级。"]
    expected = CODE_LENGTH[lvl]
    if not code.isascii() or not code.isdigit():
        return ["区域代码只能由数字组成。"]
    if len(code) != expected:
        return [f"{lvl.label}的代码应为 {expected} 位数字,现为 {len(code)} 位。"]

    if parent_code is None:
        if lvl not in ROOT_LEVELS:
            errors.append(f"{lvl.label}必须隶属于上级区域。")
    else:
        if parent_level != PARENT_LEVEL.get(lvl):
            wanted = Level(PARENT_LEVEL[lvl]).label if lvl in PARENT_LEVEL else "无"
            errors.append(f"{lvl.label}的上级应为{wanted}。")
        elif not code.startswith(parent_code):
            errors.append(f"代码必须以上级区域代码 {parent_code} 开头。")

    if code[:2] not in PROVINCE_PREFIXES:
        errors.append("代码前两位不是有效的省级行政区划代码。")
    own = own_digits(code, lvl)
    if lvl == Level.CITY and own == "00":
        errors.append("地市级代码的第 3–4 位不能为 00。")
    elif lvl == Level.COUNTY and own == "00" and not _is_national_division(code):
        # 东莞 441900, 中山 442000, 儋州 460400: cities without districts list themselves as "00".
        errors.append("区县代码的第 5–6 位不能为 00。")
    elif lvl == Level.TOWNSHIP and not 1 <= int(own) <= 599:
        errors.append("乡镇/街道代码的第 7–9 位应在 001–599 之间(GB/T 10114)。")
    elif lvl in (Level.VILLAGE, Level.GRID) and own == "000":
        errors.append(f"{lvl.label}代码的最后 3 位不能为 000。")
    return errors


def _is_national_division(code: str) -> bool:
    from gridgov.areas.divisions import lookup

    return lookup(code) is not None


def own_digits(code: str, level: str) -> str:
    """The digits this level adds to its parent's code."""
    lvl = Level(level)
    parent = PARENT_LEVEL.get(lvl)
    start = CODE_LENGTH[parent] if parent else 0
    return code[start:]


def path_segment(code: str, parent_code: str | None) -> str:
    return code[len(parent_code) :] if parent_code else code


def township_kind(code: str) -> str:
    """街道, 镇, 乡 or 政企合一单位, from the township digits (GB/T 10114)."""
    n = int(code[6:9])
    if n < 100:
        return "街道"
    if n < 200:
        return "镇"
    if n < 400:
        return "乡"
    return "政企合一单位"
