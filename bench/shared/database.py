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


def _maintenance(url: str) -> psycopg.Connection:
    return psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10)


def _name(url: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(url).get("dbname") or ""


def keep_loaded_copy(url: str) -> None:
    """Keep the freshly loaded database as ``<name>_loaded`` (a file-level copy), so that a later
    run with BENCH_REUSE=1 starts from the same data without loading it again."""
    name = _name(url)
    with _maintenance(url) as conn:
        loaded = sql.Identifier(name + "_loaded")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(loaded))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(loaded, sql.Identifier(name)))


def restore_loaded_copy(url: str) -> bool:
    """Replace the benchmark database by its kept loaded copy; False when there is none."""
    name = _name(url)
    with _maintenance(url) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name + "_loaded"]
        ).fetchone()
        if not found:
            return False
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                ident, sql.Identifier(name + "_loaded")
            )
        )
    return True
