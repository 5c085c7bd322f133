import pytest

from gridgov.core.testing.personas import build_world
from gridgov.events.tests.support import TZ, Clock, backdate_world


@pytest.fixture
def autumn(db, monkeypatch):
    """The test world built on 2026-09-01 (areas exist since then) with a clock the test moves;
    returns (world, clock)."""
    import datetime as dt

    clock = Clock(monkeypatch, dt.datetime(2026, 9, 1, 9, 0, tzinfo=TZ))
    world = build_world()
    backdate_world(world)
    return world, clock
