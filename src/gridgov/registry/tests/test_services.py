"""Registry services: addresses, houses, units, people, residence history, revealing numbers,
search. Each rule: the allowed path, the refusal (in Chinese, nothing written), the audit row."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from gridgov.core.access_log import AccessEntry
from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese, fresh
from gridgov.registry import selectors, services
from gridgov.registry.models import Person, Residence

pytestmark = pytest.mark.django_db

ZHANG = "11010519491231002X"  # DOMAIN.md §7.1 test vector: female, 1949-12-31
LI = "33020319800101001X"  # male, 1980-01-01


@pytest.fixture
def address(world):
    return services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12号"
    )


@pytest.fixture
def house(world, address):
    return services.create_house(actor=world.worker_a1, address=address, occupancy="self")


def _register(world, house, id_number=ZHANG, **extra):
    fields = {"name": "张三丰", "residence_type": "registered", "phone": "13812345678"} | extra
    return services.register_person(
        actor=world.worker_a1, id_number=id_number, house=house, **fields
    )


def test_create_address_canonical_and_duplicates(world, address):
    assert address.canonical == "沿河路12号"
    assert_audited(address, "registry.address.created", world.worker_a1)
    with pytest.raises(Invalid) as exc:
        services.create_address(
            actor=world.worker_a1, grid=world.grid_a1, street=" 沿河路 ", door_no="１２"
        )
    assert_chinese(exc)
    assert "已有标准地址" in exc.value.message


def test_create_address_outside_jurisdiction_refused(world):
    with pytest.raises(NotPermitted):
        services.create_address(
            actor=world.worker_a1, grid=world.grid_a2, street="乙路", door_no="1"
        )


def test_rental_house_needs_use_and_landlord(world, address):
    with pytest.raises(Invalid, match="出租用途"):
        services.create_house(actor=world.worker_a1, address=address, occupancy="rented")
    landlord_house = services.create_house(
        actor=world.worker_a1,
        address=services.create_address(
            actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="14"
        ),
    )
    landlord = _register(world, landlord_house, id_number=LI, name="李房东")
    house = services.create_house(
        actor=world.worker_a1,
        address=address,
        occupancy="rented",
        rental_use="02",
        owner=landlord,
        fire_pledge_signed=True,
        fire_pledge_date=dt.date(2026, 3, 1),
    )
    assert house.is_rental and house.owner == landlord


def test_register_person_derives_sex_and_birth_and_hides_the_number(world, house):
    person = _register(world, house)
    assert person.sex == "2" and person.birth_date == dt.date(1949, 12, 31)
    assert person.id_masked == "1101**********002X"
    assert ZHANG not in person.id_token and person.id_hash and person.name_initials == "zsf"
    assert person.phone_masked == "138****5678"
    with unscoped("test"):
        assert Residence.objects.get(person=person).until is None
    assert_audited(person, "registry.person.created", world.worker_a1)


def test_register_person_contradicting_the_id_number_is_refused(world, house):
    with pytest.raises(Invalid) as exc:
        _register(world, house, sex="1")
    assert_chinese(exc)
    with unscoped("test"):
        assert not Person.objects.exists()


def test_register_person_bad_check_character_refused(world, house):
    with pytest.raises(Invalid) as exc:
        _register(world, house, id_number="110105194912310021")
    assert_chinese(exc)


def test_legacy_15_digit_number_is_converted(world, house):
    person = _register(world, house, id_number="110105491231002")
    assert person.birth_date == dt.date(1949, 12, 31)
    assert services.reveal_person_field(person, actor=world.center_a, field="id_number") == ZHANG


def test_same_id_number_is_matched_not_duplicated(world, house):
    first = _register(world, house)
    with pytest.raises(services.AlreadyRegistered) as exc:
        _register(world, house, name="张三")
    assert exc.value.person == first
    # someone who cannot see the record learns only that it exists elsewhere
    other_address = services.create_address(
        actor=world.worker_b1, grid=world.grid_b1, street="丙路", door_no="1"
    )
    other_house = services.create_house(actor=world.worker_b1, address=other_address)
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.register_person(
            actor=world.worker_b1,
            id_number=ZHANG,
            house=other_house,
            name="张",
            residence_type="registered",
        )
    assert exc.value.person is None and "其他辖区" in exc.value.message


def test_retried_submission_returns_the_first_record(world, house):
    key = uuid.uuid4()
    first = _register(world, house, client_uuid=key)
    again = _register(world, house, client_uuid=key)
    assert again.pk == first.pk


def test_reveal_needs_the_role_and_is_logged(world, house):
    person = _register(world, house)
    with pytest.raises(NotPermitted):
        services.reveal_person_field(person, actor=world.worker_a1, field="phone")
    assert (
        services.reveal_person_field(person, actor=world.center_a, field="phone") == "13812345678"
    )
    with unscoped("test"):
        entry = AccessEntry.objects.get()
    assert (
        entry.user == world.center_a and entry.kind == "unmasked" and entry.fields == ["联系方式"]
    )


def test_move_keeps_history_and_follows_the_grid(world, house):
    person = _register(world, house)
    new_address = services.create_address(
        actor=world.center_a, grid=world.grid_a2, street="乙路", door_no="8"
    )
    new_house = services.create_house(actor=world.center_a, address=new_address)
    moved = services.move_person(
        person, actor=world.center_a, version=person.version, house=new_house, arrangement="tenant"
    )
    assert moved.grid == world.grid_a2 and moved.area_path == world.grid_a2.path
    with unscoped("test"):
        history = list(Residence.objects.filter(person=person).order_by("since", "pk"))
    assert len(history) == 2 and history[0].until is not None and history[1].until is None
    with pytest.raises(Conflict):
        services.move_person(
            person, actor=world.center_a, version=person.version, house=house, arrangement="own"
        )


def test_status_moved_out_ends_residence_and_deceased_is_final(world, house):
    person = _register(world, house)
    person = services.set_person_status(
        person, actor=world.worker_a1, version=person.version, status="deceased"
    )
    with unscoped("test"):
        assert Residence.objects.get(person=person).until is not None
    with pytest.raises(InvalidTransition):
        services.set_person_status(
            person, actor=world.worker_a1, version=person.version, status="present"
        )
    assert fresh(person).status == "deceased"


def test_unit_credit_code_is_validated(world, address):
    with pytest.raises(Invalid) as exc:
        services.create_unit(
            actor=world.worker_a1,
            address=address,
            name="某公司",
            unit_type="enterprise",
            credit_code="91330203MA2AXXXX00",
        )
    assert_chinese(exc)
    unit = services.create_unit(
        actor=world.worker_a1,
        address=address,
        name="横街五金厂",
        unit_type="enterprise",
        credit_code="91350100M000100Y43",
        legal_rep_name="王五",
        legal_rep_phone="13900001111",
    )
    assert unit.legal_rep_phone_masked == "139****1111"
    letter = services.add_responsibility_letter(
        unit, actor=world.worker_a1, kind="fire", signed_on=dt.date(2026, 1, 5)
    )
    assert letter.area_path == unit.area_path


def test_search_by_id_phone_pinyin_name_and_address(world, house):
    person = _register(world, house)
    for query in (ZHANG, ZHANG.lower(), "13812345678", "zsf", "ZS", "三丰", "沿河路12"):
        assert list(selectors.search_people(world.worker_a1, query)) == [person], query
    # never outside the jurisdiction
    assert not selectors.search_people(world.worker_a2, ZHANG).exists()
    assert not selectors.search_people(world.center_b, "zsf").exists()
