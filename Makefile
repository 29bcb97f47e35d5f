# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install tools demo test lint typecheck unit unit-postgres smoke-wheel test-uvicorn-oldest clean screenshots bench bench-alerts bench-fanout bench-mirror messages translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The oldest uvicorn pyproject.toml allows, in a venv of its own: the fast path and the
# serving tests run there too (the main venv has the newest).
UVICORN_OLDEST := $(shell sed -n 's/.*"uvicorn>=\([0-9.]*\),.*/\1/p' pyproject.toml)
OLDEST_VENV := .venv-uvicorn-min
OLDEST_STAMP := $(OLDEST_VENV)/.installed-stamp
SERVING_TESTS := tests/test_published_http.py tests/test_request_heads.py \
	tests/test_security_headers.py tests/test_live.py

$(OLDEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]' \
		'uvicorn==$(UVICORN_OLDEST)'
	touch $(OLDEST_STAMP)

demo: $(STAMP)  ## a fresh demo page on an embedded SQLite database, served on $(HOST):$(PORT)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/statuspage --db demo.db init --demo --url http://$(HOST):$(PORT)
	@echo "Serving the demo page on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	env $$($(BIN)/python -c 'from statuspage.demo import DEMO_ENV; print(" ".join(f"{k}={v}" for k, v in DEMO_ENV.items()))') \
		$(BIN)/statuspage --db demo.db serve --host $(HOST) --port $(PORT)

test: lint typecheck unit unit-postgres test-uvicorn-oldest smoke-wheel  ## everything CI runs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture statuspage tests/vulture_whitelist.py --min-confidence 60

typecheck: $(STAMP)
	$(BIN)/mypy

# Programs the tests drive for real: Prometheus Alertmanager (the alerts-in tests start one).
# Installed once from Debian (needs root, as in CI); skipped when already there.
# Debian's packages the tests drive: Alertmanager (alerts in), Chromium and the CJK fonts (the
# browser suite, tests/browser/, and `make screenshots`).
tools:
	@missing=""; \
	command -v prometheus-alertmanager >/dev/null || missing="$$missing prometheus-alertmanager"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	[ -z "$$missing" ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install \
		-y -qq --no-install-recommends $$missing >/dev/null)

# Tests in parallel processes: many wait on servers and sockets, so 3 keep 2 cores busy.
TEST_WORKERS ?= 3

unit: $(STAMP) tools
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# The storage, service, delivery and API suites again on PostgreSQL (a schema per test).
# PostgreSQL must run there (CI: 127.0.0.1:5432, trust auth, database `test`).
STATUSPAGE_TEST_DB ?= postgresql://postgres@127.0.0.1:5432/test
POSTGRES_SUITES := tests/test_storage.py tests/test_storage_subscribers.py \
	tests/test_service_components.py tests/test_service_incidents.py \
	tests/test_service_layer.py tests/test_service_maintenance.py \
	tests/test_service_translations.py tests/comms/test_outbox_storage.py \
	tests/delivery tests/admin tests/test_migrations_postgresql.py tests/test_db_copy.py \
	tests/test_postgres_servers.py tests/test_postgres_failover.py \
	tests/checks/test_probe_reader.py tests/checks/test_published_uptime.py

unit-postgres: $(STAMP)  ## the storage, service, delivery and API suites on PostgreSQL
	STATUSPAGE_TEST_DB=$(STATUSPAGE_TEST_DB) $(BIN)/pytest -p no:cacheprovider \
		-n $(TEST_WORKERS) --dist loadgroup $(POSTGRES_SUITES)

smoke-wheel: $(STAMP)  ## build the wheel, install it in a fresh venv outside the checkout, use it
	$(BIN)/python tests/smoke/wheel_smoke.py

test-uvicorn-oldest: $(OLDEST_STAMP)  ## the serving tests on the oldest uvicorn allowed
	$(OLDEST_VENV)/bin/pytest -p no:cacheprovider $(SERVING_TESTS)

screenshots: $(STAMP) tools  ## the demo page at 1280 and 390 px, light and dark, and in zh-Hans and ru, into docs/screenshots/
	bench/screenshots

bench: $(STAMP)  ## read throughput against nginx, republish time on a large page (needs wrk, nginx-light)
	@command -v wrk >/dev/null && command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null)
	$(BIN)/python bench/read_throughput

messages: $(STAMP)  ## extract the page's strings for translators (statuspage/locale/messages.pot)
	mkdir -p statuspage/locale
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 \
		--project statuspage --no-location --sort-output -o statuspage/locale/messages.pot .

translations: $(STAMP)  ## compile the catalogues (statuspage/locale/<lang>/LC_MESSAGES/messages.mo)
	$(BIN)/pybabel compile -d statuspage/locale -D messages --statistics

bench-alerts: $(STAMP)  ## alerts in: from the hook to the page showing the status (p99 < 1 s over 100)
	$(BIN)/python bench/alerts_in.py 100

bench-mirror: $(STAMP)  ## object storage: from a write to the object in the bucket (moto's S3, 50 changes)
	$(BIN)/python bench/mirror.py 50

bench-fanout: $(STAMP)  ## delivery: one SEV1 update to 100,000 subscribers, local receivers (minutes)
	$(BIN)/python bench/fanout.py

clean:
	rm -rf $(VENV) $(OLDEST_VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache
