"""Reads of the analytics: the candidate's history and dashboard, item statistics for authors,
and what the analytics services read before they write."""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import attrgetter

from django.conf import settings
from django.db.models import Case, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from questions.models import GUIDE_ORDER, ExamGuide, QuestionVersion, SubDomain

from ..models import (
    Attempt,
    AttemptDomainScore,
    CandidateReadiness,
    CandidateStanding,
    ExamBlueprint,
    ItemResponse,
    ItemStatistic,
)

TREND_MOCKS = 20  # the latest mock exams in the per-domain trend of "My attempts"


def _latest_mocks(user) -> QuerySet:
    """The candidate's submitted mock attempts, the latest ``TREND_MOCKS`` of each guide."""
    return (
        Attempt.objects.filter(user=user, blueprint__is_mock=True, state=Attempt.State.SUBMITTED)
        .annotate(
            nth=Window(
                RowNumber(),
                partition_by=[F("blueprint__guide_id")],
                order_by=[F("submitted_at").desc(), F("pk").desc()],
            )
        )
        .filter(nth__lte=TREND_MOCKS)
    )


def mock_trend(*, user) -> list[dict]:
    """Per guide, the per-domain percent of each of the candidate's latest ``TREND_MOCKS``
    submitted mock attempts of that guide, oldest first (two queries; the page stays the same
    size however many mocks they sit)."""
    latest = [pk for pk, _ in _latest_mocks(user).values_list("pk", "nth")]
    scores = (
        AttemptDomainScore.objects.filter(attempt__in=latest)
        .select_related("domain__guide", "attempt__blueprint")
        .order_by("attempt__submitted_at", "domain__number")
    )
    guides: dict[str, dict] = {}
    for score in scores:
        guide = guides.setdefault(
            score.domain.guide.code, {"code": score.domain.guide.code, "domains": {}, "rows": {}}
        )
        guide["domains"][score.domain.number] = score.domain.title
        row = guide["rows"].setdefault(score.attempt_id, {"attempt": score.attempt, "cells": {}})
        row["cells"][score.domain.number] = score.percent
    result = []
    for guide in guides.values():
        numbers = sorted(guide["domains"])
        result.append(
            {
                "code": guide["code"],
                "domains": [(n, guide["domains"][n]) for n in numbers],
                "rows": [
                    {"attempt": r["attempt"], "cells": [r["cells"].get(n) for n in numbers]}
                    for r in guide["rows"].values()
                ],
            }
        )
    return result


def candidate_dashboard(*, user) -> list[dict]:
    """Everything the candidate dashboard shows, per guide, from precomputed tables (4 queries):
    readiness, the domain standings in the guide's order, the five weakest task statements, the
    latest ``TREND_MOCKS`` submitted mocks, oldest first, and whether enough others sat the
    guide for percentiles (``PERCENTILE_MIN_OTHERS``)."""
    readiness = {r.guide_id: r for r in CandidateReadiness.objects.filter(user=user)}
    standings = list(
        CandidateStanding.objects.filter(user=user)
        .select_related("domain", "sub_domain", "guide")
        .order_by("mastery")
    )
    mocks = list(
        _latest_mocks(user)
        .select_related("blueprint")
        .order_by("submitted_at", "pk")
        .only(
            "pk",
            "submitted_at",
            "scaled_score",
            "percent",
            "passed",
            "blueprint__name",
            "blueprint__guide_id",
        )
    )
    guides = {s.guide_id: s.guide for s in standings}
    # Candidates with standings per guide: a percentile among too few others is shown as such.
    candidates = dict(
        CandidateStanding.objects.filter(guide_id__in=guides, sub_domain__isnull=True)
        .values("guide_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("guide_id", "n")
        .order_by()
    )
    result = []
    for guide in sorted(guides.values(), key=attrgetter(*GUIDE_ORDER)):
        guide_id = guide.pk
        mine = [s for s in standings if s.guide_id == guide_id]
        trend = [a for a in mocks if a.blueprint.guide_id == guide_id]
        result.append(
            {
                "guide": guide,
                "readiness": readiness.get(guide_id),
                "domains": sorted(
                    (s for s in mine if s.sub_domain_id is None), key=lambda s: s.domain.number
                ),
                "weakest": [s for s in mine if s.sub_domain_id is not None][:5],  # weakest first
                "trend": trend,
                "trend_capped": len(trend) == TREND_MOCKS,
                "others": candidates.get(guide_id, 1) - 1,
                "percentiles": candidates.get(guide_id, 1) - 1 >= settings.PERCENTILE_MIN_OTHERS,
            }
        )
    return result


# The item-statistics page's filters and orders: value -> (label, what it means in the query).
FLAGGED = Q(too_easy=True) | Q(too_hard=True) | Q(low_discrimination=True)
ITEM_STAT_FLAGS = {
    "any": ("Any flag", FLAGGED),
    "too_easy": ("Too easy", Q(too_easy=True)),
    "too_hard": ("Too hard", Q(too_hard=True)),
    "low_discrimination": ("Does not discriminate", Q(low_discrimination=True)),
    "irt": (
        "Misfits the 2PL model",
        Q(question__calibration__misfit=True) | Q(question__calibration__weak=True),
    ),
}
ITEM_STAT_SORTS = {
    "": ("Question", ("question__external_id",)),
    "flagged": ("Flagged first", ("-flag_count", "facility")),
    "facility": ("Hardest first", ("facility",)),
    "-facility": ("Easiest first", ("-facility",)),
    "discrimination": ("Least discriminating", ("discrimination",)),
    "-discrimination": ("Most discriminating", ("-discrimination",)),
    "responses": ("Most responses", ("-responses",)),
}
# One page of the item statistics: what an author reads at once, and what bounds its size.
ITEM_STATS_PAGE_SIZE = 25
# What the page shows of a row and of its question and version: never a version's content.
ITEM_STAT_COLUMNS = (
    "pk",
    "question_id",
    "question__external_id",
    "version__number",
    "sub_domain__code",
    "responses",
    "facility",
    "discrimination",
    "option_rates",
    "wrong_pairings",
    "too_easy",
    "too_hard",
    "low_discrimination",
    # the question's calibration (issue 22), without its per-node counts
    *(
        f"question__calibration__{name}"
        for name in ("a", "b", "se_a", "se_b", "responses", "calibrated", "misfit", "weak")
    ),
)


ITEM_STAT_FLAG_FIELDS = ("too_easy", "too_hard", "low_discrimination")


def _flag_count():
    """How many flags a row carries (0 to 3), for "flagged first"."""
    return sum(
        (Case(When(**{name: True}, then=Value(1)), default=Value(0)) for name in ITEM_STAT_FLAG_FIELDS),
        start=Value(0),
    )


def item_statistics(
    *, guide: ExamGuide, domain: int | None = None, task: str | None = None, flag: str = "", sort: str = ""
) -> QuerySet[ItemStatistic]:
    """One guide's item statistics for the author page, filtered and sorted in the database;
    each row with the question's id and the version's number only (page it: the view shows
    ``ITEM_STATS_PAGE_SIZE`` at a time)."""
    qs = (
        ItemStatistic.objects.filter(guide=guide)
        .select_related("question", "question__calibration", "version", "sub_domain")
        .only(*ITEM_STAT_COLUMNS)
    )
    if domain is not None:
        qs = qs.filter(sub_domain__domain__number=domain)
    if task:
        qs = qs.filter(sub_domain__code=task)
    if flag in ITEM_STAT_FLAGS:
        qs = qs.filter(ITEM_STAT_FLAGS[flag][1])
    order = ITEM_STAT_SORTS.get(sort, ITEM_STAT_SORTS[""])[1]
    if "-flag_count" in order:
        qs = qs.annotate(flag_count=_flag_count())
    return qs.order_by(*order, "pk")


def item_statistics_scope(*, code: str | None) -> tuple[list[ExamGuide], ExamGuide | None, list]:
    """The guides an author can pick, the one picked (``code``, else the first in the guides'
    order) and its task statements with their domains, in order (two queries)."""
    guides = list(ExamGuide.objects.only("pk", "code", "title", "status"))
    guide = next((g for g in guides if g.code == code), guides[0] if guides else None)
    subs = (
        list(
            SubDomain.objects.filter(domain__guide=guide)
            .select_related("domain")
            .only("pk", "code", "title", "domain__number", "domain__title")
            .order_by("domain__number", "code")
        )
        if guide
        else []
    )
    return guides, guide, subs


def attempts_owing_analysis(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Submitted attempts whose analysis has not landed (the broker was down, a worker died)."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(
            state=Attempt.State.SUBMITTED, analysed_at__isnull=True, submitted_at__lt=now - older_than
        ).values_list("pk", flat=True)[:500]
    )


def blueprint_of_the_exam(*, guide: ExamGuide) -> ExamBlueprint | None:
    """The blueprint that stands for the real exam: a mock of the guide's own length."""
    return (
        ExamBlueprint.objects.filter(guide=guide, is_mock=True, question_count=guide.question_count)
        .order_by("pk")
        .first()
    )


def versions_counted(*, version_ids: list[int]) -> dict[int, dict]:
    """Per version id: its type, number of options, task statement and the indexes of its keyed
    options (what item statistics need; of the content, only each option's "correct")."""
    rows = (
        QuestionVersion.objects.filter(pk__in=version_ids)
        .order_by()
        .values("pk", "type", "choice_count", "question__sub_domain_id", "content__choices")
    )
    result = {}
    for row in rows:
        choices = row.pop("content__choices") or []
        row["key"] = {i for i, choice in enumerate(choices) if choice.get("correct")}
        result[row["pk"]] = row
    return result


def matching_answers(*, guide: ExamGuide, version_ids: list[int]) -> dict[int, dict]:
    """Per matching version: its pairs' texts and the answers of the guide's submitted mocks
    (the item statistics' population), for the most chosen wrong pairings (two queries)."""
    if not version_ids:
        return {}
    result = {
        pk: {"choices": content["choices"], "answers": []}
        for pk, content in QuestionVersion.objects.filter(pk__in=version_ids)
        .order_by()
        .values_list("pk", "content")
    }
    responses = ItemResponse.objects.filter(
        guide=guide,
        version_id__in=version_ids,
        attempt__blueprint__is_mock=True,
        attempt__state=Attempt.State.SUBMITTED,
    ).order_by()
    for version_id, answer in responses.values_list("version_id", "answer"):
        result[version_id]["answers"].append(answer)
    return result
