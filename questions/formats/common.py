"""What every format shares: the parse result, ids for files without ids, task statements from
categories, the placeholders for what a file lacks, export rows."""

from __future__ import annotations

import datetime
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import nh3
from django.utils.timezone import localdate

from ..bankfile import MAX_ID_LENGTH, ChoiceSpec, Problem, QuestionSpec, spec_problems
from ..rules import (
    CHOICE_TYPES,
    DIFFICULTIES,
    NUMBER_WORDS,
    PLACEHOLDER,
    QUESTION_TYPES,
    SELECT_INSTRUCTION,
    STATUSES,
    option_name,
    select_count_for,
    select_words,
)

# What an import writes where the file has nothing (Aiken always; GIFT and Moodle XML when an
# option has no feedback or the question no general feedback): a draft may carry it, publishing
# is refused until an author has written it (rules.PLACEHOLDER).
WHY = f"{PLACEHOLDER} why this option is right or wrong."
EXPLANATION = f"{PLACEHOLDER} the concept this question tests."

TASK_CODE = re.compile(r"^(\d+(?:\.\d+)+)(?:\s|$)")
GUIDE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]+$")


class ParseResult(tuple):
    """``(specs, problems)``, and ``skipped``: questions of a type we do not support that were
    left out because the caller asked for that (each a ``Problem`` naming its line), and
    ``notices``: what the import changed or filled in for the author (a selection hint taken out
    of a stem, placeholders), each naming its question and line; ``case_studies``: the case
    studies the file defines (the bank's own format only), which its questions name."""

    def __new__(
        cls,
        specs: list[QuestionSpec],
        problems: list[Problem],
        skipped: list[Problem] | None = None,
        notices: list[Problem] | None = None,
        case_studies: list | None = None,
    ):
        result = super().__new__(cls, (specs, problems))
        result.skipped = skipped or []
        result.notices = notices or []
        result.case_studies = case_studies or []
        return result

    @property
    def specs(self) -> list[QuestionSpec]:
        return self[0]

    @property
    def problems(self) -> list[Problem]:
        return self[1]


class ImportParser:
    """What the GIFT and Moodle XML parsers share: the file's name, the task statement to use
    where the file names none, the questions found and the problems, skips and notices to
    report (``ParseResult``)."""

    def __init__(self, filename: str, default_sub_domain: str | None, skip_unsupported: bool):
        self.filename = filename
        self.default_sub_domain = default_sub_domain or ""
        self.skip_unsupported = skip_unsupported
        self.specs: list = []
        self.problems: list[Problem] = []
        self.skipped: list[Problem] = []
        self.notices: list[Problem] = []
        self.guide, self.sub_domain = "", self.default_sub_domain

    def problem(self, line: int | None, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.filename, line, qid, message))

    def refuse_type(self, line: int, qid: str | None, name: str, message: str) -> None:
        """A question of a type the bank cannot hold: skipped when the author asked for that,
        a problem (``message``) otherwise."""
        if self.skip_unsupported:
            self.skipped.append(Problem(self.filename, line, qid, f"skipped: {name} question"))
        else:
            self.problem(line, message, qid)

    def add_question(self, line, hint, qid, qtype, stem, choices, explanation, meta: dict) -> None:
        """A question found at ``line``, in the current category's task statement, with what the
        file says of it besides its text (``meta``: difficulty, references, status): marked for
        its author as such files need (``mark_for_author``), checked (``finish``) and kept. What
        the file leaves unsaid (difficulty, references) is left alone on an update."""
        difficulty, references = meta.get("difficulty", ""), list(meta.get("references", []))
        spec = make_spec(
            external_id=qid,
            guide=self.guide,
            sub_domain=self.sub_domain,
            type=qtype,
            select=None,
            difficulty=difficulty,
            status=meta.get("status", ""),
            stem=stem,
            choices=choices,
            explanation=explanation,
            references=references,
            file=self.filename,
            line=line,
            unset={k for k, v in (("difficulty", difficulty), ("references", references)) if not v},
        )
        mark_for_author(spec, hint, self.notices, self.problems)
        self.specs.append(finish(spec, self.problems))

    def result(self) -> ParseResult:
        return ParseResult(self.specs, self.problems, self.skipped, self.notices)


def stable_id(prefix: str, stem: str) -> str:
    """An id for a question whose file gives none, readable and stable: the stem's first words
    and a short hash of the whole stem (``GIFT-which-algorithm-suits-tabular-data-3F2A91C0``).
    The same stem always gives the same id, so importing the file again updates rather than
    duplicates; the words let an author tell the questions apart in the list."""
    normal = " ".join(stem.lower().split())
    words = re.findall(r"[a-z0-9]+", normal)
    slug = ""
    for word in words[:8]:
        if len(slug) + len(word) + 1 > 40:
            break
        slug = f"{slug}-{word}" if slug else word
    digest = hashlib.sha256(normal.encode()).hexdigest()[:8].upper()
    return f"{prefix}-{slug}-{digest}" if slug else f"{prefix}-{digest}"


def id_from_title(title: str) -> str:
    """A GIFT title as an id: runs of anything but letters, digits, '.', '_' and '-' become one '-'."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", title)).strip("-")[:MAX_ID_LENGTH]


def task_from_category(path: str) -> tuple[str, str] | None:
    """``(guide, task statement)`` from a Moodle category path whose last part starts with the
    task statement's code: ``MLS-C01/3.2``, ``3.2``, ``$course$/top/MLS-C01/3.2 Select models``
    (the guide is the part before it, when it looks like a guide code); ``None`` if it names none."""
    parts = [p.strip() for p in path.split("/") if p.strip()]
    match = TASK_CODE.match(parts[-1]) if parts else None
    if match is None:
        return None
    return (parts[-2] if len(parts) > 1 and GUIDE_CODE.match(parts[-2]) else ""), match.group(1)


def html_to_text(text: str) -> str:
    """HTML as plain text (tags dropped, entities decoded), paragraphs and breaks kept."""
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</p>\s*", "\n\n", text, flags=re.I)
    return html.unescape(nh3.clean(text, tags=set())).strip()


def strip_selection_hint(stem: str) -> tuple[str, int | None]:
    """The stem without the "(Select TWO.)" people write in it (the exam screen says it from the
    key), and the count it gave (``None`` if it had none)."""
    found = SELECT_INSTRUCTION.search(stem)
    if found is None:
        return stem, None
    word = found.group(1).upper()
    count = int(word) if word.isdigit() else NUMBER_WORDS.index(word) + 1
    stem = SELECT_INSTRUCTION.sub("", stem)
    stem = re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", stem)).strip()
    return stem, count


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
        select=select if select is not None else select_count_for(type, len(choices), n_correct),
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


def mark_for_author(
    spec: QuestionSpec, hint: int | None, notices: list[Problem], problems: list[Problem]
) -> QuestionSpec:
    """Files as people write them (GIFT, Moodle XML): an option without feedback and a question
    without general feedback get the placeholder (a draft until an author writes them), and a
    "(Select N.)" taken out of the stem (``hint``, its count) is said in a notice, or is a
    problem when it contradicts the key."""

    def add(to: list[Problem], message: str) -> None:
        to.append(Problem(spec.file, spec.line, spec.external_id, message))

    if hint is not None:
        right = sum(c.correct for c in spec.choices)
        said = f"'(Select {select_words(hint)}.)'"
        if spec.type in CHOICE_TYPES and hint != right:
            add(problems, f"the stem says {said} but the key has {right} right option(s)")
        else:
            add(notices, f"{said} taken out of the stem: the exam screen says it from the answer key")
    missing = []
    for i, choice in enumerate(spec.choices):
        if not choice.why.strip():
            choice.why = WHY
            missing.append(option_name(spec.type, i))
    parts = [f"the 'why' of {', '.join(missing)}"] if missing else []
    if not spec.explanation.strip():
        spec.explanation = EXPLANATION
        parts.append("the explanation (no general feedback)")
    if parts:
        add(notices, f"{' and '.join(parts)} marked {PLACEHOLDER}: a draft until an author writes them")
    return spec


class ExportRefused(ValueError):
    """The format cannot carry some of the questions (e.g. ordering in GIFT); nothing is written.
    The message names them and says what to do instead."""


def refuse_types(items: list[Row], types: tuple[str, ...], format: str, instead: str) -> None:
    """Raise ``ExportRefused`` naming every question of ``types`` among ``items``."""
    refused = [r for r in items if r.type in types]
    if refused:
        kinds = " and ".join(sorted({QUESTION_TYPES[r.type].lower() for r in refused}))
        ids = ", ".join(r.id for r in refused[:10]) + (", …" if len(refused) > 10 else "")
        raise ExportRefused(
            f"{format} has no syntax for {kinds} questions ({len(refused)}: {ids}); "
            f"export them as {instead}, or leave them out of the selection"
        )


def refuse_exhibits(items: list[Row], format: str) -> None:
    """Raise ``ExportRefused`` naming every question with exhibits (images): only the bank's own
    format carries them, and a question without its exhibit may not make sense."""
    refused = [r for r in items if r.exhibits]
    if refused:
        ids = ", ".join(r.id for r in refused[:10]) + (", …" if len(refused) > 10 else "")
        raise ExportRefused(
            f"{format} cannot carry exhibits (images): {len(refused)} question(s) have some ({ids}); "
            "export them as native YAML, or leave them out of the selection"
        )


class Option(NamedTuple):
    """An option as every exporter sees it: a choice, a step (in the right order) or a pair
    (``text`` the response, ``prompt`` what it answers)."""

    text: str
    correct: bool
    why: str
    prompt: str = ""


class CaseRef(NamedTuple):
    """The case study a question belongs to, as the bank format writes it."""

    code: str
    title: str
    scenario: str


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
    choices: list[Option]
    enemies: list[str] = field(default_factory=list)  # the ids it never shares a form with
    case_study: CaseRef | None = None
    case_order: int | None = None
    tags: list[str] = field(default_factory=list)
    exhibits: list[tuple[str, str]] = field(default_factory=list)  # (storage name, alt text)
    reviewed_by: str = ""
    reviewed_on: datetime.date | None = None


# The question fields an export row carries as they are, under the same name.
_AS_THEY_ARE = ("type", "difficulty", "status", "stem", "explanation")


def _row(q) -> Row:
    sub = q.sub_domain
    choices = sorted(q.choices.all(), key=lambda c: c.position)
    version = q.current_version
    reviewed = version is not None and version.is_reviewed
    return Row(
        tags=[t.name for t in q.tags.all()],
        exhibits=[(e.image.name, e.alt) for e in sorted(q.exhibits.all(), key=lambda e: e.position)],
        reviewed_by=version.reviewer if reviewed else "",
        reviewed_on=localdate(version.reviewed_at) if reviewed else None,
        id=q.external_id,
        guide=sub.domain.guide.code,
        sub_domain=sub.code,
        sub_domain_title=sub.title,
        select=q.select_count,
        references=list(q.references),
        choices=[Option(c.text, c.is_correct, c.why, c.prompt) for c in choices],
        enemies=sorted(e.external_id for e in q.enemies.all()),
        case_study=CaseRef(q.case_study.code, q.case_study.title, q.case_study.scenario)
        if q.case_study
        else None,
        case_order=q.case_order,
        **{name: getattr(q, name) for name in _AS_THEY_ARE},
    )


def rows(questions: Iterable) -> list[Row]:
    """Questions (with ``sub_domain__domain__guide``, ``case_study``,
    ``current_version__reviewed_by``, ``choices``, ``enemies``, ``exhibits`` and ``tags`` loaded:
    ``selectors.questions_for_export``) as export rows."""
    return [_row(q) for q in questions]


def code_key(code: str) -> list:
    """``"3.10"`` after ``"3.2"``: a task statement's code as numbers, for sorting."""
    return [int(p) if p.isdigit() else p for p in code.split(".")]
