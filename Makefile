# Two commands on a fresh machine: `make run` and `make test`. Needs only python3.13.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.13: on PATH, or in pyenv's versions folder (its shim may point elsewhere).
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
UV_VERSION := 0.13.9

# The offline mirror of the publishers: ../shared/data when it is there (override freely).
OBSERVATORY_DATA_MIRROR ?= $(if $(wildcard ../shared/data/README.md),$(abspath ../shared/data),)
export OBSERVATORY_DATA_MIRROR
# Development: DEBUG on for runserver unless told otherwise.
export DJANGO_DEBUG ?= 1
# Some machines (these among them) set PYTHONDONTWRITEBYTECODE=1: then no process keeps compiled
# bytecode, and every one (each test worker, Celery worker, subprocess and server) compiles Django,
# pandas and our modules from source again, and pytest rewrites every test module again: about
# 11 s more per test worker's start (16.4 s against 4.9 s to collect the suite, measured). The
# .pyc files go to the git-ignored __pycache__ folders.
unexport PYTHONDONTWRITEBYTECODE

# Without DATABASE_URL, commands run inside the embedded PostgreSQL (started, then stopped).
WITH_DB = $(if $(DATABASE_URL),,$(PY) -m observatory.devdb run --)

.PHONY: help install messages browser run serve data backup restore test drills lint bench bench-pages bench-growth drill-load drill-load-ci check-deploy db-start db-stop clean

help:
	@echo "make run    - install, migrate, load reference + reachable data, serve on http://127.0.0.1:8000"
	@echo "make test   - run the whole test suite (real PostgreSQL; Redis + Celery worker when reachable)"
	@echo "make lint   - ruff"
	@echo "make messages - re-extract the interface strings into the French and German catalogues"
	@echo "make bench  - ingest/compute (ratios to a bare COPY), the dependency screen (to a bare DuckDB pass), pages (to a static file), growth (1x/2x/4x years)"
	@echo "make backup - pg_dump of the database + tars of the raw release files and media into var/backups/<UTC stamp>/"
	@echo "make restore BACKUP=var/backups/<stamp> - check the sha256s, then restore both (replaces the tables)"
	@echo "make drills - the fault drills (a real worker killed mid-ingest and mid-recompute), run by .ci/run"
	@echo "make drill-load - wrk on the country and ecosystem pages during a refresh: 0 errors, p99, no mixed generations"
	@echo "make drill-load-ci - the same drill on a refresh of the national SBS source only (what CI runs; minutes)"

# pip inside the venv, added only when uv cannot do the work (the venv is created without it).
VENV_PIP = { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --default-pip >/dev/null; }

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.13 not found: install Python 3.13 (Django 6 needs >= 3.12)"; exit 1; }
	@# The venv without pip (0.06 s instead of 2.6 s for ensurepip's copy of pip): uv goes in with
	@# the interpreter's own pip (`pip --python`), and uv installs and checks the project. Without
	@# uv (not reachable) pip is added to the venv and does both, slower.
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@# uv installs the same pinned set as pip in seconds instead of minutes (measured on a fresh
	@# venv: 7.5 s against about 150 s), which is most of a fresh clone's `make test`. Pinned here
	@# because it is a tool of this Makefile, not a dependency of the project.
	@test -x $(BIN)/uv || $(PYTHON) -m pip --python $(PY) install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null \
		|| { $(VENV_PIP) \
		     && $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); } \
		|| echo "uv not installed: installing with pip (slower)"
	if test -x $(BIN)/uv; then $(BIN)/uv pip install --quiet --python $(PY) -e '.[dev]' && $(BIN)/uv pip check --quiet --python $(PY); \
	else $(VENV_PIP) \
		&& $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' && $(PY) -m pip check; fi
	@touch $@

# plotly.js with only the portal's trace types (observatory/plotly_bundle.py), from npm into the
# git-ignored var/plotly; without npm the portal serves the plotly wheel's full bundle.
PLOTLY_BUNDLE := var/plotly/plotly.min.js var/plotly/plotly-base.min.js
$(PLOTLY_BUNDLE): observatory/plotly_bundle.py | $(VENV)/.installed
	@$(PY) -m observatory.plotly_bundle && { test ! -f $@ || touch $@; }

# Interface translations (Decision 28): the .po catalogues are committed; their .mo files are built
# here by GNU msgfmt (Debian's gettext, installed when missing and we may).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
$(MO_FILES): %.mo: %.po
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing Debian's gettext for msgfmt..."; \
		     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null 2>&1 \
		     || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }; }; } \
		|| { echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext)"; exit 1; }
	msgfmt --check -o $@ $<

install: $(VENV)/.installed $(PLOTLY_BUNDLE) $(MO_FILES)

# Re-extract the interface strings into locale/{fr,de}/LC_MESSAGES/django.po (translations kept).
messages: install
	$(PY) manage.py makemessages -l fr -l de --no-obsolete --add-location file \
		-i .venv -i var -i tests -i bench -i staticfiles -i node_modules

run: install
	$(WITH_DB) bash -c '$(PY) manage.py migrate --noinput && $(PY) manage.py load_reference \
		&& { $(PY) manage.py refresh --all || echo "Some sources could not be loaded (see above); serving what is there."; } \
		&& $(PY) manage.py runserver 127.0.0.1:8000'

serve: install
	$(WITH_DB) $(PY) manage.py runserver 127.0.0.1:8000

data: install
	$(WITH_DB) bash -c '$(PY) manage.py migrate --noinput && $(PY) manage.py load_reference && $(PY) manage.py refresh --all'

# Backups: pg_dump -Fc + the raw release files + manifest.json (BACKUP_DIR= picks the folder).
backup: install
	$(WITH_DB) $(PY) manage.py backup $(if $(BACKUP_DIR),--dest "$(BACKUP_DIR)")

# RESTORE_ARGS=--noinput skips the confirmation (scripts, CI).
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<stamp>"; exit 2; }
	$(WITH_DB) $(PY) manage.py restore "$(BACKUP)" $(RESTORE_ARGS)

# Browser tests drive Debian's headless Chromium (the chromium-headless-shell package: the same
# engine without the browser's window machinery; about 30% less CPU than `chromium --headless` on
# the same pages, measured, and the browser tests are a quarter of the suite's CPU). Installed when
# missing and we may (root + apt).
CHROMIUM ?= /usr/bin/chromium-headless-shell
browser:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing Debian's chromium-headless-shell for the browser tests..."; \
		     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 \
		     || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; }; } \
		|| echo "chromium-headless-shell not installed: browser tests will be skipped (CI=true makes them fail)"; }
	@# axe-core for the accessibility tests, into the git-ignored var/npm (tests/e2e/axe.py pins the same version).
	@test -f var/npm/node_modules/axe-core/axe.min.js || { command -v npm >/dev/null \
		&& npm install --prefix var/npm --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
		   --loglevel=error axe-core@4.14.1 >/dev/null \
		|| echo "axe-core not installed: accessibility tests will be skipped (CI=true makes them fail)"; }

# Parallel workers (pytest-xdist), one test database each; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
test: install browser
	OBSERVATORY_TESTING=1 DJANGO_DEBUG=0 $(WITH_DB) $(PY) -m pytest -n $(TEST_WORKERS) -m "not drill" $(PYTEST_ARGS)

# Fault drills (tests marked `drill`: a real Celery worker SIGKILLed inside an ingest's and a
# recompute's transaction, the reaper's retry checked against a clean run). Slow and serial, so
# not in `make test`; .ci/run runs them after the suite.
drills: install
	OBSERVATORY_TESTING=1 DJANGO_DEBUG=0 $(WITH_DB) $(PY) -m pytest -n 0 -m drill $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-deploy: install
	DJANGO_ENV=production DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=observatory.example.eu DATABASE_URL=$${DATABASE_URL:-postgres://x@127.0.0.1/x} \
	EMAIL_HOST=smtp.example.eu COMMUNITY_SITE_URL=https://observatory.example.eu $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	OBSERVATORY_TESTING=1 $(WITH_DB) $(PY) -m bench.ingest
	$(PY) -m bench.dependencies
	$(MAKE) bench-pages
	$(MAKE) bench-growth

# Recompute + pre-build + warm after a refresh of the two SBS sources at 1×, 2×, 4× the years
# (a bench-only copy of the database: <name>_growth, dropped at the end).
bench-growth: install
	$(WITH_DB) $(PY) -m bench.growth

# Pages under load (wrk, installed from Debian when missing and we may).
bench-pages: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(WITH_DB) $(PY) -m bench.pages

# Fault drill: the pages under wrk while a refresh of the SBS sources (a forced new vintage) runs;
# fails on any error or a page mixing generations (its own database, observatory_drill).
drill-load: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(WITH_DB) $(PY) -m bench.drill_refresh_load

# The drill CI runs (.ci/run): a refresh of sbs_na_sca_r2 alone (ingest, recompute of what reads it,
# every page pre-built), its own database (observatory_drill_ci), the refresh stopped and failed
# after DRILL_REFRESH_TIMEOUT seconds.
drill-load-ci: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	DRILL_SOURCES=sbs_na_sca_r2 DRILL_DATABASE=$${DRILL_DATABASE:-observatory_drill_ci} \
	DRILL_REFRESH_TIMEOUT=$${DRILL_REFRESH_TIMEOUT:-900} $(WITH_DB) $(PY) -m bench.drill_refresh_load

db-start: install
	@$(PY) -m observatory.devdb start

db-stop: install
	@$(PY) -m observatory.devdb stop

clean:
	-$(PY) -m observatory.devdb stop
	rm -rf $(VENV) .pgdata staticfiles $(filter-out var/backups,$(wildcard var/*))  # backups survive a clean
