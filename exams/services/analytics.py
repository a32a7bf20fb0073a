"""Analytics over every candidate: item statistics, everyone's standings, percentiles and
readiness, recomputed in SQL from the per-attempt tables by ``analytics_rebuild`` (debounced
after submissions, and nightly). Everything here replaces what it wrote before, so a task that
dies half-way and runs again gives the same result. What one attempt changes is ``analysis``;
the method is documented in docs/analytics.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from questions import rules
from questions.models import ExamGuide

from .. import selectors, statistics
from ..models import AnalyticsSchedule, ItemResponse, ItemStatistic
from .standings import ATTEMPTS, OF_THE_GUIDE, WITH_BLUEPRINT, params, readiness_compute, standings_compute

DEBOUNCE = timedelta(minutes=3)


def item_statistics_due(*, guide_id: int, now: datetime | None = None) -> bool:
    """Claim the guide's next debounced rebuild; True if the caller should queue it.

    One conditional UPDATE, so concurrent submissions queue at most one rebuild per window.
    """
    return claim_window(AnalyticsSchedule, guide_id=guide_id, now=now or timezone.now(), window=DEBOUNCE)


def claim_window(schedule, *, guide_id: int, now: datetime, window: timedelta) -> bool:
    """Claim a guide's debounce ``window`` on a schedule table (``AnalyticsSchedule``,
    ``CalibrationSchedule``: a row per guide, ``queued_until``): True for the one caller whose
    conditional UPDATE finds the last window over, False for every other until it ends."""
    schedule.objects.get_or_create(guide_id=guide_id)
    claimed = (
        schedule.objects.filter(guide_id=guide_id)
        .filter(Q(queued_until__isnull=True) | Q(queued_until__lt=now))
        .update(queued_until=now + window)
    )
    return claimed == 1


def _option_columns() -> str:
    """Per option (up to the limit): how often it was chosen overall, in the top and the bottom third."""
    columns = []
    for i in range(rules.MAX_OPTIONS):
        chosen = f"(r.selected_mask & {1 << i}) <> 0"
        columns += [
            f"SUM(CASE WHEN {chosen} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {chosen} AND k.third = 1 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {chosen} AND k.third = 3 THEN 1 ELSE 0 END)",
        ]
    return ",\n       ".join(columns)


# Per question version, over the guide's submitted mocks (each ranked into thirds by score):
# responses, right, the sums the item-rest correlation needs, the top and bottom thirds' sizes,
# then three counts per option (_option_columns).
ITEM_SQL = f"""
SELECT r.version_id, MIN(r.question_id), COUNT(*),
       SUM(CASE WHEN r.is_correct THEN 1 ELSE 0 END),
       SUM(r.rest_score),
       SUM(CASE WHEN r.is_correct THEN r.rest_score ELSE 0 END),
       SUM(r.rest_score * r.rest_score),
       SUM(CASE WHEN k.third = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN k.third = 3 THEN 1 ELSE 0 END),
       {_option_columns()}
FROM "{ItemResponse._meta.db_table}" r
JOIN (
    SELECT a.id, NTILE(3) OVER (ORDER BY a.percent DESC, a.id) AS third
    FROM {ATTEMPTS} {WITH_BLUEPRINT}
    WHERE {OF_THE_GUIDE}
) k ON k.id = r.attempt_id
WHERE r.guide_id = %(guide)s
GROUP BY r.version_id
"""  # noqa: S608  # nosec B608 (table names from the models; every value a parameter)


def item_statistics_rebuild(*, guide: ExamGuide, now: datetime) -> int:
    """Facility, discrimination and distractor rates per question version, in one SQL pass."""
    with connection.cursor() as cursor:
        cursor.execute(ITEM_SQL, params(guide, now))
        rows = cursor.fetchall()
    versions = selectors.versions_counted(version_ids=[row[0] for row in rows])
    matching = selectors.matching_answers(
        guide=guide, version_ids=[pk for pk, v in versions.items() if v["type"] == "matching"]
    )
    stats = []
    for row in rows:
        version_id, question_id, n, right, sum_y, sum_xy, sum_yy, top, bottom = row[:9]
        options = row[9:]
        kind = versions[version_id]["type"]
        rates = [
            {
                "option": _option_label(kind, i),
                "key": i in versions[version_id]["key"],
                "all": options[3 * i] / n,
                "top": options[3 * i + 1] / top if top else None,
                "bottom": options[3 * i + 2] / bottom if bottom else None,
            }
            for i in range(versions[version_id]["choice_count"])
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
                wrong_pairings=_wrong_pairings(matching.get(version_id), n),
                computed_at=now,
                **statistics.item_flags(n, facility, discrimination),
            )
        )
    ItemStatistic.objects.filter(guide=guide).delete()
    ItemStatistic.objects.bulk_create(stats, batch_size=1000)
    return len(stats)


def _option_label(kind: str, index: int) -> str:
    """How the statistics page names an option: its letter, or the step or pair it is (for
    ordering and matching the rate is how often it was placed right)."""
    if kind == "ordering":
        return f"Step {index + 1}"
    if kind == "matching":
        return f"Pair {index + 1}"
    return rules.LETTERS[index]


def _wrong_pairings(version: dict | None, responses: int) -> list[dict]:
    """A matching item's most chosen wrong pairings, with the texts of the prompt and response."""
    if version is None:
        return []
    choices = version["choices"]
    return [
        {
            **pairing,
            "prompt_text": choices[pairing["prompt"]]["prompt"][:120],
            "response_text": choices[pairing["response"]]["text"][:120],
        }
        for pairing in statistics.wrong_pairings(version["answers"], responses)
    ]


def analytics_rebuild(*, guide_id: int | None = None, now: datetime | None = None) -> dict:
    """Recompute every aggregate of one guide (or all) from the per-attempt tables."""
    now = now or timezone.now()
    guides = ExamGuide.objects.filter(pk=guide_id) if guide_id else ExamGuide.objects.all()
    done = {}
    for guide in guides:
        with transaction.atomic():
            standings_compute(guide=guide, now=now)
            readiness_compute(guide=guide, now=now)
            done[guide.code] = item_statistics_rebuild(guide=guide, now=now)
            AnalyticsSchedule.objects.update_or_create(guide=guide, defaults={"last_rebuild_at": now})
    return done
