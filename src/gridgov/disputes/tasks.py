"""Background jobs of disputes, run by `gridgov worker` with the other periodic sweeps."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("gridgov.tasks")


@task()
def check_screening_reports() -> dict[str, int]:
    """Warn the villages whose screening report for the last overdue period is missing (once per
    village and period, however often it runs)."""
    from gridgov.disputes.services import warn_missing_reports

    result = warn_missing_reports()
    if result["missing"]:
        logger.info("check screening reports: %s", result)
    return result
