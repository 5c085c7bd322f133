"""Test settings: the embedded database unless DATABASE_URL names another, fast hashing."""

from .base import *  # noqa: F403
from .base import TASKS

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# --- Field encryption (gridgov.core.crypto): fixed, public, test-only keys ----------------------
# The Fernet key is base64 of b"test-only-field-key-not-secret!!"; production refuses both keys.
GRIDGOV_FIELD_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0ISE="]
GRIDGOV_HASH_KEYS = ["test-only-hash-key-not-secret-0123456789"]
# --- end of field encryption -------------------------------------------------------------------
