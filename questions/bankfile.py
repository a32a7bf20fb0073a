"""The question bank's file format: parse and validate, with no database.

A bank is a folder per exam guide holding ``guide.yaml`` (the guide, its domains and task
statements, its blueprints and the rules the bank as a whole must meet) and any number of
question files (``*.yaml``), each holding the questions of one task statement. The format is
described in docs/question-format.md. Every problem is reported with its file, line and
question id, so that an author can fix it without reading code.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from questions import rules
from questions.rules import STATUSES

DIFFICULTIES = ("easy", "medium", "hard")
GUIDE_FILE = "guide.yaml"
NEAR_DUPLICATE_THRESHOLD = 0.6
MAX_ID_LENGTH = 64  # Question.external_id

GUIDE_KEYS = {
    "code", "title", "version", "question_count", "duration_minutes", "score_min", "score_max",
    "passing_score", "competency_threshold", "domains", "blueprints", "bank_requirements",
    "audit",  # thresholds of manage.py audit_bank, read by questions/audit.py
}  # fmt: skip
QUESTION_KEYS = {
    "id", "type", "select", "difficulty", "status", "stem", "choices", "explanation", "references",
}  # fmt: skip
CHOICE_KEYS = {"text", "correct", "why"}
BLUEPRINT_KEYS = {"slug", "name", "question_count", "duration_minutes", "mode", "description"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    question: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        who = f" [{self.question}]" if self.question else ""
        return f"{where}{who}: {self.message}"


@dataclass
class SubDomainSpec:
    code: str
    title: str
    knowledge: str


@dataclass
class DomainSpec:
    number: int
    title: str
    weight: int
    sub_domains: list[SubDomainSpec]


@dataclass
class GuideSpec:
    code: str
    title: str
    version: str
    question_count: int
    duration_minutes: int
    score_min: int
    score_max: int
    passing_score: int
    competency_threshold: int
    domains: list[DomainSpec]
    blueprints: list[dict]
    requirements: dict
    file: str

    def sub_domain_codes(self) -> dict[str, int]:
        return {s.code: d.number for d in self.domains for s in d.sub_domains}


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


@dataclass
class Bank:
    guides: list[GuideSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)


class _Loader(yaml.SafeLoader):
    """A YAML loader that remembers each mapping's line and refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)  # "{[1]: x}" or "? {a: 1}" is YAML, but no field name
        except TypeError:
            raise yaml.MarkedYAMLError(
                problem=f"a key must be a plain value, not a {type(key).__name__}",
                problem_mark=key_node.start_mark,
            ) from None
        if key in seen:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        seen.add(key)
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _plain(value):
    """The value without the line numbers the loader added."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


class Collector:
    """Problems found so far, each with its file, line and question id."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int | None, message: str, question: str | None = None) -> None:
        self.problems.append(Problem(file, line, question, message))


def _yaml_error(exc: yaml.YAMLError, rel: str, out: Collector) -> None:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        out.add(rel, mark.line + 1 if mark else None, f"YAML error: {exc.problem}")
    else:
        out.add(rel, None, f"YAML error: {exc}")


def _value_error(exc: Exception, rel: str, out: Collector) -> None:
    """What PyYAML raises outside ``YAMLError`` while building values: a date such as
    2024-13-45 or an integer of thousands of digits (ValueError), nesting deeper than the
    interpreter allows (RecursionError)."""
    if isinstance(exc, RecursionError):
        out.add(rel, None, "YAML error: the file nests lists or mappings too deeply")
    else:
        out.add(rel, None, f"YAML error: a value cannot be read ({exc})")


def _load_yaml(path: Path, rel: str, out: Collector):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        out.add(rel, None, f"not UTF-8 text ({exc.reason})")
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506  # nosec B506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        _yaml_error(exc, rel, out)
    except (ValueError, RecursionError) as exc:
        _value_error(exc, rel, out)
    return None


def load_yaml_documents(text: str, rel: str, out: Collector) -> list:
    """Every document of a YAML stream (``---`` separated), with line numbers; [] on an error."""
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        _yaml_error(exc, rel, out)
    except (ValueError, RecursionError) as exc:
        _value_error(exc, rel, out)
    return []


def _unknown_keys(data: dict, allowed: set, rel: str, out: Collector, qid=None) -> None:
    for key in data:
        if key != "__line__" and key not in allowed:
            out.add(rel, data.get("__line__"), f"unknown field {key!r}", qid)


SMALL_INT_MAX = 32767  # the PositiveSmallIntegerFields these numbers are stored in
# Text lengths of the columns a guide file fills (questions.models): PostgreSQL refuses more.
TEXT_LIMITS = {"guide code": 32, "guide title": 200, "guide version": 20, "domain title": 200,
               "task statement code": 10, "task statement title": 300}  # fmt: skip


def _int(data: dict, key: str, rel: str, out: Collector, *, minimum: int = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= SMALL_INT_MAX:
        out.add(
            rel, data.get("__line__"), f"{key!r} must be a whole number from {minimum} to {SMALL_INT_MAX}"
        )
        return minimum
    return value


def _fits(value: str, what: str, rel: str, line: int | None, out: Collector) -> str:
    if len(value) > TEXT_LIMITS[what]:
        out.add(rel, line, f"the {what} is longer than {TEXT_LIMITS[what]} characters")
    return value


def parse_guide(path: Path, rel: str, out: Collector) -> GuideSpec | None:
    data = _load_yaml(path, rel, out)
    if not isinstance(data, dict):
        if data is not None or not out.problems:
            out.add(rel, None, "a guide file must be a mapping with code, title and domains")
        return None
    line = data["__line__"]
    _unknown_keys(data, GUIDE_KEYS, rel, out)
    for key in ("code", "title"):
        if not _text(data.get(key)):
            out.add(rel, line, f"the guide needs a {key!r}")
    for key in ("code", "title", "version"):
        _fits(str(data.get(key) or "").strip(), f"guide {key}", rel, line, out)
    numbers = {
        key: _int(data, key, rel, out, minimum=1)
        for key in ("question_count", "duration_minutes", "score_max", "passing_score")
    }
    numbers["score_min"] = _int(data, "score_min", rel, out)
    if not numbers["score_min"] < numbers["passing_score"] <= numbers["score_max"]:
        out.add(rel, line, "scores must satisfy score_min < passing_score <= score_max")
    threshold = data.get("competency_threshold", 70)
    if not isinstance(threshold, int) or not 0 < threshold <= 100:
        out.add(rel, line, "competency_threshold must be a percentage between 1 and 100")
        threshold = 70
    domains: list[DomainSpec] = []
    raw_domains = data.get("domains")
    if not isinstance(raw_domains, list) or not raw_domains:
        out.add(rel, line, "the guide needs a list of domains")
        raw_domains = []
    seen_codes: set[str] = set()
    for raw in raw_domains:
        if not isinstance(raw, dict):
            out.add(rel, line, "each domain must be a mapping with number, title, weight")
            continue
        dline = raw["__line__"]
        _unknown_keys(raw, {"number", "title", "weight", "sub_domains"}, rel, out)
        number = _int(raw, "number", rel, out, minimum=1)
        weight = _int(raw, "weight", rel, out, minimum=1)
        if not _text(raw.get("title")):
            out.add(rel, dline, f"domain {number} needs a title")
        _fits(_text(raw.get("title")), "domain title", rel, dline, out)
        subs = []
        raw_subs = raw.get("sub_domains")
        if not isinstance(raw_subs, list) or not raw_subs:
            out.add(rel, dline, f"domain {number} needs at least one task statement (sub_domains)")
            raw_subs = []
        for sub in raw_subs:
            if not isinstance(sub, dict):
                out.add(rel, dline, f"a task statement of domain {number} is not a mapping")
                continue
            _unknown_keys(sub, {"code", "title", "knowledge"}, rel, out)
            code = str(sub.get("code", "")).strip()
            if not code.startswith(f"{number}."):
                out.add(rel, sub["__line__"], f"task statement code {code!r} must start with '{number}.'")
            if code in seen_codes:
                out.add(rel, sub["__line__"], f"task statement {code} is listed twice")
            seen_codes.add(code)
            if not _text(sub.get("title")):
                out.add(rel, sub["__line__"], f"task statement {code} needs a title")
            _fits(code, "task statement code", rel, sub["__line__"], out)
            _fits(_text(sub.get("title")), "task statement title", rel, sub["__line__"], out)
            subs.append(SubDomainSpec(code, _text(sub.get("title")), _text(sub.get("knowledge"))))
        domains.append(DomainSpec(number, _text(raw.get("title")), weight, subs))
    if domains:
        if len({d.number for d in domains}) != len(domains):
            out.add(rel, line, "domain numbers must be unique")
        total = sum(d.weight for d in domains)
        if total != 100:
            out.add(rel, line, f"domain weights must add up to 100, not {total}")
    blueprints = []
    for raw in data.get("blueprints") or []:
        if not isinstance(raw, dict) or not _text(raw.get("slug")) or not _text(raw.get("name")):
            out.add(rel, line, "each blueprint needs a slug and a name")
            continue
        _unknown_keys(raw, BLUEPRINT_KEYS, rel, out)
        _int(raw, "question_count", rel, out, minimum=1)
        _int(raw, "duration_minutes", rel, out, minimum=0)
        blueprints.append(_plain(raw))
    requirements = data.get("bank_requirements") or {}
    if not isinstance(requirements, dict):
        out.add(rel, line, "bank_requirements must be a mapping")
        requirements = {}
    return GuideSpec(
        code=_text(data.get("code")),
        title=_text(data.get("title")),
        version=str(data.get("version", "")).strip(),
        competency_threshold=threshold,
        domains=domains,
        blueprints=blueprints,
        requirements=_plain(requirements),
        file=rel,
        **numbers,
    )


def _parse_question(raw, guide_code: str, sub: str, rel: str, out: Collector):
    if not isinstance(raw, dict):
        out.add(rel, None, "each question must be a mapping")
        return None
    line = raw["__line__"]
    qid = _text(raw.get("id")) or None
    if not qid:
        out.add(rel, line, "question has no 'id'")
    elif isinstance(raw.get("id"), str) and len(qid) > MAX_ID_LENGTH:
        out.add(rel, line, f"the id is longer than {MAX_ID_LENGTH} characters", qid)
    _unknown_keys(raw, QUESTION_KEYS, rel, out, qid)

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
        _unknown_keys(raw_choice, CHOICE_KEYS, rel, out, qid)
        correct = raw_choice.get("correct", False)
        if not isinstance(correct, bool):
            problem("'correct' must be true or false", cline)
        choices.append(
            ChoiceSpec(_text(raw_choice.get("text")), correct is True, _text(raw_choice.get("why")), cline)
        )
    n_correct = sum(c.correct for c in choices)
    select = raw.get("select")
    stem = _text(raw.get("stem"))
    explanation = _text(raw.get("explanation"))
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
    _unknown_keys(data, {"sub_domain", "questions"}, rel, out)
    sub = str(data.get("sub_domain") or default_sub_domain or "").strip()
    if not sub:
        out.add(rel, data["__line__"], "missing task statement: set 'sub_domain' (e.g. \"3.2\")")
    elif sub_domain_codes is not None and sub not in sub_domain_codes:
        out.add(rel, data["__line__"], f"task statement {sub!r} is not in guide {guide_code}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        out.add(rel, data["__line__"], "'questions' must be a non-empty list")
        return []
    parsed = [_parse_question(raw, guide_code, sub, rel, out) for raw in raw_questions]
    return [q for q in parsed if q is not None]


def parse_question_file(path: Path, rel: str, guide: GuideSpec, out: Collector):
    data = _load_yaml(path, rel, out)
    if data is None:
        if not any(p.file == rel for p in out.problems):
            out.add(rel, None, "the file is empty")
        return []
    return parse_question_data(
        data, rel, out, guide_code=guide.code, sub_domain_codes=guide.sub_domain_codes()
    )


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def near_duplicates(questions: list[QuestionSpec], threshold: float = NEAR_DUPLICATE_THRESHOLD):
    """Pairs of questions whose stems share most of their word 3-grams (Jaccard similarity)."""
    shingles = [_shingles(q.stem) for q in questions]
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(i)
    shared: Counter = Counter()
    for members in index.values():
        if len(members) < 50:  # a 3-gram in 50+ stems says nothing about any pair
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    shared[(members[a], members[b])] += 1
    for (a, b), common in shared.items():
        union = len(shingles[a]) + len(shingles[b]) - common
        if union and common / union >= threshold:
            yield questions[a], questions[b], common / union


def check_requirements(guide: GuideSpec, questions: list[QuestionSpec], out: Collector) -> None:
    req = guide.requirements
    if not req:
        return
    published = [q for q in questions if q.guide == guide.code and q.status == "published"]
    domain_of = guide.sub_domain_codes()
    rel = guide.file
    if len(published) < req.get("min_total", 0):
        out.add(rel, None, f"the bank holds {len(published)} published questions, needs {req['min_total']}")
    per_domain = Counter(domain_of.get(q.sub_domain) for q in published)
    for number, minimum in (req.get("min_per_domain") or {}).items():
        if per_domain[int(number)] < minimum:
            out.add(
                rel,
                None,
                f"domain {number} holds {per_domain[int(number)]} published questions, needs {minimum}",
            )
    per_sub = Counter(q.sub_domain for q in published)
    minimum = req.get("min_per_sub_domain", 0)
    for code in domain_of:
        if per_sub[code] < minimum:
            out.add(
                rel, None, f"task statement {code} holds {per_sub[code]} published questions, needs {minimum}"
            )
    share = req.get("min_multiple_share")
    if share and published:
        actual = sum(q.type == "multiple" for q in published) / len(published)
        if actual < share:
            out.add(
                rel, None, f"{actual:.0%} of published questions are multiple response, needs {share:.0%}"
            )
    for level, (low, high) in (req.get("difficulty_mix") or {}).items():
        actual = sum(q.difficulty == level for q in published) / max(1, len(published))
        if not low <= actual <= high:
            out.add(
                rel, None, f"{actual:.0%} of published questions are {level}, should be {low:.0%}–{high:.0%}"
            )
    if req.get("even_correct_positions"):
        keys = [[i for i, c in enumerate(q.choices) if c.correct] for q in published if q.type == "single"]
        singles = [k for k in keys if len(k) == 1]  # broken questions are reported on their own
        positions = Counter(k[0] for k in singles)
        for position in range(4):
            actual = positions[position] / max(1, len(singles))
            if not 0.15 <= actual <= 0.35:
                out.add(
                    rel,
                    None,
                    f"option {'ABCD'[position]} is correct in {actual:.0%} of multiple-choice questions; "
                    "spread them evenly (15–35% each)",
                )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_bank(root: Path) -> tuple[Bank, list[Problem]]:
    """Parse and validate every guide folder under ``root``; return the bank and its problems."""
    out = Collector()
    bank = Bank()
    root = Path(root)
    folders = sorted(p.parent for p in root.glob(f"*/{GUIDE_FILE}"))
    if (root / GUIDE_FILE).exists():
        folders.insert(0, root)
    if not folders:
        out.add(str(root), None, f"no {GUIDE_FILE} found: a bank is a folder per exam guide")
    for folder in folders:
        guide = parse_guide(folder / GUIDE_FILE, _display(folder / GUIDE_FILE), out)
        if guide is None:
            continue
        bank.guides.append(guide)
        for path in sorted(folder.glob("*.y*ml")):
            if path.name != GUIDE_FILE:
                bank.questions.extend(parse_question_file(path, _display(path), guide, out))
    if len({g.code for g in bank.guides}) != len(bank.guides):
        out.add(str(root), None, "two guide folders declare the same guide code")
    first_seen: dict[str, QuestionSpec] = {}
    for q in bank.questions:
        if q.external_id in first_seen:
            other = first_seen[q.external_id]
            out.add(q.file, q.line, f"duplicate id (also at {other.file}:{other.line})", q.external_id)
        else:
            first_seen[q.external_id] = q
    for a, b, similarity in near_duplicates(bank.questions):
        out.add(
            b.file,
            b.line,
            f"stem is a near-duplicate ({similarity:.0%}) of {a.external_id} at {a.file}:{a.line}",
            b.external_id,
        )
    for guide in bank.guides:
        check_requirements(guide, bank.questions, out)
    return bank, out.problems


if __name__ == "__main__":  # a quick check for authors without Django: python -m questions.bankfile DIR
    import sys

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    found_bank, found = read_bank(Path(args[0] if args else "questions/bank"))
    if "--files-only" in sys.argv:  # skip the whole-bank rules while a bank is being written
        found = [p for p in found if not p.file.endswith(GUIDE_FILE) or p.line]
    for p in found:
        print(p)
    print(f"{len(found_bank.questions)} questions, {len(found)} problem(s)")
    sys.exit(1 if found else 0)
