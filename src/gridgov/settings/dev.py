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
