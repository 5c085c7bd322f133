"""Background jobs of the special populations, run by `gridgov worker` with the other sweeps."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("gridgov.tasks")


@task()
def sweep_special_visits() -> dict[str, int]:
    """Mark statuses overdue past the grace as 脱管/失控 and tell their officers and centers."""
    from gridgov.special.services import sweep_overdue

    result = sweep_overdue()
    if any(result.values()):
        logger.info("sweep special visits: %s", result)
    return result
