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
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from gridgov.core import request_context
from gridgov.core.audit_codes import label_for

_current_action: ContextVar[str | None] = ContextVar("gridgov_audit_action", default=None)
_area_path_override: ContextVar[str | None] = ContextVar("gridgov_audit_area_path", default=None)


@contextmanager
def action(actor: Any, code: str, *, area_path: str | None = None) -> Iterator[None]:
    """Attribute every change inside the block to `actor`, under the action `code`.

    `area_path` files the entries under an area for records that have none of their own (users).
    """
    label_for(code)  # unknown codes fail here, in the tests, not in a report later
    outer = auditlog_value.get(None)
    token = _current_action.set(code)
    path_token = _area_path_override.set(area_path)
    try:
        # The address comes from our own request context, which ends with its request; auditlog's
        # context variable outlives requests in a reused thread.
        with set_actor(
            actor if getattr(actor, "pk", None) else None,
            remote_addr=request_context.remote_addr() or None,
        ):
            yield
    finally:
        _current_action.reset(token)
        _area_path_override.reset(path_token)
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
            "area_path": _area_path_override.get() or getattr(self, path_field, "") or "",
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


def register(model: Any, *, exclude: tuple[str, ...] = (), masked: tuple[str, ...] = ()) -> None:
    """Register `model` with auditlog, diffing its own columns only (no reverse relations or
    bookkeeping timestamps). `masked` fields are recorded as changed with their values masked."""
    from auditlog.registry import auditlog

    fields = [
        f.name
        for f in model._meta.concrete_fields
        if f.name in masked or (f.name not in _NOT_AUDITED and f.name not in exclude)
    ]
    auditlog.register(model, include_fields=fields, mask_fields=list(masked))


def mask_fully(value: str) -> str:
    """auditlog masks half a value by default; for a password hash even half is too much."""
    return "******"


def record_bulk(
    actor: Any,
    code: str,
    *,
    model: type[Model],
    object_repr: str,
    changes: dict[str, str],
    area_path: str = "",
) -> LogEntry:
    """One audit entry for a change to many rows at once (an import batch, a key rotation),
    where an entry per row would cost as much as the change itself. `changes` maps a label to
    what happened ("新增": "2000 条"), shown on the audit page like a field change."""
    label_for(code)
    with action(actor, code, area_path=area_path or None):
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_pk="",
            object_repr=object_repr[:200],
            action=LogEntry.Action.UPDATE,
            changes={label: ["", value] for label, value in changes.items()},
            actor=actor if getattr(actor, "pk", None) else None,
            additional_data={
                "action": code,
                "area_path": area_path,
                "request_id": request_context.request_id(),
            },
        )
