"""Problem reports: candidates report a problem with a question; authors close the report."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..errors import NotFound
from ..models import ProblemReport, Question, QuestionVersion

TEXT_MAX = 2000


@transaction.atomic
def problem_report_create(
    *, user, question_id: int, version_id: int | None, reason: str, text: str
) -> ProblemReport:
    """Record a report on a published question (``NotFound`` for any other, so that drafts stay
    invisible). Sending the same report twice records it once."""
    question = Question.objects.filter(pk=question_id, status=Question.Status.PUBLISHED).first()
    if question is None:
        raise NotFound("No such question.")
    version = None
    if version_id:
        version = QuestionVersion.objects.filter(pk=version_id, question=question).first()
        if version is None:
            raise ValidationError({"version": "This version does not belong to the question."})
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"Please keep it under {TEXT_MAX} characters."})
    if reason == ProblemReport.Reason.OTHER and not text:
        raise ValidationError({"text": "Please say what the problem is."})
    duplicate = ProblemReport.objects.filter(
        user=user, question=question, status=ProblemReport.Status.OPEN, reason=reason, text=text
    ).first()
    if duplicate is not None:
        return duplicate
    report = ProblemReport(user=user, question=question, version=version, reason=reason, text=text)
    report.full_clean()
    report.save()
    return report


def problem_report_close(*, report: ProblemReport, user, note: str) -> bool:
    """Close an open report with a note saying what was done; ``False`` if it was already closed
    (by someone else, a moment ago: the first close wins)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what was done (or why nothing needs doing)."})
    now = timezone.now()
    closed = ProblemReport.objects.filter(pk=report.pk, status=ProblemReport.Status.OPEN).update(
        status=ProblemReport.Status.CLOSED, resolution_note=note, closed_by=user, closed_at=now
    )
    if closed:
        report.status, report.resolution_note, report.closed_by, report.closed_at = (
            ProblemReport.Status.CLOSED,
            note,
            user,
            now,
        )
    return bool(closed)
