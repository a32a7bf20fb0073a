"""Candidates' standings (mastery per domain and task statement, and percentiles) and readiness,
computed in SQL over the per-attempt score tables: for one candidate after their mock (the
analysis task) or for everyone (the rebuild). Each replaces what it wrote before, so a rerun
gives the same result. The method is documented in docs/analytics.md.

Table names and the submitted state come from the models; every value is a parameter.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Count, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce

from questions.models import ExamGuide, SubDomain

from .. import selectors, statistics
from ..models import (
    Attempt,
    AttemptDomainScore,
    AttemptSubDomainScore,
    CandidateReadiness,
    CandidateStanding,
    ExamBlueprint,
)
from ..scoring import scaled_score

# The guide's submitted mocks: attempts ``a`` with their blueprint ``b``, and the condition.
ATTEMPTS = f'"{Attempt._meta.db_table}" a'
WITH_BLUEPRINT = f'JOIN "{ExamBlueprint._meta.db_table}" b ON b.id = a.blueprint_id'
OF_THE_GUIDE = "b.guide_id = %(guide)s AND b.is_mock = %(is_mock)s AND a.state = %(submitted)s"


def params(guide: ExamGuide, now: datetime, user_id: int | None = None) -> dict:
    """The named parameters of every statement here and of the item statistics."""
    return {
        "guide": guide.pk,
        "is_mock": True,
        "submitted": Attempt.State.SUBMITTED.value,
        "now": now,
        "decay": statistics.MASTERY_DECAY,
        "user": user_id,
    }


def _standings_sql(*, tasks: bool, one_candidate: bool) -> str:
    """INSERT the standings per domain, or per task statement (``tasks``), of every candidate
    who sat a mock of the guide, or of ``%(user)s`` alone (then without a percentile, which the
    caller works out for that one candidate)."""
    scores = (AttemptSubDomainScore if tasks else AttemptDomainScore)._meta.db_table
    area = "s.sub_domain_id" if tasks else "s.domain_id"  # what a standing is of
    domain = "sd.domain_id" if tasks else "s.domain_id"
    sub_domain = "s.sub_domain_id" if tasks else "NULL"
    with_domain = f'JOIN "{SubDomain._meta.db_table}" sd ON sd.id = s.sub_domain_id' if tasks else ""
    # A bare NULL in a subquery is typed text on PostgreSQL: the domain rows write it here.
    sub_domain_out = "sub_domain_id" if tasks else "NULL"
    percentile = (
        "NULL"
        if one_candidate
        else "PERCENT_RANK() OVER (PARTITION BY domain_id, sub_domain_id ORDER BY mastery)"
    )
    candidates = "AND a.user_id = %(user)s" if one_candidate else ""
    return f"""
INSERT INTO "{CandidateStanding._meta.db_table}"
    (user_id, guide_id, domain_id, sub_domain_id, mastery, answered, attempts, percentile, updated_at)
SELECT user_id, %(guide)s, domain_id, {sub_domain_out}, mastery, answered, attempts, {percentile}, %(now)s
FROM (
    -- per candidate and area: the recency-weighted share correct over their mocks
    SELECT user_id, domain_id, sub_domain_id,
           SUM(weight * correct) / SUM(weight * total) AS mastery,
           SUM(total) AS answered, COUNT(*) AS attempts
    FROM (
        -- each mock's score in the area; the newest weighs 1, the one before decay, then decay^2...
        SELECT a.user_id, {domain} AS domain_id, {sub_domain} AS sub_domain_id,
               s.correct, s.total,
               POWER(%(decay)s, ROW_NUMBER() OVER (
                   PARTITION BY a.user_id, {area} ORDER BY a.submitted_at DESC, a.id DESC) - 1) AS weight
        FROM "{scores}" s
        JOIN {ATTEMPTS} ON a.id = s.attempt_id
        {WITH_BLUEPRINT}
        {with_domain}
        WHERE {OF_THE_GUIDE} {candidates}
    ) weighted
    GROUP BY user_id, domain_id, sub_domain_id
    HAVING SUM(total) > 0
) standing
"""  # noqa: S608  # nosec B608 (table names from the models; every value a parameter)


def standings_compute(*, guide: ExamGuide, now: datetime, user_id: int | None = None) -> None:
    """Recompute the standings of one candidate (``user_id``), or of everyone."""
    stale = CandidateStanding.objects.filter(guide=guide)
    (stale.filter(user_id=user_id) if user_id else stale).delete()
    with connection.cursor() as cursor:
        for tasks in (False, True):
            cursor.execute(
                _standings_sql(tasks=tasks, one_candidate=bool(user_id)), params(guide, now, user_id)
            )
    if user_id:
        _percentiles_of(guide=guide, user_id=user_id)


def _percentiles_of(*, guide: ExamGuide, user_id: int) -> None:
    """Each of one candidate's domain standings: the share of the other candidates below it, in
    one UPDATE (None when they are alone). Everyone else's change at the next rebuild."""
    others = CandidateStanding.objects.filter(
        domain_id=OuterRef("domain_id"), sub_domain__isnull=True
    ).exclude(user_id=user_id)

    def count(rows):
        return Subquery(rows.values("domain_id").annotate(n=Count("pk")).values("n"))

    below = Coalesce(count(others.filter(mastery__lt=OuterRef("mastery"))), 0)
    CandidateStanding.objects.filter(user_id=user_id, guide=guide, sub_domain__isnull=True).update(
        percentile=Cast(below, FloatField()) / Cast(count(others), FloatField())
    )


def _readiness_sql(*, one_candidate: bool) -> str:
    """Per candidate: the recency-weighted correct and total answers of their mocks, and all answers."""
    candidates = "AND a.user_id = %(user)s" if one_candidate else ""
    return f"""
SELECT user_id, SUM(weight * correct_count), SUM(weight * question_count), SUM(question_count)
FROM (
    SELECT a.user_id, a.correct_count, a.question_count,
           POWER(%(decay)s, ROW_NUMBER() OVER (
               PARTITION BY a.user_id ORDER BY a.submitted_at DESC, a.id DESC) - 1) AS weight
    FROM {ATTEMPTS} {WITH_BLUEPRINT}
    WHERE {OF_THE_GUIDE} {candidates}
) weighted
GROUP BY user_id
"""  # noqa: S608  # nosec B608 (table names from the models; every value a parameter)


def readiness_compute(*, guide: ExamGuide, now: datetime, user_id: int | None = None) -> int:
    """Recompute readiness for one candidate, or everyone who sat a mock of this guide."""
    exam = selectors.blueprint_of_the_exam(guide=guide)
    cut = (exam.estimated_cut_percent if exam else 72) / 100
    with connection.cursor() as cursor:
        cursor.execute(_readiness_sql(one_candidate=bool(user_id)), params(guide, now, user_id))
        rows = cursor.fetchall()
    scale = {"score_min": guide.score_min, "score_max": guide.score_max, "passing": guide.passing_score}

    def scaled(share: float) -> int:
        return scaled_score(100 * share, cut_percent=100 * cut, **scale)

    records = []
    for uid, weighted_correct, weighted_total, answered in rows:
        probability, p, low, high = statistics.readiness(
            float(weighted_correct), float(weighted_total), exam_questions=guide.question_count, cut=cut
        )
        records.append(
            CandidateReadiness(
                user_id=uid,
                guide=guide,
                probability=probability,
                expected_scaled=scaled(p),
                low_scaled=scaled(low),
                high_scaled=scaled(high),
                answered=answered,
                updated_at=now,
            )
        )
    stale = CandidateReadiness.objects.filter(guide=guide)
    (stale.filter(user_id=user_id) if user_id else stale).delete()
    CandidateReadiness.objects.bulk_create(records, batch_size=2000)
    return len(records)
