"""Reads of the petitions module, all through `for_user`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.core.scoping import jurisdiction
from gridgov.petitions import services
from gridgov.petitions.choices import ANSWERED_STAGES, FINAL_STAGES, Stage
from gridgov.petitions.models import LeaderCase, Petition, ReceptionDay


def may_view_any(user: Any) -> bool:
    """Whether the user sees any petition at all: by area, or as a responsible department."""
    from gridgov.events.selectors import department_ids_of

    return jurisdiction(user).allows_anywhere("petitions.view") or bool(department_ids_of(user))


def visible_petitions(user: Any) -> QuerySet[Petition]:
    return Petition.objects.for_user(user, "petitions.view").select_related(
        "event", "event__category", "event__grid", "department", "lodged_area"
    )


def visible_reception_days(user: Any) -> QuerySet[ReceptionDay]:
    return ReceptionDay.objects.for_user(user, "petitions.view").select_related("area", "leader")


def open_cases(user: Any, petition: Petition) -> list[LeaderCase]:
    return list(
        LeaderCase.objects.for_user(user, "petitions.view")
        .filter(petition=petition, ended_at__isnull=True)
        .select_related("leader")
    )


def available_actions(user: Any, petition: Petition) -> list[str]:
    """Names of the steps `user` may take on `petition` now. The services check again."""
    from gridgov.registry import flags

    actions: list[str] = []
    stage = petition.stage
    handle = services.may_handle(user, petition)
    center = services.at_center(user, petition)
    if handle:
        if stage == Stage.REGISTERED:
            actions += ["decide"]
        elif stage == Stage.ACCEPTED:
            actions += ["reply"] + (["extend"] if center and not petition.extended else [])
        elif stage == Stage.REPLIED:
            actions += ["request_review"]
        elif stage == Stage.REVIEWED:
            actions += ["request_re_review"]
        if stage in ANSWERED_STAGES:
            actions += ["rate"]
        if stage in (Stage.REPLIED, Stage.REVIEWED, Stage.RE_REVIEWED) and services.may_close(
            petition
        ):
            actions += ["close"]
    if services.may_review(user, petition):
        if stage == Stage.REVIEW_REQUESTED:
            actions += ["review"]
        elif stage == Stage.RE_REVIEW_REQUESTED:
            actions += ["re_review"]
    if stage not in FINAL_STAGES and (
        center or jurisdiction(user).allows("petitions.lead", petition.area_path)
    ):
        actions += ["take_case"]
    if center and flags.handles(services.KEY_PETITIONER) and flaggable(petition):
        actions += ["flag"]
    return actions


def flaggable(petition: Petition) -> list[Any]:
    """The petition's petitioners who reach the key-petitioner threshold and were not flagged
    from it yet."""
    from gridgov.core.scoping import unscoped
    from gridgov.petitions.config import config
    from gridgov.petitions.models import KeyPetitionerFlag

    threshold = config().key_threshold
    with unscoped("flags already raised from this petition"):
        done = set(
            KeyPetitionerFlag.objects.filter(petition=petition).values_list("person_id", flat=True)
        )
    return [
        p
        for p in services.petitioners_of(petition)
        if p.pk not in done and services.petition_count(p) >= threshold
    ]
