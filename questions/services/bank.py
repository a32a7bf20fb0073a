"""Loading the bundled bank files, and the question upsert that every import shares."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from .. import bankfile
from ..errors import FileProblems
from ..models import BankLoad, CaseStudy, Choice, Domain, ExamGuide, Question, QuestionVersion, SubDomain
from . import upserts, versions
from .upserts import (
    UNCHANGED,
    UPDATED,
    ExhibitData,
    choices_replace,
    exhibit_store,
    exhibits_replace,
    tags_set,
    upsert,
)
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
    guide_changes: int = 0  # guides, domains, task statements and case studies written
    enemy_changes: int = 0  # pairs of enemies added or removed
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


_KEEP = object()


def question_upsert(
    *,
    spec: bankfile.QuestionSpec,
    sub_domain: SubDomain,
    user=None,
    note: str,
    status: str | None = None,
    case_study: CaseStudy | None = _KEEP,
) -> str:
    """Create or update the question ``spec.external_id`` and snapshot it; ``CREATED``,
    ``UPDATED`` or ``UNCHANGED``. Unchanged content writes nothing at all, so loading or
    importing the same file twice is a no-op. Call it inside a transaction.

    ``case_study`` (the bank's loader gives it, with ``spec.case_order``) places the question in
    its case study, or takes it out with ``None``; an import, which knows none, keeps it."""
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
    if case_study is not _KEEP:
        values["case_study"] = case_study
        values["case_order"] = spec.case_order if case_study is not None else None
    question, outcome = upsert(Question, lookup={"external_id": spec.external_id}, values=values)
    changed = choices_replace(question, spec.choice_tuples())
    if spec.exhibits is not None:
        stored = [(exhibit_store(e.data), e.alt) for e in spec.exhibits]
        changed |= exhibits_replace(
            question, [ExhibitData(i.name, alt, i.width, i.height) for i, alt in stored]
        )
    if spec.tags is not None:
        tags_set(question, spec.tags)
    if changed and outcome == UNCHANGED:
        question.save(update_fields=["updated_at"])
        outcome = UPDATED
    if outcome == UNCHANGED:
        if question.current_version_id is not None and question.case_study_id is None:
            _record_review(question.current_version, spec)
            return UNCHANGED
        if question.current_version_id is not None:
            # Its case study's scenario is part of its versions: a new one if that changed.
            before = question.current_version_id
            version = question_snapshot(question=question, user=user, note=note)
            _record_review(version, spec)
            return UNCHANGED if version.pk == before else UPDATED
        outcome = UPDATED  # a question made outside the loaders, never frozen: freeze it now
    _record_review(question_snapshot(question=question, user=user, note=note), spec)
    return outcome


def _record_review(version, spec: bankfile.QuestionSpec) -> None:
    """Keep the review a bank file records (``reviewed_by``, ``reviewed_on``) with the version,
    unless the version already has one (written once, like the version)."""
    if not spec.reviewed_by or version is None or version.is_reviewed:
        return
    on = spec.reviewed_on or timezone.localdate()
    version.reviewer_name = spec.reviewed_by
    version.reviewed_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    version.save(update_fields=["reviewer_name", "reviewed_at"])


def _load_case_studies(bank: bankfile.Bank, guides: dict[str, ExamGuide], report: LoadReport) -> dict:
    """The bank's case studies by id, created or updated (a removed one keeps its row: attempts
    and versions may name it; its questions leave it)."""
    return {
        c.code: _upsert(
            CaseStudy,
            {"code": c.code},
            {"guide": guides[c.guide], "title": c.title, "scenario": c.scenario},
            report,
        )
        for c in bank.case_studies
    }


def _sync_enemies(bank: bankfile.Bank, report: LoadReport) -> None:
    """Give the bank's questions exactly the enemies its files declare (both directions: one
    declaration is enough). Writes nothing when they already have them."""
    ids = dict(
        Question.objects.filter(external_id__in=[q.external_id for q in bank.questions]).values_list(
            "external_id", "pk"
        )
    )
    wanted = {frozenset((ids[q.external_id], ids[e])) for q in bank.questions for e in q.enemies if e in ids}
    through = Question.enemies.through
    pks = list(ids.values())
    have = {
        frozenset(pair)
        for pair in through.objects.filter(from_question_id__in=pks).values_list(
            "from_question_id", "to_question_id"
        )
    }
    gone, new = have - wanted, wanted - have
    for pair in gone:
        a, b = tuple(pair)
        through.objects.filter(
            Q(from_question_id=a, to_question_id=b) | Q(from_question_id=b, to_question_id=a)
        ).delete()
    through.objects.bulk_create(
        through(from_question_id=a, to_question_id=b)
        for pair in new
        for a, b in (tuple(pair), tuple(pair)[::-1])
    )
    report.enemy_changes = len(gone) + len(new)


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
        cases = _load_case_studies(bank, {g.code: g for g in report.guides}, report)
        for spec in bank.questions:
            outcome = question_upsert(
                spec=spec,
                sub_domain=subs_by_guide[spec.guide][spec.sub_domain],
                note="loaded from the bank files",
                case_study=cases.get(spec.case_study) if spec.case_study else None,
            )
            setattr(report, outcome, getattr(report, outcome) + 1)
        _sync_enemies(bank, report)
    return report


# ---- the fingerprint: a warm `make run` skips an unchanged bank ------------------------------

# The code that turns files into rows: a change to it may load the same files differently.
_LOADER_CODE = tuple(Path(f) for f in (bankfile.__file__, __file__, upserts.__file__, versions.__file__))


def _digest_files(paths, base: Path | None, sha) -> None:
    for path in paths:
        sha.update(str(path.relative_to(base) if base else path.name).encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")


def bank_files_digest(*, root: Path, extra_code: tuple[Path, ...] = ()) -> str:
    """SHA-256 of every file under ``root`` (names and bytes) and of the loader's code (and of
    ``extra_code``, the caller's own, such as the blueprints' sync)."""
    sha = hashlib.sha256()
    _digest_files(sorted(p for p in root.rglob("*") if p.is_file()), root, sha)
    for code in (*_LOADER_CODE, *extra_code):
        # a package's __init__.py stands for its folder: every module of it counts
        files = sorted(code.parent.glob("*.py")) if code.name == "__init__.py" else [code]
        _digest_files(files, None, sha)
    return sha.hexdigest()


def bank_state_digest() -> str:
    """SHA-256 of what the bank's tables look like: row counts, the newest question edit and the
    newest version. An edit in the admin since the last load changes it, so the next load runs
    in full and puts the files' content back, as it always has (a few aggregate queries)."""
    tables = (ExamGuide, Domain, SubDomain, CaseStudy, Choice, Question.enemies.through)
    counts = [m.objects.count() for m in tables]
    questions = Question.objects.aggregate(n=Count("pk"), edited=Max("updated_at"))
    newest = QuestionVersion.objects.aggregate(newest=Max("pk"))["newest"]
    return hashlib.sha256(repr((counts, sorted(questions.items()), newest)).encode()).hexdigest()


def bank_unchanged(*, root: Path, files_digest: str) -> bool:
    """Whether the last load of ``root`` read these very files and left the tables as they are."""
    last = BankLoad.objects.filter(root=str(root.resolve())).first()
    return last is not None and last.files_digest == files_digest and last.state_digest == bank_state_digest()


def bank_load_record(*, root: Path, files_digest: str) -> None:
    """Remember a load of ``root`` (call it in the load's transaction, after everything it wrote)."""
    BankLoad.objects.update_or_create(
        root=str(root.resolve()),
        defaults={
            "files_digest": files_digest,
            "state_digest": bank_state_digest(),
            "loaded_at": timezone.now(),
        },
    )
