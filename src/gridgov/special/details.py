"""The per-type details of a special status: the items of GB/T 31000 tables 17–22 (DOMAIN.md
§1.4) after the person core, with their code tables. Kept as one JSON object on the status and
checked here, so a type an administrator adds has no details until code names them, and export
can read every item by its GB/T name.

Sensitive contact numbers (guardian, helper) are not kept here: the registry holds numbers
encrypted; a helper is named in the status's team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gridgov.core.errors import Invalid
from gridgov.special import choices as c


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    kind: str  # "text", "date", "bool", "int", "code" (one of choices), "codes" (several)
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 100
    retired: frozenset[str] = frozenset()  # codes kept for exchange, refused in new entries

    def label_of(self, value: Any) -> str:
        """The value as shown on a page."""
        if value in (None, "", []):
            return "—"
        names = dict(self.choices)
        if self.kind == "code":
            return names.get(value, str(value))
        if self.kind == "codes":
            return "、".join(names.get(v, str(v)) for v in value)
        if self.kind == "bool":
            return "是" if value else "否"
        return str(value)


def _code(name: str, label: str, table: list[tuple[str, str]], **kw: Any) -> Item:
    return Item(name, label, "code", tuple(table), **kw)


def _codes(name: str, label: str, table: list[tuple[str, str]]) -> Item:
    return Item(name, label, "codes", tuple(table))


SPECS: dict[str, tuple[Item, ...]] = {
    # 表17 刑满释放人员
    "released": (
        Item("recidivist", "是否累犯", "bool"),
        _code("offence", "原罪名", c.OFFENCE),
        Item("sentence", "原判刑期", "text", max_length=50),
        Item("prison", "服刑场所", "text"),
        Item("release_date", "释放日期", "date"),
        _code("risk_type", "危险性评估类型", c.RELEASE_RISK),
        Item("handover_date", "衔接日期", "date"),
        _code("handover_state", "衔接情况", c.HANDOVER_STATE),
        Item("placement_date", "安置日期", "date"),
        _code("placement_state", "安置情况", c.PLACEMENT),
        Item("reoffended", "是否重新犯罪", "bool"),
    ),
    # 表18 社区矫正对象
    "correction": (
        Item("correction_no", "社区矫正人员编号", "text", max_length=16),
        _code("correction_kind", "矫正类别", c.CORRECTION_KIND, retired=c.CORRECTION_KIND_RETIRED),
        Item("offence", "具体罪名", "text"),
        Item("correction_start", "矫正开始日期", "date"),
        Item("correction_end", "矫正结束日期", "date"),
        _code("receive_way", "接收方式", c.RECEIVE_WAY),
        _codes("four_histories", "“四史”情况", c.FOUR_HISTORIES),
        _codes("three_involvements", "“三涉”情况", c.THREE_INVOLVEMENTS),
        _codes("team_composition", "矫正小组人员组成", c.CORRECTION_TEAM),
        _code("end_type", "矫正解除(终止)类型", c.CORRECTION_END),
    ),
    # 表19 肇事肇祸等严重精神障碍患者
    "mental": (
        _code("family_economy", "家庭经济状况", c.FAMILY_ECONOMY),
        Item("dibao", "是否纳入低保", "bool"),
        Item("guardian_name", "监护人姓名", "text", max_length=50),
        Item("first_onset", "初次发病日期", "date"),
        _code("diagnosis", "目前诊断类型", c.DIAGNOSIS),
        Item("incident_history", "有无肇事肇祸史", "bool"),
        Item("incident_count", "肇事肇祸次数", "int"),
        _code("danger_level", "目前危险性评估等级", c.DANGER_LEVEL),
        _code("treatment", "治疗情况", c.TREATMENT),
        Item("hospital", "治疗医院名称", "text"),
        _codes("hospitalisation_reason", "实施住院治疗原因", c.HOSPITALISATION_REASON),
        _codes("managers", "参与管理人员", c.MENTAL_MANAGERS),
        _codes("help", "帮扶情况", c.MENTAL_HELP),
        Item("subsidy", "监护人“以奖代补”", "bool"),
        Item("subsidy_amount", "以奖代补金额(元/年)", "int"),
    ),
    # 表20 吸毒人员
    "drug": (
        Item("first_found", "初次发现日期", "date"),
        _code("control_state", "管控情况", c.DRUG_CONTROL),
        _code("control_measure", "管控措施", c.DRUG_MEASURE),
        Item("measure_start", "措施开始日期", "date"),
        Item("measure_end", "措施结束日期", "date"),
        Item("criminal_history", "有无犯罪史", "bool"),
    ),
    # 表21 艾滋病危险人员
    "hiv": (
        _code("infection_route", "感染途径", c.INFECTION_ROUTE),
        Item("crime_history", "是否有违法犯罪史", "bool"),
        _code("attention_type", "关注类型", c.HIV_ATTENTION),
        _code("treatment_state", "收治情况", c.HIV_TREATMENT),
        Item("institution", "收治机构名称", "text"),
    ),
    # 表22 重点青少年
    "youth": (
        _code("youth_category", "人员类型", c.YOUTH_CATEGORY),
        _code("family", "家庭情况", c.YOUTH_FAMILY),
        Item("guardian_name", "监护人姓名", "text", max_length=50),
        Item("guardian_relation", "与监护人关系", "text", max_length=20),
        Item("offence", "是否违法犯罪", "bool"),
        _code("help_means", "帮扶手段", c.YOUTH_HELP),
    ),
    # 重点信访人员 (no GB/T 31000 table; opened from the petitions module's flag)
    "key_petitioner": (
        Item("matter", "信访事项", "text", max_length=500),
        Item("flag_source", "标记来源", "text"),
    ),
}


def items_for(type_code: str) -> tuple[Item, ...]:
    return SPECS.get(type_code, ())


def clean(
    type_code: str, data: dict[str, Any] | None, *, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The details of a status of `type_code` as stored: known items only, each checked; empty
    values dropped. A retired code already on the record may stay; a new one is refused.
    Raises Invalid naming the item."""
    previous = previous or {}
    result: dict[str, Any] = {}
    data = data or {}
    known = {item.name: item for item in items_for(type_code)}
    unknown = set(data) - set(known)
    if unknown:
        raise Invalid(f"该类型没有“{sorted(unknown)[0]}”这一项。", field="details")
    for name, item in known.items():
        value = _clean_item(item, data.get(name), previous.get(name))
        if value not in (None, "", []):
            result[name] = value
    return result


def _clean_item(item: Item, value: Any, previous: Any) -> Any:
    if value in (None, "", []):
        return None
    codes = {code for code, _ in item.choices}
    if item.kind == "text":
        text = str(value).strip()
        if len(text) > item.max_length:
            raise Invalid(f"{item.label}不能超过 {item.max_length} 字。", field=item.name)
        return text
    if item.kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise Invalid(f"{item.label}须为日期(YYYY-MM-DD)。", field=item.name) from exc
    if item.kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "是", "on"):
            return True
        if str(value).lower() in ("0", "false", "否", "off"):
            return False
        raise Invalid(f"{item.label}须为是或否。", field=item.name)
    if item.kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise Invalid(f"{item.label}须为整数。", field=item.name) from exc
        if number < 0 or number > 10_000_000:
            raise Invalid(f"{item.label}超出范围。", field=item.name)
        return number
    if item.kind == "code":
        value = str(value)
        if value not in codes:
            raise Invalid(f"{item.label}的代码“{value}”不在代码表中。", field=item.name)
        if value in item.retired and value != previous:
            raise Invalid(
                f"{item.label}“{dict(item.choices)[value]}”已停用,新登记不能选择。", field=item.name
            )
        return value
    if item.kind == "codes":
        values = [value] if isinstance(value, str) else list(value)
        wrong = [v for v in values if str(v) not in codes]
        if wrong:
            raise Invalid(f"{item.label}的代码“{wrong[0]}”不在代码表中。", field=item.name)
        return sorted({str(v) for v in values})
    raise ValueError(item.kind)  # pragma: no cover


def display(type_code: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) of every item of the type, in the table's order."""
    return [(item.label, item.label_of(details.get(item.name))) for item in items_for(type_code)]


# 精神障碍: 0 级 → 稳定; 1–2 级 → 基本稳定; 3–5 级 → 不稳定 (DOMAIN.md §6).
_DANGER_GRADE = {
    "01": c.Grade.STABLE,
    "02": c.Grade.BASICALLY_STABLE,
    "03": c.Grade.BASICALLY_STABLE,
}


def suggested_grade(type_code: str, details: dict[str, Any]) -> str:
    """The grade the details imply, where a rule exists (the danger level of a mental-disorder
    patient), else ""."""
    if type_code == "mental" and details.get("danger_level"):
        return _DANGER_GRADE.get(details["danger_level"], c.Grade.UNSTABLE)
    return ""
