"""The leader's dashboard at city scale: a township's and the district's, warm, p95.

It runs on the event benchmark's city (bench/events.py: BENCH_SCALE people, default 1,000,000,
and BENCH_EVENTS open events, default 500,000, with as many closed ones of the past year) in that
benchmark's PostgreSQL database (BENCH_DATABASE_URL, default .../gridgov_events_bench):

1. The data: the copy `bench/events.py` keeps as ``<name>_loaded`` is restored when there is one
   (a run of `make bench BENCH=events`, or of this script, leaves it); otherwise the city is loaded
   as bench/events.py loads it, and the copy is kept for the next run. Then ``migrate`` (this
   branch's tables) and two leaders made through the services: 领导 of the first township, and
   领导 of the district (the top area).
2. gunicorn with the production settings (bench/events_support/server.py, BENCH_GUNICORN_WORKERS x
   BENCH_GUNICORN_THREADS); each leader signs in through the login page and opens
   /metrics/dashboard/ with no parameters, as the menu link does: their own top area, this month.
   A dashboard "renders" when its page and every part it loads by itself (the elements with
   ``hx-trigger="load"``, fetched one after the other here, a browser fetches them at once) have
   been answered: that sum is one sample. BENCH_DASHBOARD_WARMUP renders first (default 3, not
   counted), then BENCH_DASHBOARD_SAMPLES (default 40) per leader, one at a time.

Prints ``township_dashboard_p95_ms`` and ``district_dashboard_p95_ms`` (nearest rank), with the
page alone and the parts' count beside them, then the issue's limits as PASS/FAIL lines:
township <= 500 ms, district <= 1500 ms, and no failed request. Exits non-zero on any FAIL.

Run: ``make bench BENCH=dashboard`` or ``.venv/bin/python bench/dashboard.py``.
"""

from __future__ import annotations

import html
import math
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

# The event benchmark's module sets up Django with the production settings for its database:
# this script measures on the same city, so it shares that set-up and its loader.
from bench import events as city_bench  # noqa: E402
from bench.events_support import server  # noqa: E402
from bench.shared.database import keep_loaded_copy, restore_loaded_copy  # noqa: E402
from bench.shared.figures import report, say, step  # noqa: E402

WARMUP = int(os.environ.get("BENCH_DASHBOARD_WARMUP", "3"))
SAMPLES = int(os.environ.get("BENCH_DASHBOARD_SAMPLES", "40"))
PAGE = "/metrics/dashboard/"

LIMITS: list[tuple[str, str, float]] = [
    ("township_dashboard_p95_ms", "<=", 500),
    ("district_dashboard_p95_ms", "<=", 1500),
]

# An element that loads a part of the page by itself once the page is there.
_LAZY = re.compile(r"<[^>]*\bhx-trigger=\"[^\"]*\bload\b[^\"]*\"[^>]*>")
_HX_GET = re.compile(r"\bhx-get=\"([^\"]+)\"")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def lazy_parts(page: bytes) -> list[str]:
    """The URLs of the parts a page loads by itself (hx-trigger="load")."""
    text = page.decode()
    found = []
    for tag in _LAZY.findall(text):
        url = _HX_GET.search(tag)
        if url:
            found.append(html.unescape(url.group(1)))
    return found


def prepare() -> tuple[str, str]:
    """The city in the database, two leaders; their usernames (township, district)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gridgov.accounts import services as accounts
    from gridgov.accounts.roles import Role
    from gridgov.accounts.system import system_actor
    from gridgov.areas.models import Area
    from gridgov.core.scoping import unscoped

    if restore_loaded_copy(city_bench.DATABASE_URL):
        connection.close()
        city_bench.reused_city()  # migrates, collects static files, sets the password
    else:
        from bench.shared.database import fresh_database

        fresh_database(city_bench.DATABASE_URL, "bench/dashboard.py")
        now = timezone.now().replace(microsecond=0)
        city_bench.load(now)
        city_bench.remember_load(now)
        connection.close()
        with step("keep_loaded_copy"):
            keep_loaded_copy(city_bench.DATABASE_URL)
        call_command("migrate", verbosity=0)
    system = system_actor()
    with unscoped("benchmark set-up"):
        top = Area._base_manager.filter(parent__isnull=True).order_by("path").first()
        township = Area._base_manager.filter(level="township").order_by("path").first()
    encoded = make_password(city_bench.PASSWORD)
    names = []
    for area, username in ((township, "leader-township"), (top, "leader-district")):
        user = accounts.create_user_with_encoded_password(
            actor=system, username=username, full_name=f"{area.name}领导", encoded_password=encoded
        )
        accounts.grant_membership(user, actor=system, role=Role.LEADER, area=area)
        names.append(username)
        say(f"{username}_area", f"{area.code} {area.name} ({area.level})")
    with unscoped("benchmark figures"):
        from gridgov.events.models import Event

        say("events_in_district", Event._base_manager.count())
        say(
            "events_in_township",
            Event._base_manager.filter(area_path__startswith=township.path).count(),
        )
    return names[0], names[1]


def render_samples(port: int, session: str, count: int) -> tuple[list[float], list[float], int]:
    """`count` renders of the dashboard: (whole render ms, page alone ms, number of parts)."""
    cookie = {"Cookie": f"sessionid={session}"}
    whole, page_only, parts_count = [], [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _, page = server.request(port, "GET", PAGE, headers=cookie)
        page_done = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"GET {PAGE} answered {status}")
        parts = lazy_parts(page)
        for url in parts:
            status, _, _ = server.request(
                port, "GET", url, headers={**cookie, "HX-Request": "true"}
            )
            if status != 200:
                raise RuntimeError(f"GET {url} answered {status}")
        ended = time.perf_counter()
        whole.append((ended - started) * 1000)
        page_only.append((page_done - started) * 1000)
        parts_count = len(parts)
    return whole, page_only, parts_count


def main() -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"bench/dashboard.py needs PostgreSQL, not {connection.vendor}.", file=sys.stderr)
        return 2
    city_bench.quiet_logs()
    say("database", f"{connection.vendor} {connection.settings_dict['NAME']}")
    township_leader, district_leader = prepare()
    connection.close()
    env = {**os.environ, **city_bench.PRODUCTION_ENV}
    separator = "&" if "?" in city_bench.DATABASE_URL else "?"
    env["DATABASE_URL"] = f"{city_bench.DATABASE_URL}{separator}conn_max_age=60"
    port = server.free_port()
    app = server.Gunicorn(
        env=env,
        port=port,
        workers=city_bench.GUNICORN_WORKERS,
        threads=city_bench.GUNICORN_THREADS,
        log_path=city_bench.WORKDIR / "gunicorn.log",
    )
    figures: dict[str, float] = {}
    failures: list[str] = []
    app.start()
    try:
        for label, username in (("township", township_leader), ("district", district_leader)):
            session = server.login(port, username, city_bench.PASSWORD)
            try:
                render_samples(port, session, WARMUP)
                whole, page_only, parts = render_samples(port, session, SAMPLES)
            except RuntimeError as error:
                failures.append(f"{label}: {error}")
                continue
            figures[f"{label}_dashboard_p95_ms"] = round(p95(whole), 1)
            say(f"{label}_dashboard_p95_ms", f"{p95(whole):.1f}")
            say(f"{label}_dashboard_page_alone_p95_ms", f"{p95(page_only):.1f}")
            say(f"{label}_dashboard_parts", parts)
            say(f"{label}_dashboard_median_ms", f"{sorted(whole)[len(whole) // 2]:.1f}")
    finally:
        app.stop()
    return report(LIMITS, figures, failures)


if __name__ == "__main__":
    sys.exit(main())
