"""Restart PostgreSQL mid-exam, stop Redis during submissions, kill a worker mid-task."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from exams.models import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore
from exams.periodic import sweep_pending_analytics
from exams.services.attempts import attempt_start, attempt_submit
from exams.tasks import analyse_attempt
from tests.browser import start_from_exam_list, wait_saved
from tests.conftest import ROOT, _worker_env
from tests.factories import UserFactory, build_guide
from tests.faults.conftest import redis_start, redis_stop

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # the database may still be coming back
            connection.close()
        time.sleep(0.3)
    return False


def test_postgres_restart_mid_exam_loses_nothing(candidate_page, postgres_control):
    page = candidate_page
    start_from_exam_list(page, "Full mock exam")
    attempt = Attempt.objects.get(state="in_progress")
    page.locator("label[for=opt-0]").click()
    wait_saved(page)

    connection.close()
    postgres_control("stop")
    try:
        page.locator("label[for=opt-2]").click()  # saved while the database is down
        page.keyboard.press("f")
        # Failing visibly: the database's 503 is "the server is busy", the answer kept and retried.
        status = page.locator("#save-status")
        expect(status).to_have_attribute("data-state", "offline", timeout=20_000)
        expect(status).to_contain_text("kept on this device")
        assert "saved" not in status.inner_text()
        assert page.evaluate("window.mockexam.pending()") == 1
    finally:
        postgres_control("start")
    wait_saved(page, timeout=60)  # retried with backoff until it landed
    connection.close()
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    shown = [2] if item.select_count == 1 else [0, 2]  # a check box adds to the earlier choice
    assert item.selected == sorted(item.option_order[s] for s in shown) and item.flagged


def test_redis_down_during_submissions(celery_worker, redis_control):
    guide = build_guide()
    users = [UserFactory() for _ in range(3)]
    attempts = [attempt_start(user=u, blueprint=guide.blueprints.get(), seed=n) for n, u in enumerate(users)]
    redis_stop()
    started = time.monotonic()
    for user, attempt in zip(users, attempts, strict=True):
        done = attempt_submit(user=user, attempt_id=attempt.pk)
        assert done.state == "submitted" and done.scaled_score is not None
    assert time.monotonic() - started < 30  # a dead broker does not hang a submit
    assert not Attempt.objects.filter(analysed_at__isnull=False).exists()  # owed, recorded as owed
    redis_start()
    assert wait_for(lambda: sweep_pending_analytics(older_than_seconds=0) == 3)
    assert wait_for(lambda: not Attempt.objects.filter(analysed_at__isnull=True).exists()), (
        "the owed analytics never ran"
    )
    for attempt in attempts:
        assert AttemptDomainScore.objects.filter(attempt=attempt).count() == 4


def _scores(attempt):
    return (
        sorted(
            AttemptDomainScore.objects.filter(attempt=attempt).values_list(
                "domain_id", "correct", "total", "meets"
            )
        ),
        sorted(
            AttemptSubDomainScore.objects.filter(attempt=attempt).values_list(
                "sub_domain_id", "correct", "total"
            )
        ),
    )


def _start_worker(queue):
    env = _worker_env(queue)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=open(f"/tmp/mockexam-{queue}.log", "a"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def test_worker_killed_mid_task_reruns_to_the_same_result(celery_worker, monkeypatch):
    """A worker is SIGKILLed while the analysis task is inside its transaction (blocked on a row
    lock the test holds); a new worker gets the unacknowledged message again and finishes it with
    the same result as a clean run."""
    guide = build_guide()
    clean_user, victim_user = UserFactory(), UserFactory()
    clean = attempt_start(user=clean_user, blueprint=guide.blueprints.get(), seed=1)
    attempt_submit(user=clean_user, attempt_id=clean.pk)
    assert wait_for(lambda: Attempt.objects.get(pk=clean.pk).analysed_at is not None)

    queue = f"kill-{uuid.uuid4().hex[:6]}"
    victim = attempt_start(user=victim_user, blueprint=guide.blueprints.get(), seed=1)  # the same draw
    monkeypatch.setattr("exams.tasks.send_attempt_analysis", lambda attempt_id: None)
    attempt_submit(user=victim_user, attempt_id=victim.pk)  # scored; its analysis we send ourselves
    monkeypatch.undo()

    lock_taken, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Attempt.objects.select_for_update().get(pk=victim.pk)
            lock_taken.set()
            release.wait(60)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert lock_taken.wait(10)
    analyse_attempt.apply_async(args=[victim.pk], queue=queue)  # waits in a queue nobody reads yet
    doomed = _start_worker(queue)
    time.sleep(8)  # it has taken the message and waits on the lock, inside the task
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    release.set()
    holder.join(10)
    assert Attempt.objects.get(pk=victim.pk).analysed_at is None  # the killed run left nothing
    survivor = _start_worker(queue)
    try:
        assert wait_for(lambda: Attempt.objects.get(pk=victim.pk).analysed_at is not None, timeout=240), (
            "the unacknowledged task was not delivered again"
        )
    finally:
        os.killpg(survivor.pid, signal.SIGTERM)
        survivor.wait(20)
    strip = lambda rows: [r[1:] for r in rows]  # noqa: E731
    assert strip(_scores(victim)[0]) == strip(_scores(clean)[0]) != []
    assert strip(_scores(victim)[1]) == strip(_scores(clean)[1])
