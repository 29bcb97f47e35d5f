# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint typecheck unit clean bench-fanout

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## a fresh demo page on an embedded SQLite database, served on $(HOST):$(PORT)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/statuspage --db demo.db init --demo
	@echo "Serving the demo page on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/statuspage --db demo.db serve --host $(HOST) --port $(PORT)

test: lint typecheck unit  ## everything CI runs

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

bench-fanout: $(STAMP)  ## delivery: one SEV1 update to 100,000 subscribers, local receivers (minutes)
	$(BIN)/python bench/fanout.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache
