"""`gridgov rotate_keys`: after a new key is put first, every token is re-encrypted under it and
every look-up hash recomputed; resumable, idempotent, one audit entry, and the old keys can go."""

from __future__ import annotations

import hashlib
import hmac
from io import StringIO

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from stdnum.cn.ric import calc_check_digit

from gridgov.core import crypto
from gridgov.core.scoping import unscoped
from gridgov.registry import selectors, services
from gridgov.registry.management.commands import rotate_keys
from gridgov.registry.models import Person, Unit

pytestmark = pytest.mark.django_db

KEY_A = "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0ISE="  # settings/test.py
HASH_A = "test-only-hash-key-not-secret-0123456789"
KEY_B = Fernet.generate_key().decode()
HASH_B = "rotated-hash-key-for-this-test-run-0123456789"

NEW_KEYS = override_settings(GRIDGOV_FIELD_KEYS=[KEY_B, KEY_A], GRIDGOV_HASH_KEYS=[HASH_B, HASH_A])
ONLY_NEW = override_settings(GRIDGOV_FIELD_KEYS=[KEY_B], GRIDGOV_HASH_KEYS=[HASH_B])


def _id(i: int) -> str:
    body = f"33020319900501{i:03d}"
    return body + calc_check_digit(body + "0")  # it ignores the last character


PEOPLE = [(_id(i), f"1380000{i:04d}" if i % 3 else "") for i in range(1, 8)]


@pytest.fixture
def registry(world, settings):
    assert settings.GRIDGOV_FIELD_KEYS == [KEY_A]
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12号"
    )
    house = services.create_house(actor=world.worker_a1, address=address, occupancy="self")
    people = [
        services.register_person(
            actor=world.worker_a1,
            id_number=number,
            house=house,
            name=f"居民{n}",
            residence_type="registered",
            phone=phone or None,
        )
        for n, (number, phone) in enumerate(PEOPLE)
    ]
    # Someone without an ID number on file (allowed for these residence types).
    people.append(
        services.register_person(
            actor=world.worker_a1,
            id_number="",
            grid=world.grid_a1,
            name="无证人员",
            sex="1",
            residence_type="unregistered",
            phone="13900001111",
        )
    )
    unit = services.create_unit(
        actor=world.worker_a1,
        address=address,
        name="横街五金厂",
        unit_type="enterprise",
        legal_rep_phone="13911112222",
        security_contact_phone="057487654321",
    )
    return people, unit


def _rows():
    with unscoped("test: read back"):
        return list(Person._base_manager.order_by("pk")), list(Unit._base_manager.order_by("pk"))


def _tokens(people, units):
    return [
        (p.id_token, p.id_hash, p.phone_token, p.phone_hash, p.version, p.updated_at)
        for p in people
    ] + [(u.legal_rep_phone_token, u.security_contact_phone_token, u.version) for u in units]


def _hmac(key: str, value: str, kind: str) -> str:
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _rotation_entries():
    return LogEntry.objects.filter(additional_data__action=rotate_keys.AUDIT_CODE)


def test_rotation_re_encrypts_rehashes_and_lets_the_old_keys_go(world, registry):
    before_people, before_units = _rows()
    before = _tokens(before_people, before_units)
    audit_count = LogEntry.objects.count()
    only_b = Fernet(KEY_B)

    with NEW_KEYS:
        # Dry run: counts, writes nothing.
        out = _run("--dry-run")
        assert "需更新 9 条" in out  # 8 people + 1 unit
        assert _tokens(*_rows()) == before
        assert LogEntry.objects.count() == audit_count

        out = _run("--batch-size", "3")
        assert "实有人口:已检查 3/8 条,已更新 3 条" in out
        assert "完成:检查 10 条记录,更新 9 条(重新加密 15 个密文,重新计算 13 个查找码)" in out
        people, units = _rows()
        for person, (number, phone) in zip(people, [*PEOPLE, ("", "13900001111")], strict=True):
            if number:
                assert only_b.decrypt(person.id_token.encode()).decode() == number
                assert person.id_hash == crypto.lookup_hash(number, "id")
                assert person.id_hash == _hmac(HASH_B, number, "id")
            else:
                assert person.id_token == person.id_hash == ""
            if phone:
                assert only_b.decrypt(person.phone_token.encode()).decode() == phone
                assert person.phone_hash == _hmac(HASH_B, phone, "phone")
            else:
                assert person.phone_token == person.phone_hash == ""
        (unit,) = units
        assert only_b.decrypt(unit.legal_rep_phone_token.encode()) == b"13911112222"
        assert only_b.decrypt(unit.security_contact_phone_token.encode()) == b"057487654321"
        with pytest.raises(InvalidToken):
            Fernet(KEY_A).decrypt(unit.legal_rep_phone_token.encode())

        # Not an edit: versions and update times stay; one audit entry for the whole run.
        for old, new in zip(before_people, people, strict=True):
            assert (new.version, new.updated_at) == (old.version, old.updated_at)
        assert LogEntry.objects.count() == audit_count + 1
        entry = _rotation_entries().get()
        assert entry.actor.username == "system"
        assert entry.additional_data["area_path"] == ""
        assert entry.changes["更新的记录"][1] == "实有人口 8 条、实有单位 1 条"

        # Search by ID and by phone finds people again (it hashes with the current key).
        assert list(selectors.search_people(world.worker_a1, PEOPLE[0][0])) == [people[0]]
        assert list(selectors.search_people(world.worker_a1, PEOPLE[1][1])) == [people[1]]

        # A second run changes nothing and records nothing.
        rotated = _tokens(people, units)
        out = _run()
        assert "完成:检查 10 条记录,更新 0 条(重新加密 0 个密文,重新计算 0 个查找码)" in out
        assert _tokens(*_rows()) == rotated
        assert LogEntry.objects.count() == audit_count + 1

    with ONLY_NEW:
        people, units = _rows()
        assert [crypto.decrypt(p.id_token) for p in people if p.id_token] == [n for n, _ in PEOPLE]
        assert crypto.decrypt(units[0].legal_rep_phone_token) == "13911112222"
        assert (
            services.reveal_person_field(people[3], actor=world.center_a, field="phone")
            == PEOPLE[3][1]
        )
        assert list(selectors.search_people(world.worker_a1, PEOPLE[3][0])) == [people[3]]
        assert "更新 0 条" in _run()


def test_interrupted_run_resumes_where_it_stopped(registry, monkeypatch):
    said: list[str] = []

    def stop_after_first_batch(self, text):
        said.append(text)
        if "已检查" in text:
            raise KeyboardInterrupt

    with NEW_KEYS:
        monkeypatch.setattr(rotate_keys.Command, "_say", stop_after_first_batch)
        with pytest.raises(KeyboardInterrupt):
            call_command("rotate_keys", "--batch-size", "2")
        people, _ = _rows()
        assert [crypto.needs_rotation(p.id_token) for p in people[:3]] == [False, False, True]
        # The committed batch is on record even though the run did not finish.
        assert _rotation_entries().get().changes["更新的记录"][1] == "实有人口 2 条"
        monkeypatch.undo()

        out = _run("--batch-size", "2")
        assert "更新 7 条" in out  # 6 people left + the unit
        people, _units = _rows()
        assert not any(crypto.needs_rotation(p.id_token) for p in people if p.id_token)
        assert _rotation_entries().count() == 2


def test_problems_are_listed_and_the_rest_still_rotated(world, registry):
    people, _ = _rows()
    with NEW_KEYS:
        # Registered during the rotation window: the duplicate check looks for the new hash only.
        services.register_person(
            actor=world.worker_a1,
            id_number=PEOPLE[0][0],
            grid=world.grid_a1,
            name="重复登记",
            residence_type="registered",
        )
        with unscoped("test: corrupt one token"):
            Person._base_manager.filter(pk=people[1].pk).update(phone_token="gAAAA-broken")
        err = StringIO()
        with pytest.raises(CommandError, match="2 个值未能轮换"):
            call_command("rotate_keys", stdout=StringIO(), stderr=err)
        assert f"实有人口 #{people[0].pk} 与 #" in err.getvalue()
        assert f"实有人口 #{people[1].pk} 的 phone_token 无法解密" in err.getvalue()
        rows, _ = _rows()
        first = next(p for p in rows if p.pk == people[0].pk)
        assert first.id_hash == people[0].id_hash  # kept: the new one is taken
        assert not crypto.needs_rotation(first.id_token)  # but re-encrypted
        assert all(not crypto.needs_rotation(p.id_token) for p in rows if p.id_token)
