"""The adaptive diagnostic (issue 22): a short computer-adaptive test on the calibrated bank.
Each answer is marked as it is given and the next question chosen from it (``exams.adaptive``:
content balance, exposure control, enemies, maximum information); it ends when the ability is
precise enough or at the longest, with a scaled score, its interval, P(pass) and a verdict per
domain. Case-study questions are left out (docs/analytics.md says why)."""

from __future__ import annotations

import random
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from questions.models import Domain, ExamGuide, Question

from .. import adaptive, selectors, tasks
from ..errors import AnswerInvalid, AttemptClosed, NotCalibrated, NotFound, NothingChosen
from ..models import Attempt, AttemptItem, DiagnosticResult, ExamBlueprint
from ..scoring import answer_correct
from .assembly import shuffled_order
from .attempts import SCORED_FIELDS, answer_to_store
from .practice import hidden_blueprint


def blueprint_for_diagnostic(*, guide: ExamGuide) -> ExamBlueprint:
    return hidden_blueprint(
        guide, "diagnostic", "Adaptive diagnostic", ExamBlueprint.Mode.ADAPTIVE, adaptive.MAX_ITEMS
    )


def _rng(attempt: Attempt, position: int) -> random.Random:
    return random.Random(attempt.seed * 1000 + position)  # noqa: S311 (a reproducible choice, not a secret)


def _next_item(attempt: Attempt, answers, params, position: int) -> AttemptItem | None:
    """Choose and add the question at ``position``; None when the bank has nothing left to ask."""
    guide = attempt.blueprint.guide
    pool = selectors.diagnostic_pool(guide=guide, params=params)
    started, shown = selectors.diagnostic_exposure(blueprint=attempt.blueprint)
    enemies = selectors.enemies_of(question_ids=[i.question_id for i in pool])
    rng = _rng(attempt, position)
    item = adaptive.choose_next(
        pool,
        answers,
        weights=selectors.domain_weights(guide=guide),
        shown=shown,
        started=started,
        enemies=enemies,
        rng=rng,
        plan=selectors.exposure_plan(guide=guide),
    )
    if item is None:
        return None
    question = Question.objects.select_related("current_version", "sub_domain").get(pk=item.question_id)
    version = question.current_version
    return AttemptItem.objects.create(
        attempt=attempt,
        position=position,
        question=question,
        version=version,
        sub_domain=question.sub_domain,
        domain_id=question.sub_domain.domain_id,
        choice_count=version.choice_count,
        select_count=version.select_count,
        option_order=shuffled_order(version.type, version.choice_count, rng),
    )


def attempt_start_diagnostic(*, user, guide: ExamGuide, now: datetime | None = None) -> Attempt:
    """Resume the candidate's open diagnostic of this guide, or start one with its first question.
    Refused, by name, while the bank is not calibrated enough to run it."""
    now = now or timezone.now()
    blueprint = blueprint_for_diagnostic(guide=guide)
    open_attempt = Attempt.objects.filter(
        user=user, blueprint=blueprint, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        return open_attempt
    params = selectors.item_parameters(guide=guide)
    short = selectors.diagnostic_shortfalls(
        guide=guide, pool=selectors.diagnostic_pool(guide=guide, params=params)
    )
    if short:
        raise NotCalibrated(
            "The adaptive diagnostic needs a calibrated bank, and this one is not yet: "
            + "; ".join(short)
            + ". Questions are calibrated from candidates' answers; until then, a mock exam tells you more."
        )
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            blueprint=blueprint,
            seed=random.SystemRandom().randrange(2**62),
            started_at=now,
            question_count=1,
        )
        if _next_item(attempt, [], params, 1) is None:
            raise NotCalibrated("The adaptive diagnostic has no question it may ask now.")
    return attempt


def diagnostic_current(*, attempt: Attempt) -> AttemptItem:
    """The question the diagnostic is waiting for: the last one added."""
    return AttemptItem.objects.select_related("version").filter(attempt=attempt).order_by("-position").first()


def _locked_diagnostic(*, user, attempt_id: int) -> Attempt:
    """The candidate's own diagnostic, locked for this transaction; ``NotFound`` otherwise."""
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("blueprint__guide")
        .filter(pk=attempt_id, user=user, blueprint__mode=ExamBlueprint.Mode.ADAPTIVE)
        .order_by()
        .first()
    )
    if attempt is None:
        raise NotFound("No such diagnostic.")
    return attempt


def diagnostic_answer(
    *, user, attempt_id: int, position: int, shown: list, now: datetime | None = None
) -> Attempt:
    """Mark the answer to the current question (``shown`` as the page sends it), then add the
    next question or, when the stopping rule says so or nothing is left, finish. An answer to
    another question than the current one is refused: a diagnostic never goes back."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_diagnostic(user=user, attempt_id=attempt_id)
        if not attempt.is_open:
            raise AttemptClosed("This diagnostic has ended.")
        item = diagnostic_current(attempt=attempt)
        if item.position != position:
            raise AnswerInvalid("That question has been answered; the diagnostic moved on. Reload the page.")
        selected = answer_to_store(item, shown)
        if not selected:
            raise NothingChosen("Choose an answer first.")
        item.selected = selected
        item.is_correct = answer_correct(
            item.version.content["type"], selected, item.version.content["choices"]
        )
        item.checked_at = item.saved_at = now
        item.revision += 1
        item.save(update_fields=["selected", "is_correct", "checked_at", "saved_at", "revision"])
        params = selectors.item_parameters(guide=attempt.blueprint.guide)
        answers = selectors.diagnostic_answers(attempt=attempt, params=params)
        _, se = adaptive.ability(answers)
        if adaptive.should_stop(len(answers), se):
            return _finish(
                attempt, answers, params, now, "precise" if se <= adaptive.SE_TARGET else "longest"
            )
        if _next_item(attempt, answers, params, position + 1) is None:
            return _finish(attempt, answers, params, now, "bank")
        attempt.question_count = attempt.current_position = position + 1
        attempt.save(update_fields=["question_count", "current_position"])
    return attempt


def diagnostic_finish(*, user, attempt_id: int, now: datetime | None = None) -> Attempt:
    """The candidate stops early: the estimate from the answers so far (idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_diagnostic(user=user, attempt_id=attempt_id)
        if not attempt.is_open:
            return attempt
        params = selectors.item_parameters(guide=attempt.blueprint.guide)
        answers = selectors.diagnostic_answers(attempt=attempt, params=params)
        return _finish(attempt, answers, params, now, "candidate")


def _finish(attempt: Attempt, answers, params, now: datetime, stopped: str) -> Attempt:
    """Close the diagnostic with its estimate. The unanswered current question (stopped early)
    is dropped: a diagnostic counts only what was asked and answered."""
    guide = attempt.blueprint.guide
    AttemptItem.objects.filter(attempt=attempt, checked_at__isnull=True).delete()
    theta, se = adaptive.ability(answers)
    estimate = adaptive.estimate(theta, se, selectors.ability_scale(guide=guide, params=params))
    domains = {d.pk: d for d in Domain.objects.filter(guide=guide)}
    strengths = adaptive.domain_strengths(answers, theta)
    DiagnosticResult.objects.update_or_create(
        attempt=attempt,
        defaults={
            "theta": theta,
            "se": se,
            "scaled": estimate.scaled,
            "low_scaled": estimate.low,
            "high_scaled": estimate.high,
            "probability": estimate.probability,
            "stopped": stopped,
            "domains": [
                {
                    "number": domains[d].number,
                    "title": domains[d].title,
                    **{k: row[k] for k in ("right", "asked", "verdict")},
                    "expected": round(row["expected"], 1),
                }
                for d, row in sorted(strengths.items(), key=lambda kv: domains[kv[0]].number)
            ],
        },
    )
    right = sum(x.correct for x in answers)
    attempt.question_count = max(len(answers), 1)
    attempt.correct_count = right
    attempt.percent = round(100 * right / len(answers), 2) if answers else 0
    attempt.scaled_score = estimate.scaled
    attempt.passed = estimate.scaled >= guide.passing_score
    attempt.finish = Attempt.Finish.CANDIDATE
    attempt.submitted_at = now
    attempt.state = Attempt.State.SUBMITTED
    attempt.current_position = max(len(answers), 1)
    attempt.save(update_fields=[*SCORED_FIELDS, "question_count", "current_position"])
    transaction.on_commit(lambda: tasks.send_attempt_analysis(attempt.pk))
    return attempt
