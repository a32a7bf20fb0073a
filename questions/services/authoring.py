"""Authoring: saving a question with its choices, moving it through its statuses, the author role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import rules
from ..models import CaseStudy, Question, QuestionVersion
from ..permissions import authors_group_sync
from .upserts import choices_replace
from .versions import question_snapshot


@dataclass(frozen=True)
class ChoiceData:
    text: str
    is_correct: bool
    why: str
    prompt: str = ""  # matching: the prompt this response answers


def _issues(question: Question, choices: Sequence[tuple], status: str) -> list[str]:
    return [
        str(issue)
        for issue in rules.question_problems(
            question.type,
            question.select_count,
            choices,
            question.sub_domain_id is not None,
            stem=question.stem,
            explanation=question.explanation,
            references=question.references,
            status=status,
        )
    ]


@transaction.atomic
def question_save(
    *, question: Question, choices: Sequence[ChoiceData], user, note: str = ""
) -> QuestionVersion:
    """Save ``question`` (new or changed, not yet saved) with exactly ``choices``, in order, and
    freeze a new version if what candidates see changed. Raises ``ValidationError`` with every
    broken rule, and writes nothing then."""
    old_status = (
        Question.objects.filter(pk=question.pk).values_list("status", flat=True).first()
        if question.pk
        else None
    )
    wanted = [(c.text.strip(), bool(c.is_correct), c.why.strip(), c.prompt.strip()) for c in choices]
    if question.type in rules.ARRANGED_TYPES:
        question.select_count = len(wanted)  # every step or pair is placed
    messages = _issues(question, wanted, question.status)
    if change := rules.status_change_problem(old_status, question.status):
        messages.append(change)
    if messages:
        raise ValidationError(messages)
    question.full_clean(exclude=["current_version"])
    question.save()
    choices_replace(question, wanted)
    default = "created" if old_status is None else "edited"
    return question_snapshot(question=question, user=user, note=note.strip() or default)


@transaction.atomic
def case_study_save(*, case: CaseStudy, user) -> int:
    """Save a case study and give each of its questions a new version if what candidates see of
    it changed (the scenario is pinned in their versions); how many got one."""
    case.full_clean()
    case.save()
    changed = 0
    for question in case.questions.select_related("case_study"):
        before = question.current_version_id
        changed += question_snapshot(question=question, user=user, note="case study edited").pk != before
    return changed


@transaction.atomic
def question_set_status(*, question: Question, status: str, user) -> bool:
    """Publish, retire or reinstate a question; ``False`` when it already had that status.

    Publishing checks every rule a published question must meet (a reference, no import
    placeholder left). Retiring only takes the question out of future draws: attempts that drew
    it keep their version.
    """
    if status not in rules.STATUSES:
        raise ValidationError(f"unknown status {status!r}")
    current = Question.objects.select_for_update().get(pk=question.pk)
    if current.status == status:
        return False
    if change := rules.status_change_problem(current.status, status):
        raise ValidationError(change)
    if status == Question.Status.PUBLISHED:
        choices = [(c.text, c.is_correct, c.why, c.prompt) for c in current.choices.all()]
        if messages := _issues(current, choices, status):
            raise ValidationError(messages)
    Question.objects.filter(pk=current.pk).update(status=status)
    current.status = question.status = status
    if current.current_version_id is None:
        question_snapshot(question=current, user=user, note=f"{status} without an earlier version")
    return True


def authors_group() -> Group:
    """The Authors group with its permissions (recreated if someone removed it)."""
    return authors_group_sync(django_apps)


@transaction.atomic
def author_grant(*, user) -> None:
    """Make ``user`` an author: staff (to reach the admin, where authoring happens) and a
    member of the Authors group (which holds the authoring permissions, and nothing more)."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(authors_group())
