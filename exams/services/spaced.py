"""Spaced review (issue 22): every marked answer reviews the candidate's card of its question
with FSRS (``exams.spacing``); the one-click confidence; the "Review due questions" set. The
rules are in docs/analytics.md."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import selectors, spacing
from ..errors import AnswerChecked, AttemptClosed, NotFound, NotStudyMode
from ..models import Attempt, AttemptItem, ExamBlueprint, ItemReview, ReviewCard


def _memory(card: ReviewCard | None) -> spacing.Memory | None:
    if card is None:
        return None
    return spacing.Memory(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)


def items_review(*, item_ids) -> int:
    """Review each marked, answered item not yet reviewed: its rating from right or wrong and the
    candidate's confidence, applied to their card of its question (created at the first review).
    Idempotent (an item is reviewed once). Returns how many were reviewed."""
    items = list(
        AttemptItem.objects.filter(pk__in=list(item_ids), checked_at__isnull=False, is_correct__isnull=False)
        .exclude(selected=[])
        .order_by("checked_at", "pk")
        .values_list("pk", "attempt__user_id", "question_id", "is_correct", "checked_at")
    )
    pending = selectors.item_reviews_pending(item_ids=[row[0] for row in items])
    count = 0
    with transaction.atomic():
        for pk, user_id, question_id, correct, checked_at in items:
            if pk not in pending:
                continue
            rate = spacing.rating(correct=bool(correct), unsure=pending[pk])
            card = (
                ReviewCard.objects.select_for_update()
                .filter(user_id=user_id, question_id=question_id)
                .first()
            )
            memory = spacing.review(_memory(card), rate, checked_at)
            fields = {
                "state": memory.state,
                "step": memory.step,
                "stability": memory.stability,
                "difficulty": memory.difficulty,
                "due": memory.due,
                "last_review": memory.last_review,
                "reviews": (card.reviews if card else 0) + 1,
                "lapses": (card.lapses if card else 0) + (card is not None and not correct),
            }
            if card is None:
                ReviewCard.objects.create(user_id=user_id, question_id=question_id, **fields)
            else:
                ReviewCard.objects.filter(pk=card.pk).update(**fields)
            ItemReview.objects.update_or_create(
                item_id=pk, defaults={"rating": int(rate), "reviewed_at": timezone.now()}
            )
            count += 1
    return count


def attempt_reviews_record(*, attempt: Attempt) -> int:
    """Review every answer of a submitted attempt (the analysis task)."""
    return items_review(item_ids=AttemptItem.objects.filter(attempt=attempt).values_list("pk", flat=True))


def item_confidence_set(*, user, attempt_id: int, position: int, unsure: bool) -> ItemReview:
    """The candidate's one-click confidence in an answer, before it is marked (drills; study
    mode gives it with "Check"). Refused in a mock (an exam is not a review) and once marked."""
    with transaction.atomic():
        item = (
            AttemptItem.objects.select_for_update()
            .select_related("attempt__blueprint")
            .filter(attempt_id=attempt_id, attempt__user=user, position=position)
            .first()
        )
        if item is None:
            raise NotFound("No such question in this attempt.")
        blueprint = item.attempt.blueprint
        if blueprint.is_mock or blueprint.mode == ExamBlueprint.Mode.ADAPTIVE:
            raise NotStudyMode("Confidence is rated in study mode and drills, not in a mock exam.")
        if not item.attempt.is_open:
            raise AttemptClosed("This attempt has been submitted.")
        if item.checked_at is not None:
            raise AnswerChecked("This answer has been marked; its confidence counted already.")
        review, _ = ItemReview.objects.update_or_create(item=item, defaults={"unsure": unsure})
    return review
