"""Benchmarks and load tests only (bench/): production settings over plain HTTP on 127.0.0.1.

Adds the two "floor" views (bench/urls.py) that every figure in docs/performance.md is divided
by. Never deployed: production and every other settings module keep ``config.urls``.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")  # read by production.py

from .production import *

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Persistent connections, as a deployment behind gunicorn runs them.
DATABASES["default"]["CONN_MAX_AGE"] = None
# Plain HTTP on the loopback: no redirect, and cookies a plain-HTTP client sends back.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tasks run inline unless the runner starts a worker: the submit figures include the analysis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
LOGGING["root"]["level"] = "WARNING"
# BENCH_BASELINE=1 (bench/http_bench.py's "django" server): Django's own session store,
# authentication middleware and user lookup, the code before docs/performance.md's session work,
# for a before/after in one run.
if os.environ.get("BENCH_BASELINE") == "1":
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    MIDDLEWARE = [m.replace("accounts.middleware.", "django.contrib.auth.middleware.") for m in MIDDLEWARE]
# BENCH_NO_HEALTH_CHECKS=1 (bench/http_bench.py's "nohealth" server): persistent connections
# without the check before each request's first query, to measure what that check costs.
if os.environ.get("BENCH_NO_HEALTH_CHECKS") == "1":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
