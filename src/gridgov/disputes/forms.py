"""Dispute page forms: shape only; the services check rights, states and rules."""

from __future__ import annotations

from typing import Any

from django import forms

from gridgov.core.forms import DateInput, VersionedForm
from gridgov.disputes import selectors
from gridgov.disputes.choices import (
    CATEGORY_TREE,
    SUBCATEGORY_CHOICES,
    AgreementForm,
    Committee,
    Confirmation,
    FailureRoute,
    FileKind,
    Linkage,
    Method,
    PartyRole,
    Performance,
    PersonCategory,
    RiskLevel,
    Scale,
    ScreeningPeriod,
    VisitWay,
    first_level_of_event_category,
)
from gridgov.disputes.services import MEDIATION_METHODS
from gridgov.events.forms import MultipleFileField


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.username


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.username


def _blank(choices: Any, label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *[(v, lbl) for v, lbl in choices if v != ""]]


class DetailForm(forms.Form):
    """研判: the dispute's category, scale, money, people, risks and owner."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subcategory = forms.ChoiceField(label="纠纷类别(二级)", choices=SUBCATEGORY_CHOICES)
    scale = forms.ChoiceField(label="事件规模", choices=Scale.choices, initial=Scale.INDIVIDUAL)
    people_count = forms.IntegerField(label="涉及人数", min_value=1, initial=2)
    amount = forms.DecimalField(
        label="涉及金额(元)", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    risk_collective = forms.BooleanField(label="可能引发群体性事件", required=False)
    risk_extreme = forms.BooleanField(label="可能引发个人极端行为", required=False)
    risk_skip_petition = forms.BooleanField(label="可能引发越级上访", required=False)
    risk_level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices, required=False)
    is_major = forms.BooleanField(label="重大纠纷", required=False)
    owner = UserChoiceField(label="包案人", queryset=None, required=False)
    assessment = forms.CharField(
        label="研判意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = first_level_of_event_category(event.category.code)
        if first:
            name = CATEGORY_TREE[first][0]
            self.fields["subcategory"].choices = [
                c for c in SUBCATEGORY_CHOICES if c[0].startswith(first)
            ]
            self.fields["subcategory"].help_text = f"事件类别“{name}”下的二级类别(GB/T 31000)。"
        self.fields["owner"].queryset = selectors.cadres_for(event.area_path)


class PartyForm(forms.Form):
    """A party: a registered person by ID number, or a unit of the village."""

    id_number = forms.CharField(
        label="人员身份证号", required=False, max_length=18, help_text="已登记人员的公民身份号码。"
    )
    unit = forms.ModelChoiceField(label="或单位", queryset=None, required=False)
    role = forms.ChoiceField(label="角色", choices=PartyRole.choices)
    person_category = forms.ChoiceField(
        label="人员类别", choices=_blank(PersonCategory.choices), required=False
    )
    is_main = forms.BooleanField(label="主要当事人", required=False)

    def __init__(self, *args: Any, user: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_near(user, event.area_path)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool((data.get("id_number") or "").strip()) == bool(data.get("unit")):
            raise forms.ValidationError("请填写人员身份证号,或选择一个单位(二选一)。")
        return data


class MediationForm(forms.Form):
    committee = forms.ChoiceField(label="调解组织类型", choices=Committee.choices)
    organisation = forms.CharField(label="调解组织名称", max_length=100)
    method = forms.ChoiceField(
        label="调解方式",
        choices=[c for c in Method.choices if c[0] in MEDIATION_METHODS],
        initial=Method.PEOPLES,
    )
    linkage = forms.ChoiceField(label="对接方式", choices=Linkage.choices, required=False)
    mediators = UsersChoiceField(label="调解员", queryset=None, required=False)
    other_mediators = forms.CharField(
        label="其他调解员", max_length=200, required=False, help_text="未在本系统中的调解员姓名。"
    )
    started_on = forms.DateField(label="受理调解日期", widget=DateInput, required=False)

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediators"].queryset = selectors.cadres_for(event.area_path)


class SessionForm(forms.Form):
    held_on = forms.DateField(label="调解日期", widget=DateInput)
    place = forms.CharField(label="地点", max_length=100, required=False)
    attendees = forms.CharField(label="参加人员", max_length=500)
    notes = forms.CharField(
        label="调解记录", max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AgreementStepForm(VersionedForm):
    agreement_form = forms.ChoiceField(label="协议形式", choices=AgreementForm.choices)
    agreement_text = forms.CharField(
        label="协议内容",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="口头协议由调解员记录协议内容。",
    )
    agreement_on = forms.DateField(label="协议生效日期", widget=DateInput, required=False)
    files = MultipleFileField(label="协议书扫描件")
    finish_event = forms.BooleanField(
        label="同时办结事件", required=False, help_text="未派遣的自行处置,已签收的办结反馈。"
    )


class FailureForm(VersionedForm):
    failure_route = forms.ChoiceField(label="调解不成去向", choices=FailureRoute.choices)
    note = forms.CharField(
        label="情况说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="调解不成的原因,以及告知当事人的其他途径。",
    )
    ended_on = forms.DateField(label="终止调解日期", widget=DateInput, required=False)
    finish_event = forms.BooleanField(label="同时办结事件", required=False)


class ConfirmationForm(VersionedForm):
    requested_on = forms.DateField(label="申请司法确认日期", widget=DateInput)
    court = forms.CharField(label="受理法院", max_length=100)
    result = forms.ChoiceField(label="结果", choices=Confirmation.choices)
    decided_on = forms.DateField(label="裁定日期", widget=DateInput, required=False)


class PerformanceForm(VersionedForm):
    performance = forms.ChoiceField(
        label="履行情况", choices=[c for c in Performance.choices if c[0]]
    )
    checked_on = forms.DateField(label="核实日期", widget=DateInput)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="回访日期", widget=DateInput)
    way = forms.ChoiceField(label="回访方式", choices=VisitWay.choices)
    performance = forms.ChoiceField(label="履行情况", choices=Performance.choices, required=False)
    notes = forms.CharField(
        label="回访记录", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FilesForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=FileKind.choices)
    files = MultipleFileField(label="文件", required=True)


# --- Screening -------------------------------------------------------------------------------


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    is_zero = forms.BooleanField(
        label="零报告", required=False, help_text="本期排查未发现矛盾纠纷和不稳定因素。"
    )
    disputes = forms.ModelMultipleChoiceField(
        label="排查发现的纠纷",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="本村(社区)已上报的矛盾纠纷事件;新发现的请先上报事件。",
    )
    unstable_factors = forms.CharField(
        label="不稳定因素",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    persons_of_concern = forms.CharField(
        label="重点关注人员",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, village: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["disputes"]
        field.queryset = selectors.dispute_choices_for_report(user, village)
        field.label_from_instance = lambda e: f"{e.code} {e.title}({e.get_state_display()})"


class PolicyForm(forms.Form):
    period = forms.ChoiceField(label="上报周期", choices=ScreeningPeriod.choices)


class SheetForm(forms.Form):
    """Which summary: a month or a quarter of a township (or any area above villages)."""

    kind = forms.ChoiceField(
        label="报表", choices=[("month", "月度汇总"), ("quarter", "季度报告")], initial="month"
    )
    month = forms.CharField(
        label="月份", required=False, widget=forms.TextInput(attrs={"type": "month"})
    )


class ListForm(forms.Form):
    owner = UserChoiceField(label="责任人", queryset=None)
    target_on = forms.DateField(label="限期化解日期", widget=DateInput)
    reason = forms.CharField(
        label="挂牌理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.cadres_for(event.area_path)


class CrossOffForm(VersionedForm):
    resolved_on = forms.DateField(label="化解日期", widget=DateInput)
    note = forms.CharField(
        label="验收意见", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
