"""The periodic sweep `end_expired_grants`, run the ways production runs it.

- directly, for what it ends and what it leaves alone;
- through the database queue: enqueued with django-tasks-db, worked by `db_worker` and by
  `gridgov worker --once`;
- through Celery on Redis (django-tasks-fennel), worked by an in-process Celery worker.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from gridgov.accounts import services as accounts
from gridgov.accounts.models import Membership
from gridgov.accounts.system import system_actor
from gridgov.areas import services as areas
from gridgov.core.scoping import unscoped
from gridgov.core.tasks import end_expired_grants

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PASSWORD = "Sweep#Passw0rd-2026"


class Grants:
    """What one test sets up: two expired grants, two current ones."""

    def __init__(self) -> None:
        actor = system_actor()
        today = timezone.localdate()
        district = areas.create_area(actor=actor, parent=None, code="330203", level="county")
        township = areas.create_area(actor=actor, parent=district, code="330203101")
        village = areas.create_area(actor=actor, parent=township, code="330203101201", name="甲村")
        grid = areas.create_area(
            actor=actor,
            parent=village,
            code="330203101201001",
            name="甲村第一网格",
            grid_kind="real",
        )
        self.user = accounts.create_user(
            actor=actor, username="sweep_user", full_name="张三", password=PASSWORD
        )
        # Ended yesterday: the sweep ends it.
        self.expired_membership = accounts.grant_membership(
            self.user,
            actor=actor,
            role="center_staff",
            area=township,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today - dt.timedelta(days=1),
        )
        # Its last day is today: still current, left alone.
        self.current_membership = accounts.grant_membership(
            self.user, actor=actor, role="leader", area=township, valid_until=today
        )
        # An assignment that ended yesterday, with the grid-worker membership it opened.
        self.expired_assignment = areas.assign_grid_worker(
            grid,
            actor=actor,
            user=self.user,
            post="full_time",
            start_date=today - dt.timedelta(days=30),
            end_date=today - dt.timedelta(days=1),
        )
        # An open-ended assignment of someone else: left alone.
        other = accounts.create_user(
            actor=actor, username="sweep_other", full_name="李四", password=PASSWORD
        )
        self.current_assignment = areas.assign_grid_worker(
            grid, actor=actor, user=other, post="part_time"
        )

    def reload(self) -> None:
        with unscoped("test"):
            for name in (
                "expired_membership",
                "current_membership",
                "expired_assignment",
                "current_assignment",
            ):
                getattr(self, name).refresh_from_db()

    def assert_swept(self) -> None:
        self.reload()
        today = timezone.localdate()
        assert self.expired_membership.ended_at is not None
        assert self.expired_membership.valid_until == today - dt.timedelta(days=1)
        assert self.expired_assignment.ended_at is not None
        assert self.expired_assignment.end_date == today - dt.timedelta(days=1)
        with unscoped("test"):
            opened = Membership.objects.get(pk=self.expired_assignment.membership_id)
        assert opened.ended_at is not None
        assert self.current_membership.ended_at is None
        assert self.current_assignment.ended_at is None

        system = system_actor()
        ended = [
            e
            for e in LogEntry.objects.get_for_object(self.expired_membership)
            if (e.additional_data or {}).get("action") == "accounts.membership.ended"
        ]
        assert len(ended) == 1
        assert ended[0].actor_id == system.pk
        assert ended[0].additional_data["area_path"] == self.expired_membership.area_path
        assert any(
            (e.additional_data or {}).get("action") == "areas.assignment.ended"
            and e.actor_id == system.pk
            for e in LogEntry.objects.get_for_object(self.expired_assignment)
        )

    def assert_untouched(self) -> None:
        self.reload()
        assert self.expired_membership.ended_at is None
        assert self.expired_assignment.ended_at is None


@pytest.fixture
def keep_signals() -> Iterator[None]:
    """db_worker installs SIGINT/SIGTERM handlers for itself; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# --- The job itself ------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_ends_expired_grants_only() -> None:
    grants = Grants()
    result = end_expired_grants.call()
    assert result == {"assignments_ended": 1, "memberships_ended": 1, "failed": 0}
    grants.assert_swept()


@pytest.mark.django_db
def test_sweep_twice_changes_nothing_more() -> None:
    grants = Grants()
    end_expired_grants.call()
    grants.reload()
    versions = (grants.expired_membership.version, grants.expired_assignment.version)
    entries = LogEntry.objects.count()

    assert end_expired_grants.call() == {
        "assignments_ended": 0,
        "memberships_ended": 0,
        "failed": 0,
    }
    grants.reload()
    assert (grants.expired_membership.version, grants.expired_assignment.version) == versions
    assert LogEntry.objects.count() == entries


@pytest.mark.django_db
def test_sweep_keeps_going_past_a_failing_row(monkeypatch: pytest.MonkeyPatch) -> None:
    grants = Grants()
    real_end = accounts.end_membership

    def end_membership(membership: Membership, **kwargs: Any) -> Membership:
        if membership.pk == grants.expired_membership.pk:
            raise ValueError("boom")
        return real_end(membership, **kwargs)

    monkeypatch.setattr(accounts, "end_membership", end_membership)
    with pytest.raises(RuntimeError, match="1 rows failed"):
        end_expired_grants.call()
    grants.reload()
    assert grants.expired_membership.ended_at is None
    assert grants.expired_assignment.ended_at is not None


# --- Database queue ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sweep_through_database_queue(keep_signals: None) -> None:
    from django_tasks_db.models import DBTaskResult

    grants = Grants()
    with override_settings(TASKS=DB_TASKS):
        enqueued = end_expired_grants.enqueue()
        queued = DBTaskResult.objects.get(pk=enqueued.id)
        assert queued.status == TaskResultStatus.READY
        grants.assert_untouched()  # nothing runs until a worker takes it

        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

        done = end_expired_grants.get_result(enqueued.id)
        assert done.status == TaskResultStatus.SUCCESSFUL
        assert done.return_value == {"assignments_ended": 1, "memberships_ended": 1, "failed": 0}
    grants.assert_swept()


@pytest.mark.django_db(transaction=True)
def test_worker_once_enqueues_and_runs_the_sweep(keep_signals: None) -> None:
    from django_tasks_db.models import DBTaskResult

    grants = Grants()
    out = io.StringIO()
    with override_settings(TASKS=DB_TASKS):
        call_command("worker", once=True, verbosity=0, stdout=out)
        results = list(DBTaskResult.objects.filter(task_path=end_expired_grants.module_path))
    assert "gridgov.core.tasks.end_expired_grants" in out.getvalue()
    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL]
    grants.assert_swept()


@pytest.mark.django_db(transaction=True)
def test_worker_does_not_queue_a_second_waiting_sweep(keep_signals: None) -> None:
    from django_tasks_db.models import DBTaskResult

    from gridgov.core.management.commands.worker import enqueue_periodic
    from gridgov.core.tasks import PERIODIC_TASKS

    every = [job.module_path for job in PERIODIC_TASKS]
    with override_settings(TASKS=DB_TASKS):
        assert end_expired_grants.module_path in every
        assert enqueue_periodic() == every
        assert enqueue_periodic() == []
        assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == len(every)


# --- Celery on Redis -------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    import redis

    url = settings.REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis 不可用({url}):CI 中 Celery 测试必须运行。{exc}")
        pytest.skip(f"Redis 不可用({url}),跳过 Celery 测试")
    return url


@pytest.fixture
def celery_queue(redis_url: str) -> Iterator[str]:
    """A queue of this test's own, so no other worker on the same Redis takes its messages."""
    from gridgov.celery import app

    queue = f"gridgov-test-{uuid.uuid4().hex[:12]}"
    yield queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


@pytest.mark.django_db(transaction=True)
def test_sweep_through_celery(celery_queue: str) -> None:
    from celery.contrib.testing.worker import start_worker
    from celery.result import AsyncResult
    from celery.signals import task_postrun
    from django_tasks_fennel.backend import Task as CeleryTask

    from gridgov.celery import app

    grants = Grants()

    def close_worker_connections(**kwargs: Any) -> None:
        connections.close_all()  # the worker thread's own, so the test database can be dropped

    task_postrun.connect(close_worker_connections, weak=False)
    celery_tasks = {
        "default": {
            "BACKEND": "django_tasks_fennel.CeleryBackend",
            "QUEUES": ["default", celery_queue],
        }
    }
    try:
        with override_settings(TASKS=celery_tasks):
            # What `@task` makes of the job in a process started with TASKS_BACKEND=celery:
            # the fennel Task, which registers the Celery task the worker runs.
            job = CeleryTask(
                func=end_expired_grants.func,
                backend="default",
                queue_name=celery_queue,
                priority=end_expired_grants.priority,
            )
            with start_worker(app, queues=[celery_queue], perform_ping_check=False):
                enqueued = job.enqueue()
                value = AsyncResult(enqueued.id, app=app).get(timeout=30)
                assert value == {"assignments_ended": 1, "memberships_ended": 1, "failed": 0}
                assert job.get_result(enqueued.id).status == TaskResultStatus.SUCCESSFUL
    finally:
        task_postrun.disconnect(close_worker_connections)
        app.amqp.queues._consume_from = None  # consume from every queue again
    grants.assert_swept()
