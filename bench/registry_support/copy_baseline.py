"""The yardstick of the registry import: a raw PostgreSQL COPY of the same CSV into a plain table.

The issue asks the validated, encrypted import to reach at least half the rows per second of a
raw ``COPY ... FROM STDIN WITH CSV HEADER`` of the same rows into a plain table of text columns,
measured in the same run. This script measures that COPY on its own; the registry benchmark
(bench/registry.py) calls ``measure_copy`` the same way.

    .venv/bin/python bench/registry_support/copy_baseline.py             # BENCH_SCALE people
    .venv/bin/python bench/registry_support/copy_baseline.py people.csv  # or a CSV you have

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gridgov_bench; the
database is created through the ``postgres`` maintenance database when missing), BENCH_SCALE
(default 1000000), BENCH_SEED (default 0), BENCH_CSV_ENCODING (utf-8 or gbk, default utf-8).

The table is a plain logged table (like the registry's), one ``text`` column per CSV header,
created before the clock starts and dropped afterwards; the time covers the COPY and its commit.
A generated CSV is written to a temporary directory and removed at the end.

Prints one ``name: value`` line per figure: copy_rows, copy_s, copy_rows_per_s, copy_mb_per_s,
copy_peak_rss_mb (this process's peak resident memory, from getrusage), and when it generated
the CSV, citygen_people_rows, citygen_people_s, citygen_people_rows_per_s.
"""

from __future__ import annotations

import codecs
import csv
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.registry_support import citygen  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridgov_bench"
CHUNK = 1 << 20
_PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gbk": "GBK", "gb18030": "GB18030"}


@dataclass(frozen=True)
class CopyResult:
    rows: int
    seconds: float
    bytes: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def ensure_database(url: str) -> None:
    """Create the database of ``url`` through the ``postgres`` maintenance database if missing."""
    name = psycopg.conninfo.conninfo_to_dict(url).get("dbname")
    if not name:
        return
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def read_header(path: str | os.PathLike[str], encoding: str = "utf-8") -> list[str]:
    with open(path, encoding=encoding, newline="") as f:
        return next(csv.reader(f))


def measure_copy(
    path: str | os.PathLike[str],
    url: str | None = None,
    *,
    encoding: str = "utf-8",
    table: str | None = None,
) -> CopyResult:
    """COPY the CSV at ``path`` into a fresh plain table of text columns; time COPY + commit.

    The table (default ``bench_copy_<pid>``) is dropped afterwards, whatever happens.
    """
    url = url or database_url()
    ensure_database(url)
    header = read_header(path, encoding)
    table = table or f"bench_copy_{os.getpid()}"
    ident = sql.Identifier(table)
    columns = sql.SQL(", ").join(sql.Identifier(h) for h in header)
    create = sql.SQL("CREATE TABLE {} ({})").format(
        ident, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(h)) for h in header)
    )
    copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING {})").format(
        ident, columns, sql.Literal(_PG_ENCODINGS.get(codecs.lookup(encoding).name, "UTF8"))
    )
    size = Path(path).stat().st_size
    with psycopg.connect(url, connect_timeout=10) as conn:
        try:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
            conn.execute(create)
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur, open(path, "rb") as f:
                with cur.copy(copy) as pipe:
                    while data := f.read(CHUNK):
                        pipe.write(data)
                rows = cur.rowcount
            conn.commit()
            seconds = time.perf_counter() - started
            counted = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(ident)).fetchone()
            if counted is None or counted[0] != rows:
                raise RuntimeError(f"COPY reported {rows} rows but the table holds {counted}")
        finally:
            if not conn.closed:
                conn.rollback()
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
                conn.commit()
    return CopyResult(rows=rows, seconds=seconds, bytes=size)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    encoding = os.environ.get("BENCH_CSV_ENCODING", "utf-8")
    workdir: Path | None = None
    if len(argv) > 1:
        path = Path(argv[1])
    else:
        scale = int(os.environ.get("BENCH_SCALE", "1000000"))
        seed = int(os.environ.get("BENCH_SEED", "0"))
        workdir = Path(tempfile.mkdtemp(prefix="gridgov-copy-"))
        path = workdir / "people.csv"
        started = time.perf_counter()
        generated = citygen.write_people_csv(path, scale, seed, encoding=encoding)
        seconds = time.perf_counter() - started
        print(f"citygen_people_rows: {generated}")
        print(f"citygen_people_s: {seconds:.2f}")
        print(f"citygen_people_rows_per_s: {generated / seconds:.0f}")
        print(f"citygen_people_csv_mb: {path.stat().st_size / 1e6:.1f}")
    try:
        result = measure_copy(path, encoding=encoding)
    except psycopg.OperationalError as error:
        print(
            f"copy_baseline: PostgreSQL unreachable at {database_url()}: {error}", file=sys.stderr
        )
        return 1
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"copy_rows: {result.rows}")
    print(f"copy_s: {result.seconds:.2f}")
    print(f"copy_rows_per_s: {result.rows_per_s:.0f}")
    print(f"copy_mb_per_s: {result.bytes / 1e6 / result.seconds:.1f}")
    print(f"copy_peak_rss_mb: {peak_rss_mb():.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
