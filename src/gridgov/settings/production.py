"""Production settings. They refuse to start rather than run insecurely.

Required: SECRET_KEY (50+ characters), ALLOWED_HOSTS, DATABASE_URL (PostgreSQL).
Refused: DEBUG=true, SESSION_COOKIE_SECURE=false, CSRF_COOKIE_SECURE=false.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("生产环境禁止开启 DEBUG(请去掉环境变量 DEBUG=true)。")

SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("生产环境必须通过环境变量 SECRET_KEY 提供至少 50 个字符的随机密钥。")

if not env.bool("SESSION_COOKIE_SECURE", default=True) or not env.bool(
    "CSRF_COOKIE_SECURE", default=True
):
    raise ImproperlyConfigured("生产环境的会话与 CSRF Cookie 必须只经 HTTPS 传输(Secure)。")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy (nginx), trust its X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HSTS preload means asking browser vendors to hard-code the host name; government intranet hosts
# are not on public lists, so the preload warning is silenced on purpose (set it via env if wanted).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Field encryption keys (gridgov.core.crypto): required, well-formed, not the test keys --------


def _check_field_encryption_keys() -> tuple[list[str], list[str]]:
    import base64

    from cryptography.fernet import Fernet

    field_keys = env.list("GRIDGOV_FIELD_KEYS", default=[])
    hash_keys = env.list("GRIDGOV_HASH_KEYS", default=[])
    if not field_keys or not hash_keys:
        raise ImproperlyConfigured(
            "生产环境必须通过环境变量 GRIDGOV_FIELD_KEYS 和 GRIDGOV_HASH_KEYS 提供个人信息加密密钥"
            "(生成方法见 gridgov/core/crypto.py)。"
        )
    for position, key in enumerate(field_keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"GRIDGOV_FIELD_KEYS 的第 {position} 个密钥格式不对:"
                "应是 Fernet.generate_key() 生成的 44 个字符。"
            ) from None
        if base64.urlsafe_b64decode(key).startswith(b"test-only"):
            raise ImproperlyConfigured("生产环境不能使用测试用的 GRIDGOV_FIELD_KEYS 密钥。")
    for position, key in enumerate(hash_keys, start=1):
        if len(key) < 32 or key.startswith("test-only"):
            raise ImproperlyConfigured(
                f"GRIDGOV_HASH_KEYS 的第 {position} 个密钥须是至少 32 个字符的随机串"
                "(不能用测试密钥)。"
            )
    return field_keys, hash_keys


GRIDGOV_FIELD_KEYS, GRIDGOV_HASH_KEYS = _check_field_encryption_keys()
# --- end of field encryption keys ----------------------------------------------------------------
