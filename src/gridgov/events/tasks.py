"""Background jobs of the event hub, run by `gridgov worker` with the other periodic sweeps."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("gridgov.tasks")


@task()
def sweep_event_deadlines() -> dict[str, int]:
    """Yellow before the deadline, red after it, automatic 督办 when long overdue."""
    from gridgov.events.services import sweep_deadlines

    result = sweep_deadlines()
    if any(result.values()):
        logger.info("sweep event deadlines: %s", result)
    return result
