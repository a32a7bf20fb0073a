"""Practice sets built on the same engine as the mock exam: drills, study sessions, mistakes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.text import Truncator

from questions.models import Domain, ExamGuide, SubDomain

from .. import selectors
from ..errors import AssemblyError, NothingToPractise
from ..models import Attempt, AttemptItem, ExamBlueprint, ItemReview
from . import spaced
from .attempts import attempt_check_answer, attempt_start

DRILL_SIZES = (10, 20, 30)
MISTAKES_LIMIT = 65


def _scope_slug(domain: Domain | None, sub_domain: SubDomain | None) -> str:
    if sub_domain is not None:
        return f"t{sub_domain.code}"
    if domain is not None:
        return f"d{domain.number}"
    return "all"


def _scope_name(domain: Domain | None, sub_domain: SubDomain | None) -> str:
    if sub_domain is not None:
        return f"task statement {sub_domain.code} {sub_domain.title}"
    if domain is not None:
        return f"domain {domain.number}: {domain.title}"
    return "all domains"


def hidden_blueprint(
    guide: ExamGuide,
    slug: str,
    name: str,
    mode: str,
    question_count: int,
    *,
    duration_minutes: int = 0,
    domain: Domain | None = None,
    sub_domain: SubDomain | None = None,
) -> ExamBlueprint:
    """The unlisted blueprint behind a set the site builds (a drill, mistakes, due reviews, the
    diagnostic): scored as the guide's exam, never a mock, created or updated by its slug."""
    values = {
        "name": name,
        "mode": mode,
        "question_count": question_count,
        "duration_minutes": duration_minutes,
        "domain": domain,
        "sub_domain": sub_domain,
        "is_mock": False,
        "is_listed": False,
        "score_min": guide.score_min,
        "score_max": guide.score_max,
        "passing_score": guide.passing_score,
    }
    # Task statement titles run to 300 characters; a blueprint's name holds 120.
    values["name"] = Truncator(values["name"]).chars(ExamBlueprint._meta.get_field("name").max_length)
    # update_or_create survives a concurrent request creating the same blueprint (it catches
    # the IntegrityError and updates the row that won).
    blueprint, _ = ExamBlueprint.objects.update_or_create(guide=guide, slug=slug, defaults=values)
    return blueprint


def blueprint_for_drill(
    *,
    guide: ExamGuide,
    count: int,
    study: bool,
    domain: Domain | None = None,
    sub_domain: SubDomain | None = None,
) -> ExamBlueprint:
    """The blueprint of a drill: ``count`` questions from one domain or task statement."""
    if count not in DRILL_SIZES:
        raise AssemblyError(f"A drill has {', '.join(map(str, DRILL_SIZES))} questions.")
    if sub_domain is not None:
        domain = sub_domain.domain
    if domain is None or domain.guide_id != guide.pk:
        raise AssemblyError("Choose a domain or task statement of this exam guide.")
    minutes = 0 if study else round(count * guide.duration_minutes / guide.question_count)
    mode = ExamBlueprint.Mode.STUDY if study else ExamBlueprint.Mode.EXAM
    slug, name = f"drill-{_scope_slug(domain, sub_domain)}-{count}-{mode}", _scope_name(domain, sub_domain)
    return hidden_blueprint(
        guide,
        slug,
        f"Drill: {name} ({count})",
        mode,
        count,
        duration_minutes=minutes,
        domain=domain if sub_domain is None else None,
        sub_domain=sub_domain,
    )


def blueprint_for_mistakes(
    *, guide: ExamGuide, domain: Domain | None = None, sub_domain: SubDomain | None = None
) -> ExamBlueprint:
    slug, name = f"mistakes-{_scope_slug(domain, sub_domain)}", _scope_name(domain, sub_domain)
    return hidden_blueprint(
        guide, slug, f"Practise my mistakes: {name}", ExamBlueprint.Mode.STUDY, MISTAKES_LIMIT
    )


def attempt_start_mistakes(
    *, user, guide: ExamGuide, domain: Domain | None = None, sub_domain: SubDomain | None = None
) -> Attempt:
    """Resume the open mistakes set for this scope, or start one from the current mistakes."""
    blueprint = blueprint_for_mistakes(guide=guide, domain=domain, sub_domain=sub_domain)
    open_attempt = Attempt.objects.filter(
        user=user, blueprint=blueprint, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        return open_attempt
    ids = selectors.mistakes_question_ids(user=user, guide=guide, domain=domain, sub_domain=sub_domain)
    if not ids:
        raise NothingToPractise(
            "No mistakes to practise here: you have since answered right every question you got wrong."
        )
    return attempt_start(user=user, blueprint=blueprint, question_ids=ids)


def attempt_start_drill(
    *,
    user,
    guide: ExamGuide,
    count: int,
    study: bool,
    domain: Domain | None = None,
    sub_domain: SubDomain | None = None,
) -> Attempt:
    """Start (or resume) a drill of ``count`` questions from one domain or task statement."""
    blueprint = blueprint_for_drill(
        guide=guide, count=count, study=study, domain=domain, sub_domain=sub_domain
    )
    return attempt_start(user=user, blueprint=blueprint)


# ---- spaced review (issue 22) ---------------------------------------------------------

REVIEW_LIMIT = 20  # questions in one "Review due questions" set


def blueprint_for_review(*, guide: ExamGuide) -> ExamBlueprint:
    return hidden_blueprint(
        guide, "review-due", "Review due questions", ExamBlueprint.Mode.STUDY, REVIEW_LIMIT
    )


def review_set_ids(*, user, guide: ExamGuide, now: datetime | None = None) -> list[int]:
    """Up to ``REVIEW_LIMIT`` questions: those due (most overdue first), then questions of the
    weakest task statements; never two enemies (the earlier in that order stays)."""
    due = selectors.review_due_question_ids(user=user, guide=guide, now=now)
    if not due:
        return []
    candidates = due + [
        q for q in selectors.weakest_task_question_ids(user=user, guide=guide) if q not in set(due)
    ]
    enemies = selectors.enemies_of(question_ids=candidates)
    chosen: list[int] = []
    blocked: set[int] = set()
    for q in candidates:
        if q in blocked or q in chosen:
            continue
        chosen.append(q)
        blocked |= enemies.get(q, set())
        if len(chosen) == REVIEW_LIMIT:
            break
    return chosen


def review_set_start(*, user, guide: ExamGuide, now: datetime | None = None) -> Attempt:
    """Resume the open review set of this guide, or start one from what is due."""
    blueprint = blueprint_for_review(guide=guide)
    open_attempt = Attempt.objects.filter(
        user=user, blueprint=blueprint, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        return open_attempt
    ids = review_set_ids(user=user, guide=guide, now=now)
    if not ids:
        raise NothingToPractise("Nothing is due for review in this exam today.")
    return attempt_start(user=user, blueprint=blueprint, question_ids=ids)


def answer_check(*, user, attempt_id: int, position: int, unsure: bool = False) -> AttemptItem:
    """Study mode's "Check" with its one-click confidence: mark the answer
    (``attempts.attempt_check_answer``) and review the question's card, in one transaction."""
    with transaction.atomic():
        item = attempt_check_answer(user=user, attempt_id=attempt_id, position=position)
        if unsure and item.pk in selectors.item_reviews_pending(item_ids=[item.pk]):
            ItemReview.objects.update_or_create(item=item, defaults={"unsure": True})
        spaced.items_review(item_ids=[item.pk])
    return item
