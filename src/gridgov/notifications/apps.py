from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "gridgov.notifications"
    label = "notifications"
    verbose_name = "消息"

    def ready(self) -> None:
        # Not registered with auditlog: rows are written in bulk (no per-row signals) and only
        # ever change by their recipient reading them, which is not an auditable act.
        from gridgov.core.home import register_panel
        from gridgov.notifications.home import unread_panel

        register_panel(unread_panel)
        checks.register(check_channels)


def check_channels(app_configs=None, **kwargs):
    """`manage.py check` (and start-up) reports a channel path that does not load."""
    from django.utils.module_loading import import_string

    from gridgov.notifications.channels import channel_paths

    problems = []
    for path in channel_paths():
        try:
            channel = import_string(path)
        except ImportError as exc:
            problems.append(
                checks.Error(
                    f"GRIDGOV_NOTIFICATION_CHANNELS: cannot import {path!r} ({exc})",
                    id="notifications.E001",
                )
            )
            continue
        if not callable(getattr(channel, "send", None)):
            problems.append(
                checks.Error(
                    f"GRIDGOV_NOTIFICATION_CHANNELS: {path!r} has no send(notification)",
                    id="notifications.E002",
                )
            )
    return problems
