"""Loading the benchmark city and its events: setup, not the measured thing.

- areas: citygen's geography, level by level with bulk_create (as bench/registry.py does);
- people: citygen's people by COPY into the registry's person table, with every computed field
  the registry services store (ID and phone numbers encrypted with the run's keys, their keyed
  look-up hashes and masked forms, pinyin initials, the grid's path). Houses, residences and
  units are not loaded: nothing the event pages or the sweep read needs them;
- users, departments and memberships through the services (accounts.services, areas.services),
  as an administrator would create them: per township a 综治中心工作人员 and six departments with
  one 部门承办人 each, per village a 综治专干, per grid a 专职网格员 (assign_grid_worker);
- events: `eventgen` batches by COPY, every batch in its own transaction with
  ``session_replication_role = replica`` (the foreign keys are right by construction; checking
  millions of them row by row would only slow the setup), then the id sequences moved past the
  loaded ids.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.events_support import eventgen
from bench.registry_support import citygen
from gridgov.accounts import services as account_services
from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.accounts.system import system_actor
from gridgov.areas import services as area_services
from gridgov.areas.choices import Post
from gridgov.areas.models import Area
from gridgov.events.models import (
    Assignment,
    Category,
    Event,
    EventParty,
    EventRequest,
    SupervisionRecord,
    TimelineEntry,
)
from gridgov.registry.models import Person
from gridgov.registry.services import id_number_fields, name_initials, phone_fields


class Copier:
    """COPY of plain dicts (attnames) into a model's table; what a dict leaves out is the field's
    default. The dicts carry their own primary key ("id")."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        self.defaults = {
            f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in fields
        }
        self.json = {f.attname for f in fields if isinstance(f, models.JSONField)}
        columns = [model._meta.pk.column, *[f.column for f in fields]]
        self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        )

    def copy(self, rows: Iterable[dict[str, Any]]) -> int:
        names, defaults, json = self.names, self.defaults, self.json
        count = 0
        with connection.connection.cursor() as cursor, cursor.copy(self.statement) as pipe:
            for row in rows:
                values = [row.get(n, defaults[n]) for n in names]
                if json:
                    values = [
                        Jsonb(v) if n in json and v is not None else v
                        for n, v in zip(names, values, strict=True)
                    ]
                pipe.write_row([row["id"], *values])
                count += 1
        return count


def move_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "  # noqa: S608
                f"(SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}), false)"
            )


def _replica_mode() -> None:
    """Inside the current transaction: no FK triggers (the rows are consistent by construction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


# --- Areas ---------------------------------------------------------------------------------------


def load_people(
    scale: int,
    seed: int,
    layout: citygen.Layout,
    areas: dict[str, Area],
    *,
    now: dt.datetime,
    chunk: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, tuple[int, int]]:
    """citygen's people by COPY. Returns {grid code: (first person id, count)}."""
    copier = Copier(Person)
    initials: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    rows: list[dict[str, Any]] = []
    next_id = 1

    def flush() -> None:
        if rows:
            with transaction.atomic():
                _replica_mode()
                copier.copy(rows)
            rows.clear()
            if progress:
                progress(next_id - 1)

    for person in citygen.iter_people(scale, seed, layout=layout):
        grid = areas[person["grid_code"]]
        name = person["name"]
        if name not in initials:
            initials[name] = name_initials(name)
        id_token, id_hash, id_masked = id_number_fields(person["id_number"])
        phone_token, phone_hash, phone_masked = phone_fields(person["phone"])
        rows.append(
            {
                "id": next_id,
                "id_token": id_token,
                "id_hash": id_hash,
                "id_masked": id_masked,
                "name": name,
                "name_initials": initials[name],
                "sex": person["sex"],
                "birth_date": dt.date.fromisoformat(person["birth_date"]),
                "ethnicity": person["ethnicity"],
                "phone_token": phone_token,
                "phone_hash": phone_hash,
                "phone_masked": phone_masked,
                "hukou_place": person["hukou_place"],
                "residence_type": person["residence_type"],
                "grid_id": grid.pk,
                "area_path": grid.path,
                "status": "present",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        first, count = spans.get(grid.code, (next_id, 0))
        spans[grid.code] = (first, count + 1)
        next_id += 1
        if len(rows) >= chunk:
            flush()
    flush()
    move_sequences(Person)
    return spans


# --- Users, departments, memberships (through the services) --------------------------------------


def create_people_of_the_city(
    areas: dict[str, Area], password: str, spans: dict[str, tuple[int, int]]
) -> eventgen.City:
    """Everyone who works on events, created as an administrator would (the system actor)."""
    system = system_actor()
    encoded = make_password(password)  # hashed once, as the demo seed does

    def user(username: str, full_name: str) -> User:
        return account_services.create_user_with_encoded_password(
            actor=system, username=username, full_name=full_name, encoded_password=encoded
        )

    townships: dict[int, eventgen.Township] = {}
    officers: dict[int, int] = {}
    grids: list[eventgen.Grid] = []
    for area in sorted(areas.values(), key=lambda a: a.path):
        if area.level == "township":
            staff = user(f"center-{area.code}", f"{area.name}综治中心")
            account_services.grant_membership(
                staff, actor=system, role=Role.CENTER_STAFF, area=area
            )
            township = eventgen.Township(
                id=area.pk, code=area.code, name=area.name, path=area.path, center_staff_id=staff.pk
            )
            short = area.name.removesuffix("街道").removesuffix("镇")
            for kind, suffix in eventgen.DEPARTMENTS:
                department = account_services.create_department(
                    actor=system, area=area, name=short + suffix, kind=kind
                )
                handler = user(f"dept-{area.code}-{kind}", f"{department.name}承办人")
                account_services.grant_membership(
                    handler, actor=system, role=Role.DEPARTMENT_HANDLER, department=department
                )
                township.departments[kind] = eventgen.Department(
                    id=department.pk, name=department.name, kind=kind, handler_id=handler.pk
                )
            townships[area.pk] = township
        elif area.level == "village":
            officer = user(f"officer-{area.code}", f"{area.name}综治专干")
            account_services.grant_membership(
                officer, actor=system, role=Role.VILLAGE_OFFICER, area=area
            )
            officers[area.pk] = officer.pk
        elif area.level == "grid":
            worker = user(f"worker-{area.code}", f"{area.name}网格员")
            area_services.assign_grid_worker(
                area, actor=system, user=worker, post=Post.FULL_TIME, duties=["information"]
            )
            village = area.parent
            first, count = spans.get(area.code, (0, 0))
            grids.append(
                eventgen.Grid(
                    id=area.pk,
                    code=area.code,
                    name=area.name,
                    path=area.path,
                    township=townships[village.parent_id],
                    worker_id=worker.pk,
                    officer_id=officers[village.pk],
                    first_person_id=first,
                    person_count=count,
                )
            )
    categories = [
        eventgen.CategoryInfo(
            id=c.pk,
            code=c.code,
            name=c.name,
            kind_id=c.kind_id,
            kind_code=c.kind.code,
            sla=(c.sla_value, c.sla_unit),
            urgent_sla=(c.urgent_sla_value, c.urgent_sla_unit or c.sla_unit)
            if c.urgent_sla_value
            else None,
        )
        for c in Category.objects.filter(is_active=True, kind__is_active=True).select_related(
            "kind"
        )
    ]
    assert Department._base_manager.count() == len(townships) * len(eventgen.DEPARTMENTS)
    return eventgen.City(
        townships=list(townships.values()),
        grids=grids,
        categories=categories,
        system_id=system.pk,
    )


# --- Events --------------------------------------------------------------------------------------

TABLES = (
    ("events", Event),
    ("parties", EventParty),
    ("assignments", Assignment),
    ("requests", EventRequest),
    ("supervisions", SupervisionRecord),
    ("entries", TimelineEntry),
)


def load_events(
    generator: eventgen.EventGenerator,
    populations: list[tuple[str, int]],
    *,
    progress: Callable[[str, int, float], None] | None = None,
) -> dict[str, int]:
    """The populations of `generator` by COPY, a transaction per batch. Returns row counts."""
    copiers = {name: Copier(model) for name, model in TABLES}
    counts = dict.fromkeys(copiers, 0)
    started = time.perf_counter()
    for population, count in populations:
        done = 0
        for batch in generator.batches(population, count):
            with transaction.atomic():
                _replica_mode()
                for name, copier in copiers.items():
                    counts[name] += copier.copy(getattr(batch, name))
            done += len(batch)
            if progress:
                progress(population, done, time.perf_counter() - started)
    move_sequences(*(model for _, model in TABLES))
    return counts
