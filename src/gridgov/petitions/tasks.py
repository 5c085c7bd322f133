"""Background jobs of the petitions module, run by `gridgov worker` with the other sweeps."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("gridgov.tasks")


@task()
def close_lapsed_petitions() -> int:
    """Close (办结) the petitions whose petitioner can no longer ask for the next step: the
    re-reviewed ones, and the answered ones whose request window has passed. Each in its own
    transaction, as the system; a second run finds nothing."""
    from django.db.models import Q

    from gridgov.accounts.system import system_actor
    from gridgov.core.errors import DomainError
    from gridgov.core.scoping import unscoped
    from gridgov.petitions import services
    from gridgov.petitions.choices import Stage
    from gridgov.petitions.models import Petition

    now = services._now()
    with unscoped("petition closing sweep"):
        due = list(
            Petition.objects.filter(
                Q(stage=Stage.RE_REVIEWED)
                | Q(stage=Stage.REPLIED, review_request_until__lt=now)
                | Q(stage=Stage.REVIEWED, re_review_request_until__lt=now)
            ).values_list("pk", flat=True)
        )
    closed = 0
    actor = system_actor() if due else None
    for pk in due:
        with unscoped("petition closing sweep: one petition"):
            petition = Petition.objects.filter(pk=pk).first()
        if petition is None:
            continue
        try:
            services.close_petition(
                petition, actor=actor, version=None, note="请求期限届满,自动办结"
            )
        except DomainError:
            continue
        closed += 1
    if closed:
        logger.info("closed %s lapsed petitions", closed)
    return closed
