"""One event's whole life through the services: the path every other test varies."""

from __future__ import annotations

import pytest

from gridgov.core.errors import Conflict, InvalidTransition, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.events import services
from gridgov.events.choices import State
from gridgov.events.models import Category

pytestmark = pytest.mark.django_db


def test_report_accept_dispatch_take_done_verify_rate(world, django_capture_on_commit_callbacks):
    category = Category.objects.get(code="hazard-fire")
    worker, center, handler = (
        world.users["worker_a1"],
        world.users["center_a"],
        world.users["handler_a"],
    )
    event = services.report_event(
        actor=worker,
        category=category,
        title="楼道堆放杂物",
        description="3 号楼楼道堆放纸箱,堵塞消防通道",
        grid=world.grid_a1,
    )
    assert event.state == State.REPORTED and event.center == world.township_a
    event = services.accept_event(event, actor=center, version=event.version)
    with pytest.raises(Conflict):
        services.accept_event(event, actor=center, version=event.version - 1)
    event = services.dispatch_event(
        event, actor=center, version=event.version, department=world.police_a
    )
    assert event.state == State.DISPATCHED and event.deadline
    with pytest.raises(NotPermitted):
        services.take_event(event, actor=worker, version=event.version)
    event = services.take_event(event, actor=handler, version=event.version)
    assert event.state == State.IN_PROGRESS
    event = services.report_done(event, actor=handler, version=event.version, note="已清理")
    assert event.state == State.VERIFYING
    with pytest.raises(NotPermitted):
        services.verify_event(event, actor=handler, version=event.version, passed=True)
    event = services.verify_event(event, actor=worker, version=event.version, passed=True)
    assert event.state == State.CLOSED and event.closed_on_time
    event = services.rate_event(event, actor=worker, version=event.version, rating="satisfied")
    assert event.state == State.RATED
    with pytest.raises(InvalidTransition):
        services.accept_event(event, actor=center, version=event.version)
    with unscoped("test"):
        actions = [t.action for t in event.timeline.all()]
    assert actions == ["reported", "accepted", "dispatched", "taken", "done", "verified", "rated"]
