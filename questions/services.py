"""Writes to the question bank: loading the bundled files and versioning questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from . import bankfile
from .markdown import render
from .models import Choice, Domain, ExamGuide, Question, QuestionVersion, SubDomain


class BankInvalid(Exception):
    """The bank has problems; nothing was written."""

    def __init__(self, problems: list[bankfile.Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the question bank")


@dataclass
class LoadReport:
    guides: list[ExamGuide] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    guide_changes: int = 0
    specs: list[bankfile.GuideSpec] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.guide_changes)


def question_content(question: Question, choices: list[Choice]) -> dict:
    """What candidates see of a question, rendered once, to be frozen in a version."""
    return {
        "type": question.type,
        "select": question.select_count,
        "difficulty": question.difficulty,
        "stem": question.stem,
        "stem_html": render(question.stem),
        "explanation": question.explanation,
        "explanation_html": render(question.explanation),
        "references": list(question.references),
        "choices": [
            {
                "text": c.text,
                "text_html": render(c.text),
                "correct": c.is_correct,
                "why": c.why,
                "why_html": render(c.why),
            }
            for c in sorted(choices, key=lambda c: c.position)
        ],
    }


def question_snapshot(*, question: Question, user=None, note: str = "") -> QuestionVersion:
    """Freeze the question's current content as a new version unless it equals the latest one."""
    content = question_content(question, list(question.choices.all()))
    latest = question.current_version
    if latest is not None and latest.content == content:
        return latest
    version = QuestionVersion.objects.create(
        question=question,
        number=(latest.number + 1) if latest else 1,
        content=content,
        choice_count=len(content["choices"]),
        select_count=content["select"],
        created_by=user,
        note=note,
    )
    Question.objects.filter(pk=question.pk).update(current_version=version)
    question.current_version = version
    return version


def _upsert(model, lookup: dict, values: dict, report: LoadReport):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        report.guide_changes += 1
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        report.guide_changes += 1
    return obj


def _load_guide(spec: bankfile.GuideSpec, report: LoadReport) -> dict[str, SubDomain]:
    fields = (
        "title", "version", "question_count", "duration_minutes", "score_min", "score_max",
        "passing_score", "competency_threshold",
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


def _load_question(spec: bankfile.QuestionSpec, sub: SubDomain, report: LoadReport) -> None:
    values = {
        "sub_domain": sub,
        "type": spec.type,
        "select_count": spec.select,
        "stem": spec.stem,
        "explanation": spec.explanation,
        "references": spec.references,
        "difficulty": spec.difficulty,
        "status": spec.status,
    }
    wanted = [(c.text, c.correct, c.why) for c in spec.choices]
    question = Question.objects.filter(external_id=spec.external_id).select_related("current_version").first()
    if question is None:
        question = Question.objects.create(external_id=spec.external_id, **values)
        report.created += 1
    else:
        have = [(c.text, c.is_correct, c.why) for c in question.choices.all()]
        changed = [k for k, v in values.items() if getattr(question, k) != v]
        if not changed and have == wanted:
            report.unchanged += 1
            return
        for k in changed:
            setattr(question, k, values[k])
        question.save()
        report.updated += 1
        if have == wanted:
            question_snapshot(question=question, note="updated from the bank files")
            return
        question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=t, is_correct=c, why=w)
        for i, (t, c, w) in enumerate(wanted)
    )
    question_snapshot(question=question, note="loaded from the bank files")


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
            _load_question(spec, subs_by_guide[spec.guide][spec.sub_domain], report)
    return report
