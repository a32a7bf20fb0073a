"""Idempotent saves (issue #19, point 3) and active time per question (issue #18, point 7).

A save is named "<tab>:<sequence>" by the exam script; a retry of one change carries the same
name. A retry of a save that landed is acknowledged, never a conflict; a later change of the same
tab builds on its own save whose reply was lost; another tab's change is a 409 that carries the
server's revision, answer and flag. The time a question was on screen is stored per item, only
grows, and never adds up past the attempt's elapsed time.
"""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.errors import AnswerChecked, AttemptClosed, StaleRevision
from exams.models import Attempt, AttemptItem, ExamBlueprint
from exams.services import attempts as service
from exams.services.attempts import (
    attempt_check_answer,
    attempt_record_time,
    attempt_save_answer,
    attempt_start,
    attempt_submit,
)

pytestmark = pytest.mark.django_db

TAB, OTHER = "tab-aaaaaaaa", "tab-bbbbbbbb"


@pytest.fixture
def attempt(blueprint, candidate):
    return attempt_start(user=candidate, blueprint=blueprint, seed=5)


def item(attempt, position=1) -> AttemptItem:
    return AttemptItem.objects.get(attempt=attempt, position=position)


def post(client, attempt, body: dict, name="save"):
    return client.post(reverse(f"exams:{name}", args=[attempt.pk]), json.dumps(body), "application/json")


def save(client, attempt, selected, *, request, revision=0, flagged=False, position=1, **extra):
    body = {"position": position, "selected": selected, "flagged": flagged, "revision": revision}
    return post(client, attempt, {**body, "request": request, **extra})


def test_a_retry_of_a_save_that_landed_is_acknowledged_and_changes_nothing(client_a, attempt):
    first = save(client_a, attempt, [1], request=f"{TAB}:1")
    assert first.status_code == 200 and first.json()["revision"] == 1
    landed = item(attempt)
    again = save(client_a, attempt, [1], request=f"{TAB}:1")  # the reply was lost: same name, same base
    assert again.status_code == 200 and again.json()["revision"] == 1
    assert item(attempt).revision == 1 and item(attempt).saved_at == landed.saved_at
    assert landed.save_request == f"{TAB}:1"


def test_a_retry_that_races_its_own_original_is_acknowledged(candidate, attempt, monkeypatch):
    """The retry reads revision 0, then its original (still in flight) commits, then the retry's
    UPDATE finds revision 1: it reads again, sees its own name and acknowledges."""
    real = service._update_if_current
    raced = []

    def original_lands_first(**kwargs):
        if not raced:
            raced.append(real(**kwargs))  # the original request, committed in between
        return real(**kwargs)

    monkeypatch.setattr(service, "_update_if_current", original_lands_first)
    ack = attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=1, selected=[2], flagged=True,
        base_revision=0, request=f"{TAB}:4",
    )  # fmt: skip
    assert raced == [1] and ack.revision == 1
    stored = item(attempt)
    assert stored.revision == 1 and stored.selected == [stored.option_order[2]] and stored.flagged


def test_a_later_change_of_the_same_tab_builds_on_its_unacknowledged_save(client_a, attempt):
    """The tab sent change 1, never heard back, and the candidate changed the answer again: change
    2 still names revision 0, and it is the tab's own save that is in between."""
    assert save(client_a, attempt, [0], request=f"{TAB}:1").status_code == 200  # reply lost
    second = save(client_a, attempt, [3], request=f"{TAB}:2", revision=0)
    assert second.status_code == 200 and second.json()["revision"] == 2
    third = save(client_a, attempt, [2], request=f"{TAB}:3", revision=0, flagged=True)
    assert third.status_code == 200 and third.json()["revision"] == 3
    stored = item(attempt)
    assert stored.selected == [stored.option_order[2]] and stored.flagged


def test_another_tabs_change_is_a_409_with_the_servers_revision_answer_and_flag(client_a, attempt):
    assert save(client_a, attempt, [3], request=f"{OTHER}:7", flagged=True).status_code == 200
    mine = save(client_a, attempt, [1], request=f"{TAB}:1", revision=0)
    assert mine.status_code == 409
    body = mine.json()
    assert body["code"] == "stale" and "another tab or device" in body["error"]
    assert (body["revision"], body["selected"], body["flagged"]) == (1, [3], True)  # displayed positions
    stored = item(attempt)
    assert stored.selected == [stored.option_order[3]] and stored.save_request == f"{OTHER}:7"


def test_an_earlier_change_of_the_same_tab_does_not_overwrite_a_later_one(client_a, attempt):
    assert save(client_a, attempt, [3], request=f"{TAB}:5").status_code == 200
    late = save(client_a, attempt, [1], request=f"{TAB}:4", revision=0)  # delivered out of order
    assert late.status_code == 409 and late.json()["selected"] == [3]
    assert save(client_a, attempt, [1], request=f"{TAB}:6", revision=5).status_code == 409  # a future base


def test_a_save_without_a_name_keeps_the_old_rules(client_a, attempt):
    body = {"position": 1, "selected": [2], "flagged": False, "revision": 0}
    assert post(client_a, attempt, body).status_code == 200
    assert post(client_a, attempt, body).json()["revision"] == 1  # identical: acknowledged
    changed = post(client_a, attempt, {**body, "selected": [1]})
    assert changed.status_code == 409 and changed.json()["selected"] == [2]


@pytest.mark.parametrize(
    "name", ["tab:1", "tab-aaaaaaaa:0", "tab-aaaaaaaa", "tab aaaaaaa:1", 7, "a" * 41 + ":1"]
)
def test_a_malformed_request_name_is_refused(client_a, attempt, name):
    response = save(client_a, attempt, [1], request=name)
    assert response.status_code == 400 and "'request'" in response.json()["error"]
    assert item(attempt).revision == 0


def test_every_409_of_a_save_carries_the_servers_state(candidate, guide, attempt):
    attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=1, selected=[1], flagged=True, base_revision=0
    )
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    with pytest.raises(AttemptClosed) as closed:
        attempt_save_answer(
            user=candidate, attempt_id=attempt.pk, position=1, selected=[0], flagged=False, base_revision=1
        )
    assert closed.value.details == {"revision": 1, "selected": [1], "flagged": True}

    study_bp = ExamBlueprint.objects.create(
        guide=guide, slug="study", name="Study", question_count=5, duration_minutes=0,
        score_min=100, score_max=1000, passing_score=750, mode=ExamBlueprint.Mode.STUDY,
    )  # fmt: skip
    study = attempt_start(user=candidate, blueprint=study_bp, seed=2)
    attempt_save_answer(
        user=candidate, attempt_id=study.pk, position=1, selected=[0], flagged=False, base_revision=0
    )
    attempt_check_answer(user=candidate, attempt_id=study.pk, position=1)
    with pytest.raises(AnswerChecked) as checked:
        attempt_save_answer(
            user=candidate, attempt_id=study.pk, position=1, selected=[1], flagged=False, base_revision=1
        )
    assert checked.value.details == {"revision": 1, "selected": [0], "flagged": False}
    with pytest.raises(StaleRevision) as stale:
        attempt_save_answer(
            user=candidate, attempt_id=study.pk, position=2, selected=[1], flagged=False, base_revision=3
        )
    assert stale.value.details == {"revision": 0, "selected": [], "flagged": False}


# ---- active time --------------------------------------------------------------------------


def started_ago(attempt, seconds: int) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(seconds=seconds))


def test_time_on_a_question_is_stored_only_grows_and_comes_with_saves(client_a, attempt):
    started_ago(attempt, 600)
    assert post(client_a, attempt, {"position": 1, "active": 40}, "time").json() == {"active": 40}
    assert post(client_a, attempt, {"position": 1, "active": 25}, "time").json() == {
        "active": 40
    }  # never less
    assert save(client_a, attempt, [1], request=f"{TAB}:1", active=75).status_code == 200
    assert item(attempt).active_seconds == 75
    assert save(client_a, attempt, [2], request=f"{TAB}:2", revision=1, active=10).status_code == 200
    assert item(attempt).active_seconds == 75


def test_a_forged_time_never_adds_up_past_the_attempts_elapsed_time(client_a, candidate, attempt):
    started_ago(attempt, 100)
    assert post(client_a, attempt, {"position": 1, "active": 10**6}, "time").json()["active"] <= 101
    assert item(attempt).active_seconds >= 100
    # The other questions share what is left: nothing.
    assert post(client_a, attempt, {"position": 2, "active": 90}, "time").json()["active"] <= 1
    save(client_a, attempt, [1], request=f"{TAB}:1", position=3, active=500)
    total = sum(AttemptItem.objects.filter(attempt=attempt).values_list("active_seconds", flat=True))
    assert 100 <= total <= 102


def test_time_is_refused_like_a_save_once_the_attempt_is_over(client_a, candidate, attempt):
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    response = post(client_a, attempt, {"position": 1, "active": 5}, "time")
    assert response.status_code == 409 and response.json()["code"] == "submitted"
    assert "revision" in response.json()
    with pytest.raises(AttemptClosed):
        attempt_record_time(user=candidate, attempt_id=attempt.pk, position=1, active=5)
    assert item(attempt).active_seconds == 0


@pytest.mark.parametrize(
    "body",
    [{"position": 1}, {"active": 5}, {"position": 1, "active": -1}, {"position": 1, "active": 1.5},
     {"position": 1, "active": True}, {"position": 1, "active": 5, "selected": []}],
)  # fmt: skip
def test_a_malformed_time_report_is_a_400(client_a, attempt, body):
    response = post(client_a, attempt, body, "time")
    assert response.status_code == 400 and response.json()["error"]


def test_time_used_on_the_result_and_per_domain_and_question_in_review(client_a, candidate, attempt):
    now = timezone.now()
    start = now - timedelta(seconds=3725)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=start, deadline=start + timedelta(hours=3))
    post(client_a, attempt, {"position": 1, "active": 125}, "time")
    post(client_a, attempt, {"position": 2, "active": 40}, "time")
    attempt_submit(user=candidate, attempt_id=attempt.pk, now=now)
    result = client_a.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "Time used <strong>1:02:05</strong> of 3:00:00" in result
    assert "visible and focused) 2 min 45 s" in result
    review = client_a.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert "⏱ 2 min 05 s" in review and "⏱ 40 s" in review
    domains = {item(attempt, p).domain.number for p in (1, 2)}
    assert 'id="time-by-domain"' in review
    if len(domains) == 1:
        assert "2 min 45 s" in review.split('id="time-by-domain"')[1]
