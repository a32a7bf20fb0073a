"""Spaced review, pure (no ORM): how an answer becomes an FSRS rating and what the scheduler
makes of it. The scheduling itself is the maintained ``fsrs`` package (FSRS-6), not ours; this
module only configures it for exam review and maps our answers onto it (docs/analytics.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State

# Exam review, not language flashcards: no minute-long learning steps (a question comes back
# the next day at the soonest), and never more than half a year away (an exam guide changes).
# No fuzzing, so a schedule is reproducible (and testable).
SCHEDULER = Scheduler(
    learning_steps=(), relearning_steps=(), maximum_interval=180, desired_retention=0.9, enable_fuzzing=False
)


def rating(*, correct: bool, unsure: bool = False) -> Rating:
    """Wrong: Again. Right but unsure (the candidate's one-click confidence): Hard. Right: Good.
    (Easy is never given: a right answer in an exam is not proof of effortless recall.)"""
    if not correct:
        return Rating.Again
    return Rating.Hard if unsure else Rating.Good


@dataclass(frozen=True)
class Memory:
    """A question's memory state for one candidate, as the review card table stores it."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


NEW_STATE = int(State.Learning)


def review(memory: Memory | None, rate: Rating, at: datetime) -> Memory:
    """The memory after a review at ``at`` (a first review when ``memory`` is None). A review
    older than the last one counts as made at the last one (FSRS needs them in order)."""
    if memory is None:
        card = Card(card_id=1, due=at)
    else:
        card = _card(memory)
        if memory.last_review is not None and at < memory.last_review:
            at = memory.last_review
    card, _ = SCHEDULER.review_card(card, rate, review_datetime=at)
    return Memory(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def retrievability(memory: Memory, at: datetime) -> float:
    """The probability, under FSRS, that the candidate would recall the answer at ``at``."""
    return SCHEDULER.get_card_retrievability(_card(memory), current_datetime=at)


def _card(memory: Memory) -> Card:
    """The fsrs card a stored memory stands for."""
    return Card(
        card_id=1,
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due,
        last_review=memory.last_review,
    )
