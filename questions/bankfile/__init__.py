"""The question bank's file format: parse and validate, with no database.

A bank is a folder per exam guide holding ``guide.yaml`` (the guide, its domains and task
statements, its blueprints and the rules the bank as a whole must meet) and any number of
question files (``*.yaml``), each holding the questions of one task statement. The format is
described in docs/question-format.md. Every problem is reported with its file, line and
question id, so that an author can fix it without reading code.

One module per job: ``yamlfile`` (YAML with line numbers, ``Problem``), ``guide`` (the guide
file), ``questions`` (question files and the rules of one question), ``duplicates``
(near-duplicate stems), ``requirements`` (the rules of the bank as a whole); ``read_bank``
here puts them together. ``python manage.py validate_bank`` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .duplicates import near_duplicates
from .guide import GUIDE_FILE, DomainSpec, GuideSpec, SubDomainSpec, parse_guide
from .questions import (
    MAX_ID_LENGTH,
    CaseStudySpec,
    ChoiceSpec,
    QuestionSpec,
    parse_case_study_data,
    parse_question_data,
    parse_question_file,
    spec_problems,
)
from .requirements import check_requirements
from .yamlfile import Collector, Problem, load_yaml_documents

__all__ = [
    "GUIDE_FILE",
    "MAX_ID_LENGTH",
    "Bank",
    "CaseStudySpec",
    "ChoiceSpec",
    "Collector",
    "DomainSpec",
    "GuideSpec",
    "Problem",
    "QuestionSpec",
    "SubDomainSpec",
    "load_yaml_documents",
    "parse_case_study_data",
    "parse_question_data",
    "read_bank",
    "spec_problems",
]


@dataclass
class Bank:
    guides: list[GuideSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    case_studies: list[CaseStudySpec] = field(default_factory=list)


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
                bank.questions.extend(
                    parse_question_file(path, _display(path), guide, out, bank.case_studies)
                )
    if len({g.code for g in bank.guides}) != len(bank.guides):
        out.add(str(root), None, "two guide folders declare the same guide code")
    first_seen: dict[str, QuestionSpec] = {}
    for q in bank.questions:
        if q.external_id in first_seen:
            other = first_seen[q.external_id]
            out.add(q.file, q.line, f"duplicate id (also at {other.file}:{other.line})", q.external_id)
        else:
            first_seen[q.external_id] = q
    _check_case_studies(bank, out)
    _check_enemies(bank, first_seen, out)
    for a, b, similarity in near_duplicates(bank.questions):
        out.add(
            b.file,
            b.line,
            f"stem is a near-duplicate ({similarity:.0%}) of {a.external_id} at {a.file}:{a.line}",
            b.external_id,
        )
    for guide in bank.guides:
        check_requirements(guide, bank.questions, out, bank.case_studies)
    return bank, out.problems


def _check_case_studies(bank: Bank, out: Collector) -> None:
    seen: dict[str, CaseStudySpec] = {}
    for case in bank.case_studies:
        if case.code in seen:
            other = seen[case.code]
            out.add(
                case.file,
                case.line,
                f"duplicate case study id (also at {other.file}:{other.line})",
                case.code,
            )
        else:
            seen[case.code] = case


def _check_enemies(bank: Bank, questions: dict[str, QuestionSpec], out: Collector) -> None:
    """Every enemy is a question of the same bank (guide), not the question itself, and not a
    question of its own case study (drawn together, they could never be kept apart)."""
    for q in bank.questions:
        for enemy in q.enemies:
            other = questions.get(enemy)
            where = q.enemies_line or q.line
            if enemy == q.external_id:
                out.add(q.file, where, "a question cannot be its own enemy", q.external_id)
            elif other is None or other.guide != q.guide:
                out.add(q.file, where, f"enemy {enemy} is not a question of this bank", q.external_id)
            elif q.case_study and other.case_study == q.case_study:
                out.add(
                    q.file,
                    where,
                    f"enemy {enemy} is in the same case study: they are always drawn together",
                    q.external_id,
                )
