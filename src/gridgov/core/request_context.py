"""The current request's id, for audit and access-log rows (set by RequestIdMiddleware)."""

from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("gridgov_request_id", default="")


def request_id() -> str:
    return _request_id.get()


def set_request_id(value: str):
    return _request_id.set(value)


def reset(token) -> None:
    _request_id.reset(token)
