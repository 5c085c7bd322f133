"""The demo special populations: every kind of record through the services, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from gridgov.core.scoping import unscoped
from gridgov.registry import demo as registry_demo
from gridgov.special import demo
from gridgov.special.models import Handover, SpecialStatus, Visit

SMALL = {"communities": 1, "villages": 2, "real_grids": 5}


@pytest.mark.django_db
def test_demo_seeds_statuses_visits_a_lost_one_and_a_handover_once():
    result = registry_demo.seed_demo(**SMALL)
    created, existing = Counter(), Counter()
    demo.seed_demo_special(seed=1, created=created, existing=existing)
    with unscoped("test"):
        statuses = SpecialStatus.objects.count()
        assert statuses == created["special_status"] >= 10
        assert Visit.objects.count() == created["special_visit"] > statuses
        assert SpecialStatus.objects.filter(lost_since__isnull=False).exists()
        assert Visit.objects.filter(on_time=False).exists()
        assert Handover.objects.filter(state="pending").count() == 1
        assert SpecialStatus.objects.filter(officer__isnull=True).count() == 0
    again_created, again_existing = Counter(), Counter()
    demo.seed_demo_special(seed=1, created=again_created, existing=again_existing)
    assert again_created["special_status"] == 0 and again_existing["special_status"] == statuses
    assert result.created_anything
