"""Reads of the learning engine (issue 22): what is due for review, the responses the
calibration and the ability estimates rest on, the calibrated items, the diagnostic's pool and
exposure, and the scale abilities map to."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, time, timedelta
from operator import attrgetter

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from questions.models import GUIDE_ORDER, Domain, ExamGuide, Question

from .. import adaptive, exposure, irt
from ..models import (
    Attempt,
    AttemptItem,
    CalibrationSchedule,
    CandidateReadiness,
    CandidateStanding,
    DiagnosticResult,
    ExamBlueprint,
    ItemCalibration,
    ItemReview,
    ReviewCard,
)
from .analytics import blueprint_of_the_exam, candidate_dashboard


def end_of_today(now: datetime | None = None) -> datetime:
    """Midnight at the end of the current day (the site's time zone): "due today" is due by then."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min), local.tzinfo)


def _due_cards(*, user, until: datetime):
    """The candidate's cards due by ``until`` whose questions are published (a retired or
    drafted question leaves review; its card stays for when it comes back)."""
    return ReviewCard.objects.filter(user=user, due__lte=until, question__status=Question.Status.PUBLISHED)


def review_due_counts(*, user, now: datetime | None = None) -> dict[int, int]:
    """Per guide id: how many of the candidate's questions are due today (one query)."""
    rows = (
        _due_cards(user=user, until=end_of_today(now))
        .values("question__sub_domain__domain__guide_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["question__sub_domain__domain__guide_id"]: row["n"] for row in rows}


def review_due_question_ids(*, user, guide: ExamGuide, now: datetime | None = None) -> list[int]:
    """The candidate's published questions of this guide due today, the most overdue first."""
    return list(
        _due_cards(user=user, until=end_of_today(now))
        .filter(question__sub_domain__domain__guide=guide)
        .order_by("due", "question_id")
        .values_list("question_id", flat=True)
    )


def weakest_task_question_ids(*, user, guide: ExamGuide) -> list[int]:
    """Published questions of the candidate's weakest task statements (by mastery, weakest
    first); within one, those they have seen (the soonest due first), then the others."""
    subs = list(
        CandidateStanding.objects.filter(user=user, guide=guide, sub_domain__isnull=False)
        .order_by("mastery", "sub_domain_id")
        .values_list("sub_domain_id", flat=True)
    )
    if not subs:
        return []
    due = dict(
        ReviewCard.objects.filter(user=user, question__sub_domain_id__in=subs).values_list(
            "question_id", "due"
        )
    )
    rank = {sub: n for n, sub in enumerate(subs)}
    far = timezone.now() + timedelta(days=10_000)
    rows = Question.objects.filter(sub_domain_id__in=subs, status=Question.Status.PUBLISHED).values_list(
        "pk", "sub_domain_id"
    )
    return [pk for pk, sub in sorted(rows, key=lambda r: (rank[r[1]], due.get(r[0], far), r[0]))]


def enemies_of(*, question_ids) -> dict[int, set[int]]:
    """Each question's enemies (both ways: the relation is symmetrical)."""
    pairs = Question.enemies.through.objects.filter(from_question_id__in=question_ids).values_list(
        "from_question_id", "to_question_id"
    )
    result: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        result[a].add(b)
        result[b].add(a)
    return result


def item_reviews_pending(*, item_ids) -> dict[int, bool]:
    """Per item id not yet reviewed: whether the candidate marked it unsure (False when they
    gave no confidence). Items already reviewed are left out."""
    done = dict(ItemReview.objects.filter(item_id__in=item_ids).values_list("item_id", "rating"))
    unsure = set(
        ItemReview.objects.filter(item_id__in=item_ids, unsure=True).values_list("item_id", flat=True)
    )
    return {pk: pk in unsure for pk in item_ids if done.get(pk) is None}


def item_unsure(*, item_id: int) -> bool:
    return ItemReview.objects.filter(item_id=item_id, unsure=True).exists()


# ---- responses: the calibration's and the ability's data ---------------------------------


def _marked(guide: ExamGuide, *, answered_only: bool = True):
    """Every marked item of the guide's attempts (mock, drill, study, diagnostic): answered
    ones only, or also a mock's unanswered questions (marked wrong, as the mock scores them)."""
    rows = AttemptItem.objects.filter(
        attempt__blueprint__guide=guide, checked_at__isnull=False, is_correct__isnull=False
    ).order_by()
    return rows.exclude(selected=[]) if answered_only else rows


def first_responses(*, guide: ExamGuide, until: datetime) -> list[tuple[int, int, bool, datetime]]:
    """Each candidate's first marked answer to each question of the guide, marked by ``until``:
    (user, question, right, when). The first, because a later answer has seen the key."""
    return _firsts(_marked(guide).filter(checked_at__lte=until))


def first_responses_of(*, guide: ExamGuide, user_ids) -> list[tuple[int, int, bool, datetime]]:
    """``first_responses`` of some candidates only, whenever marked."""
    return _firsts(_marked(guide).filter(attempt__user_id__in=list(user_ids)))


def _firsts(marked) -> list[tuple[int, int, bool, datetime]]:
    """Of the marked items given, each candidate's first to each question: (user, question,
    right, when)."""
    rows = marked.annotate(
        user=F("attempt__user_id"),
        nth=Window(
            RowNumber(),
            partition_by=[F("attempt__user_id"), F("question_id")],
            order_by=[F("checked_at").asc(), F("pk").asc()],
        ),
    ).filter(nth=1)
    return list(rows.values_list("user", "question_id", "is_correct", "checked_at"))


def users_answering_since(*, guide: ExamGuide, since: datetime | None, until: datetime) -> list[int]:
    """Candidates with answers of the guide marked in (since, until]. By the guide's question ids
    first, so that PostgreSQL reads the recent items by item_question_checked_idx instead of
    scanning all of the guide's (219 ms to 40 ms at 138,000 answers, on a loaded machine)."""
    questions = list(Question.objects.filter(sub_domain__domain__guide=guide).values_list("pk", flat=True))
    rows = AttemptItem.objects.filter(
        question_id__in=questions, checked_at__lte=until, is_correct__isnull=False
    ).exclude(selected=[])
    if since is not None:
        rows = rows.filter(checked_at__gt=since)
    return sorted(set(rows.order_by().values_list("attempt__user_id", flat=True)))


def latest_answers(*, guide: ExamGuide, user_id: int | None = None) -> list[tuple[int, int, bool]]:
    """Each candidate's (or one's) latest marked answer to each question of the guide: (user,
    question, right). The latest, because readiness is about now; a mock's unanswered question
    counts, wrong, as the mock scored it (practice marks only what was answered)."""
    rows = _marked(guide, answered_only=False)
    if user_id is not None:
        rows = rows.filter(attempt__user_id=user_id)
    rows = rows.annotate(
        user=F("attempt__user_id"),
        nth=Window(
            RowNumber(),
            partition_by=[F("attempt__user_id"), F("question_id")],
            order_by=[F("checked_at").desc(), F("pk").desc()],
        ),
    ).filter(nth=1)
    return list(rows.values_list("user", "question_id", "is_correct"))


# ---- the calibrated bank ----------------------------------------------------------------


def item_parameters(*, guide: ExamGuide) -> dict[int, dict]:
    """Per question of the guide: its a, b and authored prior b, whether it is calibrated,
    its domain and case study, status, and (if calibrated before) its node counts."""
    calibrations = {c.question_id: c for c in ItemCalibration.objects.filter(guide=guide)}
    rows = Question.objects.filter(sub_domain__domain__guide=guide).values_list(
        "pk", "difficulty", "sub_domain__domain_id", "case_study_id", "status"
    )
    result = {}
    for pk, difficulty, domain_id, case_id, status in rows:
        prior = irt.PRIOR_B.get(difficulty, 0.0)
        cal = calibrations.get(pk)
        result[pk] = {
            "a": cal.a if cal else irt.PRIOR_A_MEAN,
            "b": cal.b if cal else prior,
            "prior_b": prior,
            "calibrated": bool(cal and cal.calibrated),
            "usable": bool(cal and cal.calibrated and not cal.weak),
            "calibration": cal,
            "domain_id": domain_id,
            "case_study_id": case_id,
            "published": status == Question.Status.PUBLISHED,
        }
    return result


def ability_scale(*, guide: ExamGuide, params: dict[int, dict] | None = None) -> adaptive.Scale:
    """How abilities map to this guide's scale: a form by the guide's weights from its published
    questions (calibrated parameters, or the authored prior), through the exam's cut."""
    params = params if params is not None else item_parameters(guide=guide)
    exam = blueprint_of_the_exam(guide=guide)
    reference = []
    for domain in Domain.objects.filter(guide=guide).order_by("number"):
        mine = [p for p in params.values() if p["domain_id"] == domain.pk and p["published"]]
        if mine:
            reference.append((domain.weight, tuple(p["a"] for p in mine), tuple(p["b"] for p in mine)))
    return adaptive.Scale(
        reference=tuple(reference),
        score_min=guide.score_min,
        score_max=guide.score_max,
        passing=guide.passing_score,
        cut_percent=exam.estimated_cut_percent if exam else 72,
        exam_questions=guide.question_count,
    )


# ---- the diagnostic ---------------------------------------------------------------------


def diagnostic_pool(*, guide: ExamGuide, params: dict[int, dict]) -> list[adaptive.Item]:
    """What the diagnostic may ask: published, calibrated questions that discriminate, outside
    case studies (a scenario's questions belong together, which item-by-item choice cannot keep)."""
    return [
        adaptive.Item(question_id=pk, domain_id=p["domain_id"], a=p["a"], b=p["b"])
        for pk, p in sorted(params.items())
        if p["published"] and p["usable"] and p["case_study_id"] is None
    ]


def domain_weights(*, guide: ExamGuide) -> dict[int, float]:
    """The guide's domains (their ids) and weights: what the diagnostic's content balance keeps."""
    return dict(Domain.objects.filter(guide=guide).values_list("pk", "weight"))


def exposure_plan(*, guide: ExamGuide) -> exposure.Plan | None:
    """The diagnostic's exposure plan from the guide's last full calibration, if it has one."""
    data = CalibrationSchedule.objects.filter(guide=guide).values_list("exposure_plan", flat=True).first()
    return exposure.Plan.from_json(data) if data else None


def diagnostic_shortfalls(*, guide: ExamGuide, pool: list[adaptive.Item]) -> list[str]:
    """Why the bank cannot run the diagnostic yet: per domain, how many calibrated questions it
    has against what the content balance and the exposure cap need (twice its share of the
    longest diagnostic). Empty when it can."""
    have: dict[int, int] = defaultdict(int)
    for item in pool:
        have[item.domain_id] += 1
    domains = list(Domain.objects.filter(guide=guide).order_by("number"))
    total = sum(d.weight for d in domains) or 1
    short = []
    for domain in domains:
        need = 2 * math.ceil(adaptive.MAX_ITEMS * domain.weight / total)
        if have[domain.pk] < need:
            short.append(
                f"domain {domain.number} ({domain.title}) has {have[domain.pk]} calibrated "
                f"questions of the {need} it needs"
            )
    return short


def diagnostic_exposure(*, blueprint: ExamBlueprint) -> tuple[int, dict[int, int]]:
    """How many diagnostics of this blueprint were started, and in how many each question was shown."""
    attempts = Attempt.objects.filter(blueprint=blueprint)
    started = attempts.count()
    shown = dict(
        AttemptItem.objects.filter(attempt__blueprint=blueprint)
        .values("question_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("question_id", "n")
    )
    return started, shown


def diagnostic_answers(*, attempt: Attempt, params: dict[int, dict]) -> list[adaptive.Answer]:
    """The marked answers of a diagnostic, in the order asked, with the parameters used."""
    rows = (
        AttemptItem.objects.filter(attempt=attempt, is_correct__isnull=False)
        .order_by("position")
        .values_list("question_id", "is_correct")
    )
    return [
        adaptive.Answer(
            adaptive.Item(q, params[q]["domain_id"], params[q]["a"], params[q]["b"]), bool(correct)
        )
        for q, correct in rows
    ]


def diagnostic_result(*, attempt: Attempt) -> DiagnosticResult | None:
    return DiagnosticResult.objects.filter(attempt=attempt).first()


def candidate_dashboard_with_reviews(*, user, now: datetime | None = None) -> list[dict]:
    """``candidate_dashboard``, with each guide's questions due today for review; a guide the
    candidate has practised but not sat a mock of appears too (readiness, review)."""
    due = review_due_counts(user=user, now=now)
    entries = candidate_dashboard(user=user)
    present = {e["guide"].pk for e in entries}
    readiness = {r.guide_id: r for r in CandidateReadiness.objects.filter(user=user)}
    missing = (set(due) | set(readiness)) - present
    for guide in ExamGuide.objects.filter(pk__in=missing):
        entries.append(
            {"guide": guide, "readiness": readiness.get(guide.pk), "domains": [], "weakest": [], "trend": []}
        )
    entries.sort(key=lambda e: attrgetter(*GUIDE_ORDER)(e["guide"]))
    for entry in entries:
        entry["due"] = due.get(entry["guide"].pk, 0)
    return entries
