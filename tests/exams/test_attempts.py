"""Sitting an exam: start, save, flag, resume, time, submit, score."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.errors import TimeUp
from exams.models import Attempt, AttemptDomainScore, AttemptItem
from exams.periodic import submit_expired_attempts
from exams.services.attempts import (
    attempt_save_answer,
    attempt_start,
    attempt_submit,
    attempts_submit_expired,
)
from tests.factories import UserFactory, correct_positions

pytestmark = pytest.mark.django_db


def save(client, attempt, position, selected, flagged=False, revision=None):
    if revision is None:
        revision = AttemptItem.objects.get(attempt=attempt, position=position).revision
    return client.post(
        reverse("exams:save", args=[attempt.pk]),
        json.dumps({"position": position, "selected": selected, "flagged": flagged, "revision": revision}),
        content_type="application/json",
    )


@pytest.fixture
def attempt(blueprint, candidate):
    return attempt_start(user=candidate, blueprint=blueprint, seed=11)


def test_start_fixes_the_deadline_with_extra_time(blueprint):
    esl = UserFactory(profile=30)
    now = timezone.now()
    attempt = attempt_start(user=esl, blueprint=blueprint, now=now)
    assert attempt.deadline == now + timedelta(minutes=180 + 30)
    assert attempt.items.count() == 65


def test_start_resumes_the_open_attempt(client_a, blueprint, attempt):
    response = client_a.post(reverse("exams:start", args=[blueprint.pk]))
    assert response.url == reverse("exams:question", args=[attempt.pk, 1])
    assert Attempt.objects.count() == 1
    client_a.get(reverse("exams:question", args=[attempt.pk, 7]))
    response = client_a.post(reverse("exams:start", args=[blueprint.pk]))
    assert response.url == reverse("exams:question", args=[attempt.pk, 7])  # the current question too


def test_an_expired_open_attempt_is_scored_and_a_new_one_starts(blueprint, candidate, attempt):
    later = attempt.deadline + timedelta(minutes=5)
    fresh = attempt_start(user=candidate, blueprint=blueprint, now=later)
    attempt.refresh_from_db()
    assert fresh.pk != attempt.pk
    assert (
        attempt.state == "submitted"
        and attempt.finish == "timeout"
        and attempt.submitted_at == attempt.deadline
    )


def test_save_lands_and_returns_revision_and_remaining_time(client_a, attempt):
    response = save(client_a, attempt, 3, [1], flagged=True)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revision"] == 1
    assert 179 * 60 <= body["remaining"] <= 180 * 60
    item = AttemptItem.objects.get(attempt=attempt, position=3)
    assert item.selected == [item.option_order[1]] and item.flagged and item.revision == 1


def test_answers_and_flags_survive_a_reload(client_a, attempt):
    item = AttemptItem.objects.get(attempt=attempt, position=2)
    save(client_a, attempt, 2, [item.choice_count - 1], flagged=True)
    page = client_a.get(reverse("exams:question", args=[attempt.pk, 2]))
    checked = [o["index"] for o in page.context["options"] if o["checked"]]
    assert checked == [item.choice_count - 1]
    assert 'aria-pressed="true"' in page.content.decode()
    statuses = {s["position"]: s for s in page.context["progress"].statuses}
    assert statuses[2] == {"position": 2, "answered": True, "flagged": True}


def test_stale_save_from_another_tab_is_refused_with_409(client_a, attempt):
    assert save(client_a, attempt, 1, [0], revision=0).status_code == 200
    response = save(client_a, attempt, 1, [2], revision=0)  # the other tab still thinks revision 0
    assert response.status_code == 409
    assert "another tab" in response.json()["error"]
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    assert item.selected == [item.option_order[0]]


def test_a_retried_save_whose_reply_was_lost_is_acknowledged(client_a, attempt):
    assert save(client_a, attempt, 1, [2], revision=0).status_code == 200
    again = save(client_a, attempt, 1, [2], revision=0)
    assert again.status_code == 200 and again.json()["revision"] == 1


def test_save_after_deadline_and_grace_is_refused(candidate, attempt, settings):
    late = attempt.deadline + timedelta(seconds=settings.EXAM_GRACE_SECONDS + 1)
    with pytest.raises(TimeUp) as info:
        attempt_save_answer(
            user=candidate,
            attempt_id=attempt.pk,
            position=1,
            selected=[0],
            flagged=False,
            base_revision=0,
            now=late,
        )
    assert "Time is up" in info.value.message
    assert AttemptItem.objects.get(attempt=attempt, position=1).selected == []
    in_grace = attempt.deadline + timedelta(seconds=settings.EXAM_GRACE_SECONDS - 1)
    ack = attempt_save_answer(
        user=candidate,
        attempt_id=attempt.pk,
        position=1,
        selected=[0],
        flagged=False,
        base_revision=0,
        now=in_grace,
    )
    assert ack.revision == 1 and ack.remaining_seconds == 0


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (b"not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (
            json.dumps({"position": 999, "selected": [], "flagged": False, "revision": 0}).encode(),
            400,
            "not part of this attempt",
        ),
        (
            json.dumps({"position": 0, "selected": [], "flagged": False, "revision": 0}).encode(),
            400,
            "'position'",
        ),
        (
            json.dumps({"position": 1, "selected": [7], "flagged": False, "revision": 0}).encode(),
            400,
            "between 1 and",
        ),
        (
            json.dumps({"position": 1, "selected": [0, 0], "flagged": False, "revision": 0}).encode(),
            400,
            "distinct",
        ),
        (
            json.dumps({"position": 1, "selected": ["a"], "flagged": False, "revision": 0}).encode(),
            400,
            "'selected'",
        ),
        (
            json.dumps({"position": 1, "selected": [], "flagged": "yes", "revision": 0}).encode(),
            400,
            "'flagged'",
        ),
        (json.dumps({"position": 1, "selected": [], "flagged": False}).encode(), 400, "'revision'"),
        (
            json.dumps(
                {"position": 1, "selected": [], "flagged": False, "revision": 0, "correct": 1}
            ).encode(),
            400,
            "Unknown field",
        ),
    ],
)
def test_malformed_saves_get_a_clear_4xx_and_change_nothing(client_a, attempt, payload, status, message):
    before = list(AttemptItem.objects.filter(attempt=attempt).values())
    response = client_a.post(
        reverse("exams:save", args=[attempt.pk]), payload, content_type="application/json"
    )
    assert response.status_code == status
    assert message in response.json()["error"]
    assert list(AttemptItem.objects.filter(attempt=attempt).values()) == before


def test_more_options_than_the_question_allows_is_refused(client_a, attempt):
    single = AttemptItem.objects.filter(attempt=attempt, select_count=1).first()
    response = save(client_a, attempt, single.position, [0, 1])
    assert response.status_code == 400 and "at most 1" in response.json()["error"]
    multiple = AttemptItem.objects.filter(attempt=attempt, select_count=2).first()
    response = save(client_a, attempt, multiple.position, [0, 1, 2])
    assert response.status_code == 400 and "at most 2" in response.json()["error"]
    assert (
        save(client_a, attempt, multiple.position, [0]).status_code == 200
    )  # one of two, still working on it


def test_submit_scores_all_or_nothing_and_is_idempotent(
    client_a, candidate, attempt, django_capture_on_commit_callbacks
):
    items = list(attempt.items.select_related("version"))
    for item in items[:40]:  # perfect answers on 40 questions
        save(client_a, attempt, item.position, correct_positions(item))
    multi = next(i for i in items[40:] if i.select_count == 2)  # half of a multiple response is wrong
    save(client_a, attempt, multi.position, correct_positions(multi)[:1])
    with django_capture_on_commit_callbacks(execute=True):
        first = client_a.post(reverse("exams:submit", args=[attempt.pk]))
    second = client_a.post(reverse("exams:submit", args=[attempt.pk]))
    assert first.url == second.url == reverse("exams:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.correct_count == 40
    assert float(attempt.percent) == pytest.approx(100 * 40 / 65, abs=0.01)
    # 61.54% is below the 72% cut: 100 + 650 * 61.54 / 72 = 655.6, rounded down
    assert attempt.scaled_score == 655 and attempt.passed is False
    assert AttemptItem.objects.filter(attempt=attempt, is_correct=True).count() == 40
    assert AttemptDomainScore.objects.filter(attempt=attempt).count() == 4  # tasks ran inline


def test_writes_to_a_submitted_attempt_are_refused(client_a, candidate, attempt):
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    response = save(client_a, attempt, 1, [0])
    assert response.status_code == 409 and "submitted" in response.json()["error"]
    assert AttemptItem.objects.get(attempt=attempt, position=1).selected == []


def test_beat_task_submits_expired_attempts_with_the_deadline_as_finish(
    candidate, attempt, settings, django_capture_on_commit_callbacks
):
    other = attempt_start(user=UserFactory(), blueprint=attempt.blueprint)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=settings.EXAM_GRACE_SECONDS + 5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert submit_expired_attempts.delay().get() == 1
    attempt.refresh_from_db()
    other.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finish == "timeout" and attempt.analysed_at is not None
    assert other.state == "in_progress"
    assert attempts_submit_expired() == 0


def test_result_page_shows_score_and_domain_table(
    client_a, candidate, attempt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=candidate, attempt_id=attempt.pk)
    page = client_a.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "Fail" in page and "Estimated scaled score" in page
    assert page.count("Needs Improvement") == 4


def test_result_breakdown_polls_until_the_task_has_run(client_a, candidate, attempt):
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    Attempt.objects.filter(pk=attempt.pk).update(analysed_at=None)
    AttemptDomainScore.objects.filter(attempt=attempt).delete()
    fragment = client_a.get(reverse("exams:breakdown", args=[attempt.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Working out" in fragment


def test_study_of_history_lists_attempts(client_a, candidate, attempt):
    page = client_a.get(reverse("exams:history")).content.decode()
    assert "In progress" in page and reverse("exams:resume", args=[attempt.pk]) in page
