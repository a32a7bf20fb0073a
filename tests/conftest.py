import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.factories import UserFactory, build_guide
from tests.services import need, redis_url, test_database_url

ROOT = Path(__file__).resolve().parent.parent

# The browser fixtures (Chromium, a gunicorn server, a logged-in page), for any test that asks.
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _fresh_version_cache():
    """Versions are cached per process by id (questions.selectors.version_cached); a rolled-back
    test's ids are used again by the next test's different versions."""
    from questions.selectors import version_cached

    version_cached.cache_clear()


@pytest.fixture
def candidate(db):
    return UserFactory(username="candidate-a")


@pytest.fixture
def other_candidate(db):
    return UserFactory(username="candidate-b")


@pytest.fixture
def guide(db):
    """An MLS-shaped guide (4 domains at 20/24/36/20, 15 task statements) with 8 questions each."""
    return build_guide()


@pytest.fixture
def blueprint(guide):
    return guide.blueprints.get(slug="full")


@pytest.fixture
def client_a(client, candidate):
    client.force_login(candidate)
    return client


def _worker_env(queue: str) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.worker_test"
    env["CELERY_TEST_QUEUE"] = queue
    env["REDIS_URL"] = redis_url()
    env["DATABASE_URL"] = test_database_url()
    return env


def celery_conf(app, **values) -> dict:
    """Change Celery settings at run time; returns the values they replace, to pass back later.

    The app reads Django's settings under the CELERY_ namespace, and Celery 5.6 looks a setting
    up by its namespaced name first: a plain ``app.conf.update(broker_url=...)`` is silently
    ignored there (tasks would then run inline instead of on the worker under test). So both
    names are set, and the fixture checks that the change took.
    """
    saved = {key: app.conf[key] for key in values}
    app.conf.update({**values, **{f"CELERY_{key.upper()}": value for key, value in values.items()}})
    assert all(app.conf[key] == value for key, value in values.items()), "Celery ignored the change"
    return saved


def reset_broker_pool(app) -> None:
    """Drop the producer pool so that the next publish connects to the current broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker process on Redis, consuming a queue of its own, for one test.

    Tasks sent by the test process go through the broker to this worker (not inline), and the
    worker reads and writes the same test database.
    """
    need(redis_url() is not None, "Redis is not reachable (set REDIS_URL to a running server)")
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=_worker_env(queue), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    saved = celery_conf(app, task_always_eager=False, broker_url=redis_url(), task_default_queue=queue)
    reset_broker_pool(app)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5, destination=None):
                break
            if proc.poll() is not None:
                pytest.fail("the Celery worker exited:\n" + proc.stdout.read())
        yield proc
    finally:
        celery_conf(app, **saved)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        reset_broker_pool(app)
