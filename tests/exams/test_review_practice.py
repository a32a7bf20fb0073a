"""Review by task statement, practice sets on the same engine, mistakes, study mode, history."""

import json
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams import selectors
from exams.models import Attempt, AttemptItem, ExamBlueprint
from exams.services import practice
from exams.services.attempts import attempt_check_answer, attempt_save_answer, attempt_start, attempt_submit
from questions.models import Question, SubDomain
from questions.services import question_snapshot
from tests.factories import build_guide, correct_positions

pytestmark = pytest.mark.django_db


def answer(user, attempt, item, right: bool, flagged=False):
    keys = correct_positions(item)
    chosen = keys if right else [next(i for i in range(item.choice_count) if i not in keys)]
    attempt_save_answer(
        user=user, attempt_id=attempt.pk, position=item.position, selected=chosen, flagged=flagged,
        base_revision=item.revision,
    )  # fmt: skip


@pytest.fixture
def submitted(candidate, blueprint, django_capture_on_commit_callbacks):
    """A 65-question mock: positions 1-30 right, 31-50 wrong (41-50 flagged), 51-65 unanswered."""
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=8)
    for item in attempt.items.select_related("version").order_by("position")[:50]:
        answer(candidate, attempt, item, right=item.position <= 30, flagged=item.position > 40)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=candidate, attempt_id=attempt.pk)
    return attempt


def positions(response):
    return [r["item"].position for r in response.context["reviews"]]


def test_review_filters(client_a, submitted):
    url = reverse("exams:review", args=[submitted.pk])
    assert len(positions(client_a.get(url))) == 65
    assert positions(client_a.get(url + "?show=wrong")) == list(range(31, 66))
    assert positions(client_a.get(url + "?show=unanswered")) == list(range(51, 66))
    assert positions(client_a.get(url + "?show=flagged")) == list(range(41, 51))
    assert positions(client_a.get(url + "?show=correct")) == list(range(1, 31))
    in_domain_3 = client_a.get(url + "?domain=3")
    assert len(positions(in_domain_3)) == 23
    assert all(r["item"].sub_domain.code.startswith("3.") for r in in_domain_3.context["reviews"])
    task = client_a.get(url + "?show=wrong&task=3.2")
    expected = [
        i.position
        for i in AttemptItem.objects.filter(attempt=submitted, sub_domain__code="3.2", is_correct=False)
    ]
    assert sorted(positions(task)) == sorted(expected)
    assert client_a.get(url + "?show=nonsense&domain=x").status_code == 200  # bad filters fall back to all


def test_summary_by_task_statement_links_to_the_filtered_list(client_a, submitted):
    response = client_a.get(reverse("exams:review", args=[submitted.pk]))
    rows = {row["code"]: row for row in response.context["summary"]}
    assert len(rows) == 15 and sum(r["total"] for r in rows.values()) == 65
    assert sum(r["wrong"] for r in rows.values()) == 35
    body = response.content.decode()
    wrong_in_32 = AttemptItem.objects.filter(
        attempt=submitted, sub_domain__code="3.2", is_correct=False
    ).count()
    total_32 = AttemptItem.objects.filter(attempt=submitted, sub_domain__code="3.2").count()
    assert f"{wrong_in_32} of {total_32}" in body
    assert "?show=wrong&amp;task=3.2" in body


def test_review_shows_the_version_the_candidate_saw(client_a, submitted):
    item = AttemptItem.objects.select_related("question").get(attempt=submitted, position=1)
    seen_stem = item.version.content["stem"]
    question = item.question
    question.stem = "An edited stem written after the attempt."
    question.save()
    question_snapshot(question=question)
    assert question.current_version_id != item.version_id
    page = client_a.get(reverse("exams:review", args=[submitted.pk])).content.decode()
    assert seen_stem.split()[0] in page and "An edited stem" not in page


def test_review_shows_key_whys_and_explanation(client_a, submitted):
    response = client_a.get(reverse("exams:review", args=[submitted.pk]) + "?show=wrong")
    review = response.context["reviews"][0]
    content = review["item"].version.content
    body = response.content.decode()
    assert content["explanation_html"] in body
    assert all(c["why_html"] in body for c in content["choices"])
    assert review["key_letters"] and review["your_letters"] != review["key_letters"]


def test_review_of_an_open_attempt_redirects_and_of_anothers_is_404(
    client_a, candidate, blueprint, other_candidate
):
    open_attempt = attempt_start(user=candidate, blueprint=blueprint)
    assert client_a.get(reverse("exams:review", args=[open_attempt.pk])).status_code == 302
    intruder = Client()
    intruder.force_login(other_candidate)
    assert intruder.get(reverse("exams:review", args=[open_attempt.pk])).status_code == 404


def test_mistakes_drop_out_once_answered_right_and_come_back_when_wrong_again(
    candidate, guide, submitted, django_capture_on_commit_callbacks
):
    mistakes = set(selectors.mistakes_question_ids(user=candidate, guide=guide))
    wrong = set(
        AttemptItem.objects.filter(attempt=submitted, is_correct=False).values_list("question_id", flat=True)
    )
    assert mistakes == wrong and len(mistakes) == 35

    drill = practice.attempt_start_mistakes(user=candidate, guide=guide)
    assert set(drill.items.values_list("question_id", flat=True)) == wrong
    items = list(drill.items.select_related("version").order_by("position"))
    answer(candidate, drill, items[0], right=True)
    attempt_check_answer(user=candidate, attempt_id=drill.pk, position=items[0].position)
    answer(candidate, drill, items[1], right=False)
    attempt_check_answer(user=candidate, attempt_id=drill.pk, position=items[1].position)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=candidate, attempt_id=drill.pk)
    after = set(selectors.mistakes_question_ids(user=candidate, guide=guide))
    assert items[0].question_id not in after  # answered right later: drops out
    assert items[1].question_id in after  # wrong again: still there
    assert len(after) == 34  # unanswered practice questions are not new mistakes, nor fixed ones


def test_mistakes_for_one_task_statement(client_a, candidate, guide, submitted):
    sub = SubDomain.objects.get(domain__guide=guide, code="3.2")
    response = client_a.post(reverse("exams:mistakes"), {"guide": guide.pk, "scope": f"t:{sub.pk}"})
    attempt = Attempt.objects.get(blueprint__slug="mistakes-t3.2")
    assert response.url == reverse("exams:question", args=[attempt.pk, 1])
    assert set(attempt.items.values_list("sub_domain__code", flat=True)) == {"3.2"}
    assert attempt.blueprint.mode == "study" and not attempt.blueprint.is_mock and attempt.deadline is None


def test_no_mistakes_says_so(client_a, guide):
    response = client_a.post(reverse("exams:mistakes"), {"guide": guide.pk}, follow=True)
    assert "No mistakes to practise" in response.content.decode()
    assert not Attempt.objects.exists()


def test_study_mode_shows_the_answer_only_after_check(client_a, candidate, guide):
    blueprint = practice.blueprint_for_drill(
        guide=guide, count=10, study=True, domain=guide.domains.get(number=2)
    )
    attempt = attempt_start(user=candidate, blueprint=blueprint)
    item = attempt.items.select_related("version").get(position=1)
    url = reverse("exams:question", args=[attempt.pk, 1])
    before = client_a.get(url)
    assert before.context["feedback"] is None
    assert item.version.content["explanation_html"] not in before.content.decode()
    assert "Check answer" in before.content.decode()
    answer(candidate, attempt, item, right=False)
    client_a.post(reverse("exams:check", args=[attempt.pk, 1]))
    after = client_a.get(url).content.decode()
    assert item.version.content["explanation_html"] in after and "Incorrect" in after
    item.refresh_from_db()
    assert item.is_correct is False and item.checked_at is not None
    # a checked answer is locked
    response = client_a.post(
        reverse("exams:save", args=[attempt.pk]),
        json.dumps(
            {"position": 1, "selected": correct_positions(item), "flagged": False, "revision": item.revision}
        ),
        content_type="application/json",
    )
    assert response.status_code == 409 and "checked" in response.json()["error"]


def test_exam_mode_never_checks(client_a, candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint)
    item = attempt.items.select_related("version").get(position=1)
    answer(candidate, attempt, item, right=True)
    response = client_a.post(reverse("exams:check", args=[attempt.pk, 1]), follow=True)
    assert "only after the exam is submitted" in response.content.decode()
    item.refresh_from_db()
    assert item.checked_at is None and item.is_correct is None


@pytest.mark.parametrize("scope", ["domain", "task"])
def test_drills_draw_only_from_their_scope(client_a, candidate, scope):
    guide = build_guide(per_sub=12)
    sub = SubDomain.objects.get(domain__guide=guide, code="3.4")
    value = f"d:{sub.domain_id}" if scope == "domain" else f"t:{sub.pk}"
    client_a.post(reverse("exams:drill"), {"guide": guide.pk, "scope": value, "count": 10, "mode": "exam"})
    attempt = Attempt.objects.get()
    codes = set(attempt.items.values_list("sub_domain__code", flat=True))
    if scope == "domain":
        assert attempt.question_count == 10 and all(c.startswith("3.") for c in codes) and len(codes) == 5
    else:
        assert attempt.question_count == 10 and codes == {"3.4"}
    assert attempt.deadline is not None and not attempt.blueprint.is_mock


def test_task_drill_larger_than_the_task_statement_says_so(client_a, guide):
    sub = SubDomain.objects.get(domain__guide=guide, code="3.4")  # 8 questions
    response = client_a.post(
        reverse("exams:drill"),
        {"guide": guide.pk, "scope": f"t:{sub.pk}", "count": 10, "mode": "study"},
        follow=True,
    )
    assert "needs 10 published questions but the bank holds 8" in response.content.decode()
    assert not Attempt.objects.exists()


def test_drill_refuses_bad_input(client_a, guide):
    for data in (
        {"guide": guide.pk, "scope": "x:1", "count": 10},
        {"guide": guide.pk, "scope": "d:1", "count": 7},
    ):
        response = client_a.post(reverse("exams:drill"), data, follow=True)
        assert response.status_code == 200
    assert not Attempt.objects.exists()
    assert client_a.post(reverse("exams:drill"), {"guide": 999, "scope": "", "count": 10}).status_code == 404


def test_mini_mock_is_weighted_like_the_full_exam(candidate, guide):
    mini = ExamBlueprint.objects.create(
        guide=guide, slug="mini", name="Mini", question_count=20, duration_minutes=55,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    attempt = attempt_start(user=candidate, blueprint=mini)
    counts = Counter(attempt.items.values_list("domain__number", flat=True))
    assert counts == {1: 4, 2: 5, 3: 7, 4: 4}


def test_practice_is_kept_apart_but_counts_as_seen(client_a, candidate, guide, submitted):
    blueprint = practice.blueprint_for_drill(
        guide=guide, count=10, study=True, domain=guide.domains.get(number=1)
    )
    practice_attempt = attempt_start(user=candidate, blueprint=blueprint)
    page = client_a.get(reverse("exams:history"))
    groups = {title: list(rows) for title, _, rows in page.context["groups"]}
    assert groups["Mock exams"] == [submitted] and groups["Practice"] == [practice_attempt]
    assert [row["attempt"] for row in page.context["trends"][0]["rows"]] == [submitted]
    seen = set(AttemptItem.objects.filter(attempt=practice_attempt).values_list("question_id", flat=True))
    assert seen and not ExamBlueprint.objects.get(pk=blueprint.pk).is_listed
    assert blueprint not in client_a.get(reverse("exams:list")).context["blueprints"]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_review_history_and_practice_cost_the_same_at_two_sizes(
    client_a, candidate, guide, blueprint, django_capture_on_commit_callbacks
):
    mini = ExamBlueprint.objects.create(
        guide=guide, slug="mini", name="Mini", question_count=20, duration_minutes=55,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    costs = []
    for bp in (mini, blueprint):
        attempt = attempt_start(user=candidate, blueprint=bp, seed=2)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(user=candidate, attempt_id=attempt.pk)
        client_a.get(reverse("exams:history"))
        costs.append(
            (
                _count(client_a, reverse("exams:review", args=[attempt.pk])),
                _count(client_a, reverse("exams:history")),
                _count(client_a, reverse("exams:practice")),
            )
        )
    assert costs[0] == costs[1], costs


def test_only_published_questions_feed_mistakes(candidate, guide, submitted):
    wrong = AttemptItem.objects.filter(attempt=submitted, is_correct=False).values_list(
        "question_id", flat=True
    )
    Question.objects.filter(pk__in=list(wrong)[:5]).update(status="retired")
    assert len(selectors.mistakes_question_ids(user=candidate, guide=guide)) == 30


def test_review_offers_a_problem_report_per_question_and_it_lands(client_a, candidate, submitted):
    from questions.models import ProblemReport

    page = client_a.get(reverse("exams:review", args=[submitted.pk]) + "?show=wrong")
    body = page.content.decode()
    assert body.count("Report a problem with this question") == 35
    item = page.context["reviews"][0]["item"]
    response = client_a.post(
        reverse("questions:report", args=[item.question_id]),
        {
            "reason": ProblemReport.Reason.choices[0][0],
            "text": "Option B is also right.",
            "version": item.version_id,
            "next": reverse("exams:review", args=[submitted.pk]),
        },
    )
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert (
        report.user == candidate
        and report.question_id == item.question_id
        and report.version_id == item.version_id
    )


def test_the_exam_screen_has_no_report_form(client_a, candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint)
    assert (
        "Report a problem"
        not in client_a.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    )


def test_practice_names_fit_however_long_the_task_statement_title(client_a, guide, submitted):
    """A task statement's title holds 300 characters, a blueprint's name 120: PostgreSQL refused
    the longer name and the candidate got a server error (seen in a browser test on CI)."""
    sub = SubDomain.objects.filter(domain__guide=guide).order_by("code").first()
    SubDomain.objects.filter(pk=sub.pk).update(title="Choose and justify " + "a very long title " * 15)
    sub.refresh_from_db()
    mistakes = practice.blueprint_for_mistakes(guide=guide, sub_domain=sub)
    drill = practice.blueprint_for_drill(guide=guide, count=10, study=True, sub_domain=sub)
    for blueprint in (mistakes, drill):
        blueprint.refresh_from_db()
        assert len(blueprint.name) <= 120 and blueprint.name.endswith("…"), blueprint.name
        assert sub.code in blueprint.name
