"""Domain errors: what a service raises when it will not do what was asked.

Messages are for the user, in their language. Pages show them beside the form; the API maps them to
status codes in `core.api.exceptions` (NotFound 404, NotPermitted 403, Conflict and
InvalidTransition 409, Invalid 400).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a service can give. `message` is shown to the user as is."""

    default_message = "操作未能完成。"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "__all__": [self.message]}


class NotFound(DomainError):
    """The record does not exist or lies outside the actor's jurisdiction (the same to them)."""

    default_message = "未找到该记录。"


class NotPermitted(DomainError):
    """The actor may see the record but not do this to it."""

    default_message = "您没有执行此操作的权限。"


class Conflict(DomainError):
    """Someone else changed the record since the actor loaded it."""

    default_message = "该记录已被他人修改,请刷新后重试。"


class InvalidTransition(DomainError):
    """The action does not fit the record's current state."""

    default_message = "当前状态下不能执行此操作。"


class Invalid(DomainError):
    """The input breaks a rule. May carry several messages per field."""

    default_message = "输入有误。"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        if message is None and errors:
            # The summary is the first concrete complaint, not a generic "输入有误".
            message = next((m for messages in errors.values() for m in messages), None)
        super().__init__(message, field=field)
        self.errors = errors or {field or "__all__": [self.message]}

    def as_dict(self) -> dict[str, list[str]]:
        return self.errors
