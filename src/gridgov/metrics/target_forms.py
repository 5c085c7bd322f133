"""Forms of the targets pages and the report sheet. They shape input only: the rules (which
figures take a target, what values, one active target per area and figure) are the service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from gridgov.areas.choices import Level
from gridgov.areas.forms import AreaChoiceField
from gridgov.areas.models import Area
from gridgov.core.forms import VersionedForm
from gridgov.metrics.models import Comparison
from gridgov.metrics.targets import figure_choices

_COMPARISONS = [("", "按指标方向(默认)"), *Comparison.choices]


class TargetForm(forms.Form):
    """A target's fields; the area and the figure only when setting one (they do not change)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    area = AreaChoiceField(
        label="适用区域",
        queryset=Area.objects.none(),
        help_text="目标对该区域及其下级区域生效;下级区域另设的,以下级为准。",
    )
    figure_code = forms.ChoiceField(
        label="指标", choices=lambda: [("", "请选择指标"), *figure_choices()]
    )
    comparison = forms.ChoiceField(
        label="比较方式",
        choices=_COMPARISONS,
        required=False,
        help_text="比率越高越好的取“不低于”,超期、脱管等越少越好的取“不高于”。",
    )
    # A string: the service says in Chinese what is wrong with it (too many decimals, > 100 …).
    value = forms.CharField(
        label="目标值",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="比率填百分数(如 98 表示 98%),最多两位小数;平均时长填小时;人数、件数填整数。",
    )
    note = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如:依据 2026 年平安建设考核细则"}),
    )

    def __init__(self, *args: Any, user: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target is None:
            del self.fields["version"]
            self.fields["area"].queryset = (
                Area.objects.for_user(user, "metrics.manage_targets")
                .active()
                .exclude(level=Level.GRID)
                .order_by("path")
            )
        else:
            del self.fields["area"]
            del self.fields["figure_code"]
            self.fields["version"].required = True


class RetireTargetForm(VersionedForm):
    reason = forms.CharField(
        label="停用原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如:新年度考核目标已另行下达"}),
    )


# --- The report sheet -----------------------------------------------------------------------------

MONTHS = [(f"m{n}", f"{n}月") for n in range(1, 13)]
QUARTERS = [(f"q{n}", f"第{n}季度") for n in range(1, 5)]
FIRST_YEAR = 2020


def _years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this_year, FIRST_YEAR - 1, -1)]


class SheetForm(forms.Form):
    """Which sheet: a township, a year and a month (月报) or a quarter (季报) of it."""

    area = forms.ModelChoiceField(
        label="乡镇(街道)", queryset=Area.objects.none(), empty_label=None
    )
    year = forms.TypedChoiceField(label="年份", coerce=int, choices=_years)
    period = forms.ChoiceField(
        label="统计期", choices=[("月报", MONTHS), ("季报", QUARTERS)], initial="m1"
    )

    def __init__(self, *args: Any, townships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = townships

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        code = data["period"]
        data["kind"] = "month" if code.startswith("m") else "quarter"
        data["number"] = int(code[1:])
        today = timezone.localdate()
        first_month = data["number"] if data["kind"] == "month" else data["number"] * 3 - 2
        if (data["year"], first_month) > (today.year, today.month):
            raise forms.ValidationError("该统计期尚未开始。")
        return data
