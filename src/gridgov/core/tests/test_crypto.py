"""Field encryption, keyed look-up hashes, key rotation, masking and the EncryptedTextField."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.core import crypto
from gridgov.core.crypto import (
    DecryptionError,
    EncryptedTextField,
    decrypt,
    encrypt,
    lookup_hash,
    lookup_hashes,
    mask_phone,
    needs_rotation,
    rotate,
)

REPO_DIR = Path(__file__).resolve().parents[4]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
HASH_KEY_A = "a" * 16 + "-hash-key-for-tests-0123456789"
HASH_KEY_B = "b" * 16 + "-hash-key-for-tests-0123456789"


# --- Encryption ---------------------------------------------------------------------------------


@given(st.text(max_size=200))
@settings(max_examples=100, deadline=None)
def test_round_trip(text: str) -> None:
    assert decrypt(encrypt(text)) == text


def test_token_is_ascii_random_and_hides_the_value() -> None:
    first, second = encrypt("11010519491231002X"), encrypt("11010519491231002X")
    assert first != second
    assert first.isascii()
    assert "11010519491231002X" not in first
    assert "0519491231" not in first


def test_encrypt_takes_only_text() -> None:
    with pytest.raises(TypeError):
        encrypt(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("position", [0, 10, 40, -5, -1])
def test_tampered_token_raises_a_clear_error(position: int) -> None:
    token = encrypt("13812345678")
    char = "A" if token[position] != "A" else "B"
    tampered = token[:position] + char + (token[position + 1 :] if position != -1 else "")
    with pytest.raises(DecryptionError, match="密文已损坏,或加密它的密钥已不在 GRIDGOV_FIELD_KEYS"):
        decrypt(tampered)


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "明文"])
def test_garbage_raises_decryption_error(garbage: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt(garbage)


def test_token_of_an_unknown_key_raises() -> None:
    foreign = Fernet(Fernet.generate_key()).encrypt(b"secret").decode()
    with pytest.raises(DecryptionError):
        decrypt(foreign)
    with pytest.raises(DecryptionError):
        needs_rotation(foreign)
    with pytest.raises(DecryptionError):
        rotate(foreign)


# --- Rotation -------------------------------------------------------------------------------------


def test_rotation_with_two_keys() -> None:
    with override_settings(GRIDGOV_FIELD_KEYS=[OLD_KEY]):
        token = encrypt("11010519491231002X")
        assert not needs_rotation(token)

    with override_settings(GRIDGOV_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        assert decrypt(token) == "11010519491231002X"  # old token still opens
        assert needs_rotation(token)
        rotated = rotate(token)
        assert rotated != token
        assert not needs_rotation(rotated)
        assert decrypt(rotated) == "11010519491231002X"
        assert not needs_rotation(encrypt("new value"))  # new values use the first key

    with override_settings(GRIDGOV_FIELD_KEYS=[NEW_KEY]):  # old key retired
        assert decrypt(rotated) == "11010519491231002X"
        with pytest.raises(DecryptionError):
            decrypt(token)

    # The rotated token really is under the new key alone.
    assert Fernet(NEW_KEY).decrypt(rotated.encode()) == b"11010519491231002X"


def test_keys_may_be_a_comma_separated_string() -> None:
    with override_settings(GRIDGOV_FIELD_KEYS=f"{NEW_KEY}, {OLD_KEY}"):
        token = encrypt("x")
    assert Fernet(NEW_KEY).decrypt(token.encode()) == b"x"


@pytest.mark.parametrize("keys", [[], None, "", [""]])
def test_missing_field_keys(keys: object) -> None:
    with (
        override_settings(GRIDGOV_FIELD_KEYS=keys),
        pytest.raises(ImproperlyConfigured, match="未配置 GRIDGOV_FIELD_KEYS"),
    ):
        encrypt("x")


def test_malformed_field_key() -> None:
    with (
        override_settings(GRIDGOV_FIELD_KEYS=[NEW_KEY, "not-a-key"]),
        pytest.raises(ImproperlyConfigured, match="第 2 个密钥格式不对"),
    ):
        encrypt("x")


# --- Look-up hashes ------------------------------------------------------------------------------


def test_lookup_hash_is_deterministic_hex() -> None:
    value = lookup_hash("11010519491231002X", "id")
    assert value == lookup_hash("11010519491231002X", "id")
    assert len(value) == 64
    assert int(value, 16) >= 0
    assert value != lookup_hash("11010519491231002Y", "id")


def test_lookup_hash_is_keyed() -> None:
    with override_settings(GRIDGOV_HASH_KEYS=[HASH_KEY_A]):
        under_a = lookup_hash("13812345678", "phone")
    with override_settings(GRIDGOV_HASH_KEYS=[HASH_KEY_B]):
        under_b = lookup_hash("13812345678", "phone")
    assert under_a != under_b
    # Not a bare (unkeyed) SHA-256 that anyone could recompute.
    import hashlib

    assert under_a != hashlib.sha256(b"phone:13812345678").hexdigest()
    assert under_a != hashlib.sha256(b"13812345678").hexdigest()


def test_lookup_hash_is_namespaced_by_kind() -> None:
    assert lookup_hash("13812345678", "phone") != lookup_hash("13812345678", "id")


@pytest.mark.parametrize("kind", ["", "ID", "id:x", "phone number", "1id"])
def test_lookup_hash_kind_must_be_an_identifier(kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        lookup_hash("x", kind)


def test_lookup_hashes_during_a_hash_key_rotation() -> None:
    with override_settings(GRIDGOV_HASH_KEYS=[HASH_KEY_A]):
        stored = lookup_hash("13812345678", "phone")
    with override_settings(GRIDGOV_HASH_KEYS=[HASH_KEY_B, HASH_KEY_A]):
        candidates = lookup_hashes("13812345678", "phone")
        assert candidates[0] == lookup_hash("13812345678", "phone")
        assert stored in candidates  # old rows still found
        assert stored != candidates[0]  # and the rotation command can tell them apart


def test_short_or_missing_hash_key() -> None:
    with (
        override_settings(GRIDGOV_HASH_KEYS=["short"]),
        pytest.raises(ImproperlyConfigured, match="至少 32 个字符"),
    ):
        lookup_hash("x", "id")
    with (
        override_settings(GRIDGOV_HASH_KEYS=[]),
        pytest.raises(ImproperlyConfigured, match="未配置 GRIDGOV_HASH_KEYS"),
    ):
        lookup_hash("x", "id")


def test_test_keys_are_recognizable() -> None:
    from django.conf import settings as django_settings

    assert all(crypto.is_test_key(k) for k in django_settings.GRIDGOV_FIELD_KEYS)
    assert all(crypto.is_test_key(k) for k in django_settings.GRIDGOV_HASH_KEYS)
    assert not crypto.is_test_key(NEW_KEY)
    assert not crypto.is_test_key(HASH_KEY_A)


# --- Masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("02512345678", "025****5678"),
        ("0512-6512345", "051*****2345"),
        ("1234567", "*****67"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


# --- The model field --------------------------------------------------------------------------


def test_field_prepares_and_loads() -> None:
    field = EncryptedTextField()
    token = field.get_prep_value("13812345678")
    assert token != "13812345678"
    assert decrypt(token) == "13812345678"
    assert field.from_db_value(token, None, connection) == "13812345678"
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, connection) is None
    assert field.from_db_value("", None, connection) == ""


def test_field_refuses_unique_or_index() -> None:
    with isolate_apps("gridgov.core"):

        class Bad(models.Model):  # noqa: DJ008
            secret = EncryptedTextField(db_index=True)

            class Meta:
                app_label = "core"

        class Good(models.Model):  # noqa: DJ008
            secret = EncryptedTextField(blank=True)

            class Meta:
                app_label = "core"

        assert [e.id for e in Bad._meta.get_field("secret").check()] == ["gridgov.crypto.E001"]
        assert Good._meta.get_field("secret").check() == []


@isolate_apps("gridgov.core")
def test_field_cannot_be_queried_by_value() -> None:
    class Holder(models.Model):  # noqa: DJ008
        secret = EncryptedTextField(null=True)

        class Meta:
            app_label = "core"

    for lookup in ("secret", "secret__exact", "secret__in", "secret__icontains"):
        with pytest.raises(FieldError, match="加密字段 secret 不能按值查询"):
            Holder.objects.filter(**{lookup: "x"})
    with pytest.raises(FieldError):
        Holder.objects.exclude(secret="x")
    assert "IS NULL" in str(Holder.objects.filter(secret__isnull=True).query)


@pytest.mark.django_db(transaction=True)
@isolate_apps("gridgov.core")
def test_field_round_trip_through_the_database() -> None:
    class Vault(models.Model):  # noqa: DJ008
        secret = EncryptedTextField(blank=True)

        class Meta:
            app_label = "core"
            db_table = "test_crypto_vault"

    def raw_values() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM test_crypto_vault ORDER BY id")
            return [row[0] for row in cursor.fetchall()]

    with connection.schema_editor() as editor:
        editor.create_model(Vault)
    try:
        first = Vault.objects.create(secret="11010519491231002X")
        Vault.objects.create(secret="")
        stored = raw_values()
        assert stored[1] == ""
        assert "1101051949" not in stored[0]
        assert decrypt(stored[0]) == "11010519491231002X"
        assert Vault.objects.get(pk=first.pk).secret == "11010519491231002X"

        Vault.objects.filter(pk=first.pk).update(secret="13812345678")
        assert decrypt(raw_values()[0]) == "13812345678"

        first.secret = "13900001111"
        Vault.objects.bulk_update([first], ["secret"])
        assert decrypt(raw_values()[0]) == "13900001111"
        assert [v.secret for v in Vault.objects.order_by("id")] == ["13900001111", ""]
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Vault)


# --- Settings ---------------------------------------------------------------------------------


def test_dev_settings_make_and_keep_keys(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONPATH": str(REPO_DIR / "src"),
        "DJANGO_SETTINGS_MODULE": "gridgov.settings.dev",
        "GRIDGOV_VAR_DIR": str(tmp_path / "var"),
    }
    code = (
        "from django.conf import settings as s; from gridgov.core import crypto; "
        "print(s.GRIDGOV_FIELD_KEYS, s.GRIDGOV_HASH_KEYS); "
        "assert crypto.decrypt(crypto.encrypt('x')) == 'x'"
    )

    def run() -> str:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    first = run()
    assert first == run()  # kept, not remade
    for name in ("field_keys", "hash_keys"):
        path = tmp_path / "var" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() in first
    Fernet((tmp_path / "var" / "field_keys").read_text().strip())
