"""The analysis task runs on a real Celery worker through Redis, not inline."""

import time

import pytest
from django.urls import reverse

from exams.models import Attempt, AttemptDomainScore
from exams.services.attempts import attempt_start, attempt_submit
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
