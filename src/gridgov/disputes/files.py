"""Serving a mediation's file: the page's link and the API give the same response."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse

from gridgov.disputes.models import MediationFile


def mediation_file_response(item: MediationFile) -> FileResponse:
    """Stream the file with its checked content type (an image or a PDF, shown inline); the
    browser may not guess another type."""
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
