"""The national division codes down to townships, shipped with gridgov (data/divisions/).

National Bureau of Statistics codes as of 2022-10-31. An installation creates its district and
townships from them by code instead of typing names; villages, communities and grids are added or
imported locally.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gridgov.areas.choices import Level

DATA_DIR = Path(__file__).resolve().parent / "data" / "divisions"
AS_OF = "2022-10-31"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None


_FILES = (
    ("provinces.csv", Level.PROVINCE, None),
    ("cities.csv", Level.CITY, "provinceCode"),
    ("areas.csv", Level.COUNTY, "cityCode"),
    ("streets.csv", Level.TOWNSHIP, "areaCode"),
)


@cache
def _index() -> tuple[dict[str, Division], dict[str, list[Division]]]:
    by_code: dict[str, Division] = {}
    children: dict[str, list[Division]] = {}
    for filename, level, parent_column in _FILES:
        with (DATA_DIR / filename).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                parent = row[parent_column] if parent_column else None
                division = Division(row["code"], row["name"], str(level), parent)
                by_code[division.code] = division
                if parent:
                    children.setdefault(parent, []).append(division)
    return by_code, children


def lookup(code: str) -> Division | None:
    return _index()[0].get(code)


def children_of(code: str) -> list[Division]:
    return sorted(_index()[1].get(code, []), key=lambda d: d.code)


def ancestors_of(code: str) -> list[Division]:
    """The division's ancestors, top first (province, city, …)."""
    chain: list[Division] = []
    current = lookup(code)
    while current and current.parent_code:
        current = lookup(current.parent_code)
        if current:
            chain.append(current)
    return list(reversed(chain))


def full_name(code: str) -> str:
    """浙江省宁波市海曙区横街镇-style name, skipping the 市辖区 placeholder rows."""
    division = lookup(code)
    if division is None:
        return ""
    parts = [d.name for d in ancestors_of(code) if d.name not in ("市辖区", "县")]
    return "".join([*parts, division.name])
