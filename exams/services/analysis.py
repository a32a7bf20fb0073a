"""Background analysis of a submitted attempt: its breakdown, then the candidate's analytics."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..models import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore
from . import analytics

log = logging.getLogger(__name__)


def send_rebuild(guide_id: int) -> None:
    from ..tasks import rebuild_analytics

    try:
        rebuild_analytics.apply_async(
            kwargs={"guide_id": guide_id}, countdown=analytics.DEBOUNCE.total_seconds()
        )
    except Exception:  # broker down: the nightly rebuild covers it
        log.warning("could not queue the analytics rebuild of guide %s", guide_id, exc_info=True)


def attempt_analyse(*, attempt_id: int) -> bool:
    """Compute an attempt's breakdown in SQL and store it. Idempotent: a rerun replaces it.

    Returns False when there is nothing to do (no such attempt, or not submitted yet).
    """
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("blueprint__guide")
            .filter(pk=attempt_id, state=Attempt.State.SUBMITTED)
            .first()
        )
        if attempt is None:
            return False
        threshold = attempt.blueprint.guide.competency_threshold
        items = AttemptItem.objects.filter(attempt_id=attempt_id)
        right = Count("pk", filter=Q(is_correct=True))
        AttemptDomainScore.objects.filter(attempt_id=attempt_id).delete()
        AttemptSubDomainScore.objects.filter(attempt_id=attempt_id).delete()
        AttemptDomainScore.objects.bulk_create(
            AttemptDomainScore(
                attempt_id=attempt_id,
                domain_id=row["domain_id"],
                correct=row["correct"],
                total=row["total"],
                meets=100 * row["correct"] >= threshold * row["total"],
            )
            for row in items.values("domain_id").annotate(correct=right, total=Count("pk")).order_by()
        )
        AttemptSubDomainScore.objects.bulk_create(
            AttemptSubDomainScore(
                attempt_id=attempt_id,
                sub_domain_id=row["sub_domain_id"],
                correct=row["correct"],
                total=row["total"],
            )
            for row in items.values("sub_domain_id").annotate(correct=right, total=Count("pk")).order_by()
        )
        if attempt.blueprint.is_mock:
            analytics.attempt_analytics(attempt=attempt)
        Attempt.objects.filter(pk=attempt_id).update(analysed_at=timezone.now())
        if attempt.blueprint.is_mock and analytics.item_statistics_due(guide_id=attempt.blueprint.guide_id):
            guide_id = attempt.blueprint.guide_id
            transaction.on_commit(lambda: send_rebuild(guide_id))
    return True


def attempts_owing_analysis(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Submitted attempts whose analysis has not landed (the broker was down, a worker died)."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(
            state=Attempt.State.SUBMITTED, analysed_at__isnull=True, submitted_at__lt=now - older_than
        ).values_list("pk", flat=True)[:500]
    )
