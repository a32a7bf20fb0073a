"""A question at the option limit (rules.MAX_OPTIONS) works through the whole exam: its page,
its keys, its save, the submit, and the analytics of a mock that drew it."""

import json

import pytest
from django.urls import reverse

from exams.models import Attempt, AttemptItem, ItemStatistic
from exams.services.analytics import analytics_rebuild
from exams.services.attempts import attempt_start
from questions import rules
from questions.models import Choice, Question
from questions.services import question_snapshot
from tests.factories import build_guide

pytestmark = pytest.mark.django_db

LIMIT = rules.MAX_OPTIONS


@pytest.fixture
def wide_mock():
    """A 4-question mock of questions with the most options allowed, one of them select-three."""
    guide = build_guide(shape=((100, 1),), per_sub=4, multiple_every=0, blueprint=("full", 4, 10))
    for n, question in enumerate(Question.objects.filter(sub_domain__domain__guide=guide).order_by("pk")):
        correct = {0, 3, 7} if n == 0 else {n}
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(
                question=question, position=i, text=f"Option {i} of {n}", is_correct=i in correct, why="Why."
            )
            for i in range(LIMIT)
        )
        Question.objects.filter(pk=question.pk).update(
            type="multiple" if n == 0 else "single", select_count=len(correct)
        )
        question.refresh_from_db()
        question_snapshot(question=question)
    return guide.blueprints.get()


def test_a_mock_at_the_limit_renders_saves_submits_and_feeds_the_analytics(
    client_a, candidate, wide_mock, django_capture_on_commit_callbacks
):
    attempt = attempt_start(user=candidate, blueprint=wide_mock)
    last = rules.LETTERS[-1]
    for item in AttemptItem.objects.filter(attempt=attempt).order_by("position"):
        page = client_a.get(reverse("exams:question", args=[attempt.pk, item.position]))
        body = page.content.decode()
        assert page.status_code == 200
        assert f'id="opt-{LIMIT - 1}"' in body and f"{last}.</span>" in body
        # F flags, so the letters that choose are the others; the hint says so
        assert 'data-letter-keys="ABCDEGH"' in body
        assert "<kbd>1</kbd>–<kbd>8</kbd> or <kbd>A</kbd>–<kbd>E</kbd>, <kbd>G</kbd>–<kbd>H</kbd>" in body
        if item.select_count == 3:
            assert "(Select THREE.)" in body
        save = {"position": item.position, "selected": [LIMIT - 1], "flagged": False, "revision": 0}
        saved = client_a.post(reverse("exams:save", args=[attempt.pk]), json.dumps(save), "application/json")
        assert saved.status_code == 200, saved.content
    past = {"position": 1, "selected": [LIMIT], "flagged": False, "revision": 1}
    refused = client_a.post(reverse("exams:save", args=[attempt.pk]), json.dumps(past), "application/json")
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(reverse("exams:submit", args=[attempt.pk]))
    assert Attempt.objects.get(pk=attempt.pk).analysed_at is not None

    analytics_rebuild(guide_id=wide_mock.guide_id)
    stats = list(ItemStatistic.objects.all())
    assert len(stats) == 4
    for stat in stats:
        rates = stat.option_rates
        assert [r["option"] for r in rates] == list(rules.LETTERS)
        # every candidate chose the option shown last, whichever version option that was
        assert sum(r["all"] for r in rates) == 1.0
