"""Petition forms: they shape input only; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.core.forms import DateInput, VersionedForm
from gridgov.events.models import Category
from gridgov.petitions.choices import Channel, Rating
from gridgov.petitions.defaults import PREFIX

LODGING_LEVELS = ("township", "county", "city", "province")


class MatterField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.name


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}({obj.get_level_display()})"


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class RegisterForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    petitioners = forms.CharField(
        label="信访人身份证号",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行或以逗号分隔一个身份证号;第一位为主要信访人(决定属地网格)。",
    )
    people_count = forms.IntegerField(
        label="信访人数",
        min_value=1,
        required=False,
        help_text="集体访填写实际人数(5 人及以上为集体访);不填按所列信访人计。",
    )
    channel = forms.ChoiceField(label="信访形式", choices=Channel.choices, initial="visit")
    category = MatterField(label="内容分类", queryset=Category.objects.none())
    title = forms.CharField(label="标题", max_length=100)
    matter = forms.CharField(
        label="信访事项", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    department = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    lodged_area = AreaField(
        label="登记机关所在区域",
        queryset=Area.objects.none(),
        required=False,
        help_text="不选则为您所在的信访登记机构;高于属地乡镇(街道)登记的计为越级访。",
    )
    received_at = forms.DateTimeField(
        label="收到时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="来信以收信日为准;不填为现在。",
    )
    previous = forms.CharField(label="前次信访案件编码", max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            code__startswith=PREFIX, is_active=True
        ).order_by("order", "code")
        self.fields["department"].queryset = Department.objects.for_user(
            user, "accounts.view"
        ).filter(is_active=True)
        self.fields["lodged_area"].queryset = Area.objects.for_user(user, "areas.view").filter(
            level__in=LODGING_LEVELS
        )
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())


class DecideForm(VersionedForm):
    accepted = forms.TypedChoiceField(
        label="告知结果",
        choices=[("1", "受理"), ("0", "不予受理")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    note = forms.CharField(
        label="意见(不予受理须说明理由)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtendForm(VersionedForm):
    value = forms.IntegerField(label="延长天数", min_value=1)
    reason = forms.CharField(
        label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(VersionedForm):
    reply = forms.CharField(
        label="答复意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RequestForm(VersionedForm):
    reason = forms.CharField(
        label="请求理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    requested_at = forms.DateTimeField(
        label="请求时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填为现在。",
    )


class OpinionForm(VersionedForm):
    opinion = forms.CharField(
        label="意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(VersionedForm):
    note = forms.CharField(label="说明", required=False, max_length=500)


class RateForm(VersionedForm):
    rating = forms.ChoiceField(label="信访人评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价意见", required=False, max_length=500)


class TakeCaseForm(forms.Form):
    leader = UserField(
        label="包案领导",
        queryset=User.objects.none(),
        required=False,
        help_text="领导本人包案可不选。",
    )
    note = forms.CharField(label="包案要求", required=False, max_length=500)

    def __init__(self, *args: Any, leaders: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.filter(pk__in=[u.pk for u in leaders])


class FlagForm(forms.Form):
    person = forms.TypedChoiceField(label="信访人", coerce=int, choices=())
    reason = forms.CharField(label="理由", required=False, max_length=300)

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]


class EndCaseForm(VersionedForm):
    note = forms.CharField(label="结束说明", required=False, max_length=500)


class ReceptionDayForm(forms.Form):
    area = AreaField(label="接访区域", queryset=Area.objects.none())
    leader = UserField(label="接访领导", queryset=User.objects.none())
    day = forms.DateField(label="接访日期", widget=DateInput())
    place = forms.CharField(label="接访地点", max_length=200)
    note = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, leaders: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.for_user(user, "areas.view").exclude(
            level="grid"
        )
        self.fields["leader"].queryset = User.objects.filter(pk__in=[u.pk for u in leaders])


class ReceptionForm(forms.Form):
    person = forms.CharField(label="来访人身份证号", max_length=40)
    petition = forms.CharField(label="涉及信访案件编码", max_length=20, required=False)
    summary = forms.CharField(
        label="接访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
