"""The event hub at city scale: intake through the API, the center's pages under that load, and
the deadline sweep over the open events.

On PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gridgov_events_bench;
dropped, recreated and migrated at every run, its name must contain "bench"):

1. Load (setup, not measured; `bench/events_support/loaders.py`): the synthetic city of
   bench/registry_support/citygen.py (BENCH_SCALE people, default 1,000,000; BENCH_SEED), its
   areas in bulk and its people by COPY; through the services, per township a 综治中心工作人员
   and six departments with a 承办人 each, per village a 综治专干, per grid a 专职网格员; then by
   COPY the events (`bench/events_support/eventgen.py`) with their timeline, assignments,
   requests, supervision records and involved persons, as the services would have written them:
   BENCH_EVENTS (default 500,000) open events whose clock runs (待签收, 办理中, 待核查: the
   population of the deadline sweep), 5% more open ones waiting at the centers or suspended
   (待受理, 待派遣, 挂账), and BENCH_CLOSED (default as many) closed cases of the past year; then
   ``VACUUM ANALYZE``, what autovacuum does soon after such a load.
2. Serve: gunicorn (`gridgov.wsgi`, production settings, BENCH_GUNICORN_WORKERS x
   BENCH_GUNICORN_THREADS, default 4 x 2 gthread) on a free local port; the first township's
   center staff user signs in through the login page; BENCH_INTAKE_WORKERS grid workers (default
   16, spread over the city) get API tokens from /api/auth/token/.
3. First the center staff user's browsing alone for BENCH_BASELINE seconds (default 20; 0 skips
   it): ``*_alone_*`` figures, what the pages cost without intake. Then, for BENCH_DURATION
   seconds (default 60, after BENCH_WARMUP, default 10) two load processes at once
   (`bench/events_support/load.py`): BENCH_INTAKE_CLIENTS threads (default 8)
   POST /api/events/ as the grid workers, each time with a fresh client_id, as fast as answered
   (or at BENCH_INTAKE_RATE a second when set); the center staff user's browser opens
   /events/queue/ and /events/<id>/ (ids of the township's events, open and closed), two threads
   each with 0.2 s between requests. ``event_intake_per_s``: 201 answers completed inside the
   window per second; ``queue_page_p99_ms``, ``event_page_p99_ms``: nearest-rank p99 of the
   pages requested inside the window. The app keeps its database connections
   (``conn_max_age``, BENCH_CONN_MAX_AGE, default 60 s; 0 opens one per request).
4. ``overdue_sweep_s``: gunicorn stopped, `gridgov.events.services.sweep_deadlines(now=...)`
   in this process, with ``now`` BENCH_SWEEP_AHEAD_HOURS (default 72) after the load's reference
   time: about half of the open clock-running events are then newly past their deadline (red),
   more are near it (yellow), and the longest overdue get the automatic 督办 (the function
   escalates at most 5,000 a run).

Prints one ``name: value`` line per figure, then the limits of the issue as PASS/FAIL lines:
event_intake_per_s >= 300, queue_page_p99_ms <= 150, event_page_p99_ms <= 150, overdue_sweep_s
<= 10, and no failed request. Exits non-zero on any FAIL.

Run: ``make bench BENCH=events`` (``BENCH_SCALE=20000 BENCH_EVENTS=20000`` for a quick run), or
``.venv/bin/python bench/events.py``. The database is left in place for inspection, and a copy of
it as loaded is kept as ``<name>_loaded``: with BENCH_REUSE=1 a later run starts from that copy
instead of loading again (BENCH_SCALE and BENCH_EVENTS are then those of the copy).
BENCH_ONLY=load or BENCH_ONLY=sweep measures only that part.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # for bench.events_support, bench.registry_support

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridgov_events_bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
WORKDIR = Path(tempfile.mkdtemp(prefix="gridgov-bench-events-"))


def _production_environment() -> dict[str, str]:
    """What gridgov.settings.production requires, made up for this run (and shared with
    gunicorn, so that both decrypt the same data)."""
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "gridgov.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DATABASE_URL,
        "GRIDGOV_FIELD_KEYS": Fernet.generate_key().decode(),
        "GRIDGOV_HASH_KEYS": secrets.token_urlsafe(32),
        "GRIDGOV_VAR_DIR": str(WORKDIR / "var"),
        "TASKS_BACKEND": "db",
    }


PRODUCTION_ENV = _production_environment()
os.environ.update(PRODUCTION_ENV)

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.events_support import eventgen, loaders, server  # noqa: E402
from bench.registry_support import citygen  # noqa: E402
from bench.shared.database import (  # noqa: E402
    create_areas,
    fresh_database,
    keep_loaded_copy,
    restore_loaded_copy,
)
from bench.shared.figures import p99, report, say, step  # noqa: E402
from gridgov.events import services  # noqa: E402
from gridgov.events.choices import CLOCK_STATES, OPEN_STATES  # noqa: E402
from gridgov.events.demo import SAMPLES  # noqa: E402
from gridgov.events.models import Category, Event  # noqa: E402

SCALE = int(os.environ.get("BENCH_SCALE", "1000000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "500000"))
CLOSED = int(os.environ.get("BENCH_CLOSED", str(EVENTS)))
WAITING = int(os.environ.get("BENCH_WAITING", str(EVENTS // 20)))
SEED = int(os.environ.get("BENCH_SEED", "0"))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "10"))
INTAKE_CLIENTS = int(os.environ.get("BENCH_INTAKE_CLIENTS", "8"))
INTAKE_RATE = float(os.environ.get("BENCH_INTAKE_RATE", "0"))
INTAKE_WORKERS = int(os.environ.get("BENCH_INTAKE_WORKERS", "16"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "2"))
# Persistent database connections in the app (seconds; 0: one connection per request).
CONN_MAX_AGE = int(os.environ.get("BENCH_CONN_MAX_AGE", "60"))
SWEEP_AHEAD = dt.timedelta(hours=float(os.environ.get("BENCH_SWEEP_AHEAD_HOURS", "72")))
PAGE_THINK = 0.2
REUSE = os.environ.get("BENCH_REUSE") == "1"
ONLY = os.environ.get("BENCH_ONLY", "")
# Seconds of the same browsing without intake first (0: none): what the pages cost on their own.
BASELINE = float(os.environ.get("BENCH_BASELINE", "20"))

LIMITS: list[tuple[str, str, float]] = [
    ("event_intake_per_s", ">=", 300),
    ("queue_page_p99_ms", "<=", 150),
    ("event_page_p99_ms", "<=", 150),
    ("overdue_sweep_s", "<=", 10),
]


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# --- Load -----------------------------------------------------------------------------------------


def load(now: dt.datetime) -> eventgen.City:
    layout = citygen.Layout.for_scale(SCALE)
    say(
        "layout",
        f"{layout.townships} townships x {layout.villages_per_township} villages x "
        f"{layout.grids_per_village} grids",
    )
    with step("migrate"):
        call_command("migrate", verbosity=0)
    with step("collectstatic"):
        collectstatic()
    with step("load_areas"):
        areas = create_areas(citygen.geography(SCALE, layout))
    say("areas", len(areas))
    with step("load_people"):
        spans = loaders.load_people(SCALE, SEED, layout, areas, now=now)
    say("people", sum(count for _, count in spans.values()))
    with step("create_users"):
        city = loaders.create_people_of_the_city(areas, PASSWORD, spans)
    say("users", f"{len(city.townships)} centers, {len(city.grids)} grid workers, departments x6")
    generator = eventgen.EventGenerator(city, seed=SEED, now=now)

    def progress(population: str, done: int, seconds: float) -> None:
        if done % 100_000 == 0:
            print(f"  {population}: {done} events ({seconds:.0f} s)", file=sys.stderr, flush=True)

    with step("load_events"):
        counts = loaders.load_events(
            generator,
            [("closed", CLOSED), ("clock", EVENTS), ("waiting", WAITING)],
            progress=progress,
        )
    for table, count in counts.items():
        say(f"loaded_{table}", count)
    say("loaded_states", ", ".join(f"{s} {n}" for s, n in sorted(generator.counts.items())))
    check_loaded(now)
    with step("vacuum_analyze"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        say("database_size", cursor.fetchone()[0])
    return city


PASSWORD = secrets.token_urlsafe(12) + "-Aa1"


def remember_load(now: dt.datetime) -> None:
    """Keep the load's reference time in the database, for a run that reuses it."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (loaded_at timestamptz NOT NULL)")
        cursor.execute("INSERT INTO bench_meta VALUES (%s)", [now])


def reused_city() -> tuple[eventgen.City, dt.datetime]:
    """The city of a kept copy, as far as the measurements need it; every bench user gets this
    run's password (one UPDATE: the hash is computed once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from gridgov.areas.models import Area
    from gridgov.core.scoping import unscoped

    with connection.cursor() as cursor:
        cursor.execute("SELECT loaded_at FROM bench_meta")
        (now,) = cursor.fetchone()
    call_command("migrate", verbosity=0)
    collectstatic()
    get_user_model()._base_manager.exclude(username="system").update(
        password=make_password(PASSWORD)
    )
    with unscoped("benchmark data"):
        areas = list(Area._base_manager.filter(level__in=("township", "grid")).order_by("path"))
    townships = {
        a.pk: eventgen.Township(id=a.pk, code=a.code, name=a.name, path=a.path, center_staff_id=0)
        for a in areas
        if a.level == "township"
    }
    by_path = {t.path: t for t in townships.values()}
    grids = [
        eventgen.Grid(
            id=a.pk,
            code=a.code,
            name=a.name,
            path=a.path,
            township=next(t for p, t in by_path.items() if a.path.startswith(p)),
            worker_id=0,
            officer_id=0,
        )
        for a in areas
        if a.level == "grid"
    ]
    say("reused", f"the copy loaded at {now:%Y-%m-%d %H:%M}")
    return eventgen.City(list(townships.values()), grids, [], 0), now


def check_loaded(now: dt.datetime) -> None:
    """The loaded events are what the services and the sweep would have left at `now`: nothing
    in the future, no flag or escalation the sweep still owes, deadlines as workcalendar computes
    them (a sample)."""
    from gridgov.core import workcalendar

    grace = dt.timedelta(hours=getattr(settings, "GRIDGOV_EVENT_ESCALATE_AFTER_HOURS", 24))
    events = Event._base_manager
    clock = events.filter(state__in=CLOCK_STATES)
    problems = {
        "in the future": events.filter(updated_at__gt=now).count(),
        "owed a red flag": clock.filter(overdue=False, deadline__lte=now).count(),
        "owed a yellow flag": clock.filter(warned=False, warn_at__lte=now).count(),
        "owed an escalation": clock.filter(
            overdue=True, overdue_escalated=False, deadline__lte=now - grace
        ).count(),
    }
    sample = events.filter(dispatched_at__isnull=False).order_by("?")[:200]
    problems["deadline not as computed"] = sum(
        e.deadline != workcalendar.add_duration(e.dispatched_at, e.sla_value, e.sla_unit)
        for e in sample
    )
    wrong = {what: n for what, n in problems.items() if n}
    say("loaded_consistency", wrong or "ok")
    if wrong:
        raise SystemExit(f"the loaded events are inconsistent: {wrong}")


def collectstatic() -> None:
    """`collectstatic` as production runs it. The manifest storage refuses leaflet.js, whose last
    line names leaflet.js.map, and the Makefile copies leaflet.js without its map: the map comes
    from node_modules here (or an empty one), in an extra static directory for this run only."""
    from django.test import override_settings

    extra = WORKDIR / "static-extra"
    target = extra / "vendor" / "leaflet" / "leaflet.js.map"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js.map"
    vendored = ROOT / "src" / "gridgov" / "static" / "vendor" / "leaflet" / "leaflet.js.map"
    if not vendored.exists():
        say("note", "vendor/leaflet/leaflet.js.map missing (Makefile): supplied for collectstatic")
        if source.exists():
            shutil.copyfile(source, target)
        else:
            target.write_text("{}")
    with override_settings(STATICFILES_DIRS=[*settings.STATICFILES_DIRS, extra]):
        call_command("collectstatic", verbosity=0, interactive=False)


# --- Measure --------------------------------------------------------------------------------------


def event_sample(center_path: str, count: int = 1000) -> list[int]:
    """Ids of the township's events, open and closed, as its center staff open them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM events_event WHERE center_path = %s ORDER BY random() LIMIT %s",
            [center_path, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def run_load(
    configs: list[dict[str, Any]], *, warmup: float = WARMUP, duration: float = DURATION
) -> list[dict[str, Any]]:
    start_at = time.time() + 3
    script = ROOT / "bench" / "events_support" / "load.py"
    processes = []
    for config in configs:
        config = {**config, "start_at": start_at, "warmup": warmup, "duration": duration}
        process = subprocess.Popen(  # noqa: S603 (this interpreter, our own script)
            [sys.executable, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        process.stdin.write(json.dumps(config).encode())
        process.stdin.close()
        processes.append(process)
    results = []
    for process in processes:
        output = process.stdout.read()
        if process.wait() != 0:
            raise RuntimeError("a load process failed")
        results.append(json.loads(output))
    return results


def measure_load(city: eventgen.City) -> tuple[dict[str, float], list[str]]:
    env = {**os.environ, **PRODUCTION_ENV}
    separator = "&" if "?" in DATABASE_URL else "?"
    env["DATABASE_URL"] = f"{DATABASE_URL}{separator}conn_max_age={CONN_MAX_AGE}"
    port = server.free_port()
    app = server.Gunicorn(
        env=env,
        port=port,
        workers=GUNICORN_WORKERS,
        threads=GUNICORN_THREADS,
        log_path=WORKDIR / "gunicorn.log",
    )
    say(
        "gunicorn",
        f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads "
        f"({'gthread' if GUNICORN_THREADS > 1 else 'sync'}), production settings, "
        f"conn_max_age={CONN_MAX_AGE}",
    )
    township = min(city.townships, key=lambda t: t.code)
    step_grid = max(1, len(city.grids) // INTAKE_WORKERS)
    intake_grids = city.grids[::step_grid][:INTAKE_WORKERS]
    categories = list(
        Category.objects.filter(is_active=True, kind__is_active=True).values_list("pk", flat=True)
    )
    event_ids = event_sample(township.path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM events_event WHERE center_path = %s AND state IN "
            "('reported', 'accepted')",
            [township.path],
        )
        say("queue_township", f"{township.code} {township.name}")
        say("queue_waiting_before", cursor.fetchone()[0])
    app.start()
    try:
        session = server.login(port, f"center-{township.code}", PASSWORD)
        workers = [
            {"token": server.api_token(port, f"worker-{g.code}", PASSWORD), "grid": g.id}
            for g in intake_grids
        ]
        say("intake_workers", f"{len(workers)} grid workers in {len(intake_grids)} grids")
        browsing = {
            "mode": "pages",
            "port": port,
            "session": session,
            "queue_threads": 2,
            "event_threads": 2,
            "event_ids": event_ids,
            "think": PAGE_THINK,
            "seed": SEED,
        }
        if BASELINE:
            (alone,) = run_load([browsing], warmup=3, duration=BASELINE)
            page_latencies(alone["records"], 3, 3 + BASELINE, suffix="_alone")
        say("machine_load_avg_1m", f"{os.getloadavg()[0]:.1f}")
        busy_before = cpu_busy()
        intake, pages = run_load(
            [
                {
                    "mode": "intake",
                    "port": port,
                    "clients": INTAKE_CLIENTS,
                    "rate": INTAKE_RATE,
                    "workers": workers,
                    "categories": categories,
                    "texts": [[title, description] for _, title, description in SAMPLES],
                    "seed": SEED,
                },
                browsing,
            ]
        )
        busy_after = cpu_busy()
    finally:
        app.stop()
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    say("machine_cpu_busy_during_load", f"{busy:.0%}")
    return summarize(intake, pages)


def summarize(intake: dict[str, Any], pages: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    end = WARMUP + DURATION
    inside = [r for r in intake["records"] + pages["records"] if WARMUP <= r[1] < end]
    figures: dict[str, float] = {}
    failures: list[str] = []

    created = [r for r in intake["records"] if r[3] == 201 and WARMUP <= r[1] + r[2] <= end]
    figures["event_intake_per_s"] = len(created) / DURATION
    say("event_intake_per_s", f"{figures['event_intake_per_s']:.1f}")
    windows = Counter(int((r[1] + r[2] - WARMUP) // 10) for r in created)
    say(
        "event_intake_per_s_by_10s",
        " ".join(f"{windows.get(w, 0) / 10:.0f}" for w in range(int(DURATION // 10))),
    )
    posted = [r for r in inside if r[0] == "intake"]
    if posted:
        latencies = [r[2] * 1000 for r in posted]
        say("intake_requests", len(posted))
        say("intake_median_ms", f"{statistics.median(latencies):.0f}")
        say("intake_p99_ms", f"{p99(latencies):.0f}")
    page_figures = page_latencies(pages["records"], WARMUP, end)
    figures |= page_figures
    failures += [
        f"no {name} request in the window"
        for name in ("queue_page", "event_page")
        if f"{name}_p99_ms" not in page_figures
    ]
    statuses = Counter((r[0], r[3]) for r in inside)
    say("statuses", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(statuses.items())))
    bad = {k: n for k, n in statuses.items() if k[1] not in (200, 201)}
    if bad:
        failures.append(f"{sum(bad.values())} requests failed: {bad}")
    for line in (intake["errors"] + pages["errors"])[:5]:
        print(f"  {line}", file=sys.stderr)
    return figures, failures


def page_latencies(
    records: list[list[Any]], start: float, end: float, *, suffix: str = ""
) -> dict[str, float]:
    figures = {}
    for kind, name in (("queue", "queue_page"), ("event", "event_page")):
        latencies = [r[2] * 1000 for r in records if r[0] == kind and start <= r[1] < end]
        if not latencies:
            continue
        figures[f"{name}_p99_ms"] = p99(latencies)
        say(f"{name}{suffix}_requests", len(latencies))
        say(f"{name}{suffix}_median_ms", f"{statistics.median(latencies):.0f}")
        say(f"{name}{suffix}_p99_ms", f"{p99(latencies):.0f}")
        say(f"{name}{suffix}_max_ms", f"{max(latencies):.0f}")
    return figures


def measure_sweep(now: dt.datetime) -> tuple[dict[str, float], list[str]]:
    open_events = Event._base_manager.filter(state__in=OPEN_STATES).count()
    clock_events = Event._base_manager.filter(state__in=CLOCK_STATES).count()
    at = now + SWEEP_AHEAD
    due = Event._base_manager.filter(
        state__in=CLOCK_STATES, overdue=False, deadline__lte=at
    ).count()
    say("sweep_open_events", open_events)
    say("sweep_clock_events", clock_events)
    say("sweep_now", f"load time + {SWEEP_AHEAD.total_seconds() / 3600:g} h")
    say("sweep_newly_overdue_expected", due)
    started = time.perf_counter()
    result = services.sweep_deadlines(now=at)
    seconds = time.perf_counter() - started
    for name, count in result.items():
        say(f"sweep_{name}", count)
    say("overdue_sweep_s", f"{seconds:.2f}")
    failures = [] if result["overdue"] == due else [f"sweep marked {result['overdue']} of {due}"]
    # The next periodic run, SWEEP_INTERVAL_MINUTES later: what a sweep costs in steady state
    # over the same open events (only the deadlines of those minutes are new).
    later = at + dt.timedelta(minutes=settings.SWEEP_INTERVAL_MINUTES)
    started = time.perf_counter()
    result = services.sweep_deadlines(now=later)
    say("sweep_next_run", ", ".join(f"{name} {count}" for name, count in result.items()))
    say("overdue_sweep_next_run_s", f"{time.perf_counter() - started:.2f}")
    return {"overdue_sweep_s": seconds}, failures


def quiet_logs() -> None:
    """This process's log lines (a notification line per notice, scope bypasses of the system
    actor) go to a file in the work directory, not between the figures."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(WORKDIR / "bench.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)


def main() -> int:
    if connection.vendor != "postgresql":
        print(f"bench/events.py needs PostgreSQL, not {connection.vendor}.", file=sys.stderr)
        return 2
    quiet_logs()
    say("database", f"{connection.vendor} {connection.settings_dict['NAME']}")
    say("settings", f"{os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG})")
    say("scale", SCALE)
    say("events", f"{EVENTS} open with a running clock, {WAITING} open waiting, {CLOSED} closed")
    try:
        reusing = REUSE and restore_loaded_copy(DATABASE_URL)
        if not reusing:
            fresh_database(DATABASE_URL, "bench/events.py")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL unreachable at {DATABASE_URL}: {error}", file=sys.stderr)
        return 2
    figures: dict[str, float] = {}
    failures: list[str] = []
    limits = [limit for limit in LIMITS if ONLY != "sweep" or limit[0] == "overdue_sweep_s"]
    if ONLY == "load":
        limits = [limit for limit in LIMITS if limit[0] != "overdue_sweep_s"]
    try:
        if reusing:
            city, now = reused_city()
        else:
            now = timezone.now().replace(microsecond=0)
            city = load(now)
            remember_load(now)
            connection.close()
            with step("keep_loaded_copy"):
                keep_loaded_copy(DATABASE_URL)
        if ONLY != "sweep":
            measured, failed = measure_load(city)
            figures |= measured
            failures += failed
            connection.close()
        if ONLY != "load":
            measured, failed = measure_sweep(now)
            figures |= measured
            failures += failed
    finally:
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"logs: {WORKDIR}", file=sys.stderr)
        else:
            shutil.rmtree(WORKDIR, ignore_errors=True)
    return report(limits, figures, failures)


if __name__ == "__main__":
    sys.exit(main())
