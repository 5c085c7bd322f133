"""Event pages: report from a phone, the queues, the event page and its action forms, the
public tracker and the time-limit configuration — all through the same services."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gridgov.core.scoping import unscoped
from gridgov.events import services
from gridgov.events.choices import State
from gridgov.events.models import Category, Event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def category():
    return Category.objects.get(code="hazard-fire")


@pytest.fixture
def event(world, category):
    return services.report_event(
        actor=world.worker_a1,
        category=category,
        title="楼道堆放杂物",
        description="堵塞消防通道",
        grid=world.grid_a1,
    )


def _report_data(world, category, **extra):
    data = {
        "client_id": str(uuid.uuid4()),
        "category": category.pk,
        "title": "路灯不亮",
        "description": "村口路灯连续三晚不亮",
        "priority": "normal",
        "source": "grid_worker",
        "grid": world.grid_a1.pk,
    }
    data.update(extra)
    return data


def test_grid_worker_reports_with_photo_and_a_retry_makes_no_second_event(world, category):
    client = _client(world.worker_a1)
    assert client.get(reverse("events:report")).status_code == 200
    data = _report_data(world, category)
    response = client.post(reverse("events:report"), {**data, "files": [_photo()]})
    assert response.status_code == 302
    with unscoped("test"):
        event = Event.objects.get(title="路灯不亮")
        assert event.attachments.count() == 1
    again = client.post(reverse("events:report"), data)
    assert again.status_code == 302 and again.url == response.url
    with unscoped("test"):
        assert Event.objects.filter(title="路灯不亮").count() == 1
    page = client.get(response.url)
    assert page.status_code == 200 and event.code in page.content.decode()
    with unscoped("test"):
        photo = event.attachments.get()
    shown = client.get(reverse("events:attachment", args=[event.pk, photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"


def test_report_refuses_a_fake_photo_and_writes_nothing(world, category):
    client = _client(world.worker_a1)
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00not an image", content_type="image/jpeg")
    response = client.post(
        reverse("events:report"), {**_report_data(world, category), "files": [fake]}
    )
    assert response.status_code == 200
    assert "不是可识别的图片" in response.content.decode()
    with unscoped("test"):
        assert not Event.objects.exists()


def test_report_needs_a_grid_or_a_location(world, category):
    client = _client(world.worker_a1)
    response = client.post(reverse("events:report"), _report_data(world, category, grid=""))
    assert response.status_code == 200 and "请选择事件所在网格" in response.content.decode()


def test_center_accepts_and_dispatches_on_the_event_page(world, event):
    client = _client(world.center_a)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "确认受理" in page and "确认签收" not in page
    response = client.post(
        reverse("events:action", args=[event.pk, "accept"]), {"accept-version": event.version}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    response = client.post(
        reverse("events:action", args=[event.pk, "dispatch"]),
        {"dispatch-version": event.version, "dispatch-department": world.police_a.pk},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == State.DISPATCHED and event.deadline is not None
    handler = _client(world.handler_a)
    queue = handler.get(reverse("events:queue")).content.decode()
    assert event.code in queue and "签收" in queue


def test_a_stale_form_gets_a_conflict_message_not_an_overwrite(world, event):
    client = _client(world.center_a)
    seen = event.version  # the version on the center's open page
    # Meanwhile the leader supervises it: a change that keeps the state, so only the version
    # tells the center's form that it is stale.
    services.supervise_event(event, actor=world.leader_a, level="supervise", note="请尽快受理")
    response = client.post(
        reverse("events:action", args=[event.pk, "reject"]),
        {"reject-version": seen, "reject-reason": "重复"},
    )
    assert response.status_code == 400
    assert "该记录已被他人修改" in response.content.decode()
    event.refresh_from_db()
    assert event.state == State.REPORTED


def test_out_of_jurisdiction_event_is_not_found(world, event):
    client = _client(world.center_b)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert event.code not in client.get(reverse("events:list")).content.decode()
    response = client.post(
        reverse("events:action", args=[event.pk, "accept"]), {"accept-version": event.version}
    )
    assert response.status_code == 404


def test_bulk_accept_from_the_queue(world, category):
    events = [
        services.report_event(
            actor=world.worker_a1,
            category=category,
            title=f"隐患{i}",
            description="描述",
            grid=world.grid_a1,
        )
        for i in range(3)
    ]
    client = _client(world.center_a)
    response = client.post(
        reverse("events:bulk"), {"action": "accept", "ids": [e.pk for e in events]}
    )
    assert response.status_code == 302
    with unscoped("test"):
        states = set(
            Event.objects.filter(pk__in=[e.pk for e in events]).values_list("state", flat=True)
        )
    assert states == {State.ACCEPTED}


def test_public_tracker_shows_steps_but_no_details(world, event):
    response = Client().get(reverse("events:track"), {"code": event.code.lower()})
    text = response.content.decode()
    assert response.status_code == 200 and "待受理" in text and "上报" in text
    assert event.title not in text and event.description not in text
    missing = Client().get(reverse("events:track"), {"code": "20260101ZZZZZZ"})
    assert "未找到该案件编码" in missing.content.decode()


def test_only_the_administrator_changes_time_limits(world, category):
    assert _client(world.center_a).get(reverse("events:categories")).status_code == 403
    client = _client(world.admin)
    assert client.get(reverse("events:categories")).status_code == 200
    response = client.post(
        reverse("events:category_edit", args=[category.pk]),
        {
            "name": category.name,
            "order": 1,
            "is_active": "on",
            "sla_value": 2,
            "sla_unit": "work_days",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.sla_value, category.sla_unit) == (2, "work_days")


def test_person_file_lists_their_events(world, category):
    from gridgov.registry import services as registry

    address = registry.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="1"
    )
    house = registry.create_house(actor=world.worker_a1, address=address)
    person = registry.register_person(
        actor=world.worker_a1,
        house=house,
        name="张三",
        id_number="11010519491231002X",
        residence_type="registered",
    )
    event = services.report_event(
        actor=world.worker_a1,
        category=category,
        title="邻里争吵",
        description="描述",
        grid=world.grid_a1,
        persons=[person],
    )
    page = _client(world.worker_a1).get(reverse("registry:person", args=[person.pk]))
    assert event.code in page.content.decode()
