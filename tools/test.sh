#!/usr/bin/env bash
# The whole test run, as `make test` and CI do it:
#   1. the unit and integration tests on SQLite (the embedded default);
#   2. the same tests on PostgreSQL (the production database): required when CI=true, else
#      skipped with a notice when no server answers at PG_DATABASE_URL;
#   3. the browser tests (-m e2e) in headless Chromium, on SQLite.
# Every step runs even when an earlier one failed; the script fails if any did. In CI (CI=true)
# PostgreSQL and Redis are required: the local servers are started if they are down.
# Extra pytest arguments: PYTEST_ARGS="-x -k sweep" make test
set -uo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
pg_url="${PG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gridgov}"
results=test-artifacts/results
rm -rf "$results"
mkdir -p "$results"
read -r -a extra <<<"${PYTEST_ARGS:-}"
failed=()

banner() { printf '\n==== %s ====\n' "$*"; }

# run_pytest NAME ALLOW_EMPTY DATABASE_URL PYTEST_ARG...: pytest with a JUnit report, on SQLite
# when DATABASE_URL is empty. Exit status 5 (nothing collected) passes when ALLOW_EMPTY is yes.
run_pytest() {
  local name="$1" allow_empty="$2" database_url="$3"
  shift 3
  local status=0 db_env=(-u DATABASE_URL)
  [ -z "$database_url" ] || db_env=("DATABASE_URL=$database_url")
  env "${db_env[@]}" "$py" -m pytest --junitxml="$results/$name.xml" "$@" "${extra[@]}" \
    || status=$?
  if [ "$status" -eq 5 ] && [ "$allow_empty" = yes ]; then
    echo "($name: no tests collected yet)"
    status=0
  fi
  [ "$status" -eq 0 ] || failed+=("$name")
}

pg_reachable() {
  PGURL="$pg_url" "$py" - <<'PY' 2>/dev/null
import os, sys
import psycopg
try:
    psycopg.connect(os.environ["PGURL"], dbname="postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

start_local_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 0
  local version
  for version in $(ls /etc/postgresql 2>/dev/null); do
    echo "Starting the local PostgreSQL $version cluster..."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 20); do
    pg_reachable && return 0
    sleep 1
  done
}

redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
redis_reachable() {
  RURL="$redis_url" "$py" - <<'PY' 2>/dev/null
import os
import redis
redis.Redis.from_url(os.environ["RURL"], socket_connect_timeout=2).ping()
PY
}

# The Celery tests need Redis; in CI they fail without it, so start the local one if it is down.
if [ "${CI:-}" = true ] && ! redis_reachable && command -v redis-server >/dev/null 2>&1 \
  && [[ "$redis_url" =~ ^redis://(127\.0\.0\.1|localhost):([0-9]+) ]]; then
  echo "Starting the local Redis server on port ${BASH_REMATCH[2]}..."
  redis-server --daemonize yes --bind 127.0.0.1 --port "${BASH_REMATCH[2]}" --save "" \
    --appendonly no --dir /tmp --logfile /tmp/gridgov-ci-redis.log || true
  for _ in $(seq 1 10); do redis_reachable && break; sleep 1; done
fi

# 1. SQLite
banner "Tests on SQLite"
run_pytest sqlite no "" -m "not e2e"

# 2. PostgreSQL
banner "Tests on PostgreSQL ($pg_url)"
if ! pg_reachable && [ "${CI:-}" = true ]; then
  start_local_postgres
fi
if pg_reachable; then
  run_pytest postgres no "$pg_url" -m "not e2e"
elif [ "${CI:-}" = true ]; then
  echo "ERROR: PostgreSQL is required in CI but does not answer at $pg_url" >&2
  echo "       (start it, or set PG_DATABASE_URL to a server that pytest may create test_* on)." >&2
  failed+=(postgres-unreachable)
else
  echo "NOTICE: no PostgreSQL answers at $pg_url; skipping the PostgreSQL run."
  echo "        It is required in CI (CI=true). Set PG_DATABASE_URL to use another server."
fi

# 3. Browser tests
banner "Browser tests (headless Chromium, SQLite)"
run_pytest e2e yes "" -m e2e

banner "Summary"
"$py" tools/junit_summary.py "$results"/*.xml
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
