"""The current request's id and client address, for audit and access-log rows.

Set by RequestIdMiddleware for the length of one request, so nothing outlives its request.
"""

from contextvars import ContextVar, Token

_request_id: ContextVar[str] = ContextVar("gridgov_request_id", default="")
_remote_addr: ContextVar[str] = ContextVar("gridgov_remote_addr", default="")


def request_id() -> str:
    return _request_id.get()


def remote_addr() -> str:
    return _remote_addr.get()


def start(request_id_value: str, remote_addr_value: str) -> tuple[Token[str], Token[str]]:
    return _request_id.set(request_id_value), _remote_addr.set(remote_addr_value)


def end(tokens: tuple[Token[str], Token[str]]) -> None:
    _request_id.reset(tokens[0])
    _remote_addr.reset(tokens[1])
