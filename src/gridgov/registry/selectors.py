"""Reads of the registry, all through `for_user`: search and the person's file (一人一档)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from gridgov.core import crypto, idnumbers
from gridgov.registry.addresses import fold
from gridgov.registry.models import Person, Residence

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
    at_address = Residence._base_manager.filter(
        person=OuterRef("pk"), until__isnull=True, house__address__canonical__contains=text
    )
    return people.filter(
        Q(name__contains=text) | Q(former_name__contains=text) | Exists(at_address)
    )


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
