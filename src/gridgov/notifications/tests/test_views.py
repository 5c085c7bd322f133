"""The inbox page, the badge and the open redirect, as a user meets them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.scoping import unscoped
from gridgov.notifications.models import Notification
from gridgov.notifications.selectors import unread_count
from gridgov.notifications.services import notify

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notify(user, title="事件已派遣,请签收", link="/events/1/"):
    return notify([user], kind="events.dispatched", title=title, link=link)[0]


def _raw(n: Notification) -> Notification:
    """Unsafe rows cannot come from the service; make one as a bad migration or a bug might."""
    with unscoped("test: plant a row the service would refuse"):
        Notification.objects.filter(pk=n.pk).update(link="https://evil.example/phish")
        return Notification.objects.get(pk=n.pk)


def test_inbox_lists_own_notifications_newest_first_with_unread_highlighted(world):
    first = _notify(world.worker_a1, title="第一条消息")
    second = _notify(world.worker_a1, title="第二条消息")
    _notify(world.worker_b1, title="别人的消息")
    client = _client(world.worker_a1)
    client.post(reverse("notifications:read", args=[first.pk]))
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.index("第二条消息") < page.index("第一条消息")
    assert "别人的消息" not in page
    assert f'id="notification-{second.pk}" class="unread"' in page
    assert f'id="notification-{first.pk}" class="read"' in page
    assert "全部标为已读" in page


def test_unread_filter_shows_unread_only_and_htmx_gets_the_partial(world):
    read = _notify(world.worker_a1, title="已读的消息")
    _notify(world.worker_a1, title="未读的消息")
    client = _client(world.worker_a1)
    client.post(reverse("notifications:read", args=[read.pk]))
    response = client.get(
        reverse("notifications:inbox"), {"unread": "true"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "未读的消息" in body and "已读的消息" not in body
    assert "<html" not in body


def test_inbox_paginates(world):
    for i in range(35):
        _notify(world.worker_a1, title=f"消息{i}")
    page = _client(world.worker_a1).get(reverse("notifications:inbox")).content.decode()
    assert "共 35 条" in page and "第 1/2 页" in page


def test_empty_inbox_renders(world):
    response = _client(world.leader_a).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert "还没有消息。" in response.content.decode()


def test_inbox_needs_a_login(world):
    response = Client().get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/login/" in response.url


def test_badge_shows_the_unread_count_on_every_page(world):
    for _ in range(3):
        _notify(world.center_a)
    client = _client(world.center_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-badge">3<' in page
    assert f'href="{reverse("notifications:inbox")}"' in page
    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-badge"' not in page
    assert 'data-testid="inbox-link"' in page  # the way in stays


def test_badge_counts_only_ones_own(world):
    _notify(world.center_b)
    page = _client(world.center_a).get(reverse("home")).content.decode()
    assert 'data-testid="unread-badge"' not in page


def test_open_marks_read_and_follows_the_link(world):
    n = _notify(world.worker_a1, link="/areas/?level=grid")
    response = _client(world.worker_a1).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response.url == "/areas/?level=grid"
    assert unread_count(world.worker_a1) == 0


def test_open_without_a_link_goes_back_to_the_inbox(world):
    n = _notify(world.worker_a1, link="")
    response = _client(world.worker_a1).get(reverse("notifications:open", args=[n.pk]))
    assert response.url == reverse("notifications:inbox")


def test_open_never_redirects_off_site(world):
    n = _raw(_notify(world.worker_a1))
    assert n.link.startswith("https://")
    response = _client(world.worker_a1).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:inbox")
    page = _client(world.worker_a1).get(reverse("notifications:inbox")).content.decode()
    assert "evil.example" not in page


def test_someone_elses_notification_cannot_be_opened_or_marked(world):
    theirs = _notify(world.worker_b1, link="/events/9/")
    client = _client(world.worker_a1)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    assert unread_count(world.worker_b1) == 1
    # not even a superuser reads someone else's inbox
    assert (
        _client(world.system).get(reverse("notifications:open", args=[theirs.pk])).status_code
        == 404
    )


def test_read_one_with_htmx_returns_the_row(world):
    n = _notify(world.worker_a1)
    response = _client(world.worker_a1).post(
        reverse("notifications:read", args=[n.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="notification-{n.pk}" class="read"')


def test_read_one_and_read_all_refuse_get(world):
    n = _notify(world.worker_a1)
    client = _client(world.worker_a1)
    assert client.get(reverse("notifications:read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert unread_count(world.worker_a1) == 1


def test_read_all_says_how_many(world):
    _notify(world.worker_a1)
    _notify(world.worker_a1)
    response = _client(world.worker_a1).post(reverse("notifications:read_all"), follow=True)
    assert "已将 2 条消息标为已读。" in response.content.decode()


def test_home_panel_lists_unread(world):
    n = _notify(world.worker_a1, title="新的派遣")
    page = _client(world.worker_a1).get(reverse("home")).content.decode()
    assert "未读消息" in page and "新的派遣" in page
    assert reverse("notifications:open", args=[n.pk]) in page
