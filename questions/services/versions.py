"""Versions: immutable snapshots of what candidates see of a question."""

from __future__ import annotations

from .. import rules
from ..markdown import render
from ..models import CaseStudy, Choice, Exhibit, Question, QuestionVersion


def content_for(
    *,
    type: str,
    select_count: int,
    difficulty: str,
    stem: str,
    explanation: str,
    references: list[str],
    choices: list[tuple],
    case_study: dict | None = None,
    exhibits: list[dict] | None = None,
) -> dict:
    """What candidates see of a question, rendered and sanitised: the one place it is rendered,
    for versions and for the authoring preview alike. ``choices`` are (text, correct, why) or
    (text, correct, why, prompt): an ordering item's steps in the right order, a matching item's
    pairs (the response with the prompt it answers, ``prompt`` and ``prompt_html`` in the
    version). ``case_study`` (code, title, scenario) pins the shared scenario with the question.

    Keys that only the new types use are left out for the others, so the versions of a
    multiple-choice question are what they were before those types existed. ``exhibits``
    (``image``: the storage name, ``alt``, ``width``, ``height``, in order) are kept only when
    there are some, for the same reason."""
    matching = type == "matching"
    arranged = type in rules.ARRANGED_TYPES
    content = {
        "type": type,
        "select": select_count,
        "difficulty": difficulty,
        "stem": stem,
        "stem_html": render(stem),
        "explanation": explanation,
        "explanation_html": render(explanation),
        "references": list(references),
        "choices": [
            {
                **({"prompt": c[3], "prompt_html": render(c[3])} if matching else {}),
                "text": c[0],
                "text_html": render(c[0]),
                "correct": bool(c[1]) and not arranged,
                "why": c[2],
                "why_html": render(c[2]),
            }
            for c in choices
        ],
    }
    if exhibits:
        content["exhibits"] = [
            {"image": e["image"], "alt": e["alt"], "width": e.get("width", 0), "height": e.get("height", 0)}
            for e in exhibits
        ]
    if case_study is not None:
        content["case_study"] = {**case_study, "scenario_html": render(case_study["scenario"])}
    return content


def case_study_content(case: CaseStudy | None) -> dict | None:
    """What a version pins of its case study."""
    if case is None:
        return None
    return {"code": case.code, "title": case.title, "scenario": case.scenario}


# The question's own fields a version freezes (with its choices): content_for's arguments.
FROZEN_FIELDS = ("type", "select_count", "difficulty", "stem", "explanation", "references")


def exhibit_content(exhibits: list[Exhibit]) -> list[dict]:
    """What a version pins of the question's exhibits: each image's storage name (its content's
    hash: the file is never overwritten or deleted), alt text and size, in order."""
    return [
        {"image": e.image.name, "alt": e.alt, "width": e.width, "height": e.height}
        for e in sorted(exhibits, key=lambda e: e.position)
    ]


def question_content(
    question: Question, choices: list[Choice], exhibits: list[Exhibit] | None = None
) -> dict:
    """What candidates see of a question, rendered once, to be frozen in a version."""
    return content_for(
        **{name: getattr(question, name) for name in FROZEN_FIELDS},
        choices=[(c.text, c.is_correct, c.why, c.prompt) for c in sorted(choices, key=lambda c: c.position)],
        case_study=case_study_content(question.case_study),
        exhibits=exhibit_content(exhibits or []),
    )


def question_snapshot(*, question: Question, user=None, note: str = "") -> QuestionVersion:
    """Freeze the question's current content as a new version unless it equals the latest one.

    Called after every save of a question and its choices, whatever its status: a draft has a
    version too (to be previewed), and only published questions are drawn. Attempts point at the
    version they drew, so a new version never changes an attempt.
    """
    content = question_content(question, list(question.choices.all()), list(question.exhibits.all()))
    # The latest row, not the cached ``current_version``: a stale object must not reuse a number.
    latest = QuestionVersion.objects.filter(question=question).order_by("-number").first()
    if latest is not None and latest.content == content:
        return latest
    version = QuestionVersion.objects.create(
        question=question,
        number=(latest.number + 1) if latest else 1,
        content=content,
        type=content["type"],
        choice_count=len(content["choices"]),
        select_count=content["select"],
        created_by=user,
        note=note[:200],
    )
    Question.objects.filter(pk=question.pk).update(current_version=version)
    question.current_version = version
    return version
