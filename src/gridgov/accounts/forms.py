from __future__ import annotations

from typing import Any

from django import forms

from gridgov.accounts.models import Department, DepartmentKind
from gridgov.accounts.roles import Role
from gridgov.areas.forms import AreaChoiceField
from gridgov.areas.models import Area
from gridgov.core.forms import DateInput, VersionedForm


class MembershipFields(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    area = AreaChoiceField(label="辖区", queryset=Area.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.none(),
        required=False,
        help_text="部门承办人必填;选了部门时辖区取部门所在区域。",
    )
    valid_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    valid_until = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.for_user(user, "accounts.manage").active()
        self.fields["department"].queryset = Department.objects.for_user(
            user, "accounts.manage"
        ).filter(is_active=True)


class UserCreateForm(MembershipFields):
    username = forms.CharField(label="登录名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=18, required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="至少 10 位,不能是常见密码或纯数字。",
    )

    field_order = [
        "username",
        "full_name",
        "phone",
        "password",
        "role",
        "area",
        "department",
        "valid_from",
        "valid_until",
    ]


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput)


class DepartmentForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=DepartmentKind.choices)
    area = AreaChoiceField(label="所属区域", queryset=Area.objects.none())
    phone = forms.CharField(label="联系电话", max_length=50, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.for_user(user, "accounts.manage")
            .active()
            .exclude(level__in=["village", "grid"])
        )


class DepartmentUpdateForm(VersionedForm):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=DepartmentKind.choices)
    phone = forms.CharField(label="联系电话", max_length=50, required=False)


class ConfirmForm(VersionedForm):
    pass
