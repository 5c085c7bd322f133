"""DomainError → HTTP, the same refusal the pages show, as JSON."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gridgov.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    InvalidTransition,
    NotFound,
    NotPermitted,
)
from gridgov.core.scoping import HardDeleteForbidden

_STATUS = {
    NotFound: status.HTTP_404_NOT_FOUND,
    NotPermitted: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    InvalidTransition: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_400_BAD_REQUEST,
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        body: dict[str, Any] = {"detail": exc.message, "code": type(exc).__name__}
        if isinstance(exc, Invalid):
            body["errors"] = exc.as_dict()
        return Response(body, status=code)
    if isinstance(exc, HardDeleteForbidden):
        return Response(
            {"detail": "记录不能删除,请使用撤销或终止操作。", "code": "HardDeleteForbidden"},
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
        )
    return drf_exception_handler(exc, context)
