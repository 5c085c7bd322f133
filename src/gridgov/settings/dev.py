"""Demo and development settings: DEBUG on, SQLite under var/, a secret kept in var/secret_key."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

# The demo runs as users will see it (our own error pages, not Django's debug pages); set
# DEBUG=true for development. WhiteNoise serves static files straight from the apps either way.
DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


def _demo_secret() -> str:
    """The demo's own secret, made once and kept, so sessions survive a restart."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _demo_secret()
# Static files come straight from the apps (finders); there is no collectstatic folder here.
STATIC_ROOT = None

# --- Field encryption (gridgov.core.crypto): keys made once and kept under var/ ---------------
# One key per line, current first: to try a rotation, put a new key on the first line.
# The demo database lives in var/ too; losing these files makes its ID and phone numbers unreadable.


def _demo_keys(name: str, make) -> list[str]:  # make: () -> str
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make() + "\n")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


GRIDGOV_FIELD_KEYS = env.list("GRIDGOV_FIELD_KEYS", default=[]) or _demo_keys(
    "field_keys", _fernet_key
)
GRIDGOV_HASH_KEYS = env.list("GRIDGOV_HASH_KEYS", default=[]) or _demo_keys(
    "hash_keys", lambda: secrets.token_urlsafe(32)
)
# --- end of field encryption -------------------------------------------------------------------
