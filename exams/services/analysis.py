"""What a submitted attempt changes, worked out in the background (``exams.tasks.analyse_attempt``):
its breakdown per domain and task statement, the spaced review of its answers, its candidate's
readiness (from all their answers) and, for a mock, its flattened answers and the candidate's
standings; it claims the guide's next calibration and rebuild. Everything over all candidates
is ``analytics`` and ``calibration``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..models import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore, ItemResponse
from ..scoring import ARRANGED
from .analytics import item_statistics_due
from .calibration import calibration_due
from .spaced import attempt_reviews_record
from .standings import readiness_compute, standings_compute


@dataclass(frozen=True)
class Analysis:
    done: bool  # False: nothing to do (no such attempt, or not submitted yet)
    rebuild_guide_id: int | None = None  # this attempt claimed its guide's next debounced rebuild
    calibrate_guide_id: int | None = None  # ... and its next incremental calibration


def attempt_analyse(*, attempt_id: int) -> Analysis:
    """Compute a submitted attempt's breakdown and, for a mock, its analytics, in one
    transaction. Idempotent: a rerun replaces what an earlier run wrote."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("blueprint__guide")
            .filter(pk=attempt_id, state=Attempt.State.SUBMITTED)
            .order_by()
            .first()
        )
        if attempt is None:
            return Analysis(done=False)
        _breakdown_record(attempt)
        now = timezone.now()
        guide = attempt.blueprint.guide
        rebuild = None
        attempt_reviews_record(attempt=attempt)
        if attempt.blueprint.is_mock:
            responses_record(attempt=attempt)
            standings_compute(guide=guide, now=now, user_id=attempt.user_id)
            rebuild = guide.pk if item_statistics_due(guide_id=guide.pk, now=now) else None
        readiness_compute(guide=guide, now=now, user_id=attempt.user_id)
        calibrate = guide.pk if calibration_due(guide_id=guide.pk, now=now) else None
        Attempt.objects.filter(pk=attempt_id).update(analysed_at=now)
    return Analysis(done=True, rebuild_guide_id=rebuild, calibrate_guide_id=calibrate)


def _breakdown_record(attempt: Attempt) -> None:
    """Correct and total per domain (with Meets Competencies) and per task statement, in SQL."""
    threshold = attempt.blueprint.guide.competency_threshold
    items = AttemptItem.objects.filter(attempt_id=attempt.pk)
    right = Count("pk", filter=Q(is_correct=True))
    for model, area in ((AttemptDomainScore, "domain_id"), (AttemptSubDomainScore, "sub_domain_id")):
        model.objects.filter(attempt_id=attempt.pk).delete()
        rows = items.values(area).annotate(correct=right, total=Count("pk")).order_by()
        model.objects.bulk_create(
            model(attempt_id=attempt.pk, **row, **_verdict(model, row, threshold)) for row in rows
        )


def _verdict(model, row: dict, threshold: int) -> dict:
    """A domain meets competencies at ``threshold`` percent correct; a task statement has no verdict."""
    if model is AttemptDomainScore:
        return {"meets": 100 * row["correct"] >= threshold * row["total"]}
    return {}


def responses_record(*, attempt: Attempt) -> int:
    """Flatten a submitted mock attempt's answers into ItemResponse rows (replacing any).

    ``selected_mask`` has bit i set for the version's option i (ordering and matching: for step
    or pair i placed right; ``answer`` keeps their answer for the wrong pairings);
    ``rest_score`` is the attempt's share correct without this item (for the item-rest correlation).
    """
    ItemResponse.objects.filter(attempt=attempt).delete()
    items = list(
        AttemptItem.objects.filter(attempt=attempt).values(
            "question_id", "version_id", "selected", "is_correct", "version__type"
        )
    )
    right = sum(bool(i["is_correct"]) for i in items)
    others = max(1, len(items) - 1)
    ItemResponse.objects.bulk_create(
        ItemResponse(
            attempt=attempt,
            guide_id=attempt.blueprint.guide_id,
            question_id=i["question_id"],
            version_id=i["version_id"],
            is_correct=bool(i["is_correct"]),
            selected_mask=_mask(i["version__type"], i["selected"]),
            answer=i["selected"] if i["version__type"] in ARRANGED else [],
            rest_score=(right - bool(i["is_correct"])) / others,
        )
        for i in items
    )
    return len(items)


def _mask(type: str, selected: list) -> int:
    """Bit i: option i chosen; for ordering and matching, step or pair i placed right."""
    if type in ARRANGED:
        return sum(1 << i for i, s in enumerate(selected) if s == i)
    return sum(1 << s for s in selected)
