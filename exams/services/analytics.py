"""Analytics: per-attempt records, candidate standings and readiness, item statistics.

Per attempt (Celery, after submit): the attempt's answers are flattened into ``ItemResponse``
and the candidate's standing and readiness are recomputed. Aggregates over everyone (ranks,
percentiles, item statistics) are computed in SQL over those per-attempt tables by
``analytics_rebuild``: debounced after submissions and nightly. Everything here replaces what
it wrote before, so a task that dies half-way and runs again gives the same result.
The method is documented in docs/analytics.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from questions import rules
from questions.models import ExamGuide

from .. import statistics
from ..models import (
    AnalyticsSchedule,
    Attempt,
    AttemptItem,
    CandidateReadiness,
    CandidateStanding,
    ExamBlueprint,
    ItemResponse,
    ItemStatistic,
)
from ..scoring import scaled_score

DEBOUNCE = timedelta(minutes=3)


def _mock_filter(alias: str = "a", bp: str = "b") -> str:
    return f"{bp}.guide_id = %(guide)s AND {bp}.is_mock = %(true)s AND {alias}.state = 'submitted'"


def _main_blueprint(guide: ExamGuide) -> ExamBlueprint | None:
    """The blueprint that stands for the real exam: a mock of the guide's own length."""
    return (
        ExamBlueprint.objects.filter(guide=guide, is_mock=True, question_count=guide.question_count)
        .order_by("pk")
        .first()
    )


# ---- per attempt ---------------------------------------------------------------------------


def responses_record(*, attempt: Attempt) -> int:
    """Flatten a submitted mock attempt's answers into ItemResponse rows (replacing any)."""
    ItemResponse.objects.filter(attempt=attempt).delete()
    items = list(
        AttemptItem.objects.filter(attempt=attempt).values(
            "question_id", "version_id", "selected", "is_correct"
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
            selected_mask=sum(1 << s for s in i["selected"]),
            rest_score=(right - bool(i["is_correct"])) / others,
        )
        for i in items
    )
    return len(items)


STANDING_SQL = """
INSERT INTO exams_candidatestanding
    (user_id, guide_id, domain_id, sub_domain_id, mastery, answered, attempts, percentile, updated_at)
SELECT user_id, %(guide)s, domain_id, {sub_out}, mastery, answered, attempts, {percentile}, %(now)s
FROM (
    SELECT user_id, domain_id, {sub_col} AS sub_id,
           SUM(w * correct) / SUM(w * total) AS mastery, SUM(total) AS answered, COUNT(*) AS attempts
    FROM (
        SELECT a.user_id, {domain_expr} AS domain_id, {sub_expr} AS sub_id, s.correct, s.total,
               POWER(%(decay)s, ROW_NUMBER() OVER (
                   PARTITION BY a.user_id, {partition} ORDER BY a.submitted_at DESC, a.id DESC) - 1) AS w
        FROM {table} s
        JOIN exams_attempt a ON a.id = s.attempt_id
        JOIN exams_examblueprint b ON b.id = a.blueprint_id
        {join}
        WHERE {mock} {user_filter}
    ) weighted
    GROUP BY user_id, domain_id, sub_id
    HAVING SUM(total) > 0
) standing
"""


def _standing_sql(*, level: str, single_user: bool) -> str:
    task = level == "task"
    return STANDING_SQL.format(
        sub_out="sub_id" if task else "NULL",
        sub_col="sub_id",
        percentile=(
            "NULL" if single_user else "PERCENT_RANK() OVER (PARTITION BY domain_id, sub_id ORDER BY mastery)"
        ),
        domain_expr="sd.domain_id" if task else "s.domain_id",
        sub_expr="s.sub_domain_id" if task else "NULL",
        partition="s.sub_domain_id" if task else "s.domain_id",
        table="exams_attemptsubdomainscore" if task else "exams_attemptdomainscore",
        join="JOIN questions_subdomain sd ON sd.id = s.sub_domain_id" if task else "",
        mock=_mock_filter(),
        user_filter="AND a.user_id = %(user)s" if single_user else "",
    )


def _params(guide: ExamGuide, now: datetime, user_id: int | None = None) -> dict:
    return {"guide": guide.pk, "true": True, "now": now, "decay": statistics.MASTERY_DECAY, "user": user_id}


def standings_update(*, guide: ExamGuide, user_id: int, now: datetime) -> None:
    """Recompute one candidate's standings (domains and task statements) and their percentiles."""
    CandidateStanding.objects.filter(user_id=user_id, guide=guide).delete()
    with connection.cursor() as cursor:
        for level in ("domain", "task"):
            cursor.execute(_standing_sql(level=level, single_user=True), _params(guide, now, user_id))
    # Each domain standing's share of the other candidates below it, in one UPDATE (None alone).
    others = CandidateStanding.objects.filter(
        domain_id=OuterRef("domain_id"), sub_domain__isnull=True
    ).exclude(user_id=user_id)

    def count(rows):
        return Subquery(rows.values("domain_id").annotate(n=Count("pk")).values("n"))

    below = Coalesce(count(others.filter(mastery__lt=OuterRef("mastery"))), 0)
    CandidateStanding.objects.filter(user_id=user_id, guide=guide, sub_domain__isnull=True).update(
        percentile=Cast(below, FloatField()) / Cast(count(others), FloatField())
    )


READINESS_SQL = """
SELECT user_id, SUM(w * correct_count), SUM(w * question_count), SUM(question_count)
FROM (
    SELECT a.user_id, a.correct_count, a.question_count,
           POWER(%(decay)s, ROW_NUMBER() OVER (
               PARTITION BY a.user_id ORDER BY a.submitted_at DESC, a.id DESC) - 1) AS w
    FROM exams_attempt a JOIN exams_examblueprint b ON b.id = a.blueprint_id
    WHERE {mock} {user_filter}
) weighted
GROUP BY user_id
"""


def readiness_update(*, guide: ExamGuide, now: datetime, user_id: int | None = None) -> int:
    """Recompute readiness for one candidate, or everyone who sat a mock of this guide."""
    main = _main_blueprint(guide)
    cut = (main.estimated_cut_percent if main else 72) / 100
    sql = READINESS_SQL.format(mock=_mock_filter(), user_filter="AND a.user_id = %(user)s" if user_id else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(guide, now, user_id))
        rows = cursor.fetchall()
    scale = {"score_min": guide.score_min, "score_max": guide.score_max, "passing": guide.passing_score}
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
                expected_percent=100 * p,
                low_percent=100 * low,
                high_percent=100 * high,
                expected_scaled=scaled_score(100 * p, cut_percent=100 * cut, **scale),
                low_scaled=scaled_score(100 * low, cut_percent=100 * cut, **scale),
                high_scaled=scaled_score(100 * high, cut_percent=100 * cut, **scale),
                answered=answered,
                updated_at=now,
            )
        )
    stale = CandidateReadiness.objects.filter(guide=guide)
    (stale.filter(user_id=user_id) if user_id else stale).delete()
    CandidateReadiness.objects.bulk_create(records, batch_size=2000)
    return len(records)


def attempt_analytics(*, attempt: Attempt, now: datetime | None = None) -> None:
    """Everything a submitted mock attempt changes for its candidate (run inside the analysis task)."""
    now = now or timezone.now()
    guide = attempt.blueprint.guide
    responses_record(attempt=attempt)
    standings_update(guide=guide, user_id=attempt.user_id, now=now)
    readiness_update(guide=guide, now=now, user_id=attempt.user_id)


def item_statistics_due(*, guide_id: int, now: datetime | None = None) -> bool:
    """Claim the guide's next debounced rebuild; True if the caller should queue it.

    One conditional UPDATE, so concurrent submissions queue at most one rebuild per window.
    """
    now = now or timezone.now()
    AnalyticsSchedule.objects.get_or_create(guide_id=guide_id)
    claimed = (
        AnalyticsSchedule.objects.filter(guide_id=guide_id)
        .filter(Q(queued_until__isnull=True) | Q(queued_until__lt=now))
        .update(queued_until=now + DEBOUNCE)
    )
    return claimed == 1


# ---- over everyone -------------------------------------------------------------------------

RANK_SQL = """
SELECT a.id, NTILE(3) OVER (ORDER BY a.percent DESC, a.id) AS grp
FROM exams_attempt a JOIN exams_examblueprint b ON b.id = a.blueprint_id
WHERE {mock}
"""

ITEM_SQL = """
SELECT r.version_id, MIN(r.question_id), COUNT(*),
       SUM(CASE WHEN r.is_correct THEN 1 ELSE 0 END),
       SUM(r.rest_score),
       SUM(CASE WHEN r.is_correct THEN r.rest_score ELSE 0 END),
       SUM(r.rest_score * r.rest_score),
       SUM(CASE WHEN k.grp = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN k.grp = 3 THEN 1 ELSE 0 END),
       {options}
FROM exams_itemresponse r JOIN ({ranks}) k ON k.id = r.attempt_id
WHERE r.guide_id = %(guide)s
GROUP BY r.version_id
"""


def _option_columns() -> str:
    columns = []
    for i in range(rules.MAX_OPTIONS):
        bit = f"(r.selected_mask & {1 << i}) <> 0"
        columns += [
            f"SUM(CASE WHEN {bit} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {bit} AND k.grp = 1 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {bit} AND k.grp = 3 THEN 1 ELSE 0 END)",
        ]
    return ",\n       ".join(columns)


def item_statistics_rebuild(*, guide: ExamGuide, now: datetime) -> int:
    """Facility, discrimination and distractor rates per question version, in one SQL pass."""
    sql = ITEM_SQL.format(options=_option_columns(), ranks=RANK_SQL.format(mock=_mock_filter()))
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(guide, now))
        rows = cursor.fetchall()
    versions = {v["pk"]: v for v in guide_versions(guide=guide, version_ids=[row[0] for row in rows])}
    stats = []
    for row in rows:
        version_id, question_id, n, right, sum_y, sum_xy, sum_yy, top, bottom = row[:9]
        options = row[9:]
        choice_count = versions[version_id]["choice_count"]
        rates = [
            {
                "option": rules.LETTERS[i],
                "all": options[3 * i] / n,
                "top": options[3 * i + 1] / top if top else None,
                "bottom": options[3 * i + 2] / bottom if bottom else None,
            }
            for i in range(choice_count)
        ]
        facility = right / n
        discrimination = statistics.point_biserial(n, right, float(sum_y), float(sum_xy), float(sum_yy))
        stats.append(
            ItemStatistic(
                guide=guide,
                question_id=question_id,
                version_id=version_id,
                sub_domain_id=versions[version_id]["question__sub_domain_id"],
                responses=n,
                facility=facility,
                discrimination=discrimination,
                option_rates=rates,
                computed_at=now,
                **statistics.item_flags(n, facility, discrimination),
            )
        )
    ItemStatistic.objects.filter(guide=guide).delete()
    ItemStatistic.objects.bulk_create(stats, batch_size=1000)
    return len(stats)


def guide_versions(*, guide: ExamGuide, version_ids: list[int]):
    from questions.models import QuestionVersion

    return QuestionVersion.objects.filter(pk__in=version_ids).values(
        "pk", "choice_count", "question__sub_domain_id"
    )


def standings_rebuild(*, guide: ExamGuide, now: datetime) -> None:
    CandidateStanding.objects.filter(guide=guide).delete()
    with connection.cursor() as cursor:
        for level in ("domain", "task"):
            cursor.execute(_standing_sql(level=level, single_user=False), _params(guide, now))


def analytics_rebuild(*, guide_id: int | None = None, now: datetime | None = None) -> dict:
    """Recompute every aggregate of one guide (or all) from the per-attempt tables."""
    now = now or timezone.now()
    guides = ExamGuide.objects.filter(pk=guide_id) if guide_id else ExamGuide.objects.all()
    done = {}
    for guide in guides:
        with transaction.atomic():
            standings_rebuild(guide=guide, now=now)
            readiness_update(guide=guide, now=now)
            done[guide.code] = item_statistics_rebuild(guide=guide, now=now)
            AnalyticsSchedule.objects.update_or_create(guide=guide, defaults={"last_rebuild_at": now})
    return done
