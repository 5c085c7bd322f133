"""The benchmark database and the synthetic city's areas. Import after django.setup()."""

from __future__ import annotations

import psycopg
from psycopg import sql

from gridgov.areas import codes as area_codes
from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped


def fresh_database(url: str, script: str) -> None:
    """Drop and recreate the benchmark database (through the ``postgres`` maintenance database)."""
    name = psycopg.conninfo.conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in name:
        raise SystemExit(
            f"{script} drops and recreates its database; {name!r} does not look like a "
            "benchmark database (its name must contain 'bench'). Set BENCH_DATABASE_URL."
        )
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def create_areas(rows: list[dict[str, str]]) -> dict[str, Area]:
    """The areas of citygen.geography(), in bulk, level by level (parents need their pk)."""
    areas: dict[str, Area] = {}
    with unscoped("benchmark data"):
        for level in ("county", "township", "village", "grid"):
            batch = []
            for row in rows:
                if row["level"] != level:
                    continue
                parent = areas.get(row["parent_code"]) if row["parent_code"] else None
                path = (parent.path if parent else "") + area_codes.path_segment(
                    row["code"], parent.code if parent else None
                )
                batch.append(
                    Area(
                        code=row["code"],
                        name=row["name"],
                        level=level,
                        parent=parent,
                        path=path + "/",
                        grid_kind=row["kind"] if level == "grid" else "",
                    )
                )
            for area in Area._base_manager.bulk_create(batch, batch_size=2000):
                areas[area.code] = area
    return areas
