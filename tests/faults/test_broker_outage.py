"""A broker outage with a task in flight: the same worker process rides it out and, once Redis is
back, finishes every analysis owed (issue #19, point 1).

Celery 5.7.0 failed this: on the lost connection its consumer closed the connection a second
time after ``collect()`` had cleared the transport, the channel tried to restore the in-flight
(unacknowledged) message through it, kombu raised ``AttributeError: 'NoneType' object has no
attribute 'hostname'`` and the worker exited ("Unrecoverable error"). See docs/operations.md.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from exams.models import Attempt, AttemptDomainScore
from exams.services.attempts import attempt_start, attempt_submit
from exams.tasks import analyse_attempt
from tests.conftest import ROOT, _worker_env, celery_conf, reset_broker_pool
from tests.factories import UserFactory, build_guide
from tests.services import is_postgres, need

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 30


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _start(args: list[str], env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def outage_celery(private_redis, tmp_path):
    """A worker started as in production (prefork, 2 processes, gossip and mingle on) and beat, on
    a Redis of the test's own and a queue of their own; the test process publishes there too."""
    need(is_postgres(), "the in-flight task waits on a PostgreSQL row lock")
    from config.celery import app

    queue = f"outage-{uuid.uuid4().hex[:8]}"
    env = _worker_env(queue)  # beat sends to this queue too: it is the default queue there
    env["REDIS_URL"] = private_redis.url
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = _start(["worker", "--concurrency=2", "-Q", queue, "--loglevel=INFO"], env, worker_log)
    beat = _start(["beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule")], env, beat_log)
    saved = celery_conf(app, task_always_eager=False, broker_url=private_redis.url, task_default_queue=queue)
    reset_broker_pool(app)
    try:
        if not wait_for(lambda: worker.poll() is not None or app.control.ping(timeout=0.5), 60):
            pytest.fail("the worker did not answer a ping in 60 s:\n" + worker_log.read_text())
        if worker.poll() is not None or beat.poll() is not None:
            pytest.fail("the worker or beat exited:\n" + worker_log.read_text() + beat_log.read_text())
        yield worker, beat, worker_log, beat_log
    finally:
        celery_conf(app, **saved)
        reset_broker_pool(app)
        _stop(beat)
        _stop(worker)


def test_the_same_worker_rides_out_a_30_s_broker_outage_and_finishes_the_owed_analyses(
    outage_celery, private_redis, monkeypatch
):
    proc, beat, log_path, beat_log = outage_celery
    pid = proc.pid
    blueprint = build_guide().blueprints.get()
    users = [UserFactory() for _ in range(4)]
    attempts = [attempt_start(user=u, blueprint=blueprint, seed=n) for n, u in enumerate(users)]
    in_flight, *during = attempts

    # The in-flight attempt: submitted, and its analysis running in the worker (held inside its
    # transaction by a row lock of ours) when the broker goes away, so the worker holds an
    # unacknowledged message: the condition that killed 5.7.0.
    monkeypatch.setattr("exams.tasks.send_attempt_analysis", lambda attempt_id: None)
    attempt_submit(user=users[0], attempt_id=in_flight.pk)
    monkeypatch.undo()
    lock_taken, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Attempt.objects.select_for_update().get(pk=in_flight.pk)
            lock_taken.set()
            release.wait(90)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert lock_taken.wait(10)
        task_id = analyse_attempt.delay(in_flight.pk).id
        assert wait_for(lambda: f"[{task_id}] received" in log_path.read_text(), 30), "never received"
        time.sleep(1)  # it is inside the task now, waiting on the lock

        private_redis.stop()
        outage_started = time.monotonic()
        alive = []
        try:
            time.sleep(3)
            release.set()  # the in-flight analysis finishes while the broker is down
            for user, attempt in zip(users[1:], during, strict=True):
                started = time.monotonic()
                done = attempt_submit(user=user, attempt_id=attempt.pk)  # the broker is down
                assert done.state == "submitted" and time.monotonic() - started < 10
            while time.monotonic() - outage_started < OUTAGE_SECONDS:
                alive.append(proc.poll() is None and beat.poll() is None)
                time.sleep(1)
        finally:
            release.set()
            private_redis.start()
    finally:
        holder.join(30)
    assert all(alive) and len(alive) >= 10, (
        "the worker or beat exited during the outage:\n" + log_path.read_text() + beat_log.read_text()
    )
    assert Attempt.objects.filter(pk__in=[a.pk for a in during], analysed_at__isnull=True).count() == 3

    # Nobody restarts anything: the same worker reconnects by itself ...
    assert wait_for(lambda: log_path.read_text().count("Connected to redis") >= 2, 90), (
        "the worker did not reconnect:\n" + log_path.read_text()
    )
    # ... and beat's next sweep (every 60 s) resends the analyses owed, which it runs.
    assert wait_for(lambda: not Attempt.objects.filter(analysed_at__isnull=True).exists(), 150), (
        "the owed analyses were not done:\n" + log_path.read_text() + beat_log.read_text()
    )
    assert "sweep_pending_analytics" in log_path.read_text()
    assert proc.poll() is None and proc.pid == pid and beat.poll() is None
    os.kill(pid, 0)  # the very process started before the outage, still there
    worker_log = log_path.read_text()
    assert "Unrecoverable error" not in worker_log and "Cannot connect to redis" in worker_log
    for attempt in attempts:
        assert AttemptDomainScore.objects.filter(attempt=attempt).count() == 4
