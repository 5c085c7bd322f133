"""A synthetic city for the registry benchmarks: areas, people, houses and units, deterministic.

Everything is a pure function of ``(scale, seed)`` (and an optional ``Layout``): the same
arguments give the same rows, byte for byte, on any machine and any ``PYTHONHASHSEED``. Only
seeded ``random.Random`` instances are used, never the module-level ``random``. Rows are streamed,
so memory stays flat whatever the scale (a few MB of lookup tables: the ID-number counters and the
precomputed date strings).

Geography (``geography(scale)``): one county (default 330203) with ``ceil(scale / 100,000)``
townships, 20 villages per township and 10 grids per village at full scale (fewer at small
scales), i.e. ~500 people per grid. Codes follow the area tree: county 6 digits, township 9
(街道 0xx, 镇 1xx), village 12 (社区 0xx, 村 2xx), grid 15. Even-numbered townships are 镇 whose
first village is the town's 社区 and the rest 村; odd-numbered ones are 街道 with 社区 only.

People (``iter_people``): households of 1–6 (a head, usually a spouse, children or an elderly
parent), ~72% 户籍人口, ~26% 流动人口, ~2% 未落户人员. Each person has a valid, unique 18-digit
公民身份号码 (real GB/T 2260 region codes, birth 1930-01-01..2020-12-31, order code odd for men,
ISO 7064 MOD 11-2 check character); sex and birth date agree with the number. Names come from
weighted pools (top ~100 surnames with their approximate share, gender-leaning given-name
characters), 2 or 3 characters, all in GB2312 so a GBK export works.

Addresses, in the canonical text form:

- 村 grids: ``{镇}{村}{组}组{门牌}号``, e.g. ``云溪镇张家村3组12号`` (组 = the grid's number in
  its village);
- 社区 grids: ``{路}{门牌}号{幢}幢{单元}单元{室}室``, e.g. ``中山路7号3幢2单元502室`` (one road
  entrance per grid, six floors, two units, two flats a floor).

Every address is unique in the whole city. Houses (``iter_houses``) are the households'
dwellings plus a few vacant ones; a person's 现住地址 is exactly the house's 标准地址. Units
(``iter_units``, one per ~200 people) carry valid 统一社会信用代码 (GB 32100, with a valid
GB 11714 organisation-code check character inside) at door numbers 1001 + the unit's index, which
never collide with the houses (a grid has far fewer than 1000 houses).

CSV files (``write_people_csv`` etc.) have the Chinese headers a village would type and the
Chinese labels (男/女, 汉族, 户籍人口, 自住 …); the dicts from the ``iter_*`` functions carry the
model values (sex "1"/"2", ethnicity "01", residence_type "registered" …). See the ``*_COLUMNS``
tables for the mapping.

Run ``python bench/registry_support/citygen.py [SCALE] [OUT_DIR]`` to time the generation of the
CSVs.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import os
import random
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HOUSE_COLUMNS",
    "PEOPLE_COLUMNS",
    "UNIT_COLUMNS",
    "Layout",
    "geography",
    "id_check_char",
    "iter_houses",
    "iter_people",
    "iter_units",
    "org_code_check_char",
    "uscc_check_char",
    "write_houses_csv",
    "write_people_csv",
    "write_units_csv",
]

COUNTY_CODE = "330203"
COUNTY_NAME = "海曙区"
PEOPLE_PER_TOWNSHIP = 100_000
PEOPLE_PER_VILLAGE = 5_000
PEOPLE_PER_GRID = 500
PEOPLE_PER_UNIT = 200
FIRST_BIRTH = dt.date(1930, 1, 1)
LAST_BIRTH = dt.date(2020, 12, 31)

# --- Check characters ---------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_MAP = "10X98765432"  # ISO 7064 MOD 11-2, indexed by (weighted sum) % 11


def id_check_char(first17: str) -> str:
    """The 18th character of a 公民身份号码 (GB 11643-1999)."""
    return ID_CHECK_MAP[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015, MOD 31)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714-1997, MOD 11; letters A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


# --- Pools ------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The ~100 most common surnames with their approximate share of the population in per mille
# (公安部 户籍 statistics, rounded), and two compound surnames.
_SURNAMES = _words(
    "王72 李72 张68 刘54 陈45 杨31 赵23 黄22 周19 吴20 徐17 孙15 胡13 朱14 高11 林11 何12 "
    "郭12 马14 罗11 梁9 宋8 郑10 谢8 韩7 唐7 冯6 于5 董6 萧1 程5 曹6 袁6 邓7 许7 傅3 沈4 "
    "曾6 彭6 吕4 苏5 卢4 蒋5 蔡5 贾3 丁4 魏5 薛2 叶5 阎1 余5 潘5 杜5 戴2 夏3 钟4 汪3 田6 "
    "任4 姜4 范3 方3 石3 姚4 谭4 廖3 邹3 熊3 金3 陆3 郝2 孔1 白3 崔4 康2 毛2 邱2 秦2 江2 "
    "史2 顾2 侯2 邵2 孟2 龙2 万2 段2 雷2 钱2 汤1 尹2 黎2 易1 常1 武1 乔1 贺2 赖1 龚2 文1 "
    "闫2 付3 严2 覃2 陶2 应1 欧阳1 上官1"
)
SURNAMES = tuple(s.rstrip("0123456789") for s in _SURNAMES)
SURNAME_CUM_WEIGHTS = tuple(
    itertools.accumulate(int(s[len(name) :]) for s, name in zip(_SURNAMES, SURNAMES, strict=True))
)
GIVEN_MALE = tuple(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国峰亮成东文志海永兵锋晨博"
    "睿轩子泽宏家天晓毅德庆春金福荣生祥云江新利清义正中兴安康乐嘉豪航鸣俊伦诚"
)
GIVEN_FEMALE = tuple(
    "芳娜敏静丽艳娟霞秀英华慧巧美玲婷雪琳洁颖倩佳欣怡梅萍红燕晶丹琴云莉兰凤晨露瑶璐萱涵雨思嘉"
    "子梓悦诗可欢月彤妍菲琪蕾薇宁雅淑惠珍爱玉秋桂春兰芬娇"
)

# Real GB/T 2260 codes (some abolished: numbers keep the code in force when they were issued).
LOCAL_REGIONS = ("330203", "330204", "330227", "330212", "330205", "330281", "330282")
LOCAL_REGION_CUM = (60, 75, 85, 93, 96, 98, 100)
OUTSIDE_REGIONS = (
    "340121",
    "341222",
    "341221",
    "342422",
    "411323",
    "412726",
    "421182",
    "430524",
    "433127",
    "500228",
    "510322",
    "513030",
    "522121",
    "532128",
    "362321",
    "360124",
    "452123",
    "610323",
    "622421",
    "350583",
)
REGIONS = LOCAL_REGIONS + OUTSIDE_REGIONS

ETHNICITIES = {"01": "汉族", "03": "回族", "08": "壮族", "15": "土家族", "06": "苗族", "11": "满族"}
_ETHNICITY_CODES = tuple(ETHNICITIES)
_ETHNICITY_CUM = (970, 976, 983, 991, 997, 1000)

MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 198 199"
)

SEX_LABELS = {"1": "男", "2": "女"}
RESIDENCE_LABELS = {"registered": "户籍人口", "floating": "流动人口", "unregistered": "未落户人员"}
ARRANGEMENT_LABELS = {"own": "自住", "tenant": "租住", "lodger": "寄住"}
USE_LABELS = {"01": "住宅", "06": "商住混用"}
OWNERSHIP_LABELS = {"private": "私有", "public": "公有", "collective": "集体"}
OCCUPANCY_LABELS = {"self": "自住", "rented": "出租", "vacant": "空置"}
RENTAL_USE_LABELS = {"02": "住房", "": ""}
UNIT_TYPE_LABELS = {
    "enterprise": "企业",
    "shop": "商铺",
    "market": "市场",
    "hotel": "旅馆",
    "internet_cafe": "网吧",
    "school": "学校",
    "hospital": "医院",
    "social_org": "社会组织",
    "government": "机关事业单位",
}
ENTERPRISE_CATEGORY_LABELS = {"01": "内资企业", "03": "个体工商户", "04": "农民专业合作社"}

_PLACE_FIRST = "云青石龙白东西南北金银玉凤桃柳梅松竹兰清"
_PLACE_SECOND = "溪山桥泉沙湖林塘岙浦港江岭湾田园川坪河峰"
_VILLAGE_FIRST = "张李王陈周徐何胡林杨黄吴沈叶金余董钱应邵"
_VILLAGE_SECOND = "家岙山塘桥湾洋头岭埠墩坑畈垟溪浦庄圩堰渡"
_COMMUNITY_FIRST = "明华新安和康福瑞阳锦翠丽嘉景泰文馨悦春秋"
_COMMUNITY_SECOND = "珠苑园城庭府湾都居里坊门港桥湖山庄江河亭"
ROADS = tuple(
    f"{a}{b}"
    for a in _words(
        "中山 解放 人民 建设 和平 胜利 文化 健康 幸福 光明 兴宁 百丈 柳汀 长春 环城 望京 "
        "新典 前丰 丽园 翠柏 联丰 苍松 气象 药行 灵桥 孝闻 尚书 大来 开明 县前"
    )
    for b in ("路", "街")
)
_SHOP_WORDS = _words(
    "美佳 华联 鑫源 永盛 惠民 福满 顺达 金鼎 好又多 百姓 新世纪 万家 康乐 利群 天天"
)
_SHOP_KINDS = _words(
    "便利店 超市 五金店 理发店 小吃店 水果店 药店 服装店 面馆 汽修店 手机店 粮油店"
)
_FIRM_WORDS = _words("明达 宏远 恒信 东海 甬江 信达 卓越 精工 华力 天一 博纳 中盛 海川 新锐 同创")
_FIRM_KINDS = _words("机械 电子 服饰 文具 塑料 五金 模具 贸易 物流 科技 建材 电器 食品 纺织 包装")


def _two_char_names(first: str, second: str) -> tuple[str, ...]:
    """All first×second pairs in a fixed scrambled order (so neighbours don't share a char)."""
    pairs = [a + b for a in first for b in second]
    step = 7  # coprime with len(pairs) for the pools above (400)
    return tuple(pairs[(i * step) % len(pairs)] for i in range(len(pairs)))


PLACE_NAMES = _two_char_names(_PLACE_FIRST, _PLACE_SECOND)
VILLAGE_NAMES = _two_char_names(_VILLAGE_FIRST, _VILLAGE_SECOND)
COMMUNITY_NAMES = _two_char_names(_COMMUNITY_FIRST, _COMMUNITY_SECOND)


# --- Geography --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How many townships, villages per township and grids per village the city has."""

    townships: int
    villages_per_township: int
    grids_per_village: int
    county_code: str = COUNTY_CODE
    county_name: str = COUNTY_NAME

    @classmethod
    def for_scale(cls, scale: int) -> Layout:
        """~100,000 people a township, ~5,000 a village, ~500 a grid (fewer areas when small)."""
        townships = max(1, math.ceil(scale / PEOPLE_PER_TOWNSHIP))
        per_township = scale / townships
        villages = min(20, max(1, math.ceil(per_township / PEOPLE_PER_VILLAGE)))
        grids = min(10, max(1, math.ceil(per_township / (villages * PEOPLE_PER_GRID))))
        return cls(townships, villages, grids)

    def __post_init__(self) -> None:
        if not 1 <= self.townships <= min(198, len(PLACE_NAMES)):
            raise ValueError("townships must be 1..198 (99 镇 and 99 街道 codes)")
        if not 1 <= self.villages_per_township <= 99:
            raise ValueError("villages_per_township must be 1..99")
        if not 1 <= self.grids_per_village <= 999:
            raise ValueError("grids_per_village must be 1..999")

    @property
    def grid_count(self) -> int:
        return self.townships * self.villages_per_township * self.grids_per_village


@dataclass(frozen=True)
class _Grid:
    index: int  # in the whole city, 0-based
    code: str
    township_name: str
    village_name: str
    rural: bool  # a 村 grid (addresses by 组 and 门牌) rather than a 社区 one (road and flats)
    group: int  # the grid's number in its village: the 组 of a 村 address
    road: str  # 社区 grids: the road of the compound's entrance
    door: int  # 社区 grids: its door number


def _areas(layout: Layout) -> tuple[list[dict[str, str]], list[_Grid]]:
    areas = [
        {
            "code": layout.county_code,
            "name": layout.county_name,
            "level": "county",
            "parent_code": "",
            "kind": "区",
        }
    ]
    grids: list[_Grid] = []
    towns = streets = 0
    community_count = 0
    for t in range(layout.townships):
        is_town = t % 2 == 0
        if is_town:
            towns += 1
            t_code, t_name, t_kind = f"{100 + towns:03d}", PLACE_NAMES[t] + "镇", "镇"
        else:
            streets += 1
            t_code, t_name, t_kind = f"{streets:03d}", PLACE_NAMES[t] + "街道", "街道"
        township_code = layout.county_code + t_code
        areas.append(
            {
                "code": township_code,
                "name": t_name,
                "level": "township",
                "parent_code": layout.county_code,
                "kind": t_kind,
            }
        )
        rurals = communities = 0
        for v in range(layout.villages_per_township):
            rural = is_town and not (v == 0 and layout.villages_per_township > 1)
            if rural:
                rurals += 1
                v_code = f"{200 + rurals:03d}"
                v_name = VILLAGE_NAMES[(t * 37 + v) % len(VILLAGE_NAMES)] + "村"
            else:
                communities += 1
                v_code = f"{communities:03d}"
                v_name = COMMUNITY_NAMES[community_count % len(COMMUNITY_NAMES)] + "社区"
                community_count += 1
            village_code = township_code + v_code
            areas.append(
                {
                    "code": village_code,
                    "name": v_name,
                    "level": "village",
                    "parent_code": township_code,
                    "kind": "村" if rural else "社区",
                }
            )
            for g in range(1, layout.grids_per_village + 1):
                index = len(grids)
                grid_code = f"{village_code}{g:03d}"
                areas.append(
                    {
                        "code": grid_code,
                        "name": f"{v_name}第{g}网格",
                        "level": "grid",
                        "parent_code": village_code,
                        "kind": "real",
                    }
                )
                grids.append(
                    _Grid(
                        index=index,
                        code=grid_code,
                        township_name=t_name,
                        village_name=v_name,
                        rural=rural,
                        group=g,
                        # (road, door) is a bijection of the grid index: unique in the city.
                        road=ROADS[index % len(ROADS)],
                        door=1 + 2 * (index // len(ROADS)),
                    )
                )
    return areas, grids


def geography(scale: int, layout: Layout | None = None) -> list[dict[str, str]]:
    """The areas to create before importing, parents first.

    Each: ``code``, ``name``, ``level`` (county/township/village/grid), ``parent_code`` ("" for
    the county) and ``kind`` (区; 镇 or 街道; 村 or 社区; "real" for grids).
    """
    return _areas(layout or Layout.for_scale(scale))[0]


def _quotas(scale: int, grid_count: int) -> list[int]:
    base, extra = divmod(scale, grid_count)
    return [base + (1 if g < extra else 0) for g in range(grid_count)]


# --- People and houses ------------------------------------------------------------------------

_DAYS = (LAST_BIRTH - FIRST_BIRTH).days + 1
_YEAR_START = {y: (dt.date(y, 1, 1) - FIRST_BIRTH).days for y in range(1930, 2022)}


def _date_tables() -> tuple[list[str], list[int]]:
    """ISO text and the ID check-sum contribution of every birth date in range."""
    iso: list[str] = []
    partial: list[int] = []
    day = FIRST_BIRTH
    one = dt.timedelta(days=1)
    for _ in range(_DAYS):
        digits = day.strftime("%Y%m%d")
        iso.append(day.isoformat())
        partial.append(sum(int(c) * w for c, w in zip(digits, ID_WEIGHTS[6:14], strict=True)))
        day += one
    return iso, partial


_DATE_ISO, _DATE_SUM = _date_tables()
_REGION_SUM = [sum(int(c) * w for c, w in zip(r, ID_WEIGHTS[:6], strict=True)) for r in REGIONS]
_SEQ_SUM = [
    sum(int(c) * w for c, w in zip(f"{s:03d}", ID_WEIGHTS[14:], strict=True)) for s in range(1000)
]
_SEQ_TEXT = [f"{s:03d}" for s in range(1000)]
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
_HOUSEHOLD_CUM = (14, 44, 71, 88, 96, 100)
_SEQ_CAPACITY = 499  # order codes per (region, date, sex): 002..998 even, 003..999 odd


class _IdIssuer:
    """Unique ID numbers: a counter per (region, birth date, sex), as a 派出所 keeps one.

    The k-th person of a (region, date, sex) gets order code 2·m + sex bit with
    m = 1 + (37·k + h) mod 499 (37 is coprime with the prime 499, so distinct for k < 499; h
    spreads the start). Two bytes a counter: ~2.5 MB for 27 regions × 33,238 days × 2 sexes.
    """

    def __init__(self) -> None:
        self.counts = array("H", bytes(2 * len(REGIONS) * _DAYS * 2))

    def issue(self, region: int, day: int, male: bool) -> str | None:
        slot = ((region * _DAYS) + day) * 2 + male
        k = self.counts[slot]
        if k >= _SEQ_CAPACITY:
            return None
        self.counts[slot] = k + 1
        seq = 2 * (1 + (37 * k + region * 7919 + day * 104_729 + male * 13) % _SEQ_CAPACITY) + male
        check = ID_CHECK_MAP[(_REGION_SUM[region] + _DATE_SUM[day] + _SEQ_SUM[seq]) % 11]
        return REGIONS[region] + _DATE_ISO[day].replace("-", "") + _SEQ_TEXT[seq] + check


def _name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    """A 2- or 3-character name: ~20% a single given character (always after 欧阳/上官)."""
    if surname is None:
        surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    if len(surname) > 1 or rng.random() < 0.2:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


class _City:
    """One pass over the city: households, each with its house and its members, in grid order."""

    def __init__(self, scale: int, seed: int, layout: Layout | None) -> None:
        self.layout = layout or Layout.for_scale(scale)
        self.scale = scale
        self.rng = random.Random(f"citygen:{seed}:people")
        # House-only randomness (area, use, landlord) has its own stream, so that a people-only
        # pass skips it without changing the people.
        self.house_rng = random.Random(f"citygen:{seed}:houses")
        self.ids = _IdIssuer()
        self.grids = _areas(self.layout)[1]

    def person(
        self, year: int, male: bool, region: int, surname: str | None, base: dict[str, str]
    ) -> dict[str, str]:
        rng = self.rng
        year = min(max(year, 1930), 2020)
        start = _YEAR_START[year]
        length = _YEAR_START[year + 1] - start
        while True:
            day = start + rng.randrange(length)
            id_number = self.ids.issue(region, day, male)
            if id_number is not None:
                break
        r = rng.random()
        phone = ""
        if year <= 2008 and r < 0.95:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
        e = rng.randrange(1000)
        ethnicity = "01" if e < 970 else _ETHNICITY_CODES[_bisect(_ETHNICITY_CUM, e)]
        return {
            "name": _name(rng, male, surname),
            "id_number": id_number,
            "sex": "1" if male else "2",
            "birth_date": _DATE_ISO[day],
            "ethnicity": ethnicity,
            "phone": phone,
            **base,
        }

    def region(self, residence: str) -> int:
        rng = self.rng
        if residence == "registered" or rng.random() < 0.1:
            return _bisect(LOCAL_REGION_CUM, rng.randrange(100))
        return len(LOCAL_REGIONS) + rng.randrange(len(OUTSIDE_REGIONS))

    def household(self, grid: _Grid, size: int, residence: str, address: str) -> list[dict]:
        rng = self.rng
        region = self.region(residence)
        arrangement = "own" if residence == "registered" else "tenant"
        base = {
            "residence_type": residence,
            "hukou_place": self.layout.county_code
            if residence == "registered"
            else REGIONS[region],
            "grid_code": grid.code,
            "address": address,
            "arrangement": arrangement,
        }
        head_male = rng.random() < 0.75
        head_year = 1935 + int(rng.triangular(0, 63, 28))
        head = self.person(head_year, head_male, region, None, base)
        family_name = head["name"][: 2 if head["name"][:2] in ("欧阳", "上官") else 1]
        members = [head]
        if size >= 2 and rng.random() < 0.85:
            spouse_year = head_year + rng.randint(-4, 4) + (2 if head_male else -2)
            members.append(self.person(spouse_year, not head_male, region, None, base))
        lodger = {**base, "arrangement": "lodger"} if arrangement == "own" else base
        while len(members) < size:
            child_year = head_year + rng.randint(22, 38)
            if child_year <= 2020:
                child_male = rng.random() < 0.52
                surname = family_name if head_male or rng.random() < 0.3 else None
                members.append(self.person(child_year, child_male, region, surname, base))
            else:  # an elderly parent moves in
                parent_year = head_year - rng.randint(22, 32)
                members.append(self.person(parent_year, rng.random() < 0.45, region, None, lodger))
        return members

    def address(self, grid: _Grid, k: int) -> dict[str, str]:
        """The k-th dwelling of a grid, as parts and canonical text."""
        if grid.rural:
            street = f"{grid.village_name}{grid.group}组"
            door = str(k + 1)
            text = f"{grid.township_name}{street}{door}号"
            return {"address": text, "street": street, "door_no": door}
        building, within = divmod(k, 24)
        unit, flat = divmod(within, 12)
        room = f"{flat // 2 + 1}0{flat % 2 + 1}"
        text = f"{grid.road}{grid.door}号{building + 1}幢{unit + 1}单元{room}室"
        return {
            "address": text,
            "street": grid.road,
            "door_no": str(grid.door),
            "building": str(building + 1),
            "unit_no": str(unit + 1),
            "room": room,
        }

    def house(
        self, grid: _Grid, parts: dict[str, str], occupancy: str, owner: dict[str, str] | None
    ) -> dict[str, str]:
        hr = self.house_rng
        area = hr.uniform(45, 160) if not grid.rural else hr.uniform(80, 260)
        return {
            "grid_code": grid.code,
            "address": parts["address"],
            "street": parts.get("street", ""),
            "door_no": parts.get("door_no", ""),
            "compound": "",
            "building": parts.get("building", ""),
            "unit_no": parts.get("unit_no", ""),
            "floor": "",
            "room": parts.get("room", ""),
            "use": "06" if grid.rural and hr.random() < 0.1 else "01",
            "ownership": "private",
            "occupancy": occupancy,
            "rental_use": "02" if occupancy == "rented" else "",  # 住房: a family rents it
            "floor_area": f"{area:.1f}",
            "owner_name": owner["name"] if owner else "",
            "owner_id_number": owner["id_number"] if owner else "",
        }

    def households(self, with_houses: bool) -> Iterator[tuple[dict[str, str] | None, list[dict]]]:
        """(house or None when not asked for, members); vacant houses come with no members."""
        rng, hr = self.rng, self.house_rng
        for grid, quota in zip(self.grids, _quotas(self.scale, len(self.grids)), strict=True):
            landlords: deque[dict[str, str]] = deque(maxlen=32)
            k = placed = 0
            while placed < quota:
                size = _HOUSEHOLD_SIZES[_bisect(_HOUSEHOLD_CUM, rng.randrange(100))]
                size = min(size, quota - placed)
                r = rng.random()
                if k == 0 or r < 0.72:
                    residence = "registered"
                elif r < 0.98:
                    residence = "floating"
                else:
                    residence = "unregistered"
                parts = self.address(grid, k)
                members = self.household(grid, size, residence, parts["address"])
                k += 1
                placed += len(members)
                vacant = rng.random() < 0.04
                if not with_houses:
                    if vacant:
                        k += 1
                    yield None, members
                    continue
                if residence == "registered":
                    owner, occupancy = members[0], "self"
                    landlords.append(owner)
                else:
                    owner, occupancy = hr.choice(landlords), "rented"
                yield self.house(grid, parts, occupancy, owner), members
                if vacant:  # the head's second home, or a landlord's empty flat
                    parts = self.address(grid, k)
                    k += 1
                    yield self.house(grid, parts, "vacant", landlords[-1]), []


def _bisect(cum: tuple[int, ...], value: int) -> int:
    """Index of the first cumulative weight above value (value in 0..cum[-1]-1)."""
    for i, c in enumerate(cum):
        if value < c:
            return i
    raise ValueError(value)  # pragma: no cover


def iter_people(scale: int, seed: int = 0, *, layout: Layout | None = None) -> Iterator[dict]:
    """``scale`` people, in grid order. Keys: name, id_number, sex ("1"/"2"), birth_date (ISO),
    ethnicity ("01" …), phone ("" for most children), residence_type (registered/floating/
    unregistered), hukou_place (6-digit code), grid_code, address, arrangement (own/tenant/
    lodger)."""
    for _, members in _City(scale, seed, layout).households(with_houses=False):
        yield from members


def iter_houses(scale: int, seed: int = 0, *, layout: Layout | None = None) -> Iterator[dict]:
    """The houses of the same city (one per household, ~4% more vacant), in grid order.

    Keys: grid_code, address (= the members' ``address``), street, door_no, compound, building,
    unit_no, floor, room, use ("01" 住宅/"06" 商住混用), ownership, occupancy (self/rented/
    vacant), floor_area, owner_name, owner_id_number (a person of the city). Costs a full pass
    over the people, since houses are derived from them.
    """
    for house, _ in _City(scale, seed, layout).households(with_houses=True):
        assert house is not None
        yield house


def unit_count(scale: int) -> int:
    return max(1, scale // PEOPLE_PER_UNIT)


# (unit_type, USCC authority+category, enterprise category, cumulative weight in ‰)
_UNIT_KINDS = (
    ("shop", "92", "03", 420),
    ("enterprise", "91", "01", 780),
    ("enterprise", "93", "04", 800),
    ("market", "91", "01", 820),
    ("hotel", "92", "03", 860),
    ("internet_cafe", "91", "01", 880),
    ("school", "12", "", 920),
    ("hospital", "12", "", 940),
    ("social_org", "52", "", 980),
    ("government", "11", "", 1000),
)


def iter_units(scale: int, seed: int = 0, *, layout: Layout | None = None) -> Iterator[dict]:
    """``scale // 200`` units spread over the grids. Keys: name, unit_type, credit_code,
    enterprise_category, grid_code, address, legal_rep_name, legal_rep_phone, headcount."""
    layout = layout or Layout.for_scale(scale)
    grids = _areas(layout)[1]
    rng = random.Random(f"citygen:{seed}:units")
    count = unit_count(scale)
    offset = rng.randrange(10**8)
    for j in range(count):
        grid = grids[(j * len(grids)) // count]
        door = 1001 + j  # unique in the city; houses stay far below 1000 a grid
        if grid.rural:
            address = f"{grid.township_name}{grid.village_name}{grid.group}组{door}号"
        else:
            address = f"{grid.road}{door}号"
        w = rng.randrange(1000)
        unit_type, prefix, category, _ = next(k for k in _UNIT_KINDS if w < k[3])
        # 主体标识码: 8 characters unique per unit (a bijection of j) + the GB 11714 check.
        if j % 3 == 0:
            body = f"{(offset + j * 7919) % 10**8:08d}"
        else:  # post-2015 codes: "MA" + 6 characters of the USCC alphabet
            n = (offset + j * 7919) % 31**6
            tail = ""
            for _ in range(6):
                n, d = divmod(n, 31)
                tail = USCC_ALPHABET[d] + tail
            body = "MA" + tail
        first17 = prefix + layout.county_code + body + org_code_check_char(body)
        credit_code = first17 + uscc_check_char(first17)
        town = grid.township_name.removesuffix("镇").removesuffix("街道")
        if unit_type in ("shop", "hotel"):
            word = rng.choice(_SHOP_WORDS)
            kind = rng.choice(_SHOP_KINDS) if unit_type == "shop" else "旅馆"
            name = f"{layout.county_name}{town}{word}{kind}"
        elif unit_type == "enterprise" and prefix == "93":
            name = (
                f"宁波市{layout.county_name}{grid.village_name}{rng.choice(_FIRM_KINDS)}专业合作社"
            )
        elif unit_type in ("enterprise", "market", "internet_cafe"):
            word = rng.choice(_FIRM_WORDS)
            kind = {"market": "市场经营管理", "internet_cafe": "网络服务"}.get(
                unit_type, rng.choice(_FIRM_KINDS)
            )
            name = f"宁波{word}{kind}有限公司"
        elif unit_type == "school":
            name = f"宁波市{layout.county_name}{town}{rng.choice(('中心小学', '中学', '幼儿园'))}"
        elif unit_type == "hospital":
            name = f"宁波市{layout.county_name}{town}社区卫生服务中心"
        elif unit_type == "social_org":
            kind = rng.choice(("志愿者协会", "老年协会", "社工服务中心"))
            name = f"{layout.county_name}{town}{kind}"
        else:
            name = f"{grid.township_name}{rng.choice(('综合治理中心', '便民服务中心'))}"
        male = rng.random() < 0.7
        yield {
            "name": name,
            "unit_type": unit_type,
            "credit_code": credit_code,
            "enterprise_category": category,
            "grid_code": grid.code,
            "address": address,
            "legal_rep_name": _name(rng, male),
            "legal_rep_phone": rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            "headcount": str(rng.randint(1, 8) if unit_type == "shop" else rng.randint(5, 300)),
        }


# --- CSV --------------------------------------------------------------------------------------


def _label(table: dict[str, str], key: str) -> Callable[[dict], str]:
    return lambda row: table.get(row[key], row[key])


def _field(key: str) -> Callable[[dict], str]:
    return lambda row: row[key]


# (Chinese header, how to get the cell from a row dict)
PEOPLE_COLUMNS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("姓名", _field("name")),
    ("公民身份号码", _field("id_number")),
    ("性别", _label(SEX_LABELS, "sex")),  # 男/女
    ("出生日期", _field("birth_date")),  # YYYY-MM-DD
    ("民族", _label(ETHNICITIES, "ethnicity")),  # 汉族 …
    ("联系电话", _field("phone")),  # 11-digit mobile, or empty
    ("人口类型", _label(RESIDENCE_LABELS, "residence_type")),  # 户籍人口/流动人口/未落户人员
    ("户籍地", _field("hukou_place")),  # 6-digit GB/T 2260 code
    ("网格编码", _field("grid_code")),  # 15 digits
    ("现住地址", _field("address")),  # = the house's 标准地址
    ("居住类型", _label(ARRANGEMENT_LABELS, "arrangement")),  # 自住/租住/寄住
)
HOUSE_COLUMNS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("网格编码", _field("grid_code")),
    ("标准地址", _field("address")),
    ("街路巷/村组", _field("street")),
    ("门牌号", _field("door_no")),
    ("小区/院落", _field("compound")),
    ("楼栋", _field("building")),
    ("单元", _field("unit_no")),
    ("楼层", _field("floor")),
    ("户室", _field("room")),
    ("建筑用途", _label(USE_LABELS, "use")),
    ("产权性质", _label(OWNERSHIP_LABELS, "ownership")),
    ("使用状况", _label(OCCUPANCY_LABELS, "occupancy")),
    ("出租用途", _label(RENTAL_USE_LABELS, "rental_use")),
    ("建筑面积", _field("floor_area")),
    ("房主姓名", _field("owner_name")),
    ("房主公民身份号码", _field("owner_id_number")),
)
UNIT_COLUMNS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("单位名称", _field("name")),
    ("单位类型", _label(UNIT_TYPE_LABELS, "unit_type")),
    ("统一社会信用代码", _field("credit_code")),
    ("企业类别", _label(ENTERPRISE_CATEGORY_LABELS, "enterprise_category")),
    ("网格编码", _field("grid_code")),
    ("单位地址", _field("address")),
    ("法定代表人", _field("legal_rep_name")),
    ("法定代表人联系电话", _field("legal_rep_phone")),
    ("从业人数", _field("headcount")),
)


def _write(
    path: str | os.PathLike[str],
    rows: Iterator[dict],
    columns: tuple[tuple[str, Callable[[dict], str]], ...],
    encoding: str,
) -> int:
    count = 0
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow([header for header, _ in columns])
        getters = [get for _, get in columns]
        for row in rows:
            writer.writerow([get(row) for get in getters])
            count += 1
    return count


def write_people_csv(
    path: str | os.PathLike[str],
    scale: int,
    seed: int = 0,
    *,
    encoding: str = "utf-8",
    layout: Layout | None = None,
) -> int:
    """Write ``scale`` people (PEOPLE_COLUMNS) to ``path``; returns the number of rows.
    ``encoding="gbk"`` gives the file a village's Excel would save; "utf-8-sig" adds a BOM."""
    return _write(path, iter_people(scale, seed, layout=layout), PEOPLE_COLUMNS, encoding)


def write_houses_csv(
    path: str | os.PathLike[str],
    scale: int,
    seed: int = 0,
    *,
    encoding: str = "utf-8",
    layout: Layout | None = None,
) -> int:
    """Write the houses (HOUSE_COLUMNS) of the city of ``scale`` people; returns the row count."""
    return _write(path, iter_houses(scale, seed, layout=layout), HOUSE_COLUMNS, encoding)


def write_units_csv(
    path: str | os.PathLike[str],
    scale: int,
    seed: int = 0,
    *,
    encoding: str = "utf-8",
    layout: Layout | None = None,
) -> int:
    """Write the units (UNIT_COLUMNS) of the city of ``scale`` people; returns the row count."""
    return _write(path, iter_units(scale, seed, layout=layout), UNIT_COLUMNS, encoding)


def main(argv: list[str]) -> None:
    import resource
    import tempfile

    scale = int(argv[1]) if len(argv) > 1 else int(os.environ.get("BENCH_SCALE", "1000000"))
    out = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp(prefix="gridgov-city-"))
    out.mkdir(parents=True, exist_ok=True)
    seed = int(os.environ.get("BENCH_SEED", "0"))
    for what, writer in (
        ("people", write_people_csv),
        ("houses", write_houses_csv),
        ("units", write_units_csv),
    ):
        path = out / f"{what}.csv"
        started = time.perf_counter()
        rows = writer(path, scale, seed)
        seconds = time.perf_counter() - started
        print(f"citygen_{what}_rows: {rows}")
        print(f"citygen_{what}_s: {seconds:.2f}")
        print(f"citygen_{what}_rows_per_s: {rows / seconds:.0f}")
        print(f"citygen_{what}_mb: {path.stat().st_size / 1e6:.1f}")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"citygen_peak_rss_mb: {peak_kb / 1024:.1f}")
    print(f"citygen_dir: {out}")


if __name__ == "__main__":
    main(sys.argv)
