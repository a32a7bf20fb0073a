"""A save in flight when its gunicorn worker or master is killed, retried by the candidate's
browser: acknowledged, never "changed in another tab" for the candidate's own answer (issue #19,
point 3).

The incident: the master was killed, a save timed out in the browser and was retried while the
original was still in flight; the original landed first and the retry got a 409. Here the
original is held in flight by a row lock taken from the test (so the kill always finds it
there), the server is killed, the browser's retry is sent (the same change under the same name,
or a newer change of the same tab), and then the lock is let go: the orphaned original commits
first and the retry, which read the item before that, must still be acknowledged.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from exams.models import AttemptItem
from exams.services.attempts import attempt_start
from tests import services
from tests.conftest import ROOT
from tests.factories import UserFactory, build_guide

from .test_database_restart import free_port, worker_pids

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

TAB = "faulttab01"


class Gunicorn:
    """gunicorn as in production, 1 process x 2 threads (so the killed worker is the one that
    holds the save), on a port of its own."""

    def __init__(self, tmp_path, name: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"{name}.log"
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.server_test")
        env["DATABASE_URL"] = services.test_database_url()
        self.log = open(self.log_path, "w")  # noqa: SIM115 (the server writes it for the whole test)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "2", "--timeout", "60", "--graceful-timeout", "30"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.wait_up()

    def wait_up(self) -> None:
        deadline = time.monotonic() + 40
        while True:
            try:
                requests.get(self.base + "/healthz", timeout=2).raise_for_status()
                return
            except requests.RequestException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not come up:\n" + self.log_path.read_text())
                time.sleep(0.2)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture
def servers(tmp_path):
    started: list[Gunicorn] = []

    def start(name: str) -> Gunicorn:
        started.append(Gunicorn(tmp_path, name))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def waiting_on_locks(dbname: str) -> int:
    """Backends of the test database waiting for a lock: saves held in flight."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [dbname]
        )
        return cursor.fetchone()[0]


def wait_for(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("victim", "retry"),
    [("worker", "the same change"), ("master", "a newer change of the same tab")],
)
def test_a_save_retried_after_its_server_was_killed_mid_flight_is_acknowledged(servers, victim, retry):
    services.need(services.is_postgres(), "needs PostgreSQL (a row lock holds the save in flight)")
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=build_guide().blueprints.get(), seed=9)
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    django_client = Client()
    django_client.force_login(user)
    token = _get_new_csrf_string()
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, django_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    browser.cookies.set(settings.CSRF_COOKIE_NAME, token)
    headers = {"X-CSRFToken": token, "Accept": "application/json", "Content-Type": "application/json"}

    def save(base: str, selected: list[int], sequence: int, timeout: float) -> requests.Response:
        body = {"position": 1, "selected": selected, "flagged": False, "revision": 0,
                "request": f"{TAB}:{sequence}", "active": 1}  # fmt: skip
        return browser.post(
            f"{base}/attempts/{attempt.pk}/save/", data=json.dumps(body), headers=headers, timeout=timeout
        )

    first = servers("first")
    second = servers("second") if victim == "master" else first  # a load balancer's other instance
    dbname = settings.DATABASES["default"]["NAME"]
    connection.close()

    lock = psycopg2.connect(services.test_database_url())
    outcomes: dict[str, object] = {}
    try:
        with lock.cursor() as cursor:  # psycopg2 opens a transaction: the lock holds until rollback
            cursor.execute("SELECT id FROM exams_attemptitem WHERE id = %s FOR UPDATE", [item.pk])

        def original():
            try:
                outcomes["original"] = save(first.base, [1], 1, timeout=4)
            except requests.RequestException as exc:  # the browser gives up: no reply
                outcomes["original"] = exc

        sender = threading.Thread(target=original)
        sender.start()
        wait_for(lambda: waiting_on_locks(dbname) == 1, "the original save to be in flight")
        workers = worker_pids(first.proc.pid)
        if victim == "worker":
            for pid in workers:
                os.kill(pid, signal.SIGKILL)  # the master starts a new worker
            wait_for(lambda: worker_pids(first.proc.pid) - workers, "a new worker")
        else:
            os.kill(first.proc.pid, signal.SIGKILL)  # the worker is orphaned, its request in flight
        sender.join(timeout=30)
        assert isinstance(outcomes["original"], requests.RequestException), outcomes["original"]
        assert waiting_on_locks(dbname) == 1  # the original is still in flight, in PostgreSQL

        # The browser retries: the same change under the same name, or the candidate's newer one.
        selected, sequence = ([1], 1) if retry == "the same change" else ([2], 2)
        if victim == "worker":
            first.wait_up()

        def retried():
            outcomes["retry"] = save(second.base, selected, sequence, timeout=30)

        retrier = threading.Thread(target=retried)
        retrier.start()
        wait_for(lambda: waiting_on_locks(dbname) == 2, "the retry to wait behind its original")
    finally:
        lock.rollback()  # the original goes first (it queued first), then the retry
        lock.close()
    retrier.join(timeout=30)

    response = outcomes["retry"]
    assert response.status_code == 200, response.text  # never "changed in another tab"
    stored = AttemptItem.objects.get(pk=item.pk)
    assert stored.selected == [stored.option_order[selected[0]]]
    assert stored.save_request == f"{TAB}:{sequence}" and stored.revision == response.json()["revision"]
    assert stored.revision == (1 if retry == "the same change" else 2)  # the original landed too
    assert stored.active_seconds == 1
