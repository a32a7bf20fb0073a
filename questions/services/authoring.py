"""Authoring: saving a question with its choices, moving it through its statuses, the author role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .. import rules
from ..images import is_exhibit_name
from ..models import CaseStudy, Question, QuestionVersion
from ..permissions import authors_group_sync
from .upserts import ExhibitData, choices_replace, exhibits_replace, tags_set
from .versions import question_snapshot


@dataclass(frozen=True)
class ChoiceData:
    text: str
    is_correct: bool
    why: str
    prompt: str = ""  # matching: the prompt this response answers


def _exhibit_issues(exhibits: Sequence[ExhibitData]) -> list[str]:
    messages = [str(issue) for issue in rules.exhibit_problems([(e.image, e.alt) for e in exhibits])]
    for i, e in enumerate(exhibits):
        if e.image and not (is_exhibit_name(e.image) and default_storage.exists(e.image)):
            messages.append(f"exhibit {i + 1}: no stored image {e.image!r} (upload it again)")
    return messages


def _approve(version: QuestionVersion, user, *, reviewer_name: str = "") -> None:
    """Record who approved ``version`` and when (the editor themself only on a superuser's
    override, marked as such)."""
    version.reviewed_by = user
    version.reviewer_name = reviewer_name
    version.reviewed_at = timezone.now()
    version.review_override = user is not None and user.pk == version.created_by_id
    version.save(update_fields=["reviewed_by", "reviewer_name", "reviewed_at", "review_override"])


def approval_refusal(*, version: QuestionVersion | None, user) -> str | None:
    """Why ``user`` may not publish ``version`` (the four-eyes rule), or ``None``. An approved
    version (a retired question reinstated) needs no second approval."""
    if version is not None and version.is_reviewed:
        return None
    if user is None or not user.has_perm("questions.change_question"):
        return "only an author may approve a question for publishing"
    return rules.approval_problem(
        editor_id=version.created_by_id if version else user.pk,
        approver_id=user.pk,
        override=user.is_superuser,
    )


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
    *,
    question: Question,
    choices: Sequence[ChoiceData],
    user,
    note: str = "",
    exhibits: Sequence[ExhibitData] | None = None,
    tags: Sequence[str] | None = None,
) -> QuestionVersion:
    """Save ``question`` (new or changed, not yet saved) with exactly ``choices`` and
    ``exhibits`` (``None``: keep them), in order, and freeze a new version if what candidates
    see changed. Raises ``ValidationError`` with every broken rule, and writes nothing then.

    The four-eyes rule: what is saved as published must be a version another author approved.
    A change an author makes to what candidates see of a published (or retired) question puts
    it in review (``question.status`` says so afterwards); publishing a draft from here is
    refused (send it for review). A superuser's edit is published, recorded as an override."""
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
    if exhibits is not None:
        messages += _exhibit_issues(exhibits)
    if messages:
        raise ValidationError(messages)
    question.full_clean(exclude=["current_version"])
    question.save()
    choices_replace(question, wanted)
    if exhibits is not None:
        exhibits_replace(question, exhibits)
    if tags is not None:
        tags_set(question, tags)
    default = "created" if old_status is None else "edited"
    version = question_snapshot(question=question, user=user, note=note.strip() or default)
    if question.status == Question.Status.PUBLISHED and not version.is_reviewed:
        if user is not None and user.is_superuser:
            _approve(version, user)  # an override when they made it: recorded on the version
        elif old_status in (Question.Status.PUBLISHED, Question.Status.RETIRED):
            # A change to what candidates see waits for a second author: drawn no more until then.
            Question.objects.filter(pk=question.pk).update(status=Question.Status.REVIEW)
            question.status = Question.Status.REVIEW
        else:
            raise ValidationError({"status": "To publish, send it for review: another author approves it."})
    return version


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
    """Send for review, publish (approve), retire or reinstate a question; ``False`` when it
    already had that status.

    Publishing checks every rule a published question must meet (a reference, no import
    placeholder left) and the four-eyes rule: the current version is approved by ``user``, who
    must be an author other than the one who made it (a superuser may override, recorded), and
    a draft goes through review first. Retiring only takes the question out of future draws:
    attempts that drew it keep their version.
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
        if current.status == Question.Status.DRAFT and not user.is_superuser:
            raise ValidationError("send it for review first: another author approves it there")
        version = current.current_version
        if refusal := approval_refusal(version=version, user=user):
            raise ValidationError(refusal)
    Question.objects.filter(pk=current.pk).update(status=status)
    current.status = question.status = status
    if current.current_version_id is None:
        question_snapshot(question=current, user=user, note=f"{status} without an earlier version")
    if status == Question.Status.PUBLISHED and not current.current_version.is_reviewed:
        _approve(current.current_version, user)
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
