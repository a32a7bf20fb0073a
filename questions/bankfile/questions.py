"""Question files: one task statement's questions, checked against ``questions.rules``."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from .. import rules
from ..images import image_info
from ..rules import DIFFICULTIES, STATUSES
from .guide import GuideSpec
from .yamlfile import Collector, Problem, load_yaml, stripped, unknown_keys

MAX_ID_LENGTH = 64  # Question.external_id
QUESTION_KEYS = {
    "id", "type", "select", "difficulty", "status", "stem", "choices", "steps", "pairs",
    "explanation", "references", "enemies", "tags", "exhibits", "reviewed_by", "reviewed_on",
}  # fmt: skip
EXHIBIT_KEYS = {"alt", "image", "data"}
CHOICE_KEYS = {"text", "correct", "why"}
STEP_KEYS = {"text", "why"}
PAIR_KEYS = {"prompt", "response", "why"}
# Where each type keeps its options in a file: choices, steps (in the right order) or pairs.
OPTIONS_KEY = {"single": "choices", "multiple": "choices", "ordering": "steps", "matching": "pairs"}
CASE_FILE_PREFIX = "case-"
CASE_KEYS = {"id", "title", "scenario"}
CASE_QUESTIONS = (2, 4)  # a case study has 2 to 4 questions


@dataclass
class ChoiceSpec:
    text: str
    correct: bool
    why: str
    line: int | None = None  # where the option starts in its file, for messages
    prompt: str = ""  # matching: the prompt this option (the response) answers


@dataclass
class ExhibitSpec:
    alt: str
    data: bytes  # the image itself (base64 in a file), checked and stored by the loader
    name: str = ""  # the name it had where it was exported, for messages only
    line: int | None = None


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
    enemies: list[str] = field(default_factory=list)  # ids never drawn in the same form
    enemies_line: int | None = None
    case_study: str | None = None  # the id of its case study, if it belongs to one
    case_order: int | None = None  # its place in the case study (1, 2, ...)
    # None where the file's format cannot carry them (GIFT, Aiken, ...): the question keeps its own.
    tags: list[str] | None = None
    exhibits: list[ExhibitSpec] | None = None
    reviewed_by: str = ""  # who approved it, if the file records it (four eyes)
    reviewed_on: datetime.date | None = None

    def choice_tuples(self) -> list[tuple[str, bool, str, str]]:
        """(text, correct, why, prompt) per option, as ``questions.rules`` and the loader take them."""
        return [(c.text, c.correct, c.why, c.prompt) for c in self.choices]


@dataclass
class CaseStudySpec:
    code: str
    guide: str
    title: str
    scenario: str
    file: str
    line: int
    questions: list[str] = field(default_factory=list)  # ids, in their order


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
    choices = _options(raw, qtype, rel, out, qid, problem)
    enemies, enemies_line = _enemies(raw, problem)
    exhibits = _exhibits(raw, rel, out, qid, problem)
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 50 for t in tags):
        problem("tags must be a list of words (at most 50 characters each)")
        tags = []
    reviewed_by = stripped(raw.get("reviewed_by"))
    reviewed_on = raw.get("reviewed_on")
    if reviewed_on is not None and not isinstance(reviewed_on, datetime.date):
        problem("reviewed_on must be a date (YYYY-MM-DD)")
        reviewed_on = None
    if isinstance(reviewed_on, datetime.datetime):
        reviewed_on = reviewed_on.date()
    if reviewed_on is not None and not reviewed_by:
        problem("reviewed_on needs reviewed_by: who reviewed it")
    n_correct = sum(c.correct for c in choices)
    select = raw.get("select")
    stem = stripped(raw.get("stem"))
    explanation = stripped(raw.get("explanation"))
    if select is not None and qtype in rules.ARRANGED_TYPES:
        problem(f"'select' is for multiple response only, not {qtype}")
        select = None
    for issue in rules.question_problems(
        qtype,
        select,
        [(c.text, c.correct, c.why, c.prompt) for c in choices],
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
        select=rules.select_count_for(qtype, len(choices), n_correct),
        difficulty=difficulty,
        status=status,
        stem=stem,
        choices=choices,
        explanation=explanation,
        references=[r.strip() for r in references if isinstance(r, str)],
        file=rel,
        line=line,
        enemies=enemies,
        enemies_line=enemies_line,
        tags=[t.strip().lower() for t in tags],
        exhibits=exhibits,
        reviewed_by=reviewed_by[:150],
        reviewed_on=reviewed_on,
    )


def _exhibits(raw: dict, rel: str, out: Collector, qid, problem) -> list[ExhibitSpec]:
    """The question's exhibits: each its alt text and the image as base64 (``data``); the
    image's own checks (type from its content, size) are the loader's, which stores it."""
    items = raw.get("exhibits")
    if items is None:
        return []
    if not isinstance(items, list):
        problem("exhibits must be a list of mappings with alt and data")
        return []
    exhibits = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problem("each exhibit must be a mapping with alt and data")
            continue
        at = item["__line__"]
        unknown_keys(item, EXHIBIT_KEYS, rel, out, qid)
        alt = stripped(item.get("alt"))
        try:
            data = base64.b64decode("".join(str(item.get("data") or "").split()).encode(), validate=True)
        except (binascii.Error, ValueError):
            problem(f"exhibit {i}: 'data' is not base64", at)
            continue
        if not data:
            problem(f"exhibit {i} has no image ('data': the image as base64)", at)
            continue
        try:
            image_info(data)
        except ValidationError as exc:
            problem(f"exhibit {i}: {exc.messages[0]}", at)
            continue
        exhibits.append(ExhibitSpec(alt, data, stripped(item.get("image")), at))
    for issue in rules.exhibit_problems([(e.name or "image", e.alt) for e in exhibits]):
        problem(issue.message, exhibits[issue.choice].line if issue.choice is not None else None)
    return exhibits


def _options(raw: dict, qtype: str, rel: str, out: Collector, qid, problem) -> list[ChoiceSpec]:
    """The question's options from the key its type keeps them in: choices, steps or pairs."""
    key = OPTIONS_KEY.get(qtype, "choices")
    for other in sorted(set(OPTIONS_KEY.values()) - {key}):
        if other in raw:
            problem(f"a {qtype} question has {key}, not {other}")
    items = raw.get(key)
    if not isinstance(items, list):
        problem(f"missing {key}")
        return []
    keys, form = {
        "choices": (CHOICE_KEYS, "text, correct and why"),
        "steps": (STEP_KEYS, "text and why"),
        "pairs": (PAIR_KEYS, "prompt, response and why"),
    }[key]
    options: list[ChoiceSpec] = []
    for item in items:
        if not isinstance(item, dict):
            problem(f"each of the {key} must be a mapping with {form}")
            continue
        at = item["__line__"]
        unknown_keys(item, keys, rel, out, qid)
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            problem("'correct' must be true or false", at)
        text = item.get("response") if key == "pairs" else item.get("text")
        options.append(
            ChoiceSpec(
                stripped(text), correct is True, stripped(item.get("why")), at, stripped(item.get("prompt"))
            )
        )
    return options


def _enemies(raw: dict, problem) -> tuple[list[str], int | None]:
    """The ids this question must never share a form with (checked against the bank later)."""
    value = raw.get("enemies")
    if value is None:
        return [], None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problem("enemies must be a list of question ids")
        return [], None
    ids = [v.strip() for v in value]
    if len(set(ids)) != len(ids):
        problem("an enemy is listed twice")
    return list(dict.fromkeys(ids)), raw["__line__"]


def spec_problems(spec: QuestionSpec, *, status: str | None = None) -> list[Problem]:
    """The rules ``spec`` breaks at ``status`` (default: its own, or draft when it has none),
    each with the line of the option at fault or of the question. The task statement is checked
    by whoever knows the guide."""
    issues = rules.question_problems(
        spec.type,
        None if spec.type in rules.ARRANGED_TYPES else spec.select,
        spec.choice_tuples(),
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


def parse_case_study_data(
    data, rel: str, out: Collector, *, guide_code: str = "", sub_domain_codes=None
) -> tuple[CaseStudySpec | None, list[QuestionSpec]]:
    """A case-study file: ``case_study`` (id, title, scenario) and its 2 to 4 ``questions``, in
    the order they are shown, each naming its own task statement (``sub_domain``)."""
    if not isinstance(data, dict):
        out.add(rel, None, "a case-study file must be a mapping with case_study and questions")
        return None, []
    unknown_keys(data, {"case_study", "questions"}, rel, out)
    raw_case = data.get("case_study")
    if not isinstance(raw_case, dict):
        out.add(rel, data["__line__"], "'case_study' must be a mapping with id, title and scenario")
        return None, []
    cline = raw_case["__line__"]
    code = stripped(raw_case.get("id"))
    unknown_keys(raw_case, CASE_KEYS, rel, out, code or None)
    for key in ("id", "title", "scenario"):
        if not stripped(raw_case.get(key)):
            out.add(rel, cline, f"the case study has no {key!r}", code or None)
    if len(code) > MAX_ID_LENGTH:
        out.add(rel, cline, f"the case study's id is longer than {MAX_ID_LENGTH} characters", code)
    if len(stripped(raw_case.get("title"))) > 200:
        out.add(rel, cline, "the case study's title is longer than 200 characters", code)
    if len(stripped(raw_case.get("scenario"))) > rules.MAX_TEXT:
        out.add(rel, cline, f"the scenario is longer than {rules.MAX_TEXT:,} characters", code)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        out.add(rel, data["__line__"], "'questions' must be a list of the case study's questions", code)
        raw_questions = []
    low, high = CASE_QUESTIONS
    if not low <= len(raw_questions) <= high:
        out.add(
            rel, cline, f"a case study has {low} to {high} questions, this one has {len(raw_questions)}", code
        )
    case = CaseStudySpec(
        code, guide_code, stripped(raw_case.get("title")), stripped(raw_case.get("scenario")), rel, cline
    )
    questions = []
    for order, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, dict):
            out.add(rel, cline, "each question must be a mapping", code)
            continue
        sub = str(raw.get("sub_domain") or "").strip()
        qid = stripped(raw.get("id")) or None
        if not sub:
            out.add(
                rel,
                raw["__line__"],
                "missing task statement: each case-study question sets 'sub_domain'",
                qid,
            )
        elif sub_domain_codes is not None and sub not in sub_domain_codes:
            out.add(rel, raw["__line__"], f"task statement {sub!r} is not in guide {guide_code}", qid)
        body = {k: v for k, v in raw.items() if k != "sub_domain"}
        spec = parse_question(body, guide_code, sub, rel, out)
        if spec is not None:
            spec.case_study, spec.case_order = code or None, order
            case.questions.append(spec.external_id)
            questions.append(spec)
    return (case if code else None), questions


def is_case_study_file(path: Path) -> bool:
    return path.name.startswith(CASE_FILE_PREFIX)


def parse_question_file(path: Path, rel: str, guide: GuideSpec, out: Collector, cases: list | None = None):
    """The questions of a task-statement file, or of a case-study file (``case-*.yaml``), whose
    case study is appended to ``cases``."""
    data = load_yaml(path, rel, out)
    if data is None:
        if not any(p.file == rel for p in out.problems):
            out.add(rel, None, "the file is empty")
        return []
    if is_case_study_file(path) or (isinstance(data, dict) and "case_study" in data):
        case, questions = parse_case_study_data(
            data, rel, out, guide_code=guide.code, sub_domain_codes=guide.sub_domain_codes()
        )
        if case is not None and cases is not None:
            cases.append(case)
        return questions
    return parse_question_data(
        data, rel, out, guide_code=guide.code, sub_domain_codes=guide.sub_domain_codes()
    )
