"""The analysis task runs on a real Celery worker through Redis, not inline."""

import time

import pytest
from django.urls import reverse

from exams.models import Attempt, AttemptDomainScore, CandidateReadiness, CandidateStanding
from exams.periodic import sweep_pending_analytics
from exams.services.attempts import attempt_start, attempt_submit
from tests.conftest import celery_conf, reset_broker_pool
from tests.factories import UserFactory, build_guide

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_submit_queues_the_breakdown_and_a_real_worker_computes_it(celery_worker, client):
    guide = build_guide()
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=guide.blueprints.get(), seed=4)
    attempt_submit(user=user, attempt_id=attempt.pk)  # committed: on_commit sends the task to Redis
    assert wait_for(lambda: Attempt.objects.get(pk=attempt.pk).analysed_at is not None), (
        "the worker never ran it"
    )
    assert AttemptDomainScore.objects.filter(attempt=attempt).count() == 4
    client.force_login(user)
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert page.count("Needs Improvement") == 4  # the result page shows what the worker wrote


def _point_broker_at(url):
    from config.celery import app

    celery_conf(app, broker_url=url)
    reset_broker_pool(app)


def test_dashboard_numbers_come_from_the_worker(celery_worker, client):
    guide = build_guide()
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=guide.blueprints.get(), seed=5)
    attempt_submit(user=user, attempt_id=attempt.pk)
    assert wait_for(lambda: CandidateReadiness.objects.filter(user=user).exists()), (
        "no readiness from the worker"
    )
    client.force_login(user)
    page = client.get(reverse("exams:dashboard")).content.decode()
    readiness = CandidateReadiness.objects.get(user=user)
    assert f"{round(100 * readiness.probability)}%" in page
    assert CandidateStanding.objects.filter(user=user, sub_domain__isnull=True).count() == 4


def test_submit_with_the_broker_down_then_the_sweeper_catches_up(celery_worker, client):
    from config.celery import app

    guide = build_guide()
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=guide.blueprints.get(), seed=6)
    live = app.conf.broker_url
    _point_broker_at("redis://127.0.0.1:1/0")  # nothing listens there: the broker is down
    try:
        submitted = attempt_submit(user=user, attempt_id=attempt.pk)
        assert submitted.state == "submitted" and submitted.scaled_score is not None  # scored all the same
        time.sleep(1)
        assert Attempt.objects.get(pk=attempt.pk).analysed_at is None  # owed, and recorded as owed
    finally:
        _point_broker_at(live)
    assert sweep_pending_analytics(older_than_seconds=0) == 1
    assert wait_for(lambda: Attempt.objects.get(pk=attempt.pk).analysed_at is not None)
    assert AttemptDomainScore.objects.filter(attempt=attempt).count() == 4
    assert CandidateReadiness.objects.filter(user=user).exists()
