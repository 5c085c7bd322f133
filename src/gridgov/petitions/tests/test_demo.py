"""The demo petitions: seeded through the services on a small demo township, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from gridgov.core.scoping import unscoped
from gridgov.petitions import demo
from gridgov.petitions.models import Petition, ReceptionDay
from gridgov.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_demo_petitions_cover_the_stages_and_a_second_run_adds_nothing():
    registry_demo.seed_demo(communities=1, villages=2, real_grids=5)
    created, existing = Counter(), Counter()
    demo.seed_demo_petitions(seed=1, created=created, existing=existing)
    with unscoped("test: demo rows"):
        stages = set(Petition.objects.values_list("stage", flat=True))
        count = Petition.objects.count()
        days = ReceptionDay.objects.count()
    assert created["petition"] == count > 10
    assert {"registered", "accepted", "replied"} & stages
    assert days == created["reception_day"] == 5
    again, seen = Counter(), Counter()
    demo.seed_demo_petitions(seed=1, created=again, existing=seen)
    assert (again["petition"], again["reception_day"]) == (0, 0)
    assert seen["petition"] == count
