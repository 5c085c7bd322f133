"""Production settings refuse to start insecurely, and pass `check --deploy` when set up right.

Each case starts `manage.py check` in a fresh process with a controlled environment, because the
settings module is read once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO_DIR = Path(__file__).resolve().parents[4]
SRC_DIR = REPO_DIR / "src"


@pytest.fixture
def prod_env(tmp_path: Path) -> dict[str, str]:
    """A complete, valid production environment (nothing inherited but PATH and HOME)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONPATH": str(SRC_DIR),
        "DJANGO_SETTINGS_MODULE": "gridgov.settings.production",
        "GRIDGOV_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "GRIDGOV_FIELD_KEYS": Fernet.generate_key().decode(),
        "GRIDGOV_HASH_KEYS": secrets.token_urlsafe(32),
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO_DIR / "manage.py"), *args],
        env=env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "至少 50 个字符"),
        ({"SECRET_KEY": "too-short-0123456789"}, "至少 50 个字符"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "至少 50 个字符"),
        ({"DEBUG": "true"}, "生产环境禁止开启 DEBUG"),
        ({"SESSION_COOKIE_SECURE": "false"}, "必须只经 HTTPS 传输"),
        ({"CSRF_COOKIE_SECURE": "false"}, "必须只经 HTTPS 传输"),
        ({"GRIDGOV_FIELD_KEYS": None}, "GRIDGOV_FIELD_KEYS 和 GRIDGOV_HASH_KEYS"),
        ({"GRIDGOV_HASH_KEYS": ""}, "GRIDGOV_FIELD_KEYS 和 GRIDGOV_HASH_KEYS"),
        ({"GRIDGOV_FIELD_KEYS": "not-a-fernet-key"}, "GRIDGOV_FIELD_KEYS 的第 1 个密钥格式不对"),
        (
            {"GRIDGOV_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0ISE="},
            "不能使用测试用的 GRIDGOV_FIELD_KEYS",
        ),
        ({"GRIDGOV_HASH_KEYS": "short"}, "GRIDGOV_HASH_KEYS 的第 1 个密钥"),
        ({"GRIDGOV_HASH_KEYS": "test-only-hash-key-not-secret-0123456789"}, "不能用测试密钥"),
    ],
    ids=[
        "no-secret-key",
        "empty-secret-key",
        "short-secret-key",
        "insecure-secret-key",
        "debug-on",
        "session-cookie-insecure",
        "csrf-cookie-insecure",
        "no-field-keys",
        "no-hash-keys",
        "malformed-field-key",
        "test-field-key",
        "short-hash-key",
        "test-hash-key",
    ],
)
def test_production_refuses_to_start(
    prod_env: dict[str, str], change: dict[str, str | None], message: str
) -> None:
    env = dict(prod_env)
    for key, value in change.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_check_deploy_is_clean(prod_env: dict[str, str]) -> None:
    result = manage(prod_env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_settings_values(prod_env: dict[str, str]) -> None:
    """The hardening the checks above rely on is really in place."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=prod_env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True True True ['example.gov.cn']"
