# The documented entry points. `make run` and `make test` work from a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

.PHONY: run test lint format bank-audit e2e faults worker beat bench bench-learning loadtest scaleout audit lock clean check-python

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

# A warm `make run` serves in seconds: one process migrates, loads the bank (skipped when its
# fingerprint is unchanged) and creates the demo accounts (docs/performance.md#a-warm-make-run).
run: $(VENV)/.runtime-installed  ## SQLite, tasks inline, bank and demo accounts loaded, on $(HOST) (HOST=... make run)
	$(BIN)/python manage.py setup_dev
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

bank-audit: $(VENV)/.runtime-installed  ## could a test-wise candidate game the bank? (docs/question-bank.md; not in CI yet)
	$(BIN)/python manage.py audit_bank $(AUDIT_ARGS)

e2e: $(VENV)/.dev-installed  ## browser tests only (needs Debian's chromium)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed  ## benchmarks on PostgreSQL; figures and method in docs/performance.md (~12 min)
	@command -v wrk >/dev/null || { echo "wrk is missing: installing Debian's package"; \
	  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; } \
	  || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mockexam_bench} $(BIN)/python bench/analytics_bench.py
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/assembly_bench.py
	$(BIN)/python bench/item_stats_bench.py
	$(BIN)/python bench/recycle_bench.py

bench-learning: $(VENV)/.dev-installed  ## calibration recovery, the adaptive diagnostic vs a mock, calibration speed (docs/analytics.md; ~7 min)
	$(BIN)/python bench/learning_bench.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mockexam_learning_bench} $(BIN)/python bench/learning_bench.py --service

loadtest: $(VENV)/.dev-installed  ## locust, 1,000 candidates then a 300-candidate start burst (~20 min; PERF_DATABASE_URL)
	$(BIN)/python bench/load_test.py

# worker and beat are supervised, as systemd and compose supervise them in deployments
# (docs/operations.md): restarted 5 s after they exit with an error; Ctrl-C (a clean, warm
# shutdown) ends them. Both also ride out a broker outage by themselves (broker retries forever).
SUPERVISE = trap 'exit 130' INT TERM; until
RESTART   = do status=$$?; echo "$$(date +%T) exited with status $$status; restarting in 5 s (Ctrl-C stops)" >&2; sleep 5; done

scaleout: $(VENV)/.dev-installed  ## 2 web servers + 2 workers on one PostgreSQL and one Redis (~6 min; REDIS_URL, PERF_DATABASE_URL)
	$(BIN)/python bench/scale_out.py

worker: $(VENV)/.runtime-installed  ## a supervised Celery worker (needs REDIS_URL)
	@$(SUPERVISE) $(BIN)/celery -A config worker --loglevel=INFO; $(RESTART)

beat: $(VENV)/.runtime-installed  ## supervised Celery beat (needs REDIS_URL)
	@$(SUPERVISE) $(BIN)/celery -A config beat --loglevel=INFO; $(RESTART)

# pip-audit needs an advisory database: PyPI's JSON API (AUDIT_SERVICE=pypi, the default) or
# OSV's (AUDIT_SERVICE=osv). One probe first, the question pip-audit will ask about our pinned
# Django: if it gets no answer from here (no network, or a package mirror, which knows no
# advisories and answers 404), it says so loudly and exits 0: nothing was audited, and
# docs/security.md records the versions last checked by hand. Otherwise pip-audit runs --strict:
# a known vulnerability, or any dependency it could not look up, fails.
AUDIT_SERVICE ?= pypi
DJANGO_PIN   := $(shell sed -n 's/^django==//p' requirements.lock)
AUDIT_PROBE_pypi = https://pypi.org/pypi/django/$(DJANGO_PIN)/json '' vulnerabilities
AUDIT_PROBE_osv  = https://api.osv.dev/v1/query \
  '{"package":{"name":"django","ecosystem":"PyPI"},"version":"$(DJANGO_PIN)"}' ''
AUDIT_PROBE = import json, sys, urllib.request as r; \
  q = r.Request(sys.argv[1], data=sys.argv[2].encode() or None, headers={"Content-Type": "application/json"}); \
  a = json.load(r.urlopen(q, timeout=10)); sys.exit(not isinstance(a, dict) or sys.argv[3] not in (a if sys.argv[3] else [""]))

audit: $(VENV)/.dev-installed  ## pip-audit of both lock files, where an advisory database is reachable
	@if $(BIN)/python -c '$(AUDIT_PROBE)' $(AUDIT_PROBE_$(AUDIT_SERVICE)) 2>/dev/null; then \
	  $(BIN)/pip-audit --strict --vulnerability-service $(AUDIT_SERVICE) --progress-spinner off \
	    --no-deps --disable-pip -r requirements.lock -r requirements-dev.lock; \
	else \
	  echo "make audit: NOT AUDITED. The $(AUDIT_SERVICE) advisory database gave no answer about django $(DJANGO_PIN)"; \
	  echo "from this network (no network, or only a package mirror). Run 'make audit' where it is reachable"; \
	  echo "(or AUDIT_SERVICE=osv). Versions last checked by hand against their projects' security"; \
	  echo "announcements: docs/security.md."; \
	fi

lock: $(BIN)/python  ## re-pin dependencies after editing pyproject.toml
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --extra dev --no-emit-find-links --no-emit-index-url --no-emit-trusted-host -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .test-db.sqlite3* bench/out
