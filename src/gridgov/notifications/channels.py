"""Where a notification goes besides the inbox: a log line by default, SMS or others plugged in.

`settings.GRIDGOV_NOTIFICATION_CHANNELS` lists channel classes by dotted path. After the
transaction that wrote the notifications commits, `deliver` hands each notification to every
channel in turn. A channel that raises is logged and skipped: it never stops the other channels
or the caller, whose work is already committed.

A channel runs in the committing process (the web request or the worker). One that talks to a slow
outside service (an SMS gateway) should enqueue a background task in `send` and return at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from gridgov.notifications.models import Notification

logger = logging.getLogger("gridgov.notifications")

DEFAULT_CHANNELS = ["gridgov.notifications.channels.LogChannel"]


class Channel:
    """A way out for notifications. Subclasses implement `send`; it may raise on failure."""

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class LogChannel(Channel):
    """Writes one line per notification to the "gridgov.notifications" logger.

    Only the kind, ids and link: the title and body may name people, and logs are not the place.
    """

    def send(self, notification: Notification) -> None:
        logger.info(
            "notification %s kind=%s recipient=%s link=%s",
            notification.pk,
            notification.kind,
            notification.recipient_id,
            notification.link or "-",
        )


def channel_paths() -> list[str]:
    return list(getattr(settings, "GRIDGOV_NOTIFICATION_CHANNELS", DEFAULT_CHANNELS))


def load_channels() -> list[Channel]:
    """The configured channels, each made once per delivery. A path that does not load is
    logged and left out (`manage.py check` reports it too, see apps.py)."""
    channels: list[Channel] = []
    for path in channel_paths():
        try:
            channel_class = import_string(path)
            channels.append(channel_class())
        except Exception:
            logger.exception("notification channel %s could not be loaded", path)
    return channels


def deliver(notifications: Iterable[Notification]) -> None:
    """Hand every notification to every channel; a failing channel is logged, never raised."""
    channels = load_channels()
    for notification in notifications:
        for channel in channels:
            try:
                channel.send(notification)
            except Exception:
                logger.exception(
                    "notification channel %s failed for notification %s",
                    type(channel).__name__,
                    notification.pk,
                )
