"""Event page forms: shape only; the services check states, rights and rules."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from gridgov.accounts.models import Department
from gridgov.areas.forms import AreaChoiceField
from gridgov.areas.models import Area
from gridgov.core import workcalendar
from gridgov.core.forms import VersionedForm
from gridgov.events.choices import Priority, Rating, Source, Supervision
from gridgov.events.models import Category
from gridgov.events.services import CATEGORY_FIELDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents; the service checks their type and size by content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.kind.name} · {obj.name}"


def active_categories():
    return Category.objects.filter(is_active=True, kind__is_active=True).select_related("kind")


class ReportForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    category = CategoryChoiceField(label="事件类别", queryset=Category.objects.none())
    title = forms.CharField(label="标题", max_length=100)
    description = forms.CharField(
        label="事件描述", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label="紧急程度", choices=Priority.choices, initial="normal")
    source = forms.ChoiceField(label="来源", choices=Source.choices, initial="grid_worker")
    grid = AreaChoiceField(
        label="所在网格",
        queryset=Area.objects.none(),
        required=False,
        help_text="可不选:点“获取当前位置”后按位置自动确定网格。",
    )
    place = forms.CharField(label="发生地点", max_length=200, required=False)
    lat = forms.FloatField(label="纬度", required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(label="经度", required=False, widget=forms.HiddenInput)
    occurred_at = forms.DateTimeField(
        label="发生时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填即为现在。",
    )
    persons = forms.CharField(
        label="涉及人员(身份证号)",
        required=False,
        help_text="已登记人员的公民身份号码,多个用逗号或换行分隔。",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contact_name = forms.CharField(label="反映人", max_length=50, required=False)
    contact_phone = forms.CharField(label="反映人电话", max_length=20, required=False)
    files = MultipleFileField(
        label="照片或材料", help_text="JPG、PNG、WEBP 或 PDF,每个不超过 10 MB。"
    )
    settled = forms.BooleanField(label="已就地自行处置", required=False)
    settled_note = forms.CharField(
        label="处置情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="勾选“已就地自行处置”时填写。",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        self.fields["grid"].queryset = (
            Area.objects.for_user(user, "events.report").grids().active().order_by("path")
        )
        grids = self.fields["grid"].queryset
        if not self.is_bound and len(grids[:2]) == 1:
            self.initial.setdefault("grid", grids[0].pk)  # a grid worker's own grid
        self.fields["files"].widget.attrs["capture"] = "environment"
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("settled") and not (data.get("settled_note") or "").strip():
            self.add_error("settled_note", "请填写处置情况。")
        return data


class NoteForm(VersionedForm):
    note = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(VersionedForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(VersionedForm):
    into = forms.CharField(label="并入事件编码", max_length=20)
    note = forms.CharField(label="说明", required=False)


class DispatchForm(VersionedForm):
    department = forms.ModelChoiceField(
        label="主办部门", queryset=Department.objects.none(), required=False
    )
    area = AreaChoiceField(label="或派给下级区域", queryset=Area.objects.none(), required=False)
    assisting = forms.ModelMultipleChoiceField(
        label="协办部门",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="派遣意见", required=False)

    def __init__(self, *args: Any, user: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = dispatch_departments(user, event)
        self.fields["department"].queryset = departments
        self.fields["assisting"].queryset = departments
        self.fields["area"].queryset = (
            Area.objects.for_user(user, "areas.view")
            .filter(path__in=_between(event.center_path, event.area_path))
            .active()
            .order_by("path")
        )


def dispatch_departments(user: Any, event: Any):
    return (
        Department.objects.for_user(user, "accounts.view")
        .filter(area_path=event.center_path, is_active=True)
        .order_by("kind", "name")
        if event is not None
        else Department.objects.none()
    )


def _between(top: str, bottom: str) -> list[str]:
    """Paths strictly below `top` down to `bottom` (the village and the grid of an event)."""
    parts = bottom.rstrip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return [p for p in paths if p.startswith(top) and p != top]


class DoneForm(VersionedForm):
    note = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="办理照片或材料")


class SettleForm(DoneForm):
    note = forms.CharField(label="处置情况", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(VersionedForm):
    value = forms.IntegerField(label="延长", min_value=1, max_value=365)
    unit = forms.ChoiceField(label="单位", choices=workcalendar.DurationUnit.choices)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(VersionedForm):
    grant = forms.TypedChoiceField(
        label="审批",
        choices=[("1", "批准"), ("0", "不批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="意见", required=False)


class VerifyForm(VersionedForm):
    passed = forms.TypedChoiceField(
        label="核查结果",
        choices=[("1", "已解决,同意结案"), ("0", "未解决,退回返工")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="核查意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(label="核查照片")


class RateForm(VersionedForm):
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价意见", required=False)


class SuperviseForm(forms.Form):
    level = forms.ChoiceField(label="级别", choices=Supervision.choices)
    note = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateTimeField(
        label="督办期限",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, levels: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels is not None:
            self.fields["level"].choices = [c for c in Supervision.choices if c[0] in levels]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = list(CATEGORY_FIELDS)


class TrackForm(forms.Form):
    code = forms.CharField(label="案件编码", max_length=20)


# --- Routing rules (直报与抄告) -------------------------------------------------------------------


class DepartmentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.area.name} · {obj.name}"


def _target_level_choices() -> list[tuple[str, str]]:
    from gridgov.areas.choices import Level
    from gridgov.events.services import ROUTING_TARGET_LEVELS

    return [("", "不直报(仅抄告)")] + [
        (level, f"直报{Level(level).label}综治中心") for level in ROUTING_TARGET_LEVELS
    ]


class RoutingRuleForm(forms.Form):
    """A routing rule's fields; the area only when creating (a rule does not move)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    area = AreaChoiceField(
        label="适用区域",
        queryset=Area.objects.none(),
        help_text="规则对该区域及其下级网格上报的事件生效。",
    )
    category = CategoryChoiceField(label="事件类别", queryset=Category.objects.none())
    min_priority = forms.ChoiceField(
        label="适用事件",
        choices=[("urgent", "仅紧急事件"), ("normal", "全部事件(一般和紧急)")],
        initial="urgent",
    )
    target_level = forms.ChoiceField(label="直报层级", required=False)
    copy_departments = DepartmentChoices(
        label="抄告部门",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="事件上报时同时抄告这些部门(仅告知,不需办理)。",
    )

    def __init__(self, *args: Any, user: Any, rule: Any = None, **kwargs: Any) -> None:
        from gridgov.events.routing import copy_department_choices

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        self.fields["target_level"].choices = _target_level_choices()
        self.fields["copy_departments"].queryset = copy_department_choices(user)
        if rule is None:
            del self.fields["version"]
            self.fields["area"].queryset = (
                Area.objects.for_user(user, "events.configure")
                .active()
                .exclude(level="grid")
                .order_by("path")
            )
        else:
            del self.fields["area"]
            self.fields["version"].required = True
