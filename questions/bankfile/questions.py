"""Question files: one task statement's questions, checked against ``questions.rules``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import rules
from ..rules import DIFFICULTIES, STATUSES
from .guide import GuideSpec
from .yamlfile import Collector, Problem, load_yaml, stripped, unknown_keys

MAX_ID_LENGTH = 64  # Question.external_id
QUESTION_KEYS = {
    "id", "type", "select", "difficulty", "status", "stem", "choices", "explanation", "references",
}  # fmt: skip
CHOICE_KEYS = {"text", "correct", "why"}


@dataclass
class ChoiceSpec:
    text: str
    correct: bool
    why: str
    line: int | None = None  # where the option starts in its file, for messages


@dataclass
class QuestionSpec:
    external_id: str
    guide: str
    sub_domain: str
    type: str
    select: int
    difficulty: str
    status: str
    stem: str
    choices: list[ChoiceSpec]
    explanation: str
    references: list[str]
    file: str
    line: int
    # Fields the file's format does not carry ("difficulty", "references"): an import keeps the
    # existing question's value rather than overwrite it with a default.
    unset: frozenset[str] = frozenset()


def parse_question(raw, guide_code: str, sub: str, rel: str, out: Collector):
    if not isinstance(raw, dict):
        out.add(rel, None, "each question must be a mapping")
        return None
    line = raw["__line__"]
    qid = stripped(raw.get("id")) or None
    if not qid:
        out.add(rel, line, "question has no 'id'")
    elif isinstance(raw.get("id"), str) and len(qid) > MAX_ID_LENGTH:
        out.add(rel, line, f"the id is longer than {MAX_ID_LENGTH} characters", qid)
    unknown_keys(raw, QUESTION_KEYS, rel, out, qid)

    def problem(message: str, at: int | None = None) -> None:
        out.add(rel, at or line, message, qid)

    qtype = raw.get("type", "single")
    difficulty = raw.get("difficulty", "medium")
    if difficulty not in DIFFICULTIES:
        problem(f"difficulty must be one of {', '.join(DIFFICULTIES)}, not {difficulty!r}")
    status = raw.get("status", "published")
    if status not in STATUSES:
        problem(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    references = raw.get("references") or []
    if not isinstance(references, list):
        problem("references must be a list of http(s) links")
        references = []
    choices: list[ChoiceSpec] = []
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list):
        problem("missing choices")
        raw_choices = []
    for raw_choice in raw_choices:
        if not isinstance(raw_choice, dict):
            problem("each choice must be a mapping with text, correct and why")
            continue
        cline = raw_choice["__line__"]
        unknown_keys(raw_choice, CHOICE_KEYS, rel, out, qid)
        correct = raw_choice.get("correct", False)
        if not isinstance(correct, bool):
            problem("'correct' must be true or false", cline)
        choices.append(
            ChoiceSpec(
                stripped(raw_choice.get("text")), correct is True, stripped(raw_choice.get("why")), cline
            )
        )
    n_correct = sum(c.correct for c in choices)
    select = raw.get("select")
    stem = stripped(raw.get("stem"))
    explanation = stripped(raw.get("explanation"))
    for issue in rules.question_problems(
        qtype,
        select,
        [(c.text, c.correct, c.why) for c in choices],
        True,  # the file's task statement is checked once, for the whole file
        stem=stem,
        explanation=explanation,
        references=references,
        status=status,
    ):
        problem(issue.message, choices[issue.choice].line if issue.choice is not None else None)
    if qid is None:
        return None
    return QuestionSpec(
        external_id=qid,
        guide=guide_code,
        sub_domain=sub,
        type=qtype,
        select=n_correct if qtype == "multiple" else 1,
        difficulty=difficulty,
        status=status,
        stem=stem,
        choices=choices,
        explanation=explanation,
        references=[r.strip() for r in references if isinstance(r, str)],
        file=rel,
        line=line,
    )


def spec_problems(spec: QuestionSpec, *, status: str | None = None) -> list[Problem]:
    """The rules ``spec`` breaks at ``status`` (default: its own, or draft when it has none),
    each with the line of the option at fault or of the question. The task statement is checked
    by whoever knows the guide."""
    issues = rules.question_problems(
        spec.type,
        spec.select,
        [(c.text, c.correct, c.why) for c in spec.choices],
        True,
        stem=spec.stem,
        explanation=spec.explanation,
        references=spec.references,
        status=status or spec.status or "draft",
    )
    return [
        Problem(
            spec.file,
            (spec.choices[i.choice].line if i.choice is not None else None) or spec.line,
            spec.external_id,
            i.message,
        )
        for i in issues
    ]


def parse_question_data(
    data,
    rel: str,
    out: Collector,
    *,
    guide_code: str = "",
    sub_domain_codes=None,
    default_sub_domain: str | None = None,
) -> list[QuestionSpec]:
    """The questions of one parsed question file (a mapping with sub_domain and questions).

    ``sub_domain_codes`` (the guide's task statements) is checked when given; an import that
    does not know its guide yet passes ``None`` and the import service checks it.
    """
    if not isinstance(data, dict):
        out.add(rel, None, "a question file must be a mapping with sub_domain and questions")
        return []
    unknown_keys(data, {"sub_domain", "questions"}, rel, out)
    sub = str(data.get("sub_domain") or default_sub_domain or "").strip()
    if not sub:
        out.add(rel, data["__line__"], "missing task statement: set 'sub_domain' (e.g. \"3.2\")")
    elif sub_domain_codes is not None and sub not in sub_domain_codes:
        out.add(rel, data["__line__"], f"task statement {sub!r} is not in guide {guide_code}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        out.add(rel, data["__line__"], "'questions' must be a non-empty list")
        return []
    parsed = [parse_question(raw, guide_code, sub, rel, out) for raw in raw_questions]
    return [q for q in parsed if q is not None]


def parse_question_file(path: Path, rel: str, guide: GuideSpec, out: Collector):
    data = load_yaml(path, rel, out)
    if data is None:
        if not any(p.file == rel for p in out.problems):
            out.add(rel, None, "the file is empty")
        return []
    return parse_question_data(
        data, rel, out, guide_code=guide.code, sub_domain_codes=guide.sub_domain_codes()
    )
