"""Reads for exams, always scoped to the candidate: another's attempt is a 404."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Attempt, AttemptDomainScore, AttemptItem, ExamBlueprint


def blueprints_active() -> QuerySet[ExamBlueprint]:
    return (
        ExamBlueprint.objects.filter(is_active=True, domain__isnull=True, sub_domain__isnull=True)
        .select_related("guide")
        .order_by("guide__code", "-question_count")
    )


def attempts_open(*, user) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user, state=Attempt.State.IN_PROGRESS).select_related(
        "blueprint__guide"
    )


def attempts_history(*, user) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("blueprint__guide").order_by("-started_at")


def attempt_get(*, user, attempt_id: int) -> Attempt:
    return get_object_or_404(Attempt.objects.select_related("blueprint__guide"), pk=attempt_id, user=user)


def attempt_item_get(*, user, attempt_id: int, position: int) -> AttemptItem:
    """One question of the candidate's attempt with everything the exam screen shows of it."""
    return get_object_or_404(
        AttemptItem.objects.select_related("attempt__blueprint__guide", "version"),
        attempt_id=attempt_id,
        attempt__user=user,
        position=position,
    )


def attempt_statuses(*, attempt: Attempt) -> list[dict]:
    """Position, answered and flagged for every question: the navigator and the review screen."""
    rows = (
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        .values("position", "selected", "flagged")
    )
    return [
        {"position": r["position"], "answered": bool(r["selected"]), "flagged": r["flagged"]} for r in rows
    ]


def attempt_domain_scores(*, attempt: Attempt) -> QuerySet[AttemptDomainScore]:
    return (
        AttemptDomainScore.objects.filter(attempt=attempt).select_related("domain").order_by("domain__number")
    )


LETTERS = "ABCDEFGH"


def item_options(*, item: AttemptItem) -> list[dict]:
    """The options as this attempt shows them: shuffled order, text only, never the key."""
    choices = item.version.content["choices"]
    chosen = set(item.selected)
    return [
        {
            "index": shown,
            "letter": LETTERS[shown],
            "html": choices[original]["text_html"],
            "checked": original in chosen,
        }
        for shown, original in enumerate(item.option_order)
    ]
