# gridgov: everything a developer, CI or a demo needs, installed by the project's own files.
#
#   make install   virtualenv from requirements.lock, editable gridgov, front-end assets from npm
#   make demo      install, migrate the SQLite demo database under var/, seed it, serve it
#   make test      unit tests on SQLite, again on PostgreSQL, then the browser tests
#   make lint      ruff check and ruff format --check
#   make fmt       ruff format and ruff check --fix
#   make bench     run the scripts in bench/ (BENCH=registry: only that one; BENCH_SCALE=N people)
#   make lock      rewrite requirements.lock from the virtualenv

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Python 3.11 or newer. Django 5.2 LTS runs on 3.11, so 3.11 is preferred where present.
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
VAR := var
MANAGE := $(PY) manage.py

PY_STAMP := $(VENV)/.gridgov-installed
NPM_STAMP := node_modules/.gridgov-installed
HTMX := src/gridgov/static/vendor/htmx.min.js
LEAFLET := src/gridgov/static/vendor/leaflet/leaflet.js
CHARTJS := src/gridgov/static/vendor/chartjs/chart.umd.min.js

# PostgreSQL for the second test run; pytest-django creates and drops test_<name> itself.
PG_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gridgov
export PG_DATABASE_URL

DEMO_HOST ?= 127.0.0.1:8000
DEMO_DATABASE_URL ?= sqlite:///$(CURDIR)/$(VAR)/gridgov.sqlite3

.PHONY: help install python-deps assets browser-deps demo test lint fmt bench lock clean

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

install: python-deps assets

# --- Python ----------------------------------------------------------------------------------

python-deps: $(PY_STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "gridgov needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Install python3.11 or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): $(PY) requirements.lock pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "$(VENV) was made with $$($(PY) --version); remove it and run make again." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check --disable-pip-version-check
	@touch $@

# --- Front-end assets: from the npm registry, served by the app itself (no CDN) ----------------

assets: $(HTMX) $(LEAFLET) $(CHARTJS)

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || bash tools/apt-install.sh nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(HTMX): $(NPM_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# Leaflet draws grids and events on a map; its tiles come from a configurable server (or none).
# The source map goes too: collectstatic's manifest storage follows leaflet.js's reference to it.
$(LEAFLET): $(NPM_STAMP)
	@mkdir -p $(dir $@)
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(dir $@)

# Chart.js draws the dashboard's trend chart (the UMD build, with its source map for the manifest).
$(CHARTJS): $(NPM_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(dir $@)

# --- Browser test dependencies: Debian's Chromium, and CJK fonts for Chinese screenshots --------

browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then bash tools/apt-install.sh $$missing; fi

# --- Demo ------------------------------------------------------------------------------------

# The demo uses its own SQLite file under var/ (DEMO_DATABASE_URL), whatever DATABASE_URL says.
demo: export DJANGO_SETTINGS_MODULE = gridgov.settings.dev
demo: export DATABASE_URL = $(DEMO_DATABASE_URL)
demo: install
	@mkdir -p $(VAR)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	bash tools/demo-serve.sh $(DEMO_HOST)

# --- Checks ----------------------------------------------------------------------------------

test: install browser-deps
	bash tools/test.sh

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: python-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every bench/*.py (support packages in bench/ are not run), or just bench/$(BENCH).py; each
# prints its figures and checks its own limits. BENCH_SCALE (people, default 1,000,000) and
# BENCH_DATABASE_URL reach the scripts through the environment.
bench: install
	@shopt -s nullglob; \
	if [ -n "$(BENCH)" ]; then \
	  scripts=(bench/$(BENCH).py); \
	  if [ ! -f "$${scripts[0]}" ]; then \
	    echo "No benchmark bench/$(BENCH).py; there are: $$(cd bench && ls *.py | sed 's/\.py$$//' | xargs)" >&2; \
	    exit 1; fi; \
	else scripts=(bench/*.py); fi; \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench/ has no benchmark scripts yet: nothing to run."; exit 0; fi; \
	failed=(); \
	for script in "$${scripts[@]}"; do \
	  echo "== $$script"; $(PY) "$$script" || failed+=("$$script"); \
	done; \
	if [ $${#failed[@]} -gt 0 ]; then echo "Failed: $${failed[*]}" >&2; exit 1; fi

lock: python-deps
	@{ sed -n '1,/^# Ranges live/p' requirements.lock; \
	   $(PY) -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^#'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	@touch $(PY_STAMP)

clean:
	rm -rf node_modules src/gridgov/static/vendor test-artifacts
