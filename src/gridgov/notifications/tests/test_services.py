"""The inbox service: who gets a notification, when the channels hear of it, and that a failing
channel harms nobody."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.test import override_settings

from gridgov.accounts import services as accounts
from gridgov.core.errors import Invalid
from gridgov.core.scoping import HardDeleteForbidden, ScopeError, unscoped
from gridgov.core.testing.helpers import assert_chinese
from gridgov.notifications import channels
from gridgov.notifications.models import Notification, is_relative_path
from gridgov.notifications.selectors import unread_count
from gridgov.notifications.services import mark_all_read, mark_read, notify

pytestmark = pytest.mark.django_db

sent: list[tuple[str, int]] = []


class RecordingChannel(channels.Channel):
    def send(self, notification):
        sent.append(("recording", notification.pk))


class FailingChannel(channels.Channel):
    def send(self, notification):
        raise RuntimeError("gateway down")


RECORDING = f"{__name__}.RecordingChannel"
FAILING = f"{__name__}.FailingChannel"


@pytest.fixture(autouse=True)
def _clear_sent():
    sent.clear()


def _notify(users, **kwargs):
    kwargs.setdefault("kind", "events.dispatched")
    kwargs.setdefault("title", "您有一件新事件待签收")
    return notify(users, **kwargs)


def test_notify_writes_one_row_per_user_in_order_and_deduplicated(world):
    created = _notify(
        [world.worker_a1, world.center_a, world.worker_a1, world.center_a],
        body="事件已派遣到横街派出所。",
        link="/events/1/",
        area_path=world.grid_a1.path,
    )
    assert [n.recipient_id for n in created] == [world.worker_a1.pk, world.center_a.pk]
    assert all(n.pk for n in created)
    with unscoped("test"):
        rows = list(Notification.objects.order_by("pk"))
    assert [(n.recipient_id, n.kind, n.link, n.area_path, n.read_at) for n in rows] == [
        (world.worker_a1.pk, "events.dispatched", "/events/1/", world.grid_a1.path, None),
        (world.center_a.pk, "events.dispatched", "/events/1/", world.grid_a1.path, None),
    ]
    assert unread_count(world.worker_a1) == 1


def test_notify_inserts_in_one_query(world, django_assert_max_num_queries):
    users = [world.worker_a1, world.worker_a2, world.center_a, world.leader_a]
    # one look-up of who is active, one insert (savepoint queries aside)
    with django_assert_max_num_queries(4):
        _notify(users)


def test_inactive_users_and_the_system_actor_are_skipped(world):
    accounts.set_user_active(world.worker_a2, actor=world.system, active=False)
    stale = world.worker_a2  # the caller's object still says active; the database does not
    assert stale.is_active
    created = _notify([world.worker_a1, stale, world.system, None])
    assert [n.recipient_id for n in created] == [world.worker_a1.pk]


def test_nobody_to_notify_writes_nothing(world):
    assert _notify([]) == []
    with unscoped("test"):
        assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"title": "  "}, "title"),
        ({"link": "https://evil.example/"}, "link"),
        ({"link": "//evil.example/"}, "link"),
        ({"link": "javascript:alert(1)"}, "link"),
    ],
)
def test_bad_input_is_refused_in_chinese(world, kwargs, field):
    with pytest.raises(Invalid) as exc:
        _notify([world.worker_a1], **kwargs)
    assert field in exc.value.as_dict()
    assert_chinese(exc)


def test_a_long_title_is_cut_not_refused(world):
    (n,) = _notify([world.worker_a1], title="很长的标题" * 100)
    assert len(n.title) == 200 and n.title.endswith("…")


@override_settings(GRIDGOV_NOTIFICATION_CHANNELS=[RECORDING])
def test_channels_hear_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = _notify([world.worker_a1, world.center_a])
        assert sent == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert sent == [("recording", n.pk) for n in created]


@override_settings(GRIDGOV_NOTIFICATION_CHANNELS=[RECORDING])
def test_nothing_is_sent_when_the_callers_transaction_rolls_back(
    world, django_capture_on_commit_callbacks
):
    def notify_then_fail():
        with transaction.atomic():
            _notify([world.worker_a1])
            raise RuntimeError("the event hub failed after notifying")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        notify_then_fail()
    assert sent == []
    with unscoped("test"):
        assert Notification.objects.count() == 0


@override_settings(GRIDGOV_NOTIFICATION_CHANNELS=[FAILING, RECORDING])
def test_a_failing_channel_is_logged_and_the_others_still_send(
    world, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="gridgov.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = _notify([world.worker_a1, world.center_a])
    assert sent == [("recording", n.pk) for n in created]
    failures = [r for r in caplog.records if "FailingChannel failed" in r.getMessage()]
    assert len(failures) == 2


@override_settings(GRIDGOV_NOTIFICATION_CHANNELS=["gridgov.nowhere.Missing", RECORDING])
def test_a_channel_that_does_not_load_is_logged_and_skipped(
    world, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="gridgov.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (n,) = _notify([world.worker_a1])
    assert sent == [("recording", n.pk)]
    assert "could not be loaded" in caplog.text


def test_the_default_log_channel_writes_one_line(world, django_capture_on_commit_callbacks, caplog):
    with (
        caplog.at_level(logging.INFO, logger="gridgov.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (n,) = _notify([world.worker_a1], link="/events/7/")
    lines = [r.getMessage() for r in caplog.records if r.name == "gridgov.notifications"]
    assert lines == [
        f"notification {n.pk} kind=events.dispatched recipient={world.worker_a1.pk} link=/events/7/"
    ]


def test_mark_read_touches_only_the_actors_own(world):
    mine = _notify([world.worker_a1], title="给甲")[0]
    theirs = _notify([world.worker_b1], title="给丙")[0]
    assert mark_read([mine.pk, theirs.pk], actor=world.worker_a1) == 1
    assert mark_read([mine.pk], actor=world.worker_a1) == 0  # already read
    with unscoped("test"):
        assert Notification.objects.get(pk=mine.pk).read_at is not None
        assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert unread_count(world.worker_b1) == 1


def test_mark_all_read_touches_only_the_actors_own(world):
    _notify([world.worker_a1, world.worker_b1])
    _notify([world.worker_a1])
    assert mark_all_read(actor=world.worker_a1) == 2
    assert unread_count(world.worker_a1) == 0
    assert unread_count(world.worker_b1) == 1


def test_reads_fail_closed_without_a_recipient(world):
    _notify([world.worker_a1])
    with pytest.raises(ScopeError):
        list(Notification.objects.all())
    with pytest.raises(ScopeError):
        Notification.objects.filter(recipient=world.worker_a1).count()
    with pytest.raises(ScopeError):
        world.worker_a1.notifications.exists()
    with pytest.raises(ScopeError):  # mine | everyone's would widen the scope
        list(Notification.objects.for_recipient(world.worker_b1) | Notification.objects.all())
    assert Notification.objects.for_recipient(world.worker_b1).count() == 0
    assert list(Notification.objects.none()) == []


def test_notifications_are_never_deleted(world):
    (n,) = _notify([world.worker_a1])
    with pytest.raises(HardDeleteForbidden):
        n.delete()
    with pytest.raises(HardDeleteForbidden):
        Notification.objects.for_recipient(world.worker_a1).delete()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/events/1/", True),
        ("/registry/people/?q=%E5%BC%A0", True),
        ("", False),
        ("events/1/", False),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/ok\n//evil", False),
        ("/\t/evil.example", False),
    ],
)
def test_is_relative_path(url, ok):
    assert is_relative_path(url) is ok


@override_settings(GRIDGOV_NOTIFICATION_CHANNELS=["gridgov.nowhere.Missing", RECORDING])
def test_manage_py_check_reports_a_channel_that_does_not_load():
    from gridgov.notifications.apps import check_channels

    assert [e.id for e in check_channels()] == ["notifications.E001"]
