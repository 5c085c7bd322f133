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


def insert_from_query(model: Any, values: dict[str, Any], source: Any) -> int:
    """``INSERT INTO <model> (...) SELECT ...``: one row of `model` per row of `source`, made by
    the database without the rows passing through Python (a system job over 100,000 events).

    `values` maps each column of the new rows to an expression over `source`'s model: ``F(...)``
    for a column of the source row, ``Value(...)`` for a constant. Fields left out get their
    model default when it is a constant; the created and updated times of a DomainModel are
    filled by the caller (pass them in `values`). Returns the number of rows inserted."""
    from django.db import connections
    from django.db.models import Value

    names = list(values)
    missing = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in names and f.has_default()
    ]
    for name in missing:
        default = model._meta.get_field(name).get_default()
        if callable(default):  # pragma: no cover - a programming error, caught by tests
            raise ValueError(f"{model.__name__}.{name} needs a value: its default is computed")
        values[name] = Value(default, output_field=model._meta.get_field(name))
        names.append(name)
    aliases = {f"_insert_{i}": expression for i, expression in enumerate(values.values())}
    select = source.order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    connection = connections[select.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount
