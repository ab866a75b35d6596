# The README's two commands are `make demo` and `make test`; CI runs `.ci/run`.
# uv comes from PyPI when it is missing; Python itself is the machine's (no interpreter download).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
# Installed packages are compiled to bytecode once, at install: this machine sets
# PYTHONDONTWRITEBYTECODE, so otherwise every process (each manage.py command, test run and worker)
# compiles Django and the rest again, about a second per start.
export UV_COMPILE_BYTECODE := 1
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432
# Extra pytest arguments. The suite runs on two processes (pytest-xdist); tests marked
# xdist_group("…") (the two that start a real Celery worker on the shared Redis broker) stay on one.
# `make test PYTEST_ARGS=` runs it serially.
PYTEST_ARGS ?= -n 2 --dist loadgroup

.PHONY: prod prod-check help uv setup node-packages demo serve test check lint typecheck migrations-check pytest test-postgres system-packages pdf-packages messages

help:
	@echo "make demo           set everything up and serve the demo on http://$(HOST):$(PORT)/"
	@echo "make test           set everything up and run lint, type checks and the whole test suite (SQLite)"
	@echo "make test-postgres  run the test suite against PostgreSQL ($(PG_URL))"
	@echo "make prod           run the production stack here (gunicorn, Celery, PostgreSQL, Redis) on https://localhost:8443/"

# The README's commands say `uv run …`: uv must be on PATH, not only importable. pip --user puts it in
# ~/.local/bin, which a fresh shell often lacks: linked into /usr/local/bin when that is writable
# (root, CI), otherwise the one line to add to the shell is printed.
uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
	  python3 -m pip install --quiet --user uv 2>/dev/null || \
	  python3 -m pip install --quiet --user --break-system-packages uv
	@if ! command -v uv >/dev/null 2>&1; then \
	  bin="$$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts", "posix_user"))')"; \
	  if [ -x "$$bin/uv" ] && [ -w /usr/local/bin ]; then ln -sf "$$bin/uv" /usr/local/bin/uv; \
	  elif [ -x "$$bin/uv" ]; then echo "uv est installé dans $$bin : ajoutez-le au PATH (export PATH=\"$$bin:\$$PATH\") pour les commandes « uv run … » du README."; fi; \
	fi

setup: uv
	$(UV) sync --frozen
	@command -v msgfmt >/dev/null 2>&1 || { $(call apt_install,gettext); }
	$(RUN) python manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules --ignore=var

# Front-end packages the tests use (axe-core), from the npm registry through package-lock.json.
node-packages:
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then npm ci --no-audit --no-fund --loglevel=error; fi

# Links in the demo's emails point at the server the demo runs, by name: passkeys (WebAuthn) refuse an
# IP address as their relying party, so the demo is opened at localhost (bound to $(HOST)).
URL_HOST ?= localhost
demo serve: export MUTUELLE_BASE_URL ?= http://$(URL_HOST):$(PORT)

demo: setup pdf-packages
	$(RUN) python manage.py migrate --no-input
	$(RUN) python manage.py seed_demo
	@echo
	@echo "  Ouvrez http://$(URL_HOST):$(PORT)/  (administration : http://$(URL_HOST):$(PORT)/admin/)"
	@echo
	$(RUN) python manage.py runserver $(HOST):$(PORT)

serve: setup
	$(RUN) python manage.py runserver $(HOST):$(PORT)

# The production stack on this machine (gunicorn, Celery worker and beat, clamd) against the local
# PostgreSQL and Redis, with MUTUELLE_ENV=production: see deploy/local.py and docs/operations.md.
prod: setup system-packages
	$(RUN) python deploy/local.py

# CI's smoke run of it: start, /readyz green, a member reads their space, stop.
prod-check: setup system-packages
	$(RUN) python deploy/local.py --verifier

# Debian packages the real-browser and PDF tests need, installed when missing (WeasyPrint needs
# Pango and a font; the demo needs those too).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
define apt_install
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null
endef

pdf-packages:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  $(call apt_install,$(PDF_PACKAGES) fontconfig); \
	fi

# The tests also read back the 2D codes printed on documents (libdmtx: Data Matrix, zbar: QR) and
# scan uploads with a real antivirus daemon (clamd, with a test signature database of their own).
system-packages: pdf-packages
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
	  || ! ldconfig -p | grep -q libdmtx || ! ldconfig -p | grep -q libzbar || ! [ -x /usr/sbin/clamd ]; then \
	  $(call apt_install,chromium poppler-utils libdmtx0b libzbar0 clamav-daemon); \
	fi

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: setup
	$(RUN) mypy .

migrations-check: setup
	$(RUN) python manage.py makemigrations --check --dry-run

pytest: setup system-packages node-packages
	$(RUN) pytest $(PYTEST_ARGS)

check: lint typecheck migrations-check

# Collect the interface's strings into the English catalogue (then translate the new ones). No fuzzy
# matching: a guessed translation would be dropped silently by compilemessages.
messages: setup
	$(RUN) python manage.py makemessages -l en --no-obsolete \
	  --ignore=.venv --ignore=node_modules --ignore=bench --ignore=var
	$(RUN) python manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules --ignore=var

test: check pytest

# The suite against a real PostgreSQL. A throw-away database proves the migrations apply, reverse
# to zero and apply again; pytest-django then creates and drops its own test database.
test-postgres: setup system-packages node-packages
	@set -euo pipefail; db=mutuelle_ci_$$$$; url=$(PG_URL)/$$db; \
	  psql "$(PG_URL)/postgres" -q -c "CREATE DATABASE $$db"; \
	  trap 'psql "$(PG_URL)/postgres" -q -c "DROP DATABASE IF EXISTS $$db WITH (FORCE)"' EXIT; \
	  DATABASE_URL=$$url $(RUN) python manage.py migrate --no-input -v 0; \
	  DATABASE_URL=$$url $(RUN) python manage.py makemigrations --check --dry-run; \
	  for app in documents members brokers formules referentiel accounts core; do \
	    DATABASE_URL=$$url $(RUN) python manage.py migrate $$app zero --no-input -v 0; done; \
	  DATABASE_URL=$$url $(RUN) python manage.py migrate --no-input -v 0; \
	  echo "migrations apply, reverse to zero and apply again on PostgreSQL"; \
	  DATABASE_URL=$$url $(RUN) pytest --create-db $(PYTEST_ARGS)
