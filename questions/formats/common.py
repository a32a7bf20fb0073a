"""What every format shares: the parse result, ids for files without ids, export rows."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..bankfile import MAX_ID_LENGTH, ChoiceSpec, Problem, QuestionSpec, spec_problems
from ..rules import DIFFICULTIES, STATUSES


class ParseResult(tuple):
    """``(specs, problems)``, and ``skipped``: questions of a type we do not support that were
    left out because the caller asked for that (each a ``Problem`` naming its line)."""

    def __new__(
        cls, specs: list[QuestionSpec], problems: list[Problem], skipped: list[Problem] | None = None
    ):
        result = super().__new__(cls, (specs, problems))
        result.skipped = skipped or []
        return result

    @property
    def specs(self) -> list[QuestionSpec]:
        return self[0]

    @property
    def problems(self) -> list[Problem]:
        return self[1]


def stable_id(prefix: str, stem: str) -> str:
    """An id for a question whose file gives none: the same stem always gives the same id, so
    importing the file again updates rather than duplicates."""
    normal = " ".join(stem.lower().split())
    return f"{prefix}-{hashlib.sha256(normal.encode()).hexdigest()[:12].upper()}"


def id_from_title(title: str) -> str:
    """A GIFT title as an id: runs of anything but letters, digits, '.', '_' and '-' become one '-'."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", title)).strip("-")[:MAX_ID_LENGTH]


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str | None:
    if value not in allowed:
        return f"{what} must be one of {', '.join(allowed)}, not {value!r}"
    return None


def finish(spec: QuestionSpec, problems: list[Problem]) -> QuestionSpec:
    """Check a parsed question against the rules (at its own status, or as a draft)."""
    too_long = len(spec.external_id) > MAX_ID_LENGTH
    for message in (
        f"the id is longer than {MAX_ID_LENGTH} characters" if too_long else None,
        check_choice(spec.difficulty, DIFFICULTIES, "difficulty"),
        check_choice(spec.status, ("", *STATUSES), "status") if spec.status else None,
    ):
        if message:
            problems.append(Problem(spec.file, spec.line, spec.external_id, message))
    problems.extend(spec_problems(spec))
    return spec


def make_spec(
    *,
    external_id: str,
    guide: str = "",
    sub_domain: str,
    type: str,
    select: int | None,
    difficulty: str = "medium",
    status: str = "",
    stem: str,
    choices: list[ChoiceSpec],
    explanation: str,
    references: list[str] | None = None,
    file: str,
    line: int,
    unset: frozenset[str] = frozenset(),
) -> QuestionSpec:
    n_correct = sum(c.correct for c in choices)
    return QuestionSpec(
        external_id=external_id,
        guide=guide,
        sub_domain=sub_domain,
        type=type,
        select=select if select is not None else (n_correct if type == "multiple" else 1),
        difficulty=difficulty or "medium",
        status=status,
        stem=stem.strip(),
        choices=choices,
        explanation=explanation.strip(),
        references=references or [],
        file=file,
        line=line,
        unset=frozenset(unset),
    )


@dataclass
class Row:
    """A question as every exporter sees it."""

    id: str
    guide: str
    sub_domain: str
    sub_domain_title: str
    type: str
    select: int
    difficulty: str
    status: str
    stem: str
    explanation: str
    references: list[str]
    choices: list[tuple[str, bool, str]]


# The question fields an export row carries as they are, under the same name.
_AS_THEY_ARE = ("type", "difficulty", "status", "stem", "explanation")


def _row(q) -> Row:
    sub = q.sub_domain
    choices = sorted(q.choices.all(), key=lambda c: c.position)
    return Row(
        id=q.external_id,
        guide=sub.domain.guide.code,
        sub_domain=sub.code,
        sub_domain_title=sub.title,
        select=q.select_count,
        references=list(q.references),
        choices=[(c.text, c.is_correct, c.why) for c in choices],
        **{name: getattr(q, name) for name in _AS_THEY_ARE},
    )


def rows(questions: Iterable) -> list[Row]:
    """Questions (with ``sub_domain__domain__guide`` and ``choices`` loaded) as export rows."""
    return [_row(q) for q in questions]
