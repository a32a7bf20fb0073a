"""Reads for exams, always scoped to the candidate: another's attempt is a 404."""

from functools import lru_cache

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix, get_urlconf, reverse

from questions import rules
from questions.models import ExamGuide
from questions.selectors import version_cached

from . import sql
from .models import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore, ExamBlueprint


def blueprints_active() -> QuerySet[ExamBlueprint]:
    return (
        ExamBlueprint.objects.filter(is_active=True, is_listed=True)
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


# The exam screen: the item and what its page prints of the attempt, blueprint and guide.
_SCREEN = sql.Chain(
    sql.Columns(AttemptItem, "i", exclude=("sub_domain", "domain", "saved_at")),
    sql.Columns(
        Attempt,
        "a",
        only=("id", "user", "blueprint", "state", "deadline", "current_position", "question_count"),
    ),
    sql.Columns(ExamBlueprint, "b", only=("id", "guide", "name", "mode")),
    sql.Columns(ExamGuide, "g", only=("id", "code")),
    where="i.attempt_id = %s AND i.position = %s AND a.user_id = %s",
)
# The autosave: what it checks before its conditional UPDATE.
_SAVE = sql.Chain(
    sql.Columns(
        AttemptItem,
        "i",
        only=(
            "id",
            "attempt",
            "position",
            "revision",
            "selected",
            "flagged",
            "choice_count",
            "select_count",
            "option_order",
            "checked_at",
            "saved_at",
        ),
    ),
    sql.Columns(Attempt, "a", only=("id", "user", "state", "deadline")),
    where="i.attempt_id = %s AND i.position = %s AND a.user_id = %s",
)


def attempt_item_find(
    *, user_id: int, attempt_id: int, position: int, for_save: bool = False
) -> AttemptItem | None:
    """The candidate's item at ``position`` with its attempt (and for the exam screen, its
    blueprint and guide), or None; fields not read are deferred.

    One indexed read (the item by ``item_unique_position``, the rest by primary key). Written
    out (exams/sql.py): through the ORM, the select_related joins cost a millisecond of Python
    on every page (docs/performance.md).
    """
    return (_SAVE if for_save else _SCREEN).get([attempt_id, position, user_id])


def attempt_item_get(*, user, attempt_id: int, position: int) -> AttemptItem:
    """One question of the candidate's attempt with everything the exam screen shows of it.

    The version comes from the process's cache of snapshots (questions.selectors.version_cached).
    """
    item = attempt_item_find(user_id=user.pk, attempt_id=attempt_id, position=position)
    if item is None:
        raise Http404("No such question in your attempts.")
    item.version = version_cached(item.version_id)
    return item


_STATUS_SQL = (
    f'SELECT position, selected, flagged FROM "{AttemptItem._meta.db_table}" '  # noqa: S608  # nosec B608
    "WHERE attempt_id = %s ORDER BY position"
)


def attempt_statuses(*, attempt: Attempt) -> list[dict]:
    """Position, answered and flagged for every question: the navigator and the review screen."""
    _, rows = sql.fetch(AttemptItem, _STATUS_SQL, [attempt.pk])
    return [
        # ``selected`` as the database prints JSON: "[]" when nothing is chosen (JSON text on
        # SQLite, jsonb's normal form on PostgreSQL); decoding 65 of them cost more than the read.
        {"position": position, "answered": selected not in ("[]", [], None), "flagged": bool(flagged)}
        for position, selected, flagged in rows
    ]


@lru_cache(maxsize=4096)
def _attempt_urls(attempt_id: int, script_prefix: str, urlconf) -> dict[str, str]:
    question = reverse("exams:question", args=[attempt_id, 0])
    return {
        "question_zero": question,
        "question_prefix": question[: -len("0/")],
        **{
            name: reverse(f"exams:{name}", args=[attempt_id])
            for name in ("save", "submit", "result", "overview")
        },
    }


def attempt_urls(attempt_id: int) -> dict[str, str]:
    """The exam screen's links for an attempt, reversed once per process (a question page
    reversed eight URLs on every request: a sixth of its template time, docs/performance.md).
    ``question_prefix`` + n + "/" is question n."""
    return _attempt_urls(attempt_id, get_script_prefix(), get_urlconf())


def attempt_domain_scores(*, attempt: Attempt) -> list[AttemptDomainScore]:
    """Per-domain scores, each with ``task_scores``: its task statements' scores (two queries)."""
    domains = list(
        AttemptDomainScore.objects.filter(attempt=attempt).select_related("domain").order_by("domain__number")
    )
    tasks = (
        AttemptSubDomainScore.objects.filter(attempt=attempt)
        .select_related("sub_domain")
        .order_by("sub_domain__code")
    )
    by_domain: dict[int, list] = {}
    for task in tasks:
        by_domain.setdefault(task.sub_domain.domain_id, []).append(task)
    for score in domains:
        score.task_scores = by_domain.get(score.domain_id, [])
    return domains


def item_options(*, item: AttemptItem) -> list[dict]:
    """The options as this attempt shows them: shuffled order, text only, never the key."""
    choices = item.version.content["choices"]
    chosen = set(item.selected)
    return [
        {
            "index": shown,
            "letter": rules.LETTERS[shown],
            "html": choices[original]["text_html"],
            "checked": original in chosen,
        }
        for shown, original in enumerate(item.option_order)
    ]


REVIEW_SHOW = {
    "all": "All questions",
    "wrong": "Wrong only",
    "unanswered": "Unanswered",
    "flagged": "Flagged",
    "correct": "Correct",
}


def item_review(item: AttemptItem) -> dict:
    """One question as the candidate saw it, with their answer, the key and every why.

    For submitted attempts and checked study-mode questions only: callers make sure of that.
    """
    content = item.version.content
    chosen = set(item.selected)
    options = [
        {
            "letter": rules.LETTERS[shown],
            "html": content["choices"][original]["text_html"],
            "why_html": content["choices"][original]["why_html"],
            "correct": content["choices"][original]["correct"],
            "chosen": original in chosen,
        }
        for shown, original in enumerate(item.option_order)
    ]
    return {
        "item": item,
        "stem_html": content["stem_html"],
        "explanation_html": content["explanation_html"],
        "references": content["references"],
        "options": options,
        "answered": bool(item.selected),
        "your_letters": [o["letter"] for o in options if o["chosen"]],
        "key_letters": [o["letter"] for o in options if o["correct"]],
    }


def attempt_review(
    *, attempt: Attempt, show: str = "all", domain: int | None = None, task: str | None = None
):
    """A submitted attempt's questions, filtered, and a per-task-statement summary of all of them.

    One query for the items, whatever the filter; the summary counts wrong (incl. unanswered).
    """
    items = list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("version", "sub_domain__domain")
        .order_by("position")
    )
    summary: dict[str, dict] = {}
    for item in items:
        sub = item.sub_domain
        row = summary.setdefault(
            sub.code,
            {
                "code": sub.code,
                "title": sub.title,
                "domain": sub.domain.number,
                "sub_id": sub.pk,
                "wrong": 0,
                "total": 0,
            },
        )
        row["total"] += 1
        row["wrong"] += not item.is_correct

    def keep(item: AttemptItem) -> bool:
        if domain is not None and item.sub_domain.domain.number != domain:
            return False
        if task and item.sub_domain.code != task:
            return False
        return {
            "all": True,
            "wrong": not item.is_correct,
            "unanswered": not item.selected,
            "flagged": item.flagged,
            "correct": bool(item.is_correct),
        }[show]

    rows = sorted(summary.values(), key=lambda r: [int(p) for p in r["code"].split(".")])
    return [item_review(i) for i in items if keep(i)], rows


def practice_overview(*, user) -> list[dict]:
    """Per guide: its domains and task statements (for drills) and the candidate's open mistakes."""
    from questions.models import ExamGuide

    from .services.practice import mistakes_per_sub_domain

    guides = ExamGuide.objects.prefetch_related("domains__sub_domains").order_by("code")
    mistakes_by_guide = mistakes_per_sub_domain(user=user)
    result = []
    for guide in guides:
        per_sub = mistakes_by_guide.get(guide.pk, {})
        domains = []
        for domain in guide.domains.all():
            subs = [{"sub": s, "mistakes": per_sub.get(s.pk, 0)} for s in domain.sub_domains.all()]
            domains.append({"domain": domain, "subs": subs, "mistakes": sum(s["mistakes"] for s in subs)})
        result.append({"guide": guide, "domains": domains, "mistakes": sum(per_sub.values())})
    return result


def mock_trend(*, user) -> list[dict]:
    """Per guide, the per-domain percent of each submitted mock attempt, oldest first (one query)."""
    scores = (
        AttemptDomainScore.objects.filter(
            attempt__user=user, attempt__blueprint__is_mock=True, attempt__state=Attempt.State.SUBMITTED
        )
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
    """Everything the candidate dashboard shows, per guide, from precomputed tables (5 queries)."""
    from .models import CandidateReadiness, CandidateStanding

    readiness = {r.guide_id: r for r in CandidateReadiness.objects.filter(user=user)}
    standings = list(
        CandidateStanding.objects.filter(user=user)
        .select_related("domain", "sub_domain", "guide")
        .order_by("mastery")
    )
    mocks = list(
        Attempt.objects.filter(user=user, blueprint__is_mock=True, state=Attempt.State.SUBMITTED)
        .select_related("blueprint")
        .order_by("submitted_at")
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
    result = []
    for guide_id, guide in guides.items():
        mine = [s for s in standings if s.guide_id == guide_id]
        domains = sorted((s for s in mine if s.sub_domain_id is None), key=lambda s: s.domain.number)
        tasks = [s for s in mine if s.sub_domain_id is not None]  # weakest first
        trend = [a for a in mocks if a.blueprint.guide_id == guide_id]
        result.append(
            {
                "guide": guide,
                "readiness": readiness.get(guide_id),
                "domains": domains,
                "weakest": tasks[:5],
                "trend": trend,
                "chart_id": f"chart-{guide_id}",
                "chart": {
                    "trend": {
                        "labels": [f"#{n} {a.submitted_at:%d %b}" for n, a in enumerate(trend, start=1)],
                        "scores": [a.scaled_score for a in trend],
                        "pass": guide.passing_score,
                        "min": guide.score_min,
                        "max": guide.score_max,
                    },
                    "domains": {
                        "labels": [f"D{s.domain.number} {s.domain.title}" for s in domains],
                        "mastery": [round(100 * s.mastery, 1) for s in domains],
                        "threshold": guide.competency_threshold,
                    },
                },
            }
        )
    return result


ITEM_STAT_SORTS = {
    "question": "question__external_id",
    "responses": "-responses",
    "facility": "facility",
    "-facility": "-facility",
    "discrimination": "discrimination",
    "-discrimination": "-discrimination",
}


def item_statistics(
    *, guide=None, domain: int | None = None, task: str | None = None, flag: str = "", sort: str = ""
):
    """Item statistics for the author page, filtered and sorted in the database."""
    from django.db.models import Q

    from .models import ItemStatistic

    qs = ItemStatistic.objects.select_related("question", "sub_domain__domain", "version", "guide")
    if guide is not None:
        qs = qs.filter(guide=guide)
    if domain is not None:
        qs = qs.filter(sub_domain__domain__number=domain)
    if task:
        qs = qs.filter(sub_domain__code=task)
    flags = {
        "any": Q(too_easy=True) | Q(too_hard=True) | Q(low_discrimination=True),
        "too_easy": Q(too_easy=True),
        "too_hard": Q(too_hard=True),
        "low_discrimination": Q(low_discrimination=True),
    }
    if flag in flags:
        qs = qs.filter(flags[flag])
    return qs.order_by(ITEM_STAT_SORTS.get(sort, "question__external_id"), "pk")
