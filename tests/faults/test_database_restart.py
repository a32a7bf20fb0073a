"""PostgreSQL stopped and started under a live gunicorn: 503 + Retry-After while it is down, 200
once it is back, from the same server processes (issue #19, point 4)."""

import json
import os
import signal
import subprocess
import sys
import time

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

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server_with_persistent_connections(tmp_path):
    """gunicorn as in production: 2 processes x 2 threads, persistent health-checked connections."""
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.server_test")
    env["DATABASE_URL"] = services.test_database_url()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (the server writes it for the whole test)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "2", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/healthz", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not come up:\n" + (tmp_path / "gunicorn.log").read_text())
                time.sleep(0.2)
        yield base, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def worker_pids(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
    return {int(p) for p in out.split()}


def test_a_database_restart_is_503_with_retry_after_then_200_without_restarting_the_server(
    live_server_with_persistent_connections, postgres_control
):
    base, server = live_server_with_persistent_connections
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=build_guide().blueprints.get(), seed=3)
    django_client = Client()
    django_client.force_login(user)
    token = _get_new_csrf_string()
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, django_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    browser.cookies.set(settings.CSRF_COOKIE_NAME, token)
    save_url = f"{base}/attempts/{attempt.pk}/save/"

    def save(selected: list[int], revision: int) -> requests.Response:
        body = {"position": 1, "selected": selected, "flagged": False, "revision": revision}
        headers = {"X-CSRFToken": token, "Accept": "application/json", "Content-Type": "application/json"}
        return browser.post(save_url, data=json.dumps(body), headers=headers, timeout=20)

    def page() -> requests.Response:
        return browser.get(f"{base}/exams/", headers={"Accept": "text/html"}, timeout=20)

    def health() -> requests.Response:
        return requests.get(base + "/healthz", headers={"Accept": "application/json"}, timeout=20)

    # Every thread of both processes holds a persistent connection before the restart.
    for _ in range(8):
        assert page().status_code == 200 and health().status_code == 200
    first = save([0], AttemptItem.objects.get(attempt=attempt, position=1).revision)
    assert first.status_code == 200, first.text
    revision = first.json()["revision"]
    workers = worker_pids(server.pid)
    assert len(workers) == 2

    connection.close()
    postgres_control("stop")
    try:
        during = [health(), page(), save([1], revision), health(), page(), save([1], revision)]
    finally:
        postgres_control("start")
    for response in during:
        assert response.status_code == 503, (response.request.url, response.status_code, response.text[:300])
        assert int(response.headers["Retry-After"]) > 0
    json_replies = [r for r in during if r.request.headers["Accept"] == "application/json"]
    assert all(r.json()["code"] == "unavailable" and r.json()["error"] for r in json_replies)
    assert all(r.headers["Content-Type"].startswith("text/html") for r in during if r not in json_replies)

    # Back: the very next requests reconnect (no 500, no restart), on every thread.
    after = [health() for _ in range(8)] + [page() for _ in range(8)]
    assert [r.status_code for r in after] == [200] * 16, [r.text[:200] for r in after if r.status_code != 200]
    landed = save([1], revision)
    assert landed.status_code == 200, landed.text
    connection.close()
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    assert item.selected == [item.option_order[1]]  # the save retried after the outage landed
    assert server.poll() is None and worker_pids(server.pid) == workers  # same master, same workers
