"""Demo special populations for the demo township: about two dozen residents under care, of
every type, with months of visits (mostly on time, some late, a few stopped: lost after the
sweep), one pending handover between villages. Through the services, so the schedule, history
and audit are what real use leaves.

Idempotent: a person who already has a status is skipped (counted as existing).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridgov.core.scoping import unscoped
from gridgov.special import services
from gridgov.special.models import SpecialStatus, SpecialType

KINDS = {"special_status": "特殊人群列管", "special_visit": "特殊人群走访"}
COUNT = 24

# type code, weight, sample details
TYPES: list[tuple[str, int, dict[str, Any]]] = [
    (
        "released",
        5,
        {"offence": "05", "sentence": "有期徒刑三年", "risk_type": "02", "handover_state": "03"},
    ),
    ("correction", 5, {"correction_kind": "02", "offence": "盗窃罪", "receive_way": "01"}),
    ("mental", 5, {"diagnosis": "01", "treatment": "02", "guardian_name": "家属", "subsidy": True}),
    ("drug", 4, {"control_state": "01", "control_measure": "02"}),
    ("youth", 3, {"youth_category": "01", "family": "02", "help_means": "02"}),
    ("key_petitioner", 2, {"matter": "征地补偿诉求"}),
    ("hiv", 1, {"infection_route": "99", "attention_type": "00", "treatment_state": "02"}),
]
FINDINGS = [
    "本人在家,情绪稳定,生活规律。",
    "与家属交谈,近期无异常。",
    "按时报到,提交思想汇报。",
    "已务工,收入稳定,无不良交往。",
    "服药正常,监护人配合。",
    "谈话教育,表示遵纪守法。",
]


def seed_demo_special(*, seed: int, created: Counter[str], existing: Counter[str]) -> None:
    """The demo township's special populations in one transaction, then one overdue sweep."""
    from gridgov.areas import demo as areas_demo

    with transaction.atomic():
        seed_special(
            seed=seed, township_code=areas_demo.TOWNSHIP_CODE, created=created, existing=existing
        )
    services.sweep_overdue()


def seed_special(
    *, seed: int, township_code: str, created: Counter[str], existing: Counter[str]
) -> None:
    from gridgov.accounts.models import User
    from gridgov.accounts.system import system_actor
    from gridgov.areas.models import Area, GridAssignment
    from gridgov.registry.models import Person

    with unscoped("demo seed: who and where"):
        township = Area.objects.filter(code=township_code).first()
        if township is None:
            return
        center = User.objects.filter(username="center", is_active=True).first() or system_actor()
        workers = {
            a.grid_id: a.user
            for a in GridAssignment.objects.filter(
                grid__path__startswith=township.path, ended_at__isnull=True
            )
            .select_related("user")
            .order_by("pk")
        }
        people = list(
            Person.objects.filter(
                area_path__startswith=township.path, status="present", grid_id__in=list(workers)
            )
            .select_related("grid")
            .order_by("pk")[:2000]
        )
        taken = set(SpecialStatus.objects.values_list("person_id", flat=True))
        types = {t.code: t for t in SpecialType.objects.filter(is_active=True)}
    rng = random.Random(f"demo-special:{seed}")  # noqa: S311 - demo data, not secrets
    chosen = rng.sample(people, min(COUNT, len(people))) if people else []
    today = timezone.localdate()
    opened: list[SpecialStatus] = []
    for number, person in enumerate(chosen):
        if person.pk in taken:
            existing["special_status"] += 1
            continue
        code, _w, sample = rng.choices(TYPES, weights=[w for _c, w, _s in TYPES])[0]
        status_type = types.get(code)
        if status_type is None:
            continue
        worker = workers[person.grid_id]
        officer = center if status_type.restricted else worker
        status = services.open_status(
            actor=center,
            person=person,
            type=status_type,
            grade=rng.choice(status_type.grades) if status_type.grades else "",
            officer=officer,
            started_on=today - dt.timedelta(days=rng.randint(20, 300)),
            details=sample,
            team=[
                {"role": "grid_worker", "name": worker.full_name or worker.username},
                {"role": "family", "name": f"{person.name[0]}家属"},
            ],
            measures=rng.sample(["employment", "relief", "dibao", "counselling"], 2),
            note="演示数据",
        )
        created["special_status"] += 1
        # A few stopped being visited a month or more ago: the sweep marks them lost.
        stop = today - dt.timedelta(days=rng.randint(30, 60)) if number % 8 == 3 else today
        created["special_visit"] += _visits(status, officer, rng, stop)
        opened.append(status)
    if len(opened) >= 2:
        _one_handover(opened, center, workers)


def _visits(status: SpecialStatus, officer: Any, rng: random.Random, stop: dt.date) -> int:
    made = 0
    for _ in range(60):
        status = SpecialStatus._base_manager.get(pk=status.pk)
        due = status.next_visit_due
        if due is None:
            break
        roll = rng.random()
        day = (
            due - dt.timedelta(days=rng.randint(0, 2))
            if roll < 0.85
            else due + dt.timedelta(days=rng.randint(1, 5))
        )
        day = max(day, status.last_visit_on or status.started_on)
        if day > stop:
            break
        with unscoped("demo seed: the rule's visit kinds"):
            rule = services.rule_for(status.type_id, status.grade)
        kind = rng.choice(rule.visit_kinds) if rule else "home_visit"
        services.log_visit(
            status,
            actor=officer,
            kind=kind,
            visited_on=day,
            place="居住地",
            findings=rng.choice(FINDINGS),
            test_result="negative" if kind == "drug_test" else "",
        )
        made += 1
    return made


def _one_handover(opened: list[SpecialStatus], center: Any, workers: dict[int, Any]) -> None:
    """One resident moving between grids of the township: a pending handover."""
    grids = sorted(workers)
    for status in opened:
        if status.type.restricted:
            continue
        target = next((g for g in grids if g != status.area_id), None)
        if target is None:
            return
        from gridgov.areas.models import Area

        with unscoped("demo seed: receiving grid"):
            to_area = Area.objects.get(pk=target)
        status = SpecialStatus._base_manager.get(pk=status.pk)
        services.start_handover(
            status,
            actor=center,
            version=status.version,
            to_area=to_area,
            reason="搬迁至新住址(演示)",
        )
        return
