"""Petition pages: scoped list and page, registration form, a step through the page, reception
days, the person-file and event-page sections."""

from __future__ import annotations

from django.urls import reverse

from gridgov.petitions.tests.support import (
    event_of,
    matter,
    person,
    petition_office,
    register,
    reload,
)
from gridgov.registry.demo import id_number


def login(client, user):
    client.force_login(user)
    return client


def test_list_and_page_follow_jurisdiction(world, client):
    p = register(world)
    login(client, world.center_a)
    page = client.get(reverse("petitions:list"))
    assert page.status_code == 200 and event_of(p).code in page.content.decode()
    assert client.get(reverse("petitions:detail", args=[p.pk])).status_code == 200
    client.logout()
    login(client, world.center_b)
    assert event_of(p).code not in client.get(reverse("petitions:list")).content.decode()
    assert client.get(reverse("petitions:detail", args=[p.pk])).status_code == 404
    client.logout()
    login(client, world.worker_a1)
    assert client.get(reverse("petitions:list")).status_code == 403


def test_the_responsible_departments_handler_sees_and_decides(world, client):
    office, handler = petition_office(world)
    p = register(world, department=office)
    login(client, handler)
    page = client.get(reverse("petitions:detail", args=[p.pk]))
    assert page.status_code == 200 and "action-decide" in page.content.decode()
    response = client.post(
        reverse("petitions:action", args=[p.pk, "decide"]),
        {"decide-version": p.version, "decide-accepted": "1", "decide-note": ""},
    )
    assert response.status_code == 302
    assert reload(p).stage == "accepted"


def test_register_through_the_page(world, client):
    someone = person(world, 7)
    login(client, world.center_a)
    form = client.get(reverse("petitions:register"))
    assert form.status_code == 200
    response = client.post(
        reverse("petitions:register"),
        {
            "client_id": "6f1c1f1e-8f5e-4f55-9f39-3e3b2a1a0b01",
            "petitioners": id_number("33020319800101007"),
            "channel": "online",
            "category": matter().pk,
            "title": "噪音扰民",
            "matter": "夜间施工噪音",
            "department": world.police_a.pk,
            "lodged_area": world.township_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from gridgov.core.scoping import unscoped
    from gridgov.petitions.models import Petition

    with unscoped("test"):
        p = Petition.objects.get(event__title="噪音扰民")
    assert p.channel == "online" and someone.name in client.get(response.url).content.decode()


def test_a_refused_step_shows_the_reason(world, client):
    p = register(world)
    login(client, world.center_a)
    response = client.post(
        reverse("petitions:action", args=[p.pk, "decide"]),
        {"decide-version": p.version, "decide-accepted": "0", "decide-note": ""},
    )
    assert response.status_code == 400
    assert "不予受理时请说明理由" in response.content.decode()


def test_reception_days_pages(world, client):
    from django.utils import timezone

    someone = person(world, 8)
    login(client, world.leader_a)
    response = client.post(
        reverse("petitions:reception_days"),
        {
            "area": world.township_a.pk,
            "leader": world.leader_a.pk,
            "day": timezone.localdate().isoformat(),
            "place": "镇接待室",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    response = client.post(
        response.url, {"person": id_number("33020319800101008"), "summary": "反映土地问题"}
    )
    assert response.status_code == 302
    assert someone.name in client.get(response.url).content.decode()


def test_person_file_and_event_page_show_the_petition(world, client):
    someone = person(world, 9)
    p = register(world, petitioners=[someone])
    login(client, world.center_a)
    file_page = client.get(reverse("registry:person", args=[someone.pk])).content.decode()
    assert "信访记录" in file_page and event_of(p).code in file_page
    event_page = client.get(reverse("events:detail", args=[p.event_id])).content.decode()
    assert 'data-testid="petition-link"' in event_page
