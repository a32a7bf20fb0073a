"""Exam day as candidates met it (issue 18): expired attempts closed before any page shows them,
instructions before the clock starts, a walk through a filtered review, study feedback on the
options themselves, the result's links and percentiles."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.models import Attempt, AttemptItem, CandidateStanding, ExamBlueprint
from exams.services.attempts import (
    attempt_check_answer,
    attempt_start,
    attempt_submit,
    attempts_submit_overdue,
)
from tests.factories import UserFactory, build_guide, correct_positions

pytestmark = pytest.mark.django_db


def overdue(attempt) -> Attempt:
    """Move an attempt's clock back so that its time ran out an hour ago, as when the tab closed."""
    shift = attempt.deadline - attempt.started_at + timedelta(hours=1)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift, deadline=attempt.deadline - shift
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def attempt(blueprint, candidate):
    return attempt_start(user=candidate, blueprint=blueprint, seed=5)


# ---- 1. an overdue attempt is submitted before any page shows it --------------------------


@pytest.mark.parametrize("page", ["exams:list", "exams:history", "exams:dashboard", "exams:practice"])
def test_every_page_listing_attempts_first_submits_an_overdue_one_at_its_deadline(client_a, attempt, page):
    attempt = overdue(attempt)
    response = client_a.get(reverse(page), follow=True)
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finish == "timeout"
    assert attempt.submitted_at == attempt.deadline
    assert "Time ran out on your attempt" in response.content.decode()
    assert Attempt.objects.count() == 1  # nothing new started


def test_the_exam_list_offers_no_resume_of_an_expired_attempt_and_says_time_ran_out(
    client_a, attempt, blueprint
):
    overdue(attempt)
    page = client_a.get(reverse("exams:list")).content.decode()
    assert f'href="{reverse("exams:resume", args=[attempt.pk])}"' not in page and "Resume" not in page
    assert f'href="{reverse("exams:result", args=[attempt.pk])}"' in page
    assert "time ran out" in page
    assert reverse("exams:instructions", args=[blueprint.pk]) in page  # a new one is a choice


def test_an_attempt_in_progress_is_resumed_by_a_link_not_a_start(client_a, attempt):
    page = client_a.get(reverse("exams:list")).content.decode()
    assert f'href="{reverse("exams:resume", args=[attempt.pk])}"' in page
    assert reverse("exams:start", args=[attempt.blueprint_id]) not in page


def test_resuming_an_expired_attempt_shows_its_result_and_starts_nothing(client_a, attempt):
    overdue(attempt)
    response = client_a.get(reverse("exams:resume", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:result", args=[attempt.pk])
    assert "time ran out" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_a_review_link_to_an_expired_attempt_submits_it_first(client_a, attempt):
    overdue(attempt)
    response = client_a.get(reverse("exams:review", args=[attempt.pk]))
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == "submitted"


def test_submit_overdue_touches_only_that_candidates_expired_attempts(
    blueprint, candidate, other_candidate, attempt
):
    others = overdue(attempt_start(user=other_candidate, blueprint=blueprint, seed=6))
    assert attempts_submit_overdue(user=candidate) == []  # candidate's is not overdue
    closed = attempts_submit_overdue(user=other_candidate)
    assert [a.pk for a in closed] == [others.pk]
    attempt.refresh_from_db()
    assert attempt.is_open


# ---- 3. instructions first; the clock starts on Begin --------------------------------------


def test_the_instructions_start_nothing_and_begin_fixes_the_deadline(client_a, blueprint):
    page = client_a.get(reverse("exams:instructions", args=[blueprint.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("65 questions", "180 minutes", "Multiple choice", "Multiple response", "Flag for review"):
        assert words in text, words
    assert "Ordering" not in text  # this bank has none: only the types it can draw are described
    assert 'id="begin"' in text and Attempt.objects.count() == 0
    before = timezone.now()
    response = client_a.post(reverse("exams:start", args=[blueprint.pk]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("exams:question", args=[attempt.pk, 1])
    assert before + timedelta(minutes=180) <= attempt.deadline <= timezone.now() + timedelta(minutes=180)


def test_the_instructions_of_an_exam_in_progress_offer_resume(client_a, attempt):
    text = client_a.get(reverse("exams:instructions", args=[attempt.blueprint_id])).content.decode()
    assert f'href="{reverse("exams:resume", args=[attempt.pk])}"' in text and 'id="begin"' not in text


def test_the_instructions_count_extra_time_and_need_a_login(client, candidate, blueprint):
    url = reverse("exams:instructions", args=[blueprint.pk])
    assert client.get(url).status_code == 302
    candidate.profile.extra_time_minutes = 30
    candidate.profile.save()
    client.force_login(candidate)
    assert "210-minute clock" in client.get(url).content.decode()
    assert client.get(reverse("exams:instructions", args=[99999])).status_code == 404


# ---- 4. Next and Previous walk through a filtered review ----------------------------------


def test_next_and_previous_walk_through_the_flagged_questions(client_a, attempt):
    AttemptItem.objects.filter(attempt=attempt, position__in=[3, 9, 40]).update(flagged=True)
    page = client_a.get(reverse("exams:question", args=[attempt.pk, 9]) + "?show=flagged")
    prefix = page.context["urls"]["question_prefix"]
    assert page.context["prev_url"] == f"{prefix}3/?show=flagged"
    assert page.context["next_url"] == f"{prefix}40/?show=flagged"
    last = client_a.get(reverse("exams:question", args=[attempt.pk, 40]) + "?show=flagged")
    assert last.context["next_url"] == reverse("exams:overview", args=[attempt.pk]) + "?show=flagged"
    first = client_a.get(reverse("exams:question", args=[attempt.pk, 3]) + "?show=flagged")
    assert first.context["prev_url"] is None
    overview = client_a.get(reverse("exams:overview", args=[attempt.pk]) + "?show=flagged").content.decode()
    assert f'href="{prefix}9/?show=flagged"' in overview


def test_the_unanswered_walk_skips_answered_questions(client_a, attempt):
    AttemptItem.objects.filter(attempt=attempt, position__in=[2, 3, 4]).update(selected=[0])
    page = client_a.get(reverse("exams:question", args=[attempt.pk, 1]) + "?show=unanswered")
    assert page.context["next_url"].endswith("/5/?show=unanswered")


def test_an_unknown_walk_is_the_plain_order(client_a, attempt):
    page = client_a.get(reverse("exams:question", args=[attempt.pk, 5]) + "?show=<script>")
    assert page.status_code == 200
    assert page.context["next_url"] == page.context["urls"]["question_prefix"] + "6/"
    assert "<script>" not in page.content.decode().split('id="exam-form"')[1].split("</form>")[0]


# ---- 9. study mode: the feedback on the options themselves ---------------------------------


def test_study_feedback_marks_the_options_and_does_not_repeat_them(client_a, guide, candidate):
    study = ExamBlueprint.objects.create(
        guide=guide, slug="study", name="Study", mode="study", question_count=5, duration_minutes=0,
        score_min=100, score_max=1000, passing_score=750, is_mock=False,
    )  # fmt: skip
    attempt = attempt_start(user=candidate, blueprint=study, seed=3)
    item = AttemptItem.objects.select_related("version").get(attempt=attempt, position=1)
    AttemptItem.objects.filter(pk=item.pk).update(selected=[item.option_order[0]])
    attempt_check_answer(user=candidate, attempt_id=attempt.pk, position=1)
    text = client_a.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    assert text.count('name="option"') == item.choice_count  # the options once
    assert "review-options" not in text
    assert text.count("option-correct") == len(correct_positions(item))
    assert text.count('class="d-block small mt-1 why"') == item.choice_count


# ---- 8. results that lead somewhere --------------------------------------------------------


def test_each_task_statement_on_the_result_links_its_wrong_answers_and_a_drill(
    client_a, attempt, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=candidate, attempt_id=attempt.pk)  # nothing answered: all wrong
    response = client_a.get(reverse("exams:result", args=[attempt.pk]))
    text = response.content.decode()
    review = reverse("exams:review", args=[attempt.pk])
    codes = sorted({i.sub_domain.code for i in attempt.items.select_related("sub_domain")})
    for code in codes:
        assert f'href="{review}?show=wrong&amp;task={code}"' in text, code
    assert text.count(f'action="{reverse("exams:drill")}"') == len(codes)
    assert response.context["chart"]["scores"]["labels"] == ["D1", "D2", "D3", "D4"]
    assert 'data-chart="scores"' in text and "chart.umd.min.js" in text
    # the link opens the wrong answers of that task statement only
    page = client_a.get(f"{review}?show=wrong&task={codes[0]}")
    assert {r["item"].sub_domain.code for r in page.context["reviews"]} == {codes[0]}


def test_a_drill_from_the_result_starts_in_that_task_statement(client_a):
    guide = build_guide(code="DRL-01", per_sub=12)
    sub = guide.domains.get(number=1).sub_domains.order_by("code").first()
    response = client_a.post(
        reverse("exams:drill"), {"guide": guide.pk, "scope": f"t:{sub.pk}", "count": 10, "mode": "study"}
    )
    drill = Attempt.objects.get(blueprint__is_listed=False)
    assert response.url.startswith(reverse("exams:question", args=[drill.pk, 1]))
    assert set(drill.items.values_list("sub_domain_id", flat=True)) <= {sub.pk}


def _standings(guide, users, percentile):
    domain = guide.domains.get(number=1)
    now = timezone.now()
    fields = {"guide": guide, "domain": domain, "mastery": 0.5, "answered": 10, "attempts": 1}
    CandidateStanding.objects.bulk_create(
        CandidateStanding(user=u, percentile=percentile, updated_at=now, **fields) for u in users
    )


def test_percentiles_wait_for_enough_other_candidates(client_a, candidate, guide, settings):
    settings.PERCENTILE_MIN_OTHERS = 3
    _standings(guide, [candidate, UserFactory(), UserFactory()], 0.0)
    text = client_a.get(reverse("exams:dashboard")).content.decode()
    assert "not enough data yet" in text and "0th" not in text
    _standings(guide, [UserFactory()], 0.0)
    text = client_a.get(reverse("exams:dashboard")).content.decode()
    assert "not enough data yet" not in text and "0th" in text
