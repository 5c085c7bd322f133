"""Helpers every app's service layer uses: locked re-reads with a version check, validation."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError

from gridgov.core.errors import Conflict, Invalid, NotFound
from gridgov.core.scoping import unscoped

M = TypeVar("M")


def lock_current(obj: M, *, expected_version: int | None) -> M:
    """Re-read `obj` with a row lock, refusing if it changed since the caller loaded it.

    The caller has already authorised access to `obj`; the re-read is unscoped for that reason.
    Pass `expected_version=None` only for system jobs that must act on the latest state.
    """
    model = type(obj)
    with unscoped("service locked re-read"):
        try:
            current = model.objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
        except model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise NotFound() from exc
    if expected_version is not None and current.version != expected_version:
        raise Conflict()
    return current


def full_clean_or_invalid(obj: Any, *, exclude: list[str] | None = None) -> None:
    """Run model validation and turn Django's ValidationError into our Invalid."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise Invalid(errors=exc.message_dict) from exc


def save_changed(obj: Any) -> Any:
    """Save a changed domain record with its version bumped."""
    obj.version += 1
    obj.save()
    return obj
