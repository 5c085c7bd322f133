"""Audit: who changed what, when, from what to what. Built on django-auditlog.

Every domain model registers with auditlog (see each app's apps.py), so each save writes a LogEntry
with the field-level before/after diff. Services wrap their writes in `audit.action(actor, code)`,
which names the actor and a dotted action code (``areas.area.moved``); models put the code, their
area path and the request id into the entry's `additional_data`, so audit pages can be scoped like
everything else and read by code, not by sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.db.models import QuerySet

from gridgov.core import request_context
from gridgov.core.audit_codes import label_for

_current_action: ContextVar[str | None] = ContextVar("gridgov_audit_action", default=None)


@contextmanager
def action(actor: Any, code: str) -> Iterator[None]:
    """Attribute every change inside the block to `actor`, under the action `code`."""
    label_for(code)  # unknown codes fail here, in the tests, not in a report later
    outer = auditlog_value.get(None)
    token = _current_action.set(code)
    try:
        with set_actor(
            actor if getattr(actor, "pk", None) else None,
            remote_addr=(outer or {}).get("remote_addr"),
            remote_port=(outer or {}).get("remote_port"),
        ):
            yield
    finally:
        _current_action.reset(token)
        # auditlog's set_actor does not restore an enclosing context (the request's, or an outer
        # service's); put it back so later saves in that context keep their actor.
        if outer is not None:
            auditlog_value.set(outer)


def current_action() -> str | None:
    return _current_action.get()


class AuditedModelMixin:
    """Puts the action code, area path and request id on the model's audit entries."""

    def get_additional_data(self) -> dict[str, Any]:
        path_field = getattr(self, "scope_path_field", "area_path")
        return {
            "action": current_action() or "system.unattributed",
            "area_path": getattr(self, path_field, "") or "",
            "request_id": request_context.request_id(),
        }


def entries_for(obj: Any) -> QuerySet[LogEntry]:
    """Audit entries of one object, newest first. The caller has already authorised `obj`."""
    return LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")


_NOT_AUDITED = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "min_lng",
    "min_lat",
    "max_lng",
    "max_lat",
    "password",
}


def register(model: Any, *, exclude: tuple[str, ...] = ()) -> None:
    """Register `model` with auditlog, diffing its own columns only (no reverse relations or
    bookkeeping timestamps)."""
    from auditlog.registry import auditlog

    fields = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in _NOT_AUDITED and f.name not in exclude
    ]
    auditlog.register(model, include_fields=fields)
