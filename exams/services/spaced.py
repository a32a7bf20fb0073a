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
    candidate's confidence, applied to their card of its question (created at the first review),
    in the order they were marked. Idempotent (an item is reviewed once). A handful of queries
    whatever the number of items. Returns how many were reviewed."""
    items = list(
        AttemptItem.objects.filter(pk__in=list(item_ids), checked_at__isnull=False, is_correct__isnull=False)
        .exclude(selected=[])
        .order_by("checked_at", "pk")
        .values_list("pk", "attempt__user_id", "question_id", "is_correct", "checked_at")
    )
    pending = selectors.item_reviews_pending(item_ids=[row[0] for row in items])
    items = [row for row in items if row[0] in pending]
    if not items:
        return 0
    now = timezone.now()
    with transaction.atomic():
        users = {row[1] for row in items}
        cards = {
            (c.user_id, c.question_id): c
            for c in ReviewCard.objects.select_for_update().filter(
                user_id__in=users, question_id__in={row[2] for row in items}
            )
        }
        new: dict[tuple[int, int], ReviewCard] = {}
        reviews = []
        for pk, user_id, question_id, correct, checked_at in items:
            rate = spacing.rating(correct=bool(correct), unsure=pending[pk])
            key = (user_id, question_id)
            card = cards.get(key) or new.get(key)
            memory = spacing.review(_memory(card), rate, checked_at)
            if card is None:
                card = new[key] = ReviewCard(user_id=user_id, question_id=question_id, reviews=0, lapses=0)
            elif not correct:
                card.lapses += 1
            card.state, card.step = memory.state, memory.step
            card.stability, card.difficulty = memory.stability, memory.difficulty
            card.due, card.last_review = memory.due, memory.last_review
            card.reviews += 1
            reviews.append(ItemReview(item_id=pk, unsure=pending[pk], rating=int(rate), reviewed_at=now))
        fields = ["state", "step", "stability", "difficulty", "due", "last_review", "reviews", "lapses"]
        if cards:
            ReviewCard.objects.bulk_update(cards.values(), fields)
        ReviewCard.objects.bulk_create(new.values())
        ItemReview.objects.filter(item_id__in=[r.item_id for r in reviews]).delete()
        ItemReview.objects.bulk_create(reviews)
    return len(reviews)


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
