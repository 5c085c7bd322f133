from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="登录名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
    error_messages = {
        "invalid_login": "登录名或密码不正确。连续多次输错后,该账号将在本机被暂时锁定。",
        "inactive": "该账号已停用,请联系系统管理员。",
    }


class VersionedForm(forms.Form):
    """A form that edits a versioned record carries the version it was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class DateInput(forms.DateInput):
    """A native date picker. Its value must be ISO (YYYY-MM-DD) whatever the UI locale formats."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
