"""Page forms of the special populations: they shape input only; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone

from gridgov.core.scoping import jurisdiction
from gridgov.core.workcalendar import DurationUnit
from gridgov.special import details as details_mod
from gridgov.special import selectors
from gridgov.special.choices import (
    RESTRICTED_ACTION,
    DrugTestResult,
    EndReason,
    Grade,
    HelperRole,
    HelpMeasure,
    VisitKind,
)
from gridgov.special.models import SpecialStatus, SpecialType

TEAM_ROWS = 6


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _types_for(user: Any):
    types = SpecialType.objects.filter(is_active=True)
    if not jurisdiction(user).allows_anywhere(RESTRICTED_ACTION):
        types = types.filter(restricted=False)
    return types


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}({obj.username})"


class FindPersonForm(forms.Form):
    id_number = forms.CharField(label="公民身份号码", max_length=20)


class OpenForm(forms.Form):
    type = forms.ModelChoiceField(label="类型", queryset=SpecialType.objects.none())
    grade = forms.ChoiceField(
        label="等级", choices=[("", "按类型信息确定/不分级"), *Grade.choices], required=False
    )
    officer = OfficerChoiceField(
        label="责任人", queryset=SpecialType.objects.none(), required=False
    )
    started_on = forms.DateField(
        label="列管日期",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = _types_for(user)
        self.fields["officer"].queryset = selectors.officer_candidates(
            person.area_path, restricted=False
        )


class GradeForm(VersionForm):
    grade = forms.ChoiceField(label="新等级", choices=Grade.choices)
    note = forms.CharField(label="调整理由", max_length=500, required=False)

    def __init__(self, *args: Any, status: SpecialStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = status.type.grade_choices()


class OfficerForm(VersionForm):
    officer = OfficerChoiceField(label="新责任人", queryset=SpecialType.objects.none())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, status: SpecialStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = selectors.officer_candidates(
            status.area_path, restricted=status.type.restricted
        )


class EndForm(VersionForm):
    reason = forms.ChoiceField(label="解除原因", choices=EndReason.choices)
    ended_on = forms.DateField(
        label="解除日期",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(label="说明", max_length=500, required=False)


class HandoverForm(VersionForm):
    to_area_code = forms.CharField(
        label="接收区域代码",
        max_length=20,
        help_text="人员现居住地的网格或村(社区)代码,如 330203102201001。",
    )
    reason = forms.CharField(
        label="交接原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="说明", max_length=500, required=False)


class AcceptForm(VersionForm):
    officer = OfficerChoiceField(label="新责任人", queryset=SpecialType.objects.none())
    note = forms.CharField(label="意见", max_length=500, required=False)

    def __init__(self, *args: Any, path: str, restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = selectors.officer_candidates(path, restricted=restricted)


class RejectForm(VersionForm):
    reason = forms.CharField(label="拒收理由", max_length=500)


class DetailsForm(VersionForm):
    """The type's GB/T items, the helpers' team (rows of role + name) and the help measures."""

    measures = forms.MultipleChoiceField(
        label="帮扶措施",
        choices=HelpMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, status: SpecialStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = details_mod.items_for(status.type.code)
        for item in self.items:
            self.fields[f"d_{item.name}"] = _item_field(item)
            self.initial.setdefault(f"d_{item.name}", status.details.get(item.name))
        team = list(status.team) + [{}] * TEAM_ROWS
        for i in range(TEAM_ROWS):
            self.fields[f"team_role_{i}"] = forms.ChoiceField(
                label=f"帮教小组成员 {i + 1}",
                choices=[("", "—"), *HelperRole.choices],
                required=False,
            )
            self.fields[f"team_name_{i}"] = forms.CharField(
                label="姓名", max_length=50, required=False
            )
            self.initial.setdefault(f"team_role_{i}", team[i].get("role", ""))
            self.initial.setdefault(f"team_name_{i}", team[i].get("name", ""))
        self.initial.setdefault("measures", status.measures)
        self.initial.setdefault("version", status.version)

    def details(self) -> dict[str, Any]:
        return {
            item.name: self.cleaned_data.get(f"d_{item.name}")
            for item in self.items
            if self.cleaned_data.get(f"d_{item.name}") not in (None, "", [])
        }

    def team(self) -> list[dict[str, str]]:
        return [
            {
                "role": self.cleaned_data[f"team_role_{i}"],
                "name": self.cleaned_data[f"team_name_{i}"],
            }
            for i in range(TEAM_ROWS)
            if self.cleaned_data[f"team_role_{i}"] or self.cleaned_data[f"team_name_{i}"]
        ]


def _item_field(item: details_mod.Item) -> forms.Field:
    if item.kind == "date":
        return forms.DateField(
            label=item.label,
            required=False,
            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        )
    if item.kind == "bool":
        return forms.NullBooleanField(
            label=item.label, required=False, widget=forms.NullBooleanSelect
        )
    if item.kind == "int":
        return forms.IntegerField(label=item.label, required=False, min_value=0)
    if item.kind == "code":
        choices = [(c, n) for c, n in item.choices if c not in item.retired]
        return forms.ChoiceField(label=item.label, choices=[("", "—"), *choices], required=False)
    if item.kind == "codes":
        return forms.MultipleChoiceField(
            label=item.label,
            choices=item.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=item.label, max_length=item.max_length, required=False)


class VisitForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label="方式", choices=VisitKind.choices)
    visited_on = forms.DateField(
        label="日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    findings = forms.CharField(
        label="情况记录", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    test_result = forms.ChoiceField(
        label="尿检结果(仅尿检)", choices=[("", "—"), *DrugTestResult.choices], required=False
    )
    photo = forms.ImageField(
        label="照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    raise_event = forms.BooleanField(label="发现问题,同时上报事件", required=False)
    event_category = forms.ModelChoiceField(
        label="事件类别", queryset=SpecialType.objects.none(), required=False
    )
    event_title = forms.CharField(label="事件标题", max_length=100, required=False)
    event_description = forms.CharField(
        label="事件描述", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from gridgov.events.models import Category

        super().__init__(*args, **kwargs)
        self.fields["event_category"].queryset = Category.objects.filter(
            is_active=True, kind__is_active=True
        ).select_related("kind")
        self.fields["event_category"].label_from_instance = lambda c: f"{c.kind.name} · {c.name}"
        self.initial.setdefault("client_id", uuid.uuid4())
        self.initial.setdefault("visited_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("raise_event"):
            for name, label in (
                ("event_category", "事件类别"),
                ("event_title", "事件标题"),
                ("event_description", "事件描述"),
            ):
                if not data.get(name):
                    self.add_error(name, f"上报事件请填写{label}。")
        return data

    def event(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("raise_event"):
            return None
        return {
            "category": self.cleaned_data["event_category"],
            "title": self.cleaned_data["event_title"],
            "description": self.cleaned_data["event_description"],
        }


class RuleForm(forms.Form):
    interval_value = forms.IntegerField(label="走访周期", min_value=1, max_value=366)
    interval_unit = forms.ChoiceField(
        label="单位",
        choices=[
            (DurationUnit.NATURAL_DAYS.value, DurationUnit.NATURAL_DAYS.label),
            (DurationUnit.WORK_DAYS.value, DurationUnit.WORK_DAYS.label),
        ],
    )
    visit_kinds = forms.MultipleChoiceField(
        label="走访方式", choices=VisitKind.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="依据/说明", max_length=200, required=False)


class TypeForm(forms.Form):
    name = forms.CharField(label="名称", max_length=50)
    order = forms.IntegerField(label="排序", min_value=0, required=False)
    is_active = forms.BooleanField(label="在用", required=False)
    restricted = forms.BooleanField(label="受限类型(仅有授权的角色可见)", required=False)
