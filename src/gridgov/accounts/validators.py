"""Password rules with messages in the UI's language.

Django 5.2 reworded MinimumLengthValidator's message and its zh_Hans catalogue has no translation
of the new text yet, so users would see English; this subclass says it in Chinese.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password: str, user: object = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短,至少需要 {self.min_length} 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
