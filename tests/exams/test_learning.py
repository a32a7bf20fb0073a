"""Issue 22 end to end: spaced review, calibration and the adaptive diagnostic, on the database
and, where the work is a Celery task, on a real worker through Redis."""

import random
import time
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from exams import adaptive, irt, selectors
from exams.models import (
    Attempt,
    AttemptItem,
    CalibrationSchedule,
    CandidateReadiness,
    DiagnosticResult,
    ExamBlueprint,
    ItemCalibration,
    ItemReview,
    ReviewCard,
)
from exams.services import calibration, diagnostic, practice
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from exams.services.practice import attempt_start_drill
from exams.tasks import calibrate_guide
from questions.models import Domain, Question
from questions.services import question_snapshot
from tests.factories import UserFactory, build_guide, correct_positions


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def answer(user, attempt, item, right: bool):
    keys = correct_positions(item)
    chosen = keys if right else [next(i for i in range(item.choice_count) if i not in keys)]
    attempt_save_answer(
        user=user, attempt_id=attempt.pk, position=item.position, selected=chosen, flagged=False,
        base_revision=item.revision,
    )  # fmt: skip


def calibrate_bank(guide, seed=3):
    """Calibrations as if many candidates had answered: every question usable by the diagnostic."""
    rng = random.Random(seed)
    now = timezone.now()
    ItemCalibration.objects.bulk_create(
        ItemCalibration(
            question=q,
            guide=guide,
            a=rng.uniform(0.8, 1.8),
            b=rng.gauss(0, 1),
            se_a=0.1,
            se_b=0.1,
            responses=200,
            rmsd=0.02,
            calibrated=True,
            node_counts={"n": [0] * 21, "r": [0] * 21},
            updated_at=now,
        )
        for q in Question.objects.filter(sub_domain__domain__guide=guide)
    )


# ---- spaced review ----------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_schedules_every_answer_of_a_drill_by_its_rating(celery_worker, client):
    guide = build_guide()
    user = UserFactory()
    client.force_login(user)
    drill = attempt_start_drill(user=user, guide=guide, count=10, study=False, domain=guide.domains.first())
    items = list(drill.items.select_related("version").order_by("position"))
    for item in items[:3]:
        answer(user, drill, item, right=False)
    for item in items[3:8]:
        answer(user, drill, item, right=True)
    # the one-click confidence on a right answer (items 9 and 10 stay unanswered)
    client.post(reverse("exams:confidence", args=[drill.pk, items[3].position]), {"confidence": "unsure"})
    attempt_submit(user=user, attempt_id=drill.pk)
    assert wait_for(lambda: Attempt.objects.get(pk=drill.pk).analysed_at is not None), (
        "the worker never ran it"
    )
    ratings = dict(ItemReview.objects.filter(item__attempt=drill).values_list("item__position", "rating"))
    assert ratings == {1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 3, 7: 3, 8: 3}  # Again, Hard, Good; none unanswered
    cards = {c.question_id: c for c in ReviewCard.objects.filter(user=user)}
    assert len(cards) == 8
    submitted = Attempt.objects.get(pk=drill.pk).submitted_at
    for item in items[:8]:
        assert cards[item.question_id].last_review == submitted
    assert cards[items[4].question_id].due > cards[items[0].question_id].due  # right after wrong
    # a rerun of the analysis reviews nothing twice
    from exams.services.analysis import attempt_analyse

    attempt_analyse(attempt_id=drill.pk)
    assert ReviewCard.objects.get(user=user, question_id=items[4].question_id).reviews == 1


@pytest.mark.django_db
def test_study_check_with_confidence_reviews_at_once(client_a, candidate, guide):
    attempt = practice.attempt_start_drill(
        user=candidate, guide=guide, count=10, study=True, domain=guide.domains.first()
    )
    item = attempt.items.select_related("version").get(position=1)
    answer(candidate, attempt, item, right=True)
    page = client_a.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    assert "Check — I was unsure" in page
    client_a.post(reverse("exams:check", args=[attempt.pk, 1]), {"confidence": "unsure"})
    review = ItemReview.objects.get(item=item)
    assert review.unsure and review.rating == 2
    card = ReviewCard.objects.get(user=candidate, question=item.question)
    assert card.reviews == 1
    # a second click changes nothing: the item was reviewed once
    client_a.post(reverse("exams:check", args=[attempt.pk, 1]), {"confidence": "sure"})
    assert ReviewCard.objects.get(pk=card.pk).reviews == 1 and ItemReview.objects.get(item=item).rating == 2


@pytest.mark.django_db
def test_confidence_is_refused_in_a_mock_and_after_marking(client_a, candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=1)
    response = client_a.post(
        reverse("exams:confidence", args=[attempt.pk, 1]), {"confidence": "unsure"}, follow=True
    )
    assert "not in a mock exam" in response.content.decode()
    assert not ItemReview.objects.exists()
    assert (
        "I&#x27;m unsure"
        not in client_a.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    )


@pytest.mark.django_db
def test_review_due_follows_the_question_skips_retired_and_keeps_enemies_apart(
    client_a, candidate, guide, django_capture_on_commit_callbacks
):
    domain = guide.domains.first()
    drill = attempt_start_drill(user=candidate, guide=guide, count=10, study=False, domain=domain)
    items = list(drill.items.select_related("version").order_by("position"))
    for item in items:
        answer(candidate, drill, item, right=False)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=candidate, attempt_id=drill.pk)
    questions = [i.question for i in items]
    # an edit makes a new version: the card stays the question's
    edited = questions[0]
    edited.stem += " (edited)"
    edited.save()
    question_snapshot(question=edited)
    # a retired question leaves review; two due questions are enemies
    Question.objects.filter(pk=questions[1].pk).update(status="retired")
    questions[2].enemies.add(questions[3])
    tomorrow = timezone.now() + timedelta(days=2)
    assert selectors.review_due_counts(user=candidate, now=tomorrow) == {guide.pk: 9}
    ids = practice.review_set_ids(user=candidate, guide=guide, now=tomorrow)
    assert questions[1].pk not in ids and edited.pk in ids
    assert not {questions[2].pk, questions[3].pk} <= set(ids)
    # the dashboard shows what is due today, and its button starts the set
    ReviewCard.objects.filter(user=candidate).update(due=timezone.now() - timedelta(hours=1))
    page = client_a.get(reverse("exams:dashboard")).content.decode()
    assert f'id="due-{guide.pk}">9</strong>' in page
    response = client_a.post(reverse("exams:review_due"), {"guide": guide.pk})
    review = Attempt.objects.get(user=candidate, blueprint__slug="review-due")
    assert response.status_code == 302 and review.blueprint.mode == ExamBlueprint.Mode.STUDY
    drawn = set(review.items.values_list("question_id", flat=True))
    assert edited.pk in drawn and questions[1].pk not in drawn and len(drawn) == 8
    assert review.items.get(question=edited).version_id == edited.versions.order_by("-number").first().pk
    # reviewing the edited question updates the same card
    item = review.items.select_related("version").get(question=edited)
    answer(candidate, review, item, right=True)
    client_a.post(reverse("exams:check", args=[review.pk, item.position]), {"confidence": "sure"})
    assert ReviewCard.objects.get(user=candidate, question=edited).reviews == 2


@pytest.mark.django_db
def test_nothing_due_says_so(client_a, guide):
    response = client_a.post(reverse("exams:review_due"), {"guide": guide.pk}, follow=True)
    assert "Nothing is due for review" in response.content.decode()
    assert client_a.post(reverse("exams:review_due"), {"guide": "x"}).status_code == 404


# ---- calibration ------------------------------------------------------------------------


def simulate_answers(guide, n_candidates, per_candidate, seed=5, since=None):
    """Submitted drills with answers drawn from a 2PL bank: the truth, for recovery checks."""
    rng = np.random.default_rng(seed)
    questions = list(
        Question.objects.filter(sub_domain__domain__guide=guide).select_related("current_version")
    )
    truth = {q.pk: (float(rng.lognormal(0, 0.25)), float(rng.normal(0, 1))) for q in questions}
    blueprint = ExamBlueprint.objects.create(
        guide=guide, slug=f"sim-{seed}", name="sim", mode="exam", question_count=per_candidate,
        duration_minutes=0, score_min=100, score_max=1000, passing_score=750, is_mock=False, is_listed=False,
    )  # fmt: skip
    at = since or timezone.now() - timedelta(hours=1)
    items = []
    for n in range(n_candidates):
        user = UserFactory()
        theta = rng.normal()
        attempt = Attempt.objects.create(
            user=user, blueprint=blueprint, seed=n, started_at=at, state="submitted", submitted_at=at,
            question_count=per_candidate, analysed_at=at,
        )  # fmt: skip
        for position, index in enumerate(rng.choice(len(questions), per_candidate, replace=False), start=1):
            q = questions[index]
            a, b = truth[q.pk]
            right = bool(rng.random() < irt.probability(theta, a, b))
            items.append(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    question=q,
                    version=q.current_version,
                    sub_domain_id=q.sub_domain_id,
                    domain_id=q.sub_domain.domain_id,
                    choice_count=q.current_version.choice_count,
                    select_count=1,
                    option_order=[0, 1, 2, 3],
                    selected=[0],
                    is_correct=right,
                    checked_at=at,
                )
            )
    AttemptItem.objects.bulk_create(items, batch_size=500)
    return truth


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_calibrates_in_full_then_incrementally(celery_worker):
    guide = build_guide(per_sub=4)  # 60 questions
    truth = simulate_answers(guide, n_candidates=300, per_candidate=30)
    calibrate_guide.delay(guide_id=guide.pk, full=True)
    assert wait_for(lambda: ItemCalibration.objects.filter(guide=guide).count() == 60), "no calibration"
    cals = {c.question_id: c for c in ItemCalibration.objects.filter(guide=guide)}
    ids = sorted(cals)
    assert np.corrcoef([cals[q].b for q in ids], [truth[q][1] for q in ids])[0, 1] > 0.9
    assert all(c.calibrated and c.responses >= irt.MIN_RESPONSES and 0 < c.se_b < 0.5 for c in cals.values())
    schedule = CalibrationSchedule.objects.get(guide=guide)
    assert schedule.last_full_at is not None and schedule.last_incremental_at is None
    # one new candidate gets three questions wrong: only those move, and they look harder
    user = UserFactory()
    blueprint = ExamBlueprint.objects.get(guide=guide, slug="sim-5")
    attempt = Attempt.objects.create(
        user=user, blueprint=blueprint, seed=1, started_at=timezone.now(), state="submitted",
        submitted_at=timezone.now(), question_count=3,
    )  # fmt: skip
    chosen = ids[:3]
    for position, q in enumerate(Question.objects.filter(pk__in=chosen).select_related("current_version"), 1):
        AttemptItem.objects.create(
            attempt=attempt, position=position, question=q, version=q.current_version,
            sub_domain_id=q.sub_domain_id, domain_id=q.sub_domain.domain_id, choice_count=4, select_count=1,
            option_order=[0, 1, 2, 3], selected=[0], is_correct=False, checked_at=timezone.now(),
        )  # fmt: skip
    calibrate_guide.delay(guide_id=guide.pk)
    assert wait_for(lambda: CalibrationSchedule.objects.get(guide=guide).last_incremental_at is not None)
    after = {c.question_id: c for c in ItemCalibration.objects.filter(guide=guide)}
    for q in chosen:
        assert after[q].responses == cals[q].responses + 1 and after[q].b > cals[q].b
    assert all(after[q].b == cals[q].b for q in ids[3:])


@pytest.mark.django_db
def test_item_statistics_show_the_calibration_with_its_error_and_flags(client, guide):
    from accounts.models import User

    calibrate_bank(guide)
    cal = ItemCalibration.objects.order_by("pk").first()
    ItemCalibration.objects.filter(pk=cal.pk).update(misfit=True)
    from exams.services.analytics import analytics_rebuild

    user = UserFactory()
    sit_blueprint = guide.blueprints.get(slug="full")
    attempt = attempt_start(user=user, blueprint=sit_blueprint, seed=3)
    attempt_submit(user=user, attempt_id=attempt.pk)
    from exams.services.analysis import attempt_analyse

    attempt_analyse(attempt_id=attempt.pk)
    analytics_rebuild(guide_id=guide.pk)
    author = User.objects.create_superuser("author", "a@example.com", "pass-word-123")
    client.force_login(author)
    page = client.get(reverse("exams:item_statistics")).content.decode()
    assert "Calibrated (2PL)" in page and "± " in page
    flagged = client.get(reverse("exams:item_statistics"), {"flag": "irt"})
    assert "misfits the model" in flagged.content.decode()


# ---- the adaptive diagnostic ------------------------------------------------------------


@pytest.mark.django_db
def test_an_uncalibrated_bank_says_so_and_starts_nothing(client_a, guide):
    response = client_a.post(reverse("exams:diagnostic_start"), {"guide": guide.pk}, follow=True)
    body = response.content.decode()
    assert "not yet" in body and "calibrated questions of the" in body
    assert not Attempt.objects.filter(blueprint__slug="diagnostic").exists()


def sit_diagnostic(client, attempt_id, theta, rng):
    """Answer as a candidate of ability ``theta`` would, through the pages, until the end."""
    params = None
    while True:
        page = client.get(reverse("exams:diagnostic", args=[attempt_id]))
        if page.status_code == 302:
            return
        item = page.context["item"]
        if params is None:
            params = selectors.item_parameters(guide=item.attempt.blueprint.guide)
        p = params[item.question_id]
        right = rng.random() < irt.probability(theta, p["a"], p["b"])
        keys = correct_positions(item)
        chosen = keys if right else [next(i for i in range(item.choice_count) if i not in keys)]
        client.post(
            reverse("exams:diagnostic_answer", args=[attempt_id]),
            {"position": item.position, "option": chosen},
        )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_diagnostic_balances_content_rests_exposed_questions_stops_and_the_worker_follows(
    celery_worker, client
):
    guide = build_guide(per_sub=10)
    calibrate_bank(guide)
    case_question = Question.objects.filter(sub_domain__domain__guide=guide).order_by("pk").last()
    from questions.models import CaseStudy

    case = CaseStudy.objects.create(guide=guide, code="CS-1", title="case", scenario="A scenario.")
    Question.objects.filter(pk=case_question.pk).update(case_study=case, case_order=1)
    # the most informative question at the start has been shown in every earlier diagnostic
    blueprint = diagnostic.blueprint_for_diagnostic(guide=guide)
    pool = selectors.diagnostic_pool(guide=guide, params=selectors.item_parameters(guide=guide))
    star = max(pool, key=lambda i: float(irt.information(0.0, i.a, i.b)))
    for n in range(adaptive.EXPOSURE_FLOOR):
        earlier = Attempt.objects.create(
            user=UserFactory(), blueprint=blueprint, seed=n, started_at=timezone.now(), state="submitted",
            question_count=1,
        )  # fmt: skip
        q = Question.objects.select_related("current_version").get(pk=star.question_id)
        AttemptItem.objects.create(
            attempt=earlier, position=1, question=q, version=q.current_version, sub_domain_id=q.sub_domain_id,
            domain_id=q.sub_domain.domain_id, choice_count=4, select_count=1, option_order=[0, 1, 2, 3],
        )  # fmt: skip
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("exams:diagnostic_start"), {"guide": guide.pk})
    attempt = Attempt.objects.get(user=user, blueprint=blueprint)
    assert response["Location"] == reverse("exams:diagnostic", args=[attempt.pk])
    sit_diagnostic(client, attempt.pk, theta=0.5, rng=random.Random(4))
    attempt.refresh_from_db()
    assert attempt.state == "submitted"
    asked = list(attempt.items.order_by("position").values_list("question_id", "domain_id"))
    n = len(asked)
    result = DiagnosticResult.objects.get(attempt=attempt)
    # stopping: within the bounds, and for the reason it gives
    assert adaptive.MIN_ITEMS <= n <= adaptive.MAX_ITEMS
    assert (result.stopped == "precise" and result.se <= adaptive.SE_TARGET) or (
        result.stopped == "longest" and n == adaptive.MAX_ITEMS
    )
    # content balance: each domain within one question of its weight's share
    per_domain = Counter(d for _, d in asked)
    for domain in Domain.objects.filter(guide=guide):
        assert abs(per_domain[domain.pk] - n * domain.weight / 100) <= 1
    # exposure control, and no case-study question
    questions = [q for q, _ in asked]
    assert star.question_id not in questions and case_question.pk not in questions
    assert len(set(questions)) == n
    # the result page: score, interval, P(pass), domains
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert f'id="diagnostic-score">{result.scaled}<' in page and "Chance of passing now" in page
    assert result.low_scaled <= result.scaled <= result.high_scaled
    # the worker reviews the answers and updates readiness from the ability model
    assert wait_for(lambda: Attempt.objects.get(pk=attempt.pk).analysed_at is not None)
    assert ReviewCard.objects.filter(user=user).count() == n
    readiness = CandidateReadiness.objects.get(user=user, guide=guide)
    assert readiness.theta == pytest.approx(result.theta, abs=1e-6) and readiness.answered == n


@pytest.mark.django_db
def test_a_diagnostic_refuses_bad_and_stale_answers_and_changes_nothing(client_a, candidate, guide):
    calibrate_bank(guide)
    attempt = diagnostic.attempt_start_diagnostic(user=candidate, guide=guide)
    url = reverse("exams:diagnostic_answer", args=[attempt.pk])
    for data in ({"position": 1}, {"position": 1, "option": ["x"]}, {"position": 1, "option": ["9"]}, {}):
        response = client_a.post(url, data, follow=True)
        assert response.status_code == 200
        assert AttemptItem.objects.filter(attempt=attempt).count() == 1
        assert AttemptItem.objects.get(attempt=attempt).checked_at is None
    client_a.post(url, {"position": 1, "option": ["0"]})
    assert AttemptItem.objects.filter(attempt=attempt).count() == 2
    response = client_a.post(url, {"position": 1, "option": ["1"]}, follow=True)  # the first, again
    assert "moved on" in response.content.decode()
    assert AttemptItem.objects.get(attempt=attempt, position=1).selected != [] and (
        AttemptItem.objects.filter(attempt=attempt).count() == 2
    )
    other = UserFactory()
    client_a.force_login(other)
    assert client_a.get(reverse("exams:diagnostic", args=[attempt.pk])).status_code == 404
    assert client_a.post(url, {"position": 2, "option": ["0"]}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["exams:check", "exams:confidence"])
def test_a_confidence_that_is_neither_sure_nor_unsure_is_a_400_that_changes_nothing(
    client_a, candidate, guide, name
):
    drill = attempt_start_drill(
        user=candidate, guide=guide, count=10, study=True, domain=guide.domains.first()
    )
    before = list(AttemptItem.objects.filter(attempt=drill).values())
    bad = {"confidence": "<img src=x onerror=alert(1)>"}
    response = client_a.post(reverse(name, args=[drill.pk, 1]), bad)
    assert response.status_code == 400 and b"sure or unsure" in response.content
    assert b"<img" not in response.content and b"&lt;img" in response.content  # echoed, escaped
    assert list(AttemptItem.objects.filter(attempt=drill).values()) == before
    assert not ItemReview.objects.exists()


@pytest.mark.django_db
def test_a_full_calibration_plans_exposure_and_the_diagnostic_follows_the_plan(client_a, candidate):
    guide = build_guide(per_sub=14)  # 210 questions: enough that a quarter each gives 30 per diagnostic
    simulate_answers(guide, n_candidates=320, per_candidate=40)
    calibration.calibration_full(guide=guide)
    plan = selectors.exposure_plan(guide=guide)
    assert plan is not None and plan.floor > 0
    params = selectors.item_parameters(guide=guide)
    pool = selectors.diagnostic_pool(guide=guide, params=params)
    assert plan.prices and set(plan.prices) <= {i.question_id for i in pool}
    # the first question: one of the two with the most gain over price in the heaviest domain
    # (domain 3), which here are not the two most informative at the start
    heaviest = Domain.objects.get(guide=guide, number=3)
    mine = [i for i in pool if i.domain_id == heaviest.pk]
    a, b, ids = np.array([i.a for i in mine]), np.array([i.b for i in mine]), [i.question_id for i in mine]
    by_plan = {ids[k] for k in np.argsort(-plan.scores(a, b, ids, []), kind="stable")[: adaptive.TOP_K]}
    by_info = {ids[k] for k in np.argsort(-irt.information(0.0, a, b), kind="stable")[: adaptive.TOP_K]}
    assert by_plan != by_info
    client_a.post(reverse("exams:diagnostic_start"), {"guide": guide.pk})
    attempt = Attempt.objects.get(user=candidate, blueprint__mode="adaptive")
    assert attempt.items.get(position=1).question_id in by_plan
