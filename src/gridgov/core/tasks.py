"""Background jobs of the core: periodic sweeps the worker runs on its own.

Jobs are plain functions under the Django tasks API (`django_tasks.task`), so the same job runs on
the database queue (`gridgov worker`, TASKS_BACKEND=db) or on Celery (TASKS_BACKEND=celery)
unchanged. Every job acts as the system actor through the service layer, so its changes are
audited like anyone else's, and is safe to run twice: a second run finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django_tasks import task

from gridgov.core.errors import DomainError
from gridgov.core.scoping import unscoped

logger = logging.getLogger("gridgov.tasks")

# How many rows a sweep reads at a time: each row is then ended in its own transaction.
SWEEP_CHUNK = 500

# The Celery name the fennel backend registers a Django task under (used by the beat schedule).
CELERY_NAME_PREFIX = "django_tasks:"


def _chunks(ids: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _end_each(model: Any, ids: list[Any], end: Callable[[Any], Any], what: str) -> tuple[int, int]:
    """Call `end(row)` for each row of `model` with a pk in `ids`, each in its own transaction.

    A row someone changed or ended meanwhile (a DomainError) is skipped: the next sweep sees it
    again if it still needs ending. Any other error is logged and counted; the sweep goes on.
    """
    ended = failed = 0
    for chunk in _chunks(ids, SWEEP_CHUNK):
        with unscoped(f"sweep: end expired {what}"):
            rows = model.objects.in_bulk(chunk)
        for pk in chunk:
            row = rows.get(pk)
            if row is None:
                continue
            try:
                end(row)
            except DomainError as exc:
                logger.info("sweep: %s %s skipped: %s", what, pk, exc.message)
            except Exception:
                logger.exception("sweep: ending %s %s failed", what, pk)
                failed += 1
            else:
                ended += 1
    return ended, failed


@task()
def end_expired_grants() -> dict[str, int]:
    """End grid assignments and memberships whose last day (end_date, valid_until) has passed.

    An assignment or membership is current through its last day inclusive, so "expired" means
    the last day is before today (in the installation's time zone). Assignments go first: ending
    one also ends the grid-worker membership it opened, audited as part of that assignment.
    Returns counts; raises at the end if any row failed unexpectedly, after trying all others.
    """
    from gridgov.accounts import services as account_services
    from gridgov.accounts.models import Membership
    from gridgov.accounts.system import system_actor
    from gridgov.areas import services as area_services
    from gridgov.areas.models import GridAssignment

    today = timezone.localdate()
    actor = system_actor()

    with unscoped("sweep: find expired grid assignments"):
        assignment_ids = list(
            GridAssignment.objects.filter(ended_at__isnull=True, end_date__lt=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    assignments_ended, assignments_failed = _end_each(
        GridAssignment,
        assignment_ids,
        lambda a: area_services.end_grid_assignment(
            a, actor=actor, version=a.version, end_date=a.end_date
        ),
        "grid assignment",
    )

    with unscoped("sweep: find expired memberships"):
        membership_ids = list(
            Membership.objects.filter(ended_at__isnull=True, valid_until__lt=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    memberships_ended, memberships_failed = _end_each(
        Membership,
        membership_ids,
        lambda m: account_services.end_membership(m, actor=actor, version=m.version, system=True),
        "membership",
    )

    result = {
        "assignments_ended": assignments_ended,
        "memberships_ended": memberships_ended,
        "failed": assignments_failed + memberships_failed,
    }
    if assignments_ended or memberships_ended or result["failed"]:
        logger.info("sweep end_expired_grants: %s", result)
    if result["failed"]:
        raise RuntimeError(f"end_expired_grants: {result['failed']} rows failed (see log)")
    return result


# Sweeps the worker enqueues at start and then every few minutes (see `gridgov worker`), and
# the Celery beat schedule in settings. Add a new periodic job here and in CELERY_BEAT_SCHEDULE.
PERIODIC_TASKS = [end_expired_grants]


def celery_name(job: Any) -> str:
    """The name Celery knows `job` by when TASKS_BACKEND=celery."""
    return CELERY_NAME_PREFIX + job.module_path
