"""Serving an event's attachment: who may fetch it, and the response that streams it. The event
page's link (views.attachment) and the API (api/attachments.py) give the same answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import FileResponse

from gridgov.core.errors import NotFound
from gridgov.core.scoping import get_for_user_or_404
from gridgov.events import selectors
from gridgov.events.models import Attachment


def visible_attachment(user: Any, event_id: Any, attachment_id: Any) -> Attachment:
    """The attachment `attachment_id` of the event `event_id`, if `user` may see the event
    (jurisdiction, or a department it was dispatched to) and the attachment (events.view): the
    checks of views.attachment. Anything else is NotFound, whether missing or out of reach."""
    event = selectors.visible_events(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound("未找到该事件。")
    return get_for_user_or_404(Attachment, user, "events.view", pk=attachment_id, event=event)


def attachment_response(item: Attachment) -> FileResponse:
    """Stream the file with its checked content type: images and PDFs shown inline, anything
    else downloaded; the browser may not guess another type."""
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    disposition = (
        "inline" if item.is_image or item.content_type == "application/pdf" else "attachment"
    )
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
