"""Candidates' standings (mastery per domain and task statement, and percentiles) and readiness,
computed in SQL over the per-attempt score tables: for one candidate after their mock (the
analysis task) or for everyone (the rebuild). Each replaces what it wrote before, so a rerun
gives the same result. The method is documented in docs/analytics.md.

Table names and the submitted state come from the models; every value is a parameter.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import connection
from django.db.models import Count, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf

from questions.models import ExamGuide, SubDomain

from .. import adaptive, irt, selectors, statistics
from ..models import (
    Attempt,
    AttemptDomainScore,
    AttemptSubDomainScore,
    CandidateReadiness,
    CandidateStanding,
    ExamBlueprint,
)

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
    one UPDATE (None when they are alone). Everyone else's change at the next rebuild.

    Both counts are of the domain's standings as a whole, which the rank index answers alone
    (domain, no task statement, mastery): the candidate's own row is never below itself, and
    is the one row to take from the total. Excluding it by user instead read every row of the
    domain from the table, 0.27 s at 25,000 candidates (docs/performance.md)."""
    of_domain = CandidateStanding.objects.filter(domain_id=OuterRef("domain_id"), sub_domain__isnull=True)

    def count(rows):
        return Subquery(rows.values("domain_id").annotate(n=Count("*")).values("n"))

    below = Coalesce(count(of_domain.filter(mastery__lt=OuterRef("mastery"))), 0)
    others = NullIf(count(of_domain) - 1, 0)
    CandidateStanding.objects.filter(user_id=user_id, guide=guide, sub_domain__isnull=True).update(
        percentile=Cast(below, FloatField()) / Cast(others, FloatField())
    )


READINESS_CHUNK = 50_000  # answers scored at once (the posterior grid is 201 wide)


def readiness_compute(*, guide: ExamGuide, now: datetime, user_id: int | None = None) -> int:
    """Recompute readiness for one candidate, or everyone who answered a question of this guide:
    their ability (EAP, with its standard error) from their latest marked answer to each
    question — mocks, drills, study and diagnostics alike — at the calibrated parameters (the
    authored prior where a question is not calibrated yet), mapped to the scale and to P(pass)
    by ``adaptive.estimate`` (docs/analytics.md)."""
    params = selectors.item_parameters(guide=guide)
    scale = selectors.ability_scale(guide=guide, params=params)
    answers = sorted(selectors.latest_answers(guide=guide, user_id=user_id))
    records = []
    start = 0
    while start < len(answers):
        end = min(start + READINESS_CHUNK, len(answers))
        while end < len(answers) and answers[end][0] == answers[end - 1][0]:
            end += 1  # a candidate's answers stay in one chunk
        chunk = answers[start:end]
        users = sorted({u for u, _, _ in chunk})
        index = {u: n for n, u in enumerate(users)}
        thetas, ses = irt.eap_many(
            [index[u] for u, _, _ in chunk],
            [params[q]["a"] for _, q, _ in chunk],
            [params[q]["b"] for _, q, _ in chunk],
            [bool(c) for _, _, c in chunk],
            len(users),
        )
        counts = Counter(u for u, _, _ in chunk)
        for uid in users:
            theta, se = float(thetas[index[uid]]), float(ses[index[uid]])
            estimate = adaptive.estimate(theta, se, scale)
            records.append(
                CandidateReadiness(
                    user_id=uid,
                    guide=guide,
                    probability=estimate.probability,
                    expected_scaled=estimate.scaled,
                    low_scaled=estimate.low,
                    high_scaled=estimate.high,
                    answered=counts[uid],
                    theta=theta,
                    theta_se=se,
                    updated_at=now,
                )
            )
        start = end
    stale = CandidateReadiness.objects.filter(guide=guide)
    (stale.filter(user_id=user_id) if user_id else stale).delete()
    CandidateReadiness.objects.bulk_create(records, batch_size=2000)
    return len(records)
