"""How much the jurisdiction layer costs on a city-sized area tree.

Builds 10 counties × 15 townships × 20 villages × 10 grids (33,161 areas) in a throw-away SQLite
database (or BENCH_DATABASE_URL), gives one user a township membership, then times a grid list page
query (first 50 rows plus the count) two ways:

  scoped    Area.objects.for_user(user, "areas.view") with the user's jurisdiction computed afresh,
            as each request does;
  by hand   the same ORM query with the path range written by hand (what scoping replaces).

Raw SQL is printed for scale. The limit is measured in the same run: scoping may cost at most
1.5× the by-hand query plus 1 ms (one membership look-up per request), and the plan must use the
(level, path) index: a range search, not a scan and no sort.
Run: `make bench` (or .venv/bin/python bench/scoping.py).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings.test")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from gridgov.accounts.models import Membership, User  # noqa: E402
from gridgov.areas.models import Area  # noqa: E402
from gridgov.core.scoping import forget_jurisdiction, jurisdiction, unscoped  # noqa: E402

COUNTIES, TOWNSHIPS, VILLAGES, GRIDS = 10, 15, 20, 10
REPEAT = 200


def build() -> tuple[User, Area]:
    call_command("migrate", verbosity=0)
    rows: list[Area] = []

    def add(code: str, level: str, path: str, kind: str = "") -> None:
        rows.append(Area(code=code, name=code, level=level, path=path, grid_kind=kind))

    add("3302", "city", "3302/")
    for c in range(1, COUNTIES + 1):
        county = f"3302{c:02d}"
        cpath = f"3302/{c:02d}/"
        add(county, "county", cpath)
        for t in range(100, 100 + TOWNSHIPS):
            township, tpath = f"{county}{t:03d}", f"{cpath}{t:03d}/"
            add(township, "township", tpath)
            for v in range(201, 201 + VILLAGES):
                village, vpath = f"{township}{v:03d}", f"{tpath}{v:03d}/"
                add(village, "village", vpath)
                for g in range(1, GRIDS + 1):
                    add(f"{village}{g:03d}", "grid", f"{vpath}{g:03d}/", "real")
    with unscoped("benchmark data"):
        Area._base_manager.bulk_create(rows, batch_size=5000)
        township = Area._base_manager.get(code="330205107")
        user = User.objects.create(username="bench", full_name="压测")
        Membership._base_manager.create(
            user=user, role="center_staff", area=township, area_path=township.path
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum (PostgreSQL) or PRAGMA optimize would do
    return user, township


def timed(fn) -> float:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    user, township = build()
    total = Area._base_manager.count()

    def scoped() -> None:
        forget_jurisdiction(user)
        qs = Area.objects.for_user(user, "areas.view").filter(level="grid").order_by("path")
        list(qs[:50])
        qs.count()

    low, high = township.path, township.path + "~"
    rows_sql = (
        "SELECT id, code, name, path FROM areas_area WHERE path >= %s AND path < %s "
        "AND level = 'grid' ORDER BY path LIMIT 50"
    )
    count_sql = "SELECT COUNT(*) FROM areas_area WHERE path >= %s AND path < %s AND level = 'grid'"

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(rows_sql, [low, high])
            cursor.fetchall()
            cursor.execute(count_sql, [low, high])
            cursor.fetchone()

    def baseline() -> None:
        with unscoped("benchmark baseline"):
            qs = Area.objects.filter(level="grid", path__gte=low, path__lt=high).order_by("path")
            list(qs[:50])
            qs.count()

    def grants_only() -> None:
        forget_jurisdiction(user)
        jurisdiction(user)

    scoped()  # warm caches
    baseline()
    scoped_ms, baseline_ms, raw_ms = timed(scoped), timed(baseline), timed(raw)
    grants_ms = timed(grants_only)
    limit_ms = 1.5 * baseline_ms + 1.0
    sql, params = (
        Area.objects.for_user(user, "areas.view").filter(level="grid").order_by("path")[:50]
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
    uses_index = "area_level_path" in plan or ("Index Cond" in plan and "path" in plan)
    print(
        f"database: {connection.vendor}, areas: {total}, grids in the township: {GRIDS * VILLAGES}"
    )
    print(f"scoped list+count (median of {REPEAT}): {scoped_ms:.2f} ms")
    print(f"same ORM query, path filter by hand (median): {baseline_ms:.2f} ms")
    print(f"raw SQL, no ORM (median, for scale): {raw_ms:.2f} ms")
    print(f"of which computing the jurisdiction (median): {grants_ms:.2f} ms")
    verdict = "OK" if scoped_ms <= limit_ms else "OVER"
    print(f"limit (1.5 x by-hand + 1 ms): {limit_ms:.2f} ms -> {verdict}")
    print(f"plan: {plan}")
    print(f"path index used: {'yes' if uses_index else 'NO'}")
    return 0 if scoped_ms <= limit_ms and uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
