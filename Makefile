# The portal's commands. `make run` and `make test` work from a fresh clone with no .env.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?= -n 2
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=portal.settings_test

.PHONY: help setup run test lint pytest e2e bench format clean

help:
	@echo "make run    install, migrate, load the escalation document, serve http://127.0.0.1:8000"
	@echo "make test   lint + the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make e2e    only the browser tests (needs /usr/bin/chromium)"
	@echo "make bench  the performance benchmark (PostgreSQL, gunicorn)"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

# Where `make run` serves: `make run ADDRESS=127.0.0.1:8080`.
ADDRESS ?= 127.0.0.1:8000

run: export DEBUG ?= 1
run: setup
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) bootstrap_portal --address $(ADDRESS)
	$(MANAGE) runserver $(ADDRESS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run --verbosity 0
	$(BIN)/mypy escalation portal

pytest: setup
	$(TEST_SETTINGS) $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

e2e: setup
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || command -v chromium >/dev/null || { \
		echo "make e2e: Chromium is missing; install it with: apt-get install chromium"; exit 1; }
	$(TEST_SETTINGS) $(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis

bench: setup
	DJANGO_SETTINGS_MODULE=tests.benchmarks.settings_bench $(BIN)/python -m tests.benchmarks.bench_http
