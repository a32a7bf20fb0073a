"""No answer leaks before submit; nobody reaches another's attempt; writes need CSRF."""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from exams.models import AttemptItem
from exams.services.attempts import attempt_start
from questions.models import Choice, Question

pytestmark = pytest.mark.django_db

MARKER_WHY = "WHY-SECRET-MARKER"
MARKER_EXPLANATION = "EXPLANATION-SECRET-MARKER"


@pytest.fixture
def marked_attempt(guide, blueprint, candidate):
    """An attempt whose every why and explanation carries a marker we can search for."""
    from questions.services import question_snapshot

    Choice.objects.update(why=MARKER_WHY)
    Question.objects.update(explanation=MARKER_EXPLANATION)
    for question in Question.objects.all():
        question_snapshot(question=question)
    return attempt_start(user=candidate, blueprint=blueprint, seed=3)


def exam_pages(attempt):
    urls = [reverse("exams:question", args=[attempt.pk, n]) for n in range(1, attempt.question_count + 1)]
    return [
        *urls,
        reverse("exams:overview", args=[attempt.pk]),
        reverse("exams:overview", args=[attempt.pk]) + "?show=flagged",
        reverse("exams:resume", args=[attempt.pk]),
        reverse("exams:list"),
        reverse("exams:history"),
        reverse("exams:breakdown", args=[attempt.pk]),
    ]


def test_no_exam_view_carries_the_key_an_explanation_or_a_score(client_a, marked_attempt):
    for url in exam_pages(marked_attempt):
        response = client_a.get(url, follow=True)
        body = response.content.decode()
        assert response.status_code == 200, url
        for secret in (
            MARKER_WHY,
            MARKER_EXPLANATION,
            "correct",
            "is_correct",
            "scaled",
            "Meets Competencies",
        ):
            assert secret not in body, (url, secret)
    answer = client_a.post(
        reverse("exams:save", args=[marked_attempt.pk]),
        json.dumps({"position": 1, "selected": [0], "flagged": False, "revision": 0}),
        content_type="application/json",
    )
    assert set(answer.json()) == {"revision", "saved_at", "remaining"}


def test_the_result_of_an_open_attempt_is_not_shown(client_a, marked_attempt):
    response = client_a.get(reverse("exams:result", args=[marked_attempt.pk]))
    assert response.status_code == 302 and "/q/" in response.url


def test_another_candidate_gets_404_everywhere(marked_attempt, other_candidate):
    intruder = Client()
    intruder.force_login(other_candidate)
    attempt = marked_attempt
    gets = [
        reverse("exams:question", args=[attempt.pk, 1]),
        reverse("exams:overview", args=[attempt.pk]),
        reverse("exams:resume", args=[attempt.pk]),
        reverse("exams:result", args=[attempt.pk]),
        reverse("exams:breakdown", args=[attempt.pk]),
    ]
    for url in gets:
        assert intruder.get(url).status_code == 404, url
    save = intruder.post(
        reverse("exams:save", args=[attempt.pk]),
        json.dumps({"position": 1, "selected": [0], "flagged": True, "revision": 0}),
        content_type="application/json",
    )
    assert save.status_code == 404
    assert intruder.post(reverse("exams:submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"
    assert not AttemptItem.objects.filter(attempt=attempt).exclude(selected=[]).exists()


def test_anonymous_is_sent_to_log_in(marked_attempt):
    anonymous = Client()
    response = anonymous.get(reverse("exams:question", args=[marked_attempt.pk, 1]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_writes_need_the_csrf_token(marked_attempt, candidate):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(candidate)
    save = strict.post(
        reverse("exams:save", args=[marked_attempt.pk]),
        json.dumps({"position": 1, "selected": [0], "flagged": False, "revision": 0}),
        content_type="application/json",
    )
    assert save.status_code == 403
    assert strict.post(reverse("exams:submit", args=[marked_attempt.pk])).status_code == 403
    marked_attempt.refresh_from_db()
    assert marked_attempt.state == "in_progress"
    assert AttemptItem.objects.get(attempt=marked_attempt, position=1).revision == 0


def test_gets_do_not_submit_or_save(client_a, marked_attempt):
    assert client_a.get(reverse("exams:submit", args=[marked_attempt.pk])).status_code == 405
    assert client_a.get(reverse("exams:save", args=[marked_attempt.pk])).status_code == 405


@pytest.fixture
def marked_every_type_attempt(candidate):
    """The bank with every item type (ordering, matching, case studies), whys and explanations
    marked, and an attempt that drew an ordering and a matching item and a case study."""
    from django.core.management import call_command

    from exams.models import Attempt, ExamBlueprint
    from questions.services import question_snapshot

    call_command("load_bank", str(Path(__file__).parent.parent / "questions" / "fixtures" / "every-type"))
    Choice.objects.update(why=MARKER_WHY)
    Question.objects.update(explanation=MARKER_EXPLANATION)
    for question in Question.objects.all():
        question_snapshot(question=question)
    blueprint = ExamBlueprint.objects.get(guide__code="MLA-T", slug="full")
    for seed in range(200):
        attempt = attempt_start(user=candidate, blueprint=blueprint, seed=seed)
        items = list(attempt.items.select_related("question"))
        if {"ordering", "matching"} <= {i.type for i in items} and any(
            i.question.case_study_id for i in items
        ):
            return attempt
        Attempt.objects.filter(pk=attempt.pk).delete()
    raise AssertionError("no seed drew every type")


def test_no_exam_view_of_ordering_matching_or_case_studies_carries_the_key(
    client_a, marked_every_type_attempt
):
    attempt = marked_every_type_attempt
    for url in exam_pages(attempt):
        body = client_a.get(url, follow=True).content.decode()
        for secret in (MARKER_WHY, MARKER_EXPLANATION, "correct", "is_correct", "scaled"):
            assert secret not in body, (url, secret)
    for item in attempt.items.all():
        if item.type in ("ordering", "matching"):
            answer = client_a.post(
                reverse("exams:save", args=[attempt.pk]),
                json.dumps(
                    {
                        "position": item.position,
                        "selected": [0] + [None] * (item.choice_count - 1),
                        "flagged": False,
                        "revision": 0,
                    }
                ),
                content_type="application/json",
            )
            assert set(answer.json()) == {"revision", "saved_at", "remaining"}
