from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        # The access log is not registered with auditlog: its rows are append-only records
        # themselves, written by `core.access_log.record_access` and never changed.
        from gridgov.core import exports, jobs

        # Big exports of any registered list run in the background (core/exports.py).
        jobs.register(
            exports.JOB_HANDLER,
            kind="export",
            run=exports.run_export_job,
            label="导出列表",
            permission="",
        )
