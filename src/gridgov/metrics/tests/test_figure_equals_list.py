"""A figure and its list never disagree (issue 7).

On the demo data of every module (events, disputes, petitions, special populations, seeded
through their services on a small demo township): for EVERY registered count, for an area at
each level (district, township, village, grid) and several periods (this month, this quarter,
a from–to span, and random spans drawn by hypothesis), the figure equals the length of the list
the records view shows for it. And `figures.by_area`, which counts all the sub-areas of an area
in one grouped query per count, gives each sub-area what its own Evaluator gives, for every
registered figure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.db.models import Count as CountOf
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.accounts.models import User
from gridgov.areas import demo as areas_demo
from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped
from gridgov.disputes import demo as disputes_demo
from gridgov.events import demo as events_demo
from gridgov.events.models import Event
from gridgov.metrics import figures
from gridgov.metrics.figures import Count, Evaluator, Period
from gridgov.petitions import demo as petitions_demo
from gridgov.registry import demo as registry_demo
from gridgov.special import demo as special_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    """The demo township with a few villages and grids, and every module's demo records."""
    result = registry_demo.seed_demo(communities=1, villages=2, real_grids=3)
    created, existing = result.created, result.existing
    for seed in (
        events_demo.seed_demo_events,
        disputes_demo.seed_demo_disputes,
        petitions_demo.seed_demo_petitions,
        special_demo.seed_demo_special,
    ):
        seed(seed=areas_demo.DEFAULT_SEED, created=created, existing=existing)
    with unscoped("test: the demo's places and people"):
        township = Area.objects.get(code=areas_demo.TOWNSHIP_CODE)
        district = township.parent
        # The grid with the most events, and its village: where the records are.
        busiest = (
            Event.objects.filter(area_path__startswith=township.path)
            .values("grid_id")
            .annotate(n=CountOf("pk"))
            .order_by("-n")
            .first()
        )
        grid = Area.objects.get(pk=busiest["grid_id"])
        village = grid.parent
        users = {u.username: u for u in User.objects.filter(username__in=["admin", "leader"])}
    assert village.level == Level.VILLAGE and district.level == Level.COUNTY
    return {
        "district": district,
        "township": township,
        "village": village,
        "grid": grid,
        "admin": users["admin"],
        "leader": users["leader"],
    }


def _periods() -> list[Period]:
    today = timezone.localdate()
    return [
        Period.preset("month"),
        Period.preset("quarter"),
        Period(today - dt.timedelta(days=44), today),
    ]


def _listed(client, code: str, area: Area, period: Period) -> int:
    query = urlencode(
        {"area": area.pk, "start": period.start.isoformat(), "end": period.end.isoformat()}
    )
    response = client.get(f"{reverse('metrics:records', args=[code])}?{query}")
    assert response.status_code == 200, (code, area.name, response.status_code)
    return response.context["page"].paginator.count


def _counts(user) -> list[Count]:
    visible = {g.code for g in figures.groups_for(user)}
    return [f for f in figures.figures() if isinstance(f, Count) and f.group in visible]


def test_every_count_equals_the_length_of_its_list(client, demo):
    admin, leader = demo["admin"], demo["leader"]
    # The township's leader sees every module; the district's administrator all but the
    # special populations.
    assert {g.code for g in figures.groups_for(leader)} == {g.code for g in figures.groups()}
    seen: Counter[str] = Counter()
    for user, levels in [
        (admin, ("district", "township", "village", "grid")),
        (leader, ("township", "village", "grid")),
    ]:
        client.force_login(user)
        for level in levels:
            area = demo[level]
            for period in _periods():
                evaluate = Evaluator(user, area, period)
                for figure in _counts(user):
                    value = evaluate(figure.code).value
                    listed = _listed(client, figure.code, area, period)
                    assert value == listed, (user.username, area.name, period.label, figure.code)
                    seen[figure.group] += value
    # The data reach every module, so the equalities above are not all 0 == 0.
    assert all(seen[g.code] > 0 for g in figures.groups()), seen


def test_random_spans_and_areas_agree_with_their_lists(client, demo):
    leader = demo["leader"]
    client.force_login(leader)
    today = timezone.localdate()
    counts = [f.code for f in _counts(leader)]
    levels = ["township", "village", "grid"]

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        back=st.integers(min_value=0, max_value=400),
        days=st.integers(min_value=1, max_value=120),
        level=st.sampled_from(levels),
        code=st.sampled_from(counts),
    )
    def agree(back: int, days: int, level: str, code: str) -> None:
        end = today - dt.timedelta(days=back)
        period = Period(end - dt.timedelta(days=days - 1), end)
        area = demo[level]
        value = Evaluator(leader, area, period)(code).value
        assert value == _listed(client, code, area, period), (area.name, period.label, code)

    agree()


def test_by_area_equals_each_areas_own_evaluator_for_every_figure(demo):
    admin, leader = demo["admin"], demo["leader"]
    for user, parents in [
        (admin, ("district", "township", "village")),
        (leader, ("township", "village")),
    ]:
        for level in parents:
            parent = demo[level]
            with unscoped("test: the sub-areas"):
                children = list(Area.objects.filter(parent=parent).order_by("path"))
            assert children, parent.name
            visible = {g.code for g in figures.groups_for(user)}
            codes = [f.code for f in figures.figures() if f.group in visible]
            for period in _periods():
                grouped = figures.by_area(user, parent, children, period, codes)
                for child in children:
                    own = Evaluator(user, child, period)
                    for code in codes:
                        assert grouped[child.pk][code].value == own(code).value, (
                            user.username,
                            child.name,
                            period.label,
                            code,
                        )
    # The grids of a village, counted from the village's records.
    codes = [f.code for f in figures.figures()]
    village = demo["village"]
    with unscoped("test: the grids"):
        grids = list(Area.objects.filter(parent=village))
    grouped = figures.by_area(leader, village, grids, Period.preset("quarter"), codes)
    for grid in grids:
        own = Evaluator(leader, grid, Period.preset("quarter"))
        assert {c: r.value for c, r in grouped[grid.pk].items()} == {c: own(c).value for c in codes}
