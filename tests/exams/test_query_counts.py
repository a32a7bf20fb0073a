"""The exam's request paths cost the same number of queries for 20 and 65 questions."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams.models import ExamBlueprint
from exams.services.attempts import attempt_start, attempt_submit

pytestmark = pytest.mark.django_db


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code in (200, 302), response.content[:500]
    return len(ctx.captured_queries)


def costs(client, user, blueprint, capture):
    attempt = attempt_start(user=user, blueprint=blueprint, seed=1)
    client.get(reverse("exams:question", args=[attempt.pk, 1]))  # warm the session
    result = {
        "question": count(lambda: client.get(reverse("exams:question", args=[attempt.pk, 2]))),
        "overview": count(lambda: client.get(reverse("exams:overview", args=[attempt.pk]))),
        "save": count(
            lambda: client.post(
                reverse("exams:save", args=[attempt.pk]),
                json.dumps({"position": 3, "selected": [0], "flagged": True, "revision": 0}),
                content_type="application/json",
            )
        ),
    }
    with capture(execute=True):
        attempt_submit(user=user, attempt_id=attempt.pk)
    result["result"] = count(lambda: client.get(reverse("exams:result", args=[attempt.pk])))
    return result


def test_constant_queries_for_20_and_65_questions(
    client_a, candidate, guide, django_capture_on_commit_callbacks
):
    full = guide.blueprints.get(slug="full")
    mini = ExamBlueprint.objects.create(
        guide=guide, slug="mini", name="Mini", question_count=20, duration_minutes=55,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    small = costs(client_a, candidate, mini, django_capture_on_commit_callbacks)
    large = costs(client_a, candidate, full, django_capture_on_commit_callbacks)
    assert small == large, (small, large)
    assert large["save"] <= 4 and large["question"] <= 6, large
