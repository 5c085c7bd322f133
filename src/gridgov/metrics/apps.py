from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


class MetricsConfig(AppConfig):
    name = "gridgov.metrics"
    label = "metrics"
    verbose_name = "统计指标"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.metrics.models import Target

        audit.register(Target)
        audit_codes.register(
            {
                "metrics.target.set": "设置指标目标",
                "metrics.target.updated": "修改指标目标",
                "metrics.target.retired": "停用指标目标",
            }
        )
        from gridgov.core import jobs
        from gridgov.metrics import records

        # A records list too long to export at once is written by a background job.
        jobs.register(
            records.JOB_HANDLER,
            kind="export",
            run=records.run_export_job,
            label="导出统计明细",
            permission="",
        )
        # Each gridgov app registers its figures in `<app>/metrics.py` (gridgov.events.metrics
        # …). Importing them from here keeps the dependency one way: the apps import
        # gridgov.metrics.figures, never the reverse, and no app's ready() needs to know of us.
        for config in apps.get_app_configs():
            if (
                config.name.startswith("gridgov.")
                and config is not self
                and module_has_submodule(config.module, "metrics")
            ):
                import_module(f"{config.name}.metrics")
