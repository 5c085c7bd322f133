"""CSV export of a scoped, filtered list: the same rows the list page shows, nothing more.

Exports that carry personal data (names, phones) are written to the access log.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from gridgov.core.access_log import record_access
from gridgov.core.scoping import jurisdiction


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(
    request: Any,
    *,
    rows: Any,
    columns: list[tuple[str, Callable[[Any], Any]]],
    filename: str,
    action: str,
    personal: bool = False,
    purpose: str = "",
) -> StreamingHttpResponse:
    """Stream `rows` (already scoped and filtered) as a UTF-8 CSV that Excel opens correctly."""
    if personal:
        paths = jurisdiction(request.user).paths_for(action)
        record_access(
            request.user,
            kind="export",
            area_path=(paths[0] if paths else "/"),
            row_count=rows.count(),
            fields=[header for header, _ in columns],
            purpose=purpose or filename,
        )
    writer = csv.writer(_Echo())

    def generate() -> Iterable[str]:
        yield "\ufeff"  # BOM: Excel on Windows reads the file as UTF-8
        yield writer.writerow([header for header, _ in columns])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(["" if (v := get(row)) is None else v for _, get in columns])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response
