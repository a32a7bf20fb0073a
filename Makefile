# The documented entry points. `make run` and `make test` work from a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

.PHONY: run test lint format e2e faults worker beat bench loadtest lock clean check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per lock file: dependencies are reinstalled only when a lock file changes.
$(VENV)/.runtime-installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed  ## SQLite, tasks inline, bank and demo accounts loaded, on 127.0.0.1:8000
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_bank
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: $(VENV)/.dev-installed  ## the whole suite; service tests skip with a reason when a service is absent
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed  ## ruff (incl. no imports inside functions), the layering contracts, no import cycle
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layering.py
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

faults: $(VENV)/.dev-installed  ## fault injection: restarts PostgreSQL, stops Redis, kills workers
	$(BIN)/python -m pytest -m faults $(PYTEST_ARGS)

e2e: $(VENV)/.dev-installed  ## browser tests only (needs Debian's chromium)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed  ## benchmarks on PostgreSQL; figures and method in docs/performance.md (~10 min)
	@command -v wrk >/dev/null || { echo "wrk is missing: installing Debian's package"; \
	  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; } \
	  || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mockexam_bench} $(BIN)/python bench/analytics_bench.py
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/assembly_bench.py

loadtest: $(VENV)/.dev-installed  ## locust, 1,000 candidates then a 300-candidate start burst (~20 min; PERF_DATABASE_URL)
	$(BIN)/python bench/load_test.py

worker: $(VENV)/.runtime-installed  ## a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.runtime-installed
	$(BIN)/celery -A config beat --loglevel=INFO

lock: $(BIN)/python  ## re-pin dependencies after editing pyproject.toml
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --extra dev --no-emit-find-links --no-emit-index-url --no-emit-trusted-host -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .test-db.sqlite3* bench/out
