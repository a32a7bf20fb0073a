"""Versions: immutable snapshots of what candidates see of a question."""

from __future__ import annotations

from ..markdown import render
from ..models import Choice, Question, QuestionVersion


def content_for(
    *,
    type: str,
    select_count: int,
    difficulty: str,
    stem: str,
    explanation: str,
    references: list[str],
    choices: list[tuple[str, bool, str]],
) -> dict:
    """What candidates see of a question, rendered and sanitised: the one place it is rendered,
    for versions and for the authoring preview alike. ``choices`` are (text, correct, why)."""
    return {
        "type": type,
        "select": select_count,
        "difficulty": difficulty,
        "stem": stem,
        "stem_html": render(stem),
        "explanation": explanation,
        "explanation_html": render(explanation),
        "references": list(references),
        "choices": [
            {"text": text, "text_html": render(text), "correct": correct, "why": why, "why_html": render(why)}
            for text, correct, why in choices
        ],
    }


# The question's own fields a version freezes (with its choices): content_for's arguments.
FROZEN_FIELDS = ("type", "select_count", "difficulty", "stem", "explanation", "references")


def question_content(question: Question, choices: list[Choice]) -> dict:
    """What candidates see of a question, rendered once, to be frozen in a version."""
    return content_for(
        **{name: getattr(question, name) for name in FROZEN_FIELDS},
        choices=[(c.text, c.is_correct, c.why) for c in sorted(choices, key=lambda c: c.position)],
    )


def question_snapshot(*, question: Question, user=None, note: str = "") -> QuestionVersion:
    """Freeze the question's current content as a new version unless it equals the latest one.

    Called after every save of a question and its choices, whatever its status: a draft has a
    version too (to be previewed), and only published questions are drawn. Attempts point at the
    version they drew, so a new version never changes an attempt.
    """
    content = question_content(question, list(question.choices.all()))
    # The latest row, not the cached ``current_version``: a stale object must not reuse a number.
    latest = QuestionVersion.objects.filter(question=question).order_by("-number").first()
    if latest is not None and latest.content == content:
        return latest
    version = QuestionVersion.objects.create(
        question=question,
        number=(latest.number + 1) if latest else 1,
        content=content,
        choice_count=len(content["choices"]),
        select_count=content["select"],
        created_by=user,
        note=note[:200],
    )
    Question.objects.filter(pk=question.pk).update(current_version=version)
    question.current_version = version
    return version
