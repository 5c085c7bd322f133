"""Standard addresses (标准地址): parts in the national order and one canonical text form.

行政区划 (from the grid) + 街路巷/村组 + 门牌号 + 小区 + 楼栋 + 单元 + 楼层 + 户室 (DOMAIN.md §3).
The canonical text is what duplicates are detected by: full-width characters folded, spaces
removed, the unit words (号, 幢, 单元, 层, 室) written once, by the code, never by the user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

# (field, the word that follows its value in the canonical text, label)
PARTS: tuple[tuple[str, str, str], ...] = (
    ("street", "", "街路巷/村组"),
    ("door_no", "号", "门牌号"),
    ("compound", "", "小区/院落"),
    ("building", "幢", "楼栋"),
    ("unit_no", "单元", "单元"),
    ("floor", "层", "楼层"),
    ("room", "室", "户室"),
)
_SUFFIXES = {name: suffix for name, suffix, _ in PARTS}
_STRIP_SUFFIX = {
    "door_no": ("号",),
    "building": ("幢", "栋", "号楼"),
    "unit_no": ("单元",),
    "floor": ("层", "楼"),
    "room": ("室", "号"),
}


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), no spaces at all."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def clean_part(name: str, value: str) -> str:
    """A part as stored: folded, without the unit word the canonical form adds back."""
    value = fold(value)
    for suffix in _STRIP_SUFFIX.get(name, ()):
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
            break
    return value


@dataclass(frozen=True)
class AddressParts:
    street: str = ""
    door_no: str = ""
    compound: str = ""
    building: str = ""
    unit_no: str = ""
    floor: str = ""
    room: str = ""

    @classmethod
    def clean(cls, **raw: str) -> AddressParts:
        return cls(**{f.name: clean_part(f.name, raw.get(f.name, "") or "") for f in fields(cls)})

    def canonical(self) -> str:
        """One text per address: "沿河路12号阳光小区3幢2单元5层502室"."""
        return "".join(
            f"{value}{_SUFFIXES[name]}" for name, value in self.as_dict().items() if value
        )

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def missing(self) -> list[str]:
        """Labels of the parts an address cannot do without (a street and a door number, or
        a compound and building)."""
        if self.street and self.door_no:
            return []
        if self.compound and self.building:
            return []
        return ["街路巷/村组与门牌号,或小区与楼栋"]


_ADDRESS_TEXT = re.compile(
    r"^(?P<street>.+?)(?P<door_no>[0-9A-Za-z-]+)号"
    r"(?P<compound>.*?)"
    r"(?:(?P<building>[0-9A-Za-z-]+)(?:幢|栋|号楼))?"
    r"(?:(?P<unit_no>[0-9A-Za-z-]+)单元)?"
    r"(?:(?P<floor>-?[0-9]+)层)?"
    r"(?:(?P<room>[0-9A-Za-z-]+)室)?$"
)


def parse_address_text(text: str) -> AddressParts | None:
    """Parts of an address written as one text in the canonical order ("中山路7号3幢2单元502室",
    "张家村3组12号"), or None when no door number can be found."""
    match = _ADDRESS_TEXT.match(fold(text))
    if match is None:
        return None
    return AddressParts.clean(**{k: v or "" for k, v in match.groupdict().items()})
