"""Reads of the registry, all through `for_user`: search and the person's file (一人一档)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from gridgov.core import crypto, idnumbers
from gridgov.registry import codes
from gridgov.registry.addresses import fold
from gridgov.registry.models import Address, HasBigrams, Person, Residence, bigrams

_DIGITS = re.compile(r"^\d{7,12}$")
_LETTERS = re.compile(r"^[a-z]{1,20}$")


def search_people(actor: Any, query: str) -> QuerySet[Person]:
    """People in the actor's jurisdiction matching `query`, whatever it is:

    - an ID number (18 or 15 characters): exact, through the keyed hash;
    - a phone number (7–12 digits): exact, through the keyed hash;
    - Latin letters: pinyin initials ("zsf" finds 张三丰);
    - anything else: a substring of the name, or of the current address.
    """
    people = Person.objects.for_user(actor, "registry.view")
    text = fold(query).lower()
    if not text:
        return people
    try:
        number = idnumbers.parse(text).number
    except idnumbers.InvalidIdNumber:
        number = ""
    if number:
        return people.filter(id_hash=crypto.lookup_hash(number, "id"))
    if _DIGITS.match(text):
        return people.filter(phone_hash=crypto.lookup_hash(text, "phone"))
    if _LETTERS.match(text):
        return people.filter(name_initials__startswith=text)
    # Name, former name or current address. One OR over the person rows made PostgreSQL read
    # every person of the jurisdiction twice (page, count), the whole row each time, and misjudge
    # how many match. Instead: the ids matching by name UNION the current residents of matching
    # addresses (the jurisdiction's addresses first, then their houses and residences), and only
    # those people's rows are read. On PostgreSQL a query of two characters or more first takes
    # its candidates from the two-character indexes (models.HasBigrams); otherwise the names are
    # read from the index person_path_name_search alone. Residences, houses and addresses share
    # their address's area path, so scoping the addresses too finds the same residents.
    by_name = Person.objects.for_user(actor, "registry.view").filter(
        Q(name__contains=text) | Q(former_name__contains=text)
    )
    addresses = Address.objects.for_user(actor, "registry.view").filter(canonical__contains=text)
    pieces = bigrams(text) if connections[people.db].vendor == "postgresql" else []
    if pieces:
        by_name = by_name.filter(HasBigrams("name", "former_name", pieces=pieces))
        addresses = addresses.filter(HasBigrams("canonical", pieces=pieces))
    at_address = (
        Residence.objects.for_user(actor, "registry.view")
        .filter(until__isnull=True, house__address__in=addresses.order_by().values("pk"))
        .order_by()
        .values("person_id")
    )
    by_name = by_name.order_by().values("pk")
    return people.filter(pk__in=by_name.union(at_address))


_ID_SEPARATORS = re.compile(r"[\s,,;;、]+")


def people_by_id_numbers(actor: Any, text: str, *, field: str = "persons") -> list[Person]:
    """The registered people, visible to `actor`, whose ID numbers `text` lists (separated by
    spaces, commas or new lines), in order and without repeats. The first number that is not a
    valid ID number, or not registered in the actor's jurisdiction, is refused by name."""
    from gridgov.core.errors import Invalid

    found: list[Person] = []
    for raw in filter(None, _ID_SEPARATORS.split(text or "")):
        try:
            number = idnumbers.parse(raw).number
        except idnumbers.InvalidIdNumber as exc:
            raise Invalid(f"“{raw}”不是有效的公民身份号码。", field=field) from exc
        person = search_people(actor, number).first()
        if person is None:
            raise Invalid(
                f"身份证号 {idnumbers.mask(number)} 的人员未登记或不在您的辖区。", field=field
            )
        if person not in found:
            found.append(person)
    return found


# --- The person's file: sections later modules add through one extension point ------------------


@dataclass
class FileSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


FileSectionSource = Callable[[Any, Person], FileSection | None]
_file_sections: list[FileSectionSource] = []


def register_file_section(source: FileSectionSource) -> None:
    """Add a section to every person's file: `source(actor, person)` returns it or None.

    Events, disputes and special populations register theirs in their apps.py."""
    if source not in _file_sections:
        _file_sections.append(source)


def person_file_sections(actor: Any, person: Person) -> list[FileSection]:
    sections = [s for s in (source(actor, person) for source in _file_sections) if s is not None]
    return sorted(sections, key=lambda s: s.order)


def possible_duplicates(actor: Any, person: Person) -> QuerySet[Person]:
    """Records in the actor's reach that may be the same person as `person`: the same name and
    birth date (both unknown counts as the same) at the same current standard address, at least
    one of the two without an ID number (two ID numbers are two people). Merged records and
    `person` itself are left out; so is everyone when `person` lives nowhere on file."""
    people = Person.objects.for_user(actor, "registry.view")
    if person.status == codes.PersonStatus.MERGED:
        return people.none()
    address_id = (
        Residence._base_manager.filter(person=person, until__isnull=True)
        .values_list("house__address_id", flat=True)
        .first()
    )
    if address_id is None:
        return people.none()
    same_address = Residence._base_manager.filter(
        person=OuterRef("pk"), until__isnull=True, house__address_id=address_id
    )
    candidates = (
        people.filter(Exists(same_address), name=person.name, birth_date=person.birth_date)
        .exclude(pk=person.pk)
        .exclude(status=codes.PersonStatus.MERGED)
    )
    if person.id_hash:
        candidates = candidates.filter(id_hash="")
    return candidates.order_by("pk")


def household_members(actor: Any, person: Person) -> QuerySet[Person]:
    """Other people living now at the person's current house, within the actor's reach."""
    current = Residence._base_manager.filter(person=person, until__isnull=True).values("house")
    same_house = Residence._base_manager.filter(
        person=OuterRef("pk"), until__isnull=True, house__in=current
    )
    return (
        Person.objects.for_user(actor, "registry.view")
        .filter(Exists(same_house))
        .exclude(pk=person.pk)
    )
