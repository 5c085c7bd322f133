"""Name and address search (`selectors.search_people`): what it finds, checked against the plain
one-query definition it is written to be fast for. See README "Measured" for why it is a UNION."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from gridgov.core.scoping import unscoped
from gridgov.registry import selectors, services
from gridgov.registry.models import Address, HasBigrams, Person, Residence, bigrams

pytestmark = pytest.mark.django_db

IDS = ["330203198001010036", "330203198001010052", "330203198001010079", "330203198001010095"]


def _definition(actor, text):
    """The meaning of a free-text search, as a single OR: a name, former name or current address
    (of a current residence within the jurisdiction) containing `text`, within the jurisdiction."""
    at_address = (
        Residence.objects.for_user(actor, "registry.view")
        .filter(until__isnull=True, house__address__canonical__contains=text)
        .values("person_id")
    )
    return Person.objects.for_user(actor, "registry.view").filter(
        Q(name__contains=text) | Q(former_name__contains=text) | Q(pk__in=at_address)
    )


@pytest.fixture
def town(world):
    """Four people: 张三丰 at 沿河路12号 (grid A1), his neighbour 李沿河 (formerly 王小河) at
    沿河路14号, 赵四 at 乙路1号 (grid A2) who lived at 沿河路12号 before, and 钱五, kept in grid
    A2 although he lives at 沿河路14号 in A1."""

    def house(grid, street, door):
        address = services.create_address(
            actor=world.center_a, grid=grid, street=street, door_no=door
        )
        return services.create_house(actor=world.center_a, address=address)

    ids = iter(IDS)

    def person(name, home, **extra):
        return services.register_person(
            actor=world.center_a,
            id_number=next(ids),
            house=home,
            name=name,
            residence_type="registered",
            **extra,
        )

    h12, h14 = house(world.grid_a1, "沿河路", "12"), house(world.grid_a1, "沿河路", "14")
    zhang = person("张三丰", h12)
    li = person("李沿河", h14, former_name="王小河")
    zhao = person("赵四", h12)
    zhao = services.move_person(
        zhao,
        actor=world.center_a,
        version=zhao.version,
        house=house(world.grid_a2, "乙路", "1"),
        arrangement="own",
    )
    qian = person("钱五", h14)
    with unscoped("test: a person kept in another grid than the one he lives in"):
        Person._base_manager.filter(pk=qian.pk).update(
            grid=world.grid_a2, area_path=world.grid_a2.path
        )
    return {"zhang": zhang, "li": li, "zhao": zhao, "qian": qian}


QUERIES = [
    "沿河",
    "沿河路12",
    "沿河路14",
    "小河",
    "乙路",
    "张",
    "三丰",
    "河",
    "路1",
    "四",
    "五",
    "无此人",
]


@pytest.mark.parametrize("who", ["worker_a1", "worker_a2", "center_a", "center_b", "admin"])
def test_search_finds_what_the_definition_finds(world, town, who):
    actor = getattr(world, who)
    for query in QUERIES:
        expected = sorted(_definition(actor, query).values_list("pk", flat=True))
        found = selectors.search_people(actor, query)
        assert sorted(p.pk for p in found) == expected, query
        assert found.count() == len(expected), query
        assert list(found[:2]) == list(found)[:2], query  # sliced pages in the list's order


def test_search_by_address_counts_current_residents_in_jurisdiction(world, town):
    def names(actor, query):
        return sorted(p.name for p in selectors.search_people(actor, query))

    # 李沿河 by name, former name and address alike: once. 赵四 no longer lives at 沿河路12号.
    assert names(world.worker_a1, "沿河") == ["张三丰", "李沿河"]
    assert names(world.worker_a1, "小河") == ["李沿河"]
    assert names(world.worker_a1, "沿河路12") == ["张三丰"]
    assert names(world.center_a, "沿河路12") == ["张三丰"]
    # 钱五 lives at 沿河路14号 (A1) but is kept in A2: A1's worker does not see him, and A2's
    # worker does not find him by an address outside A2; the township sees him either way.
    assert names(world.worker_a2, "沿河路14") == []
    assert names(world.worker_a2, "五") == ["钱五"]
    assert names(world.center_a, "沿河路14") == ["李沿河", "钱五"]
    assert names(world.center_b, "沿河") == []


def test_bigrams_are_the_two_character_pieces():
    assert bigrams("张三丰") == ["三丰", "张三"]
    assert bigrams("张张张") == ["张张"]
    assert bigrams("张") == bigrams("") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_search_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('person_initials_path', 'person_path_name_search', 'address_path_canonical', "
            "'person_name_bigrams', 'address_canonical_bigrams')"
        )
        index = dict(cursor.fetchall())
        cursor.execute("SELECT registry_bigrams('张三丰张三'), registry_bigrams('张')")
        pieces, none = cursor.fetchone()
    assert sorted(pieces) == bigrams("张三丰张三") and none == []
    assert "(area_path, canonical)" in index["address_path_canonical"]
    assert (
        "(name_initials varchar_pattern_ops, area_path varchar_ops)"
        in index["person_initials_path"]
    )
    assert "(area_path, name, former_name, id)" in index["person_path_name_search"]
    assert "USING gin (registry_bigrams((canonical)::text))" in index["address_canonical_bigrams"]
    assert (
        "registry_bigrams((name)::text) || registry_bigrams((former_name)::text)"
        in index["person_name_bigrams"]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_bigram_condition_is_the_indexed_expression(world, town):
    """The SQL that HasBigrams writes must be the indexed expression, or the index goes unused."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    with unscoped("test: the plan of the bigram condition alone"):
        people = Person.objects.filter(HasBigrams("name", "former_name", pieces=["沿河"]))
        addresses = Address.objects.filter(HasBigrams("canonical", pieces=["沿河"]))
        assert "Bitmap Index Scan on person_name_bigrams" in people.explain()
        assert "Bitmap Index Scan on address_canonical_bigrams" in addresses.explain()
        assert sorted(p.name for p in people) == ["李沿河"]
