"""Page forms: shape only. Choices come from the user's scoped querysets; services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from gridgov.accounts.models import User
from gridgov.areas.choices import Duty, GridKind, Level, Post
from gridgov.areas.models import Area
from gridgov.core.forms import DateInput, VersionedForm


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.code} {obj.name}"


class GeoJSONField(forms.CharField):
    widget = forms.Textarea(
        attrs={"rows": 4, "placeholder": '{"type": "Polygon", "coordinates": [...]}'}
    )

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError("边界不是有效的 JSON。") from exc

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class AreaCreateForm(forms.Form):
    code = forms.CharField(
        label="区域代码",
        max_length=20,
        help_text="在上级代码后追加本级数字:乡镇 3 位、村社区 3 位、网格 3 位。",
    )
    name = forms.CharField(
        label="名称", max_length=100, required=False, help_text="留空时采用国家区划代码表中的名称。"
    )
    grid_kind = forms.ChoiceField(
        label="网格类型", choices=[("", "—"), *GridKind.choices], required=False
    )
    households = forms.IntegerField(label="户数", min_value=0, required=False)
    area_sqm = forms.DecimalField(
        label="面积(平方米)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    boundary = GeoJSONField(label="边界(GeoJSON,经度在前)", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, parent: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].initial = parent.code
        if parent.level != Level.VILLAGE:
            for name in ("grid_kind", "households", "area_sqm", "boundary"):
                del self.fields[name]


class AreaUpdateForm(VersionedForm):
    name = forms.CharField(label="名称", max_length=100)
    grid_kind = forms.ChoiceField(label="网格类型", choices=GridKind.choices, required=False)
    households = forms.IntegerField(label="户数", min_value=0, required=False)
    area_sqm = forms.DecimalField(
        label="面积(平方米)", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    boundary = GeoJSONField(label="边界(GeoJSON,经度在前)", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not area.is_grid:
            for name in ("grid_kind", "households", "area_sqm", "boundary"):
                del self.fields[name]


class AreaMoveForm(VersionedForm):
    new_parent = AreaChoiceField(label="新的上级区域", queryset=Area.objects.none())
    new_code = forms.CharField(
        label="新代码",
        max_length=20,
        required=False,
        help_text="留空时沿用本级数字,接在新上级代码之后。",
    )

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gridgov.areas.choices import PARENT_LEVEL

        parent_level = PARENT_LEVEL.get(Level(area.level))
        self.fields["new_parent"].queryset = (
            Area.objects.for_user(user, "areas.manage")
            .active()
            .filter(level=parent_level)
            .exclude(pk=area.parent_id)
        )


class AreaRetireForm(VersionedForm):
    reason = forms.CharField(label="撤销原因", max_length=200)


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(label="人员", queryset=User.objects.none())
    post = forms.ChoiceField(label="岗位", choices=Post.choices)
    duties = forms.MultipleChoiceField(
        label="职责", choices=Duty.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    patch = forms.CharField(
        label="包片范围", max_length=200, required=False, help_text="例如:1–6 幢、沿河西路以南"
    )
    start_date = forms.DateField(label="起始日期", widget=DateInput())
    end_date = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, user_queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = user_queryset
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.full_name or u.username}({u.username})"
        )


class EndAssignmentForm(VersionedForm):
    end_date = forms.DateField(label="结束日期", required=False, widget=DateInput())


class LocateForm(forms.Form):
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", min_value=-180, max_value=180)


class DivisionImportForm(forms.Form):
    codes = forms.MultipleChoiceField(label="下级行政区划", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = choices
