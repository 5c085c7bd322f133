"""The access log of sensitive reads (PIPL): who saw which unmasked data, when, and why.

Call `record_access` from the one place that unmasks a field, opens a special-population file or
writes an export. Reads through the access log itself use `AccessEntry.objects.for_user(user,
"core.view_access_log")` like any other scoped model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridgov.core import request_context
from gridgov.core.models import AccessEntry


def record_access(
    user: Any,
    *,
    kind: str,
    area_path: str,
    obj: Any = None,
    fields: Iterable[str] = (),
    row_count: int = 1,
    purpose: str = "",
) -> AccessEntry:
    """Write one access-log row. Call it in the same transaction as the read it records."""
    if kind not in AccessEntry.Kind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    if not area_path:
        raise ValueError("an access-log row needs the area path of what was read")
    entry = AccessEntry(
        user=user,
        user_repr=str(user.get_username()),
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=list(fields),
        row_count=row_count,
        purpose=purpose[:200],
        area_path=area_path,
        request_id=request_context.request_id(),
    )
    entry.save()
    return entry
