"""Every write to the inbox. The event hub and other apps call `notify`; pages and the API call
`mark_read` and `mark_all_read`.

A notification is a message to one person, not a domain record: creating one needs no role (the
caller has decided who should know), and reading one is the recipient's own business, so neither
is audited. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.system import SYSTEM_USERNAME
from gridgov.core.errors import Invalid
from gridgov.notifications import channels
from gridgov.notifications.models import Notification, is_relative_path

TITLE_MAX = Notification._meta.get_field("title").max_length
KIND_MAX = Notification._meta.get_field("kind").max_length
LINK_MAX = Notification._meta.get_field("link").max_length


def _recipients(recipients: Iterable[Any]) -> list[Any]:
    """Each user once, in the order given, leaving out anyone inactive (now, in the database)
    and the system actor, who never reads an inbox."""
    unique: dict[int, Any] = {}
    for user in recipients:
        if user is None or getattr(user, "pk", None) is None:
            continue
        if user.is_active and user.pk not in unique:
            unique[user.pk] = user
    if not unique:
        return []
    active = set(
        User.objects.filter(pk__in=unique, is_active=True)
        .exclude(username=SYSTEM_USERNAME)
        .values_list("pk", flat=True)
    )
    return [user for pk, user in unique.items() if pk in active]


@transaction.atomic
def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    area_path: str = "",
) -> list[Notification]:
    """Put one notification in the inbox of each active recipient, in one insert.

    `kind` is a short code ("events.dispatched"), `title` Chinese text (cut to 200 characters),
    `link` a path on this site or "". The configured channels get the notifications after the
    surrounding transaction commits (nothing is sent if it rolls back).
    """
    kind = (kind or "").strip()
    title = " ".join((title or "").split())
    link = (link or "").strip()
    if not kind or len(kind) > KIND_MAX:
        raise Invalid(f"消息类型不能为空,且不超过 {KIND_MAX} 个字符。", field="kind")
    if not title:
        raise Invalid("消息标题不能为空。", field="title")
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    if link and (len(link) > LINK_MAX or not is_relative_path(link)):
        raise Invalid("消息链接只能是本系统内的路径(以“/”开头)。", field="link")
    users = _recipients(recipients)
    if not users:
        return []
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                title=title,
                body=body or "",
                link=link,
                area_path=area_path or "",
                created_at=now,
            )
            for user in users
        ]
    )
    transaction.on_commit(partial(channels.deliver, created))
    return created


@transaction.atomic
def mark_read(notification_ids: Iterable[int], *, actor: Any) -> int:
    """Mark the actor's own notifications among `notification_ids` as read; anyone else's are
    ignored (as if they did not exist). Returns how many were unread before."""
    try:
        ids = {int(pk) for pk in notification_ids}
    except (TypeError, ValueError) as exc:
        raise Invalid("消息编号无效。", field="notification_ids") from exc
    if not ids:
        return 0
    return (
        Notification.objects.for_recipient(actor)
        .unread()
        .filter(pk__in=ids)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor as read. Returns how many there were."""
    return Notification.objects.for_recipient(actor).unread().update(read_at=timezone.now())
