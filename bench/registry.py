"""The registry at city scale: import speed against a raw COPY, import memory, search latency.

On PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gridgov_bench), in
a database dropped, recreated and migrated at every run (its name must contain "bench"):

1. citygen writes the people and houses of a synthetic city of BENCH_SCALE people (default
   1,000,000; BENCH_SEED, default 0) to a temporary directory as CSV, the way a village exports it;
2. the city's areas are created in bulk (one county, ~100,000 people a township), with a user
   holding a county-level 综治中心工作人员 membership (registry.import);
3. a raw ``COPY`` of people.csv into a plain table of text columns: ``copy_rows_per_s``;
4. houses.csv, then people.csv, through the real import engine
   (`gridgov.registry.imports.run_import`): ``import_rows_per_s`` (people), ``import_vs_copy``,
   and ``import_peak_mb``, the process's peak resident memory during the two imports (the kernel's
   high-water mark, reset just before them, and a sampling thread reading VmRSS);
5. ``VACUUM ANALYZE`` of the database (``vacuum_analyze_s``), what autovacuum does on its own
   soon after such a load: statistics, and the visibility map that index-only scans need;
6. ``id_lookup_p99_ms``: `search_people(actor, id_number)` for 1,000 ID numbers drawn from the
   file (the county user), the results fetched; warm: every query run once before the timed pass,
   the user's jurisdiction computed once (what a request adds for it is printed on its own as
   ``jurisdiction_median_ms``);
7. ``name_search_p99_ms``: `search_people` for a user whose membership is one township (~100,000
   people at full scale): the first page (50 rows) and the count, for 200 queries drawn from the
   people living there, half 2-character fragments of names ("张伟", "嘉鑫"), half pinyin
   initials ("zw", "fjx"); warm in the same way.

Prints one ``name: value`` line per figure, then the limits of the issue, each measured in the
same run, as PASS/FAIL lines: import_vs_copy >= 0.5, import_peak_mb <= 500, id_lookup_p99_ms <= 5,
name_search_p99_ms <= 100 (and every imported row accepted). Exits non-zero on any FAIL.

Run: ``make bench BENCH=registry`` (``BENCH_SCALE=20000`` for a quick run), or
``.venv/bin/python bench/registry.py``. The database is left in place for inspection.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # for bench.registry_support

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridgov_bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings.test")
os.environ["DATABASE_URL"] = DATABASE_URL

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.registry_support import citygen, copy_baseline  # noqa: E402
from bench.shared.database import create_areas, fresh_database  # noqa: E402
from bench.shared.figures import p99, report, say, step  # noqa: E402
from gridgov.accounts.models import Membership, User  # noqa: E402
from gridgov.accounts.roles import Role  # noqa: E402
from gridgov.areas.models import Area  # noqa: E402
from gridgov.core.scoping import forget_jurisdiction, jurisdiction, unscoped  # noqa: E402
from gridgov.registry.selectors import search_people  # noqa: E402
from gridgov.registry.services import name_initials  # noqa: E402

SCALE = int(os.environ.get("BENCH_SCALE", "1000000"))
SEED = int(os.environ.get("BENCH_SEED", "0"))
ID_LOOKUPS = 1000
NAME_QUERIES = 200
PAGE = 50

LIMITS: list[tuple[str, str, float]] = [
    ("import_vs_copy", ">=", 0.5),
    ("import_peak_mb", "<=", 500),
    ("id_lookup_p99_ms", "<=", 5),
    ("name_search_p99_ms", "<=", 100),
]


def vacuum_analyze() -> None:
    """What autovacuum does soon after a bulk load (PostgreSQL 13+ vacuums a table after enough
    inserts, not only after updates): fresh statistics, and the visibility map that lets name
    search read the township's names from an index alone instead of every row."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- The city -------------------------------------------------------------------------------------


def create_user(username: str, area: Area) -> User:
    with unscoped("benchmark data"):
        user = User.objects.create(username=username, full_name=f"压测({area.name})")
        Membership._base_manager.create(
            user=user, role=Role.CENTER_STAFF, area=area, area_path=area.path
        )
    return user


def sample_people(path: Path, township_code: str) -> tuple[list[str], list[str]]:
    """ID numbers of the whole file and names of the township's people, 1 of each a reservoir
    sample (seeded), so the queries are the same at every run of the same city."""
    rng = random.Random(f"bench-registry:{SEED}")
    ids: list[str] = []
    names: list[str] = []
    seen_ids = seen_names = 0
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        name_at, id_at, grid_at = (header.index(h) for h in ("姓名", "公民身份号码", "网格编码"))
        for row in reader:
            seen_ids += 1
            if len(ids) < ID_LOOKUPS:
                ids.append(row[id_at])
            elif (k := rng.randrange(seen_ids)) < ID_LOOKUPS:
                ids[k] = row[id_at]
            if row[grid_at].startswith(township_code):
                seen_names += 1
                if len(names) < NAME_QUERIES:
                    names.append(row[name_at])
                elif (k := rng.randrange(seen_names)) < NAME_QUERIES:
                    names[k] = row[name_at]
    return ids, names


def name_queries(names: list[str]) -> list[str]:
    """Half 2-character fragments of the names (surname + first given character, or the given
    name), half pinyin initials (whole, or the first two letters), shuffled."""
    rng = random.Random(f"bench-registry:{SEED}:queries")
    queries = []
    for n, name in enumerate(names):
        if n % 2 == 0:
            start = rng.randrange(len(name) - 1) if len(name) > 2 else 0
            queries.append(name[start : start + 2])
        else:
            initials = name_initials(name)
            queries.append(initials if rng.random() < 0.5 else initials[:2])
    rng.shuffle(queries)
    return queries


# --- Memory ---------------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakRss:
    """Peak resident memory of this process over a block, in MB.

    The kernel's high-water mark (VmHWM) is reset on entry by writing 5 to /proc/self/clear_refs
    (Linux 4.0+), so that it covers the block only, and a thread samples VmRSS every 10 ms (all
    there is where the reset is refused). getrusage's ru_maxrss is not used: it is the peak of the
    process's whole life, the CSV generation included."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.sampled_kb = 0
        self.hwm_kb: int | None = None
        self.before_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            rss = _status_kb("VmRSS") or 0
            self.sampled_kb = max(self.sampled_kb, rss)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self.before_kb = _status_kb("VmRSS") or 0
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.hwm_reset:
            self.hwm_kb = _status_kb("VmHWM")

    @property
    def peak_mb(self) -> float:
        return max(self.sampled_kb, self.hwm_kb or 0) / 1024

    @property
    def before_mb(self) -> float:
        return self.before_kb / 1024


# --- Steps ----------------------------------------------------------------------------------------


def import_file(
    run_import: Callable[..., Any], kind: str, path: Path, actor: User
) -> tuple[Any, float]:
    started = time.perf_counter()
    outcome = run_import(kind, str(path), filename=path.name, actor=actor, dry_run=False)
    seconds = time.perf_counter() - started
    say(f"import_{kind}_rows", outcome.total)
    say(f"import_{kind}_created", outcome.created)
    say(f"import_{kind}_matched", outcome.matched)
    say(f"import_{kind}_failed", outcome.failed)
    say(f"import_{kind}_s", f"{seconds:.2f}")
    say(f"import_{kind}_rows_per_s", f"{outcome.total / seconds:.0f}")
    return outcome, seconds


def show_errors(kind: str, outcome: Any, count: int = 5) -> None:
    """The first refused rows. Outside the memory measurement: `outcome.errors` loads them all,
    so the job's stored problem rows are read directly when they are there."""
    if not outcome.failed:
        return
    problems = getattr(getattr(outcome, "job", None), "problems", None)
    if problems is not None:
        first = [
            (problem.row, message)
            for problem in problems.filter(level="error").order_by("row")[:count]
            for message in problem.messages[:1]
        ]
    else:
        first = [(row, f"{column}:{text}") for row, column, text in outcome.errors[:count]]
    for row, message in first:
        print(f"  {kind} row {row}: {message}", file=sys.stderr, flush=True)


def timed_queries(queries: list[str], run: Callable[[str], None]) -> list[float]:
    for query in queries:  # warm: plans, buffers, the ORM's caches
        run(query)
    samples = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_import(
    houses_csv: Path, people_csv: Path, actor: User, copy_rows_per_s: float
) -> tuple[dict[str, float], list[str]]:
    """Houses, then people, through the import engine; the figures and what went wrong."""
    if importlib.util.find_spec("gridgov.registry.imports") is None:
        return {}, ["the import engine gridgov.registry.imports does not exist yet"]
    try:
        from gridgov.registry.imports import run_import

        with PeakRss() as memory:
            houses, _ = import_file(run_import, "houses", houses_csv, actor)
            people, seconds = import_file(run_import, "people", people_csv, actor)
    except Exception as error:
        traceback.print_exc()
        return {}, [f"the import raised {type(error).__name__}: {error}"]
    show_errors("houses", houses)
    show_errors("people", people)
    figures = {
        "import_rows_per_s": people.total / seconds,
        "import_vs_copy": people.total / seconds / copy_rows_per_s,
        "import_peak_mb": memory.peak_mb,
    }
    say("import_rows_per_s", f"{figures['import_rows_per_s']:.0f}")
    say("import_vs_copy", f"{figures['import_vs_copy']:.3f}")
    say("import_rss_before_mb", f"{memory.before_mb:.1f}")
    say("import_peak_mb", f"{memory.peak_mb:.1f}")
    say("import_peak_source", "VmHWM and VmRSS samples" if memory.hwm_reset else "VmRSS samples")
    failures = [
        f"{outcome.failed} of {outcome.total} {kind} rows refused"
        for kind, outcome in (("houses", houses), ("people", people))
        if outcome.failed
    ]
    return figures, failures


def measure_id_lookups(actor: User, ids: list[str]) -> tuple[dict[str, float], list[str]]:
    def lookup(id_number: str) -> None:
        list(search_people(actor, id_number)[:PAGE])

    samples = timed_queries(ids, lookup)
    figures = {"id_lookup_p99_ms": p99(samples)}
    say("id_lookups", len(samples))
    say("id_lookup_median_ms", f"{statistics.median(samples):.2f}")
    say("id_lookup_p99_ms", f"{figures['id_lookup_p99_ms']:.2f}")
    found = sum(search_people(actor, id_number).exists() for id_number in ids)
    say("id_lookup_found", found)
    return figures, [] if found == len(ids) else [f"only {found} of {len(ids)} IDs found"]


def measure_name_search(actor: User, queries: list[str]) -> dict[str, float]:
    hits: dict[str, int] = {}

    def search(query: str) -> None:
        people = search_people(actor, query)
        list(people[:PAGE])
        hits[query] = people.count()

    samples = timed_queries(queries, search)
    figures = {"name_search_p99_ms": p99(samples)}
    say("name_searches", len(samples))
    say("name_search_median_hits", statistics.median(hits.values()))
    say("name_search_median_ms", f"{statistics.median(samples):.2f}")
    say("name_search_p99_ms", f"{figures['name_search_p99_ms']:.2f}")
    slowest = sorted(zip(samples, queries, strict=True), reverse=True)[:3]
    say("name_search_slowest", ", ".join(f"{q} {ms:.1f} ms ({hits[q]} hits)" for ms, q in slowest))
    return figures


def measure_jurisdiction(actor: User) -> None:
    """What a request adds to the searches above (their actor's jurisdiction is computed once)."""

    def compute(_: str) -> None:
        forget_jurisdiction(actor)
        jurisdiction(actor)

    samples = timed_queries([""] * 200, compute)
    say("jurisdiction_median_ms", f"{statistics.median(samples):.2f}")


def main() -> int:
    if connection.vendor != "postgresql":
        print(f"bench/registry.py needs PostgreSQL, not {connection.vendor}.", file=sys.stderr)
        return 2
    if settings.DEBUG:
        print("warning: DEBUG is on: every query is kept in memory", file=sys.stderr)
    layout = citygen.Layout.for_scale(SCALE)
    say("database", f"{connection.vendor} {connection.settings_dict['NAME']}")
    say("scale", SCALE)
    say(
        "layout",
        f"{layout.townships} townships x {layout.villages_per_township} villages x "
        f"{layout.grids_per_village} grids",
    )
    figures: dict[str, float] = {}
    failures: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="gridgov-bench-registry-"))
    try:
        people_csv, houses_csv = workdir / "people.csv", workdir / "houses.csv"
        with step("citygen"):
            say("citygen_people_rows", citygen.write_people_csv(people_csv, SCALE, SEED))
            say("citygen_houses_rows", citygen.write_houses_csv(houses_csv, SCALE, SEED))
        say("people_csv_mb", f"{people_csv.stat().st_size / 1e6:.1f}")

        try:
            fresh_database(DATABASE_URL, "bench/registry.py")
        except psycopg.OperationalError as error:
            print(f"PostgreSQL unreachable at {DATABASE_URL}: {error}", file=sys.stderr)
            return 2
        with step("migrate"):
            call_command("migrate", verbosity=0)
        with step("areas"):
            areas = create_areas(citygen.geography(SCALE, layout))
        say("areas", len(areas))
        county = next(a for a in areas.values() if a.level == "county")
        township = min((a for a in areas.values() if a.level == "township"), key=lambda a: a.code)
        county_user = create_user("bench-county", county)
        township_user = create_user("bench-township", township)
        ids, names = sample_people(people_csv, township.code)
        say("name_search_township", f"{township.code} {township.name}")

        copied = copy_baseline.measure_copy(people_csv, DATABASE_URL)
        say("copy_rows", copied.rows)
        say("copy_s", f"{copied.seconds:.2f}")
        say("copy_rows_per_s", f"{copied.rows_per_s:.0f}")

        measured, failed = measure_import(houses_csv, people_csv, county_user, copied.rows_per_s)
        figures |= measured
        failures += failed
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if measured:  # searching a half-imported registry would measure nothing useful
        with step("vacuum_analyze"):
            vacuum_analyze()
        measured, failed = measure_id_lookups(county_user, ids)
        figures |= measured
        failures += failed
        figures |= measure_name_search(township_user, name_queries(names))
        measure_jurisdiction(township_user)
    say("process_peak_rss_mb", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
    return report(LIMITS, figures, failures)


if __name__ == "__main__":
    sys.exit(main())
