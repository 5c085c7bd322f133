from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        # The access log is not registered with auditlog: its rows are append-only records
        # themselves, written by `core.access_log.record_access` and never changed.
        pass
