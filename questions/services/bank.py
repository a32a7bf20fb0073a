"""Loading the bundled bank files, and the question upsert that every import shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .. import bankfile
from ..errors import FileProblems
from ..models import Domain, ExamGuide, Question, SubDomain
from .upserts import UNCHANGED, UPDATED, choices_replace, upsert
from .versions import question_snapshot


class BankInvalid(FileProblems):
    """The bank has problems; nothing was written."""

    def __init__(self, problems: list[bankfile.Problem]):
        super().__init__(problems, f"{len(problems)} problem(s) in the question bank")


@dataclass
class LoadReport:
    guides: list[ExamGuide] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    guide_changes: int = 0
    specs: list[bankfile.GuideSpec] = field(default_factory=list)


def _upsert(model, lookup: dict, values: dict, report: LoadReport):
    obj, outcome = upsert(model, lookup=lookup, values=values)
    report.guide_changes += outcome != UNCHANGED
    return obj


def _load_guide(spec: bankfile.GuideSpec, report: LoadReport) -> dict[str, SubDomain]:
    fields = (
        "title", "version", "question_count", "duration_minutes", "score_min", "score_max",
        "passing_score", "competency_threshold", "status", "retired_on", "successor", "guide_url",
    )  # fmt: skip
    guide = _upsert(ExamGuide, {"code": spec.code}, {f: getattr(spec, f) for f in fields}, report)
    report.guides.append(guide)
    subs: dict[str, SubDomain] = {}
    for d in spec.domains:
        domain = _upsert(
            Domain, {"guide": guide, "number": d.number}, {"title": d.title, "weight": d.weight}, report
        )
        for s in d.sub_domains:
            subs[s.code] = _upsert(
                SubDomain,
                {"domain": domain, "code": s.code},
                {"title": s.title, "knowledge": s.knowledge},
                report,
            )
    return subs


def question_upsert(
    *, spec: bankfile.QuestionSpec, sub_domain: SubDomain, user=None, note: str, status: str | None = None
) -> str:
    """Create or update the question ``spec.external_id`` and snapshot it; ``CREATED``,
    ``UPDATED`` or ``UNCHANGED``. Unchanged content writes nothing at all, so loading or
    importing the same file twice is a no-op. Call it inside a transaction."""
    values = {
        "sub_domain": sub_domain,
        "type": spec.type,
        "select_count": spec.select,
        "stem": spec.stem,
        "explanation": spec.explanation,
        "references": spec.references,
        "difficulty": spec.difficulty,
        "status": status or spec.status,
    }
    question, outcome = upsert(Question, lookup={"external_id": spec.external_id}, values=values)
    if choices_replace(question, [(c.text, c.correct, c.why) for c in spec.choices]) and outcome == UNCHANGED:
        question.save(update_fields=["updated_at"])
        outcome = UPDATED
    if outcome == UNCHANGED:
        if question.current_version_id is not None:
            return UNCHANGED
        outcome = UPDATED  # a question made outside the loaders, never frozen: freeze it now
    question_snapshot(question=question, user=user, note=note)
    return outcome


def bank_load(*, root: Path) -> LoadReport:
    """Load every guide and question under ``root`` in one transaction: all or nothing.

    Loading the same files twice changes nothing; a changed question gets a new version, so
    attempts that drew the old one keep it.
    """
    bank, problems = bankfile.read_bank(root)
    if problems:
        raise BankInvalid(problems)
    report = LoadReport(specs=bank.guides)
    with transaction.atomic():
        subs_by_guide = {g.code: _load_guide(g, report) for g in bank.guides}
        for spec in bank.questions:
            outcome = question_upsert(
                spec=spec,
                sub_domain=subs_by_guide[spec.guide][spec.sub_domain],
                note="loaded from the bank files",
            )
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report
