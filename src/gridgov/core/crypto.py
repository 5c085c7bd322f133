"""Encryption at rest for personal data (ID and phone numbers), keyed look-up hashes, masking.

Two keyrings come from the settings, each a list whose **first** key is the current one:

``GRIDGOV_FIELD_KEYS``
    Fernet keys (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package). New values are
    encrypted with the first key; any key in the list decrypts (``MultiFernet``).
``GRIDGOV_HASH_KEYS``
    HMAC-SHA256 keys (at least 32 characters) for the look-up hash that finds a record by exact
    value without decrypting every row. ``lookup_hash`` uses the first key; ``lookup_hashes``
    gives the hash under every key, so ``filter(id_hash__in=lookup_hashes(...))`` still finds rows
    not yet re-hashed during a rotation.

Both are read from the environment, comma-separated (settings/base.py). Make keys with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    python -c "import secrets; print(secrets.token_urlsafe(32))"

Rotating: put the new key first and keep the old ones after it, restart, re-encrypt every value
with ``rotate(token)`` (or ``needs_rotation`` to skip current ones) and recompute each stored hash
with ``lookup_hash``; then drop the old keys. Nothing is lost as long as the old key stays in the
list until every row is done.

A model stores the token in an ``EncryptedTextField`` (decrypted on load, encrypted on save; it
cannot be filtered by value) beside a plain indexed ``CharField(max_length=64)`` holding
``lookup_hash(normalized value, kind)``. Register the encrypted field with
``core.audit.register(..., masked=(...))`` so the audit log never holds the plain value, and show
it through ``idnumbers.mask`` / ``mask_phone`` unless the user may see it (and then log the read
with ``core.access_log.record_access``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "decrypt",
    "encrypt",
    "lookup_hash",
    "lookup_hashes",
    "mask_phone",
    "needs_rotation",
    "rotate",
]

MIN_HASH_KEY_LENGTH = 32
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class DecryptionError(Exception):
    """A stored value cannot be decrypted: it was altered, or its key is no longer configured."""

    def __init__(self) -> None:
        super().__init__(
            "无法解密已加密的字段:密文已损坏,或加密它的密钥已不在 GRIDGOV_FIELD_KEYS 中。"
        )


# --- Keyrings ----------------------------------------------------------------------------------


_parsed_settings: dict[str, tuple[Any, tuple[str, ...]]] = {}


def _setting(name: str) -> tuple[str, ...]:
    value = getattr(settings, name, None) or ()
    # Parsed once per settings value (an import calls this twice a row); override_settings in
    # tests puts in a new value, which is parsed afresh.
    cached = _parsed_settings.get(name)
    if cached is not None and cached[0] is value:
        return cached[1]
    _parsed_settings[name] = (value, keys := _parse_keys(name, value))
    return keys


def _parse_keys(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    keys = tuple(k.strip() for k in value if k and k.strip())
    if not keys:
        raise ImproperlyConfigured(f"未配置 {name}:加密个人信息需要至少一个密钥。")
    return keys


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            raise ImproperlyConfigured(
                f"GRIDGOV_FIELD_KEYS 的第 {position} 个密钥格式不对:"
                "应是 Fernet.generate_key() 生成的 44 个字符。"
            ) from None
    return MultiFernet(fernets), fernets[0]


def _keyring() -> tuple[MultiFernet, Fernet]:
    """(all keys, the current key). Cached per key list, so override_settings works in tests."""
    return _fernets(_setting("GRIDGOV_FIELD_KEYS"))


def _hash_keys() -> tuple[bytes, ...]:
    return _checked_hash_keys(_setting("GRIDGOV_HASH_KEYS"))


@lru_cache(maxsize=8)
def _checked_hash_keys(keys: tuple[str, ...]) -> tuple[bytes, ...]:
    for position, key in enumerate(keys, start=1):
        if len(key) < MIN_HASH_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"GRIDGOV_HASH_KEYS 的第 {position} 个密钥太短:至少 {MIN_HASH_KEY_LENGTH} 个字符。"
            )
    return tuple(k.encode() for k in keys)


def is_test_key(key: str) -> bool:
    """The fixed keys in settings/test.py start with "test-only" (the Fernet key once decoded);
    production refuses them."""
    if key.startswith("test-only"):
        return True
    try:
        return base64.urlsafe_b64decode(key.encode()).startswith(b"test-only")
    except ValueError:
        return False


# --- Encryption ---------------------------------------------------------------------------------


def encrypt(text: str) -> str:
    """A Fernet token (ASCII) for `text` under the current key; equal texts give unequal tokens."""
    if not isinstance(text, str):
        raise TypeError(f"encrypt() takes str, not {type(text).__name__}")
    return _keyring()[1].encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text inside `token`, whichever configured key made it. Raises DecryptionError."""
    try:
        return _keyring()[0].decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise DecryptionError() from None


def rotate(token: str) -> str:
    """The same text re-encrypted under the current key (keeping the original timestamp)."""
    try:
        return _keyring()[0].rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise DecryptionError() from None


def needs_rotation(token: str) -> bool:
    """True when `token` was made with an older key. Raises DecryptionError if no key opens it."""
    everything, current = _keyring()
    data = token.encode("ascii", errors="replace")
    try:
        current.decrypt(data)
    except InvalidToken:
        pass
    else:
        return False
    try:
        everything.decrypt(data)
    except InvalidToken:
        raise DecryptionError() from None
    return True


# --- Look-up hashes ---------------------------------------------------------------------------


def _hmac(key: bytes, value: str, kind: str) -> str:
    if not _KIND.match(kind):
        raise ValueError(f"look-up hash kind must be a lower-case identifier, not {kind!r}")
    if not isinstance(value, str):
        raise TypeError(f"lookup_hash() takes str, not {type(value).__name__}")
    # The kind cannot contain ":", so "id:" + value and "phone:" + value never collide.
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def lookup_hash(normalized_value: str, kind: str) -> str:
    """64 hex characters: HMAC-SHA256 of the *normalized* value under the current hash key,
    namespaced by `kind` ("id", "phone", ...). Store it in an indexed column."""
    return _hmac(_hash_keys()[0], normalized_value, kind)


def lookup_hashes(normalized_value: str, kind: str) -> list[str]:
    """The hash under every configured key, current first: search with `__in` during a rotation."""
    return list(dict.fromkeys(_hmac(k, normalized_value, kind) for k in _hash_keys()))


# --- Masking --------------------------------------------------------------------------------------


def mask_phone(phone: str | None) -> str:
    """Keep the first 3 and last 4 characters: "13812345678" → "138****5678". A value of 7
    characters or fewer shows only its last 2 (a short extension number is nearly all secret)."""
    if not phone:
        return ""
    if len(phone) > 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 2:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)


# --- Model field --------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token: encrypted whenever it is written (save, update(),
    bulk_update()), decrypted when loaded. "" and None are stored as they are.

    It cannot be filtered, excluded or indexed by value (the tokens are random); only `isnull`
    works. Find rows through a look-up hash column instead.
    """

    description = "Encrypted text"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能按值查询({lookup_name}),请改用它的查询哈希字段。"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, name: str) -> Any:
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.primary_key or self.unique or self.db_index:
            errors.append(
                checks.Error(
                    "An EncryptedTextField cannot be a primary key, unique or indexed: "
                    "its tokens differ every time. Index the look-up hash instead.",
                    obj=self,
                    id="gridgov.crypto.E001",
                )
            )
        return errors
