"""The in-app inbox: one row per message to one person.

A notification belongs to its recipient, not to an area, so it is not a `ScopedModel`. It has
its own read door instead, failing closed the same way: `Notification.objects.for_recipient(user)`
returns only that user's rows, and any other evaluation of the default manager raises
`ScopeError` unless it runs inside `core.scoping.unscoped("reason")`. Nothing is ever deleted.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from gridgov.core.fields import PathField
from gridgov.core.scoping import GuardedQuerySet, HardDeleteForbidden, ScopeError, is_unscoped


def is_relative_path(url: str) -> bool:
    """True for a path on this site ("/events/12/"), never for anything a browser could take
    to another host ("//evil.example", "/\\evil.example", "https://…", "javascript:…")."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set())


class RecipientQuerySet(GuardedQuerySet):
    """A queryset that refuses to run unless it was narrowed to one recipient (or unscoped)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recipient_id: int | None = None

    def _clone(self) -> RecipientQuerySet:
        clone = super()._clone()
        clone._recipient_id = self._recipient_id
        return clone

    def for_recipient(self, user: Any) -> RecipientQuerySet:
        """The notifications of `user`; none for an anonymous or inactive user."""
        qs = self._chain()
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            qs._recipient_id = 0
            return qs.none()
        qs._recipient_id = user.pk
        return qs.filter(recipient_id=user.pk)

    def none(self) -> RecipientQuerySet:
        # An empty queryset shows nobody's rows: safe to evaluate without a recipient.
        qs = super().none()
        if qs._recipient_id is None:
            qs._recipient_id = 0
        return qs

    def unread(self) -> RecipientQuerySet:
        return self.filter(read_at__isnull=True)

    def _check_scope(self) -> None:
        if self._recipient_id is None and not is_unscoped():
            raise ScopeError(
                "Notification queried without a recipient: use "
                ".for_recipient(user) or core.scoping.unscoped(reason)"
            )

    def _merge_sanity_check(self, other: models.QuerySet) -> None:
        # `mine | theirs` must not widen a recipient's queryset to someone else's rows.
        super()._merge_sanity_check(other)
        if getattr(other, "_recipient_id", None) != self._recipient_id and not is_unscoped():
            raise ScopeError("Notification querysets of different recipients cannot be combined")

    def _combinator_query(self, combinator: str, *other_qs: Any, all: bool = False) -> Any:
        for other in other_qs:
            self._merge_sanity_check(other)
        return super()._combinator_query(combinator, *other_qs, all=all)


class RecipientManager(models.Manager.from_queryset(RecipientQuerySet)):  # type: ignore[misc]
    use_in_migrations = False


class Notification(models.Model):
    """One message in one person's inbox: what happened (`kind`, `title`, `body`), where to look
    (`link`, a path on this site) and under which area it happened (`area_path`, informational).

    Written only by `notifications.services`; read through `objects.for_recipient(user)`.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=64)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    area_path = PathField("区域路径", blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = RecipientManager()

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [
            # the unread badge: WHERE recipient = ? AND read_at IS NULL
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # the inbox, newest first
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise HardDeleteForbidden()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def safe_link(self) -> str:
        """The link if it is a path on this site, else "" (never an external address)."""
        return self.link if is_relative_path(self.link) else ""
