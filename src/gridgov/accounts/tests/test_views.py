"""Account and department pages: create a login with its first membership, grant, end, reset,
deactivate, departments; refusals shown in Chinese; out-of-jurisdiction accounts are absent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.accounts.models import Department, Membership, User
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import fresh

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Grid#Worker-2026"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_login_with_its_first_membership(world):
    client = _client(world.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_officer",
            "full_name": "新专干",
            "password": GOOD_PASSWORD,
            "role": "village_officer",
            "area": world.village_a2.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_officer")
    with unscoped("test"):
        assert Membership.objects.filter(
            user=user, role="village_officer", area=world.village_a2
        ).exists()


def test_create_login_refused_as_a_whole(world):
    # a role that does not fit the area: neither the login nor the membership is written
    client = _client(world.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "bad",
            "full_name": "错配",
            "password": GOOD_PASSWORD,
            "role": "grid_worker",
            "area": world.township_a.pk,
        },
    )
    assert "网格员的辖区应为:网格" in response.content.decode()
    assert not User.objects.filter(username="bad").exists()


def test_short_password_is_refused_in_chinese(world):
    response = _client(world.admin).post(
        reverse("accounts:user_create"),
        {
            "username": "short",
            "full_name": "短密码",
            "password": "Ab#1",
            "role": "leader",
            "area": world.township_a.pk,
        },
    )
    assert "密码太短" in response.content.decode()


def test_grant_and_end_membership_on_the_user_page(world):
    client = _client(world.admin)
    url = reverse("accounts:user", args=[world.worker_a1.pk])
    response = client.post(url, {"role": "mediator", "area": world.village_a1.pk})
    assert response.status_code == 302
    with unscoped("test"):
        membership = Membership.objects.get(user=world.worker_a1, role="mediator")
    response = client.post(
        reverse("accounts:membership_end", args=[membership.pk]), {"version": membership.version}
    )
    assert response.status_code == 302
    assert fresh(membership).ended_at is not None


def test_reset_password_and_deactivate(world):
    client = _client(world.admin)
    client.post(
        reverse("accounts:user_password", args=[world.officer_a1.pk]), {"password": GOOD_PASSWORD}
    )
    assert fresh(world.officer_a1).check_password(GOOD_PASSWORD)
    client.post(reverse("accounts:user_toggle_active", args=[world.officer_a1.pk]))
    assert not fresh(world.officer_a1).is_active


def test_accounts_outside_jurisdiction_are_absent(world):
    client = _client(world.center_b)  # may view accounts of township B only
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "乙中心" in listing and "甲网格员" not in listing
    assert client.get(reverse("accounts:user", args=[world.worker_a1.pk])).status_code == 404
    # viewing is not managing
    assert (
        client.get(reverse("accounts:user_password", args=[world.center_b.pk])).status_code == 404
    )


def test_departments_create_edit_retire(world):
    client = _client(world.admin)
    response = client.post(
        reverse("accounts:department_create"),
        {"name": "横街镇司法所", "kind": "justice", "area": world.township_a.pk},
    )
    assert response.status_code == 302
    department = Department.objects.for_user(world.admin, "accounts.view").get(name="横街镇司法所")
    url = reverse("accounts:department", args=[department.pk])
    client.post(url, {"version": department.version, "name": "横街司法所", "kind": "justice"})
    department = fresh(department)
    assert department.name == "横街司法所"
    client.post(url, {"version": department.version, "retire": "1"})
    assert not fresh(department).is_active
    # a department with people in it cannot be retired
    police = fresh(world.police_a)
    response = client.post(
        reverse("accounts:department", args=[police.pk]),
        {"version": police.version, "retire": "1"},
        follow=True,
    )
    assert "仍有 1 名在职人员" in response.content.decode()
