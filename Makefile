# ExecFlow: `make run` for the whole product on one machine, `make test` for the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgresql lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/execflow init --exist-ok
	$(BIN)/execflow demo
	$(BIN)/execflow serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: install
	EXECFLOW_TEST_DB=sqlite $(PY) -m pytest -q

test-postgresql: install
	EXECFLOW_TEST_DB=postgresql $(PY) -m pytest -q

test: lint test-sqlite test-postgresql

bench: install
	bash scripts/install-system-deps.sh bench
	$(PY) bench/audit_append.py --json
	$(PY) bench/escalation.py --json
	$(PY) bench/anomaly.py --json
	$(PY) bench/ingest.py --json
	$(PY) bench/detection.py --json
	$(PY) bench/probes.py --json
	$(PY) bench/writes.py --json
	$(PY) bench/status_page.py --json
	$(PY) bench/fanout.py --json

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
