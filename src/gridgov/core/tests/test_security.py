"""Login lockout, password rules, session expiry, CSRF and security headers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gridgov.core.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_login_succeeds_and_lands_on_home(world):
    client = Client()
    response = _login(client, "worker_a1", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "甲村第一网格" in home  # the worker's own grid is on their home page


def test_wrong_password_shows_chinese_error(world):
    response = _login(Client(), "worker_a1", "wrong-password")
    assert response.status_code == 200
    assert "登录名或密码不正确" in response.content.decode()


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "worker_a1", "wrong-password")
    response = _login(client, "worker_a1", PASSWORD)
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    # another user from the same address is not locked out by someone guessing worker_a1's password
    assert _login(Client(), "worker_a2", PASSWORD).status_code == 302


def test_api_token_login_is_locked_too(world, api_client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(
            "/api/auth/token/", {"username": "center_a", "password": "nope"}, REMOTE_ADDR="10.0.0.8"
        )
    response = api_client.post(
        "/api/auth/token/", {"username": "center_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_api_token_works_for_a_valid_login(world, api_client):
    response = api_client.post("/api/auth/token/", {"username": "center_a", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/areas/").status_code == 200


def test_pages_require_login(db):
    for name in ("home", "areas:list", "areas:assignments", "accounts:users", "core:audit"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_api_requires_authentication(db, api_client):
    assert api_client.get("/api/areas/").status_code in (401, 403)


def test_session_expires_when_idle_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_REFRESH_SECONDS <= 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_session_in_use_is_refreshed_at_most_once_a_minute(world, monkeypatch):
    from django.contrib.sessions.models import Session

    from gridgov.core.middleware import SessionIdleMiddleware

    now = [1_000_000.0]
    original_init = SessionIdleMiddleware.__init__

    def init(self, get_response):
        original_init(self, get_response)
        self.clock = lambda: now[0]

    monkeypatch.setattr(SessionIdleMiddleware, "__init__", init)
    client = Client()
    client.force_login(world.admin)

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    client.get("/")
    first = expiry()
    now[0] += 30
    client.get("/")
    assert expiry() == first  # within the minute: not written again
    now[0] += 31
    client.get("/")
    assert expiry() > first  # a minute on: the idle timeout starts again
    # a visitor without a session gets none
    anonymous = Client()
    anonymous.get(reverse("login"))
    assert "sessionid" not in anonymous.cookies


def test_weak_passwords_are_refused(world):
    from gridgov.accounts import services
    from gridgov.core.errors import Invalid

    for weak in ("12345678901", "password123", "short"):
        with pytest.raises(Invalid):
            services.create_user(
                actor=world.admin, username="new1", full_name="新人", password=weak
            )


def test_csrf_is_enforced_on_page_posts(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.post(
        reverse("areas:update", args=[world.village_a1.pk]), {"version": 1, "name": "改名"}
    )
    assert response.status_code == 403
    assert world.refresh(world.village_a1).name == "甲村"


def test_security_headers_are_sent(world):
    client = Client()
    client.force_login(world.center_a)
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response["X-Request-ID"]


def test_pages_load_no_third_party_assets(world):
    client = Client()
    client.force_login(world.admin)
    for name in ("home", "areas:list", "api-docs"):
        body = client.get(reverse(name)).content.decode()
        assert "http://" not in body.replace("http://www.w3.org", "")
        assert "https://" not in body
