"""Possible duplicates and merging them (issue 3): who is offered, what a merge moves and keeps,
every refusal (in Chinese, nothing written), the audit rows, scoping, the page and the API doors."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.scoping import unscoped
from gridgov.core.testing.helpers import assert_audited, assert_chinese, fresh
from gridgov.registry import codes, selectors, services
from gridgov.registry.models import House, Person, Residence

pytestmark = pytest.mark.django_db

ZHANG = "11010519491231002X"  # female, 1949-12-31
LI = "33020319800101001X"  # male, 1980-01-01
BORN = dt.date(1990, 5, 1)


def _id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")  # the check slot is ignored


@pytest.fixture
def house(world):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="12号"
    )
    return services.create_house(actor=world.worker_a1, address=address)


@pytest.fixture
def other_house(world):
    address = services.create_address(
        actor=world.worker_a1, grid=world.grid_a1, street="沿河路", door_no="14号"
    )
    return services.create_house(actor=world.worker_a1, address=address)


def _person(world, house, *, actor=None, id_number=None, since=None, **fields):
    """A person at `house`; without an ID number they are 未落户人员 (may have none)."""
    defaults = {
        "name": "王小明",
        "sex": "1",
        "birth_date": BORN,
        "residence_type": "registered" if id_number else "unregistered",
    }
    return services.register_person(
        actor=actor or world.worker_a1,
        id_number=id_number,
        house=house,
        since=since or dt.date(2024, 1, 1),
        **(defaults | fields),
    )


def _merge(world, keep, drop, actor=None):
    keep, drop = fresh(keep), fresh(drop)
    return services.merge_people(
        keep,
        drop,
        actor=actor or world.worker_a1,
        keep_version=keep.version,
        drop_version=drop.version,
    )


def _state() -> tuple:
    """Everything a merge could write, to prove a refusal wrote nothing."""
    with unscoped("test: state"):
        people = sorted(
            Person.objects.values_list("pk", "version", "status", "merged_into", "id_hash")
        )
        residences = sorted(Residence.objects.values_list("pk", "person", "until", "version"))
        houses = sorted(House.objects.values_list("pk", "owner", "version"))
    return people, residences, houses, LogEntry.objects.count()


# --- Who is offered as a possible duplicate ------------------------------------------------------


def test_possible_duplicates_same_name_birth_date_and_address(world, house, other_house):
    first = _person(world, house)
    second = _person(world, house, since=dt.date(2025, 3, 1))
    _person(world, other_house)  # same name and birth date, elsewhere
    _person(world, house, birth_date=dt.date(1990, 5, 2))  # born another day
    _person(world, house, name="王小名")  # another name

    assert list(selectors.possible_duplicates(world.worker_a1, first)) == [second]
    assert list(selectors.possible_duplicates(world.worker_a1, second)) == [first]


def test_possible_duplicates_need_one_side_without_an_id_number(world, house):
    with_id = _person(world, house, id_number=ZHANG, name="张英", sex="", birth_date=None)
    without_id = _person(world, house, name="张英", sex="2", birth_date=dt.date(1949, 12, 31))
    other_id = _id_number("11010519491231004")  # another woman born the same day
    second_id = _person(world, house, id_number=other_id, name="张英", sex="", birth_date=None)

    assert list(selectors.possible_duplicates(world.worker_a1, with_id)) == [without_id]
    assert set(selectors.possible_duplicates(world.worker_a1, without_id)) == {
        with_id,
        second_id,
    }


def test_possible_duplicates_unknown_birth_dates_count_as_the_same(world, house):
    first = _person(world, house, birth_date=None)
    second = _person(world, house, birth_date=None)
    _person(world, house)  # born 1990-05-01: not the same as "unknown"
    assert list(selectors.possible_duplicates(world.worker_a1, first)) == [second]


def test_possible_duplicates_leave_out_merged_records_and_other_townships(world, house):
    first = _person(world, house)
    second = _person(world, house)
    third = _person(world, house)
    _merge(world, first, second)

    assert list(selectors.possible_duplicates(world.worker_a1, fresh(first))) == [third]
    assert not selectors.possible_duplicates(world.worker_a1, fresh(second)).exists()
    # Another township's staff is offered nothing of 甲村, not even through a record of theirs.
    assert not selectors.possible_duplicates(world.center_b, fresh(first)).exists()


# --- What a merge does ---------------------------------------------------------------------------


def test_merge_people_keeps_both_histories_and_fills_blanks(world, house, other_house):
    keep = _person(world, house, since=dt.date(2024, 6, 1))
    drop = _person(
        world,
        other_house,
        since=dt.date(2020, 1, 1),
        phone="13812345678",
        occupation="厨师",
        former_name="王明",
    )
    services.move_person(
        fresh(drop),
        actor=world.worker_a1,
        version=fresh(drop).version,
        house=house,
        arrangement="tenant",
        since=dt.date(2023, 1, 1),
    )
    keep_version = fresh(keep).version

    kept = _merge(world, keep, drop)

    kept, dropped = fresh(kept), fresh(drop)
    assert kept.pk == keep.pk and kept.version == keep_version + 1
    assert (kept.phone_masked, kept.occupation, kept.former_name) == ("138****5678", "厨师", "王明")
    assert dropped.status == codes.PersonStatus.MERGED
    assert dropped.merged_into_id == kept.pk
    assert dropped.status_date == timezone.localdate()
    assert dropped.phone_masked == "138****5678"  # nothing taken away from the merged record
    with unscoped("test"):
        history = list(
            Residence.objects.filter(person=kept)
            .order_by("since")
            .values_list("house", "since", "until")
        )
    assert history == [
        (other_house.pk, dt.date(2020, 1, 1), dt.date(2023, 1, 1)),
        # drop's current residence ends the day before keep's began
        (house.pk, dt.date(2023, 1, 1), dt.date(2024, 5, 31)),
        (house.pk, dt.date(2024, 6, 1), None),
    ]
    assert_audited(dropped, "registry.person.merged", world.worker_a1)
    assert_audited(kept, "registry.person.merged", world.worker_a1)
    entry = LogEntry.objects.get_for_object(dropped).order_by("-pk").first()
    assert "merged_into" in entry.changes_dict and "status" in entry.changes_dict


def test_merge_people_later_duplicate_residence_ends_on_its_first_day(world, house):
    keep = _person(world, house, since=dt.date(2024, 1, 1))
    drop = _person(world, house, since=dt.date(2025, 3, 1))
    _merge(world, keep, drop)
    with unscoped("test"):
        rows = list(Residence.objects.filter(person=keep).order_by("since").values_list("until"))
    assert rows == [(None,), (dt.date(2025, 3, 1),)]


def test_merge_people_moves_the_id_number_to_the_kept_record(world, house):
    keep = _person(world, house, name="张英", sex="2", birth_date=dt.date(1949, 12, 31))
    drop = _person(world, house, id_number=ZHANG, name="张英", sex="", birth_date=None)

    _merge(world, keep, drop)

    kept, dropped = fresh(keep), fresh(drop)
    assert kept.id_masked == "1101**********002X" and dropped.id_masked == ""
    assert services.find_by_id_number(ZHANG) == kept
    assert services.reveal_person_field(kept, actor=world.center_a, field="id_number") == ZHANG
    # The number now on file is matched, not registered a second time.
    with pytest.raises(services.AlreadyRegistered):
        _person(world, house, id_number=ZHANG, name="张英", sex="", birth_date=None)


def test_merge_people_refuses_an_id_number_contradicting_the_kept_record(world, house):
    keep = _person(world, house, name="张英", sex="1", birth_date=dt.date(1949, 12, 31))
    drop = _person(world, house, id_number=ZHANG, name="张英", sex="", birth_date=None)
    before = _state()
    with pytest.raises(Invalid) as exc:
        _merge(world, keep, drop)
    assert_chinese(exc)
    assert "性别" in exc.value.message
    assert _state() == before


def test_merge_people_moves_houses_the_duplicate_owns(world, house, other_house):
    keep = _person(world, house)
    drop = _person(world, house)
    services.update_house(
        fresh(other_house),
        actor=world.worker_a1,
        version=fresh(other_house).version,
        owner=fresh(drop),
    )
    _merge(world, keep, drop)
    assert fresh(other_house).owner_id == keep.pk


def test_merge_hooks_run_inside_the_transaction(world, house, monkeypatch):
    monkeypatch.setattr(services, "_merge_hooks", [])
    calls = []
    services.register_merge_hook(lambda keep, drop, actor: calls.append((keep.pk, drop.pk, actor)))
    keep, drop = _person(world, house), _person(world, house)
    _merge(world, keep, drop)
    assert calls == [(keep.pk, drop.pk, world.worker_a1)]

    def refuse(keep, drop, actor):
        raise InvalidTransition("该人员有未办结的事件,暂不能合并。")

    services.register_merge_hook(refuse)
    third = _person(world, house)
    before = _state()
    with pytest.raises(InvalidTransition, match="未办结"):
        _merge(world, keep, third)
    assert _state() == before


# --- Refusals ------------------------------------------------------------------------------------


def test_merge_people_refuses_two_id_numbers(world, house):
    keep = _person(world, house, id_number=ZHANG, name="张英", sex="", birth_date=None)
    other_id = _id_number("11010519491231004")
    drop = _person(world, house, id_number=other_id, name="张英", sex="", birth_date=None)
    before = _state()
    with pytest.raises(InvalidTransition) as exc:
        _merge(world, keep, drop)
    assert_chinese(exc)
    assert "不同的人" in exc.value.message
    assert _state() == before


def test_merge_people_refuses_itself_and_merged_records(world, house):
    keep, drop, third = _person(world, house), _person(world, house), _person(world, house)
    with pytest.raises(InvalidTransition, match="它自己") as exc:
        _merge(world, keep, keep)
    assert_chinese(exc)
    _merge(world, keep, drop)
    before = _state()
    with pytest.raises(InvalidTransition, match="已合并") as exc:
        _merge(world, third, drop)  # drop is merged already
    assert_chinese(exc)
    with pytest.raises(InvalidTransition, match="已合并"):
        _merge(world, drop, third)  # nor can anything be merged into it
    assert _state() == before


def test_merge_people_keeps_the_present_record(world, house):
    keep, drop = _person(world, house), _person(world, house)
    services.set_person_status(
        fresh(keep), actor=world.worker_a1, version=fresh(keep).version, status="moved_out"
    )
    before = _state()
    with pytest.raises(InvalidTransition, match="在册") as exc:
        _merge(world, keep, drop)
    assert_chinese(exc)
    assert _state() == before
    _merge(world, drop, keep)  # the other way round is fine
    assert fresh(keep).merged_into_id == drop.pk


def test_merge_people_stale_version_is_a_conflict(world, house):
    keep, drop = _person(world, house), _person(world, house)
    stale = fresh(drop).version
    services.update_person(fresh(drop), actor=world.worker_a1, version=stale, occupation="保安")
    before = _state()
    with pytest.raises(Conflict) as exc:
        services.merge_people(
            fresh(keep),
            fresh(drop),
            actor=world.worker_a1,
            keep_version=fresh(keep).version,
            drop_version=stale,
        )
    assert_chinese(exc)
    assert _state() == before


def test_merge_people_needs_change_rights_over_both_records(world, house):
    address = services.create_address(
        actor=world.worker_a2, grid=world.grid_a2, street="乙路", door_no="1号"
    )
    house_a2 = services.create_house(actor=world.worker_a2, address=address)
    keep = _person(world, house)
    drop = _person(world, house_a2, actor=world.worker_a2)
    before = _state()
    for actor in (world.worker_a1, world.center_b):  # one grid only; another township
        with pytest.raises(NotPermitted):
            _merge(world, keep, drop, actor=actor)
    assert _state() == before
    _merge(world, keep, drop, actor=world.center_a)  # the township's center holds both
    assert fresh(drop).merged_into_id == keep.pk


def test_merged_record_cannot_be_edited_moved_or_given_a_status(world, house, other_house):
    keep, drop = _person(world, house), _person(world, house)
    _merge(world, keep, drop)
    dropped = fresh(drop)
    attempts = [
        lambda: services.update_person(
            dropped, actor=world.worker_a1, version=dropped.version, occupation="x"
        ),
        lambda: services.move_person(
            dropped,
            actor=world.worker_a1,
            version=dropped.version,
            house=other_house,
            arrangement="own",
        ),
        lambda: services.set_person_status(
            dropped, actor=world.worker_a1, version=dropped.version, status="present"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidTransition, match="已合并") as exc:
            attempt()
        assert_chinese(exc)
    live = fresh(keep)
    with pytest.raises(Invalid, match="合并"):
        services.set_person_status(
            live, actor=world.worker_a1, version=live.version, status="merged"
        )


# --- Pages ---------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_file_offers_duplicates_and_the_merge_page_merges(world, house):
    keep, drop = _person(world, house), _person(world, house, phone="13812345678")
    client = _client(world.worker_a1)
    merge_url = reverse("registry:person_merge", args=[keep.pk, drop.pk])

    page = client.get(reverse("registry:person", args=[keep.pk])).content.decode()
    assert "可能重复" in page and merge_url in page

    confirm = client.get(merge_url).content.decode()
    assert "确认合并" in confirm and "138****5678" in confirm
    assert reverse("registry:person_merge", args=[drop.pk, keep.pk]) in confirm  # swap sides
    assert "不符合" not in confirm  # they are a flagged pair

    response = client.post(
        merge_url, {"keep_version": fresh(keep).version, "drop_version": fresh(drop).version}
    )
    assert response.status_code == 302 and response.url == reverse(
        "registry:person", args=[keep.pk]
    )
    assert fresh(drop).merged_into_id == keep.pk

    merged_page = client.get(reverse("registry:person", args=[drop.pk])).content.decode()
    assert "已合并至" in merged_page
    assert reverse("registry:person", args=[keep.pk]) in merged_page
    assert reverse("registry:person_edit", args=[drop.pk]) not in merged_page
    kept_page = client.get(reverse("registry:person", args=[keep.pk])).content.decode()
    assert "已合并进本档案" in kept_page and "可能重复" not in kept_page


def test_merge_page_stale_version_shows_the_conflict(world, house):
    keep, drop = _person(world, house), _person(world, house)
    response = _client(world.worker_a1).post(
        reverse("registry:person_merge", args=[keep.pk, drop.pk]),
        {"keep_version": fresh(keep).version, "drop_version": fresh(drop).version - 1},
    )
    assert response.status_code == 200
    assert "该记录已被他人修改,请刷新后重试。" in response.content.decode()
    assert fresh(drop).status == codes.PersonStatus.PRESENT


def test_merge_page_outside_jurisdiction_is_not_found(world, house):
    keep, drop = _person(world, house), _person(world, house)
    client = _client(world.center_b)
    url = reverse("registry:person_merge", args=[keep.pk, drop.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"keep_version": 1, "drop_version": 1}).status_code == 404
    assert fresh(drop).status == codes.PersonStatus.PRESENT


def test_registering_without_an_id_number_warns_of_duplicates(world, house):
    existing = _person(world, house)
    client = _client(world.worker_a1)
    response = client.post(
        reverse("registry:person_create", args=[house.pk]),
        {
            "name": "王小明",
            "sex": "1",
            "birth_date": "1990-05-01",
            "ethnicity": "01",
            "residence_type": "unregistered",
            "arrangement": "own",
        },
        follow=True,
    )
    body = response.content.decode()
    with unscoped("test"):
        new = Person.objects.exclude(pk=existing.pk).get()
    assert "可能重复" in body
    assert f'href="{reverse("registry:person_merge", args=[existing.pk, new.pk])}"' in body


def test_registering_with_an_id_number_does_not_warn(world, house):
    _person(world, house, name="张英", sex="2", birth_date=dt.date(1949, 12, 31))
    response = _client(world.worker_a1).post(
        reverse("registry:person_create", args=[house.pk]),
        {
            "id_number": ZHANG,
            "name": "张英",
            "ethnicity": "01",
            "residence_type": "registered",
            "arrangement": "own",
        },
        follow=True,
    )
    assert "已登记“张英”" in response.content.decode()
    assert "没有登记公民身份号码" not in response.content.decode()


# --- API -----------------------------------------------------------------------------------------


def test_api_merge(world, house, api_client):
    keep, drop = _person(world, house), _person(world, house)
    api_client.force_authenticate(world.worker_a1)

    duplicates = api_client.get(f"/api/people/{keep.pk}/duplicates/")
    assert [p["id"] for p in duplicates.json()] == [drop.pk]

    stale = api_client.post(
        f"/api/people/{keep.pk}/merge/",
        {"drop": drop.pk, "keep_version": fresh(keep).version, "drop_version": 0},
        format="json",
    )
    assert (
        stale.status_code == 409 and stale.json()["detail"] == "该记录已被他人修改,请刷新后重试。"
    )

    merged = api_client.post(
        f"/api/people/{keep.pk}/merge/",
        {"drop": drop.pk, "keep_version": fresh(keep).version, "drop_version": fresh(drop).version},
        format="json",
    )
    assert merged.status_code == 200, merged.json()
    assert merged.json()["id"] == keep.pk
    dropped = api_client.get(f"/api/people/{drop.pk}/").json()
    assert dropped["status"] == "merged" and dropped["merged_into"] == keep.pk

    again = api_client.post(
        f"/api/people/{keep.pk}/merge/",
        {"drop": drop.pk, "keep_version": fresh(keep).version, "drop_version": fresh(drop).version},
        format="json",
    )
    assert again.status_code == 409 and "已合并" in again.json()["detail"]


def test_api_merge_outside_jurisdiction(world, house, api_client):
    keep, drop = _person(world, house), _person(world, house)
    api_client.force_authenticate(world.center_b)
    response = api_client.post(
        f"/api/people/{keep.pk}/merge/",
        {"drop": drop.pk, "keep_version": 1, "drop_version": 1},
        format="json",
    )
    assert response.status_code == 404
    assert api_client.get(f"/api/people/{keep.pk}/duplicates/").status_code == 404
    # A record of one's own cannot swallow an invisible one either: "drop" does not exist.
    address = services.create_address(
        actor=world.worker_b1, grid=world.grid_b1, street="丙路", door_no="1号"
    )
    own = _person(
        world, services.create_house(actor=world.worker_b1, address=address), actor=world.worker_b1
    )
    refused = api_client.post(
        f"/api/people/{own.pk}/merge/",
        {"drop": drop.pk, "keep_version": fresh(own).version, "drop_version": 1},
        format="json",
    )
    assert refused.status_code == 400 and "drop" in refused.json()
    assert fresh(drop).status == codes.PersonStatus.PRESENT
