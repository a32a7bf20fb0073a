"""Importing questions from a file (native YAML, GIFT, Moodle XML, Aiken, CSV): all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction

from .. import bankfile, formats, rules
from ..bankfile import Problem, QuestionSpec
from ..errors import FileProblems
from ..models import CaseStudy, ExamGuide, Question, SubDomain
from .bank import question_upsert
from .upserts import UNCHANGED, upsert


class ImportInvalid(FileProblems):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems, f"{len(problems)} problem(s); nothing was imported")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # what the import filled in or took out
    dry_run: bool = False

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        text = (
            f"{self.total} question(s): {len(self.created)} {verb} created, "
            f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged"
        )
        if self.skipped:
            text += f"; {len(self.skipped)} unsupported question(s) skipped"
        if self.notices:
            text += f"; {len(self.notices)} notice(s) for the author"
        return text


def _keep_what_the_file_lacks(spec: QuestionSpec, question: Question | None) -> QuestionSpec:
    """An import never overwrites what its format cannot carry: a placeholder "why" or
    explanation (Aiken), or a difficulty or references the file does not give, keep what the
    existing question has (what an author wrote since the first import)."""
    if question is None:
        return spec
    have = list(question.choices.all())
    choices = [
        replace(c, why=have[i].why)
        if rules.is_placeholder(c.why) and i < len(have) and have[i].text == c.text
        else c
        for i, c in enumerate(spec.choices)
    ]
    explanation = question.explanation if rules.is_placeholder(spec.explanation) else spec.explanation
    return replace(
        spec,
        choices=choices,
        explanation=explanation,
        difficulty=question.difficulty if "difficulty" in spec.unset else spec.difficulty,
        references=list(question.references) if "references" in spec.unset else spec.references,
    )


def _awaits_review(spec: QuestionSpec, user) -> bool:
    """The four-eyes rule on an import by an author: a question it would publish whose version
    no second person approved (the file's ``reviewed_by``, if not the importer, counts) goes to
    review instead. Superusers, and the bank's loader (no user), publish as the file says."""
    if user is None or user.is_superuser:
        return False
    question = Question.objects.select_related("current_version").get(external_id=spec.external_id)
    version = question.current_version
    if version.is_reviewed and not (version.reviewer_name and version.reviewer_name == user.get_username()):
        return False
    Question.objects.filter(pk=question.pk).update(status=Question.Status.REVIEW)
    return True


def questions_import(
    *,
    specs: Sequence[QuestionSpec],
    guide: ExamGuide,
    user,
    status: str | None = None,
    dry_run: bool = False,
    case_studies: Sequence[bankfile.CaseStudySpec] = (),
) -> ImportReport:
    """Write ``specs`` into ``guide`` in one transaction: every question or none.

    ``case_studies`` (the bank's own format) are created or updated in ``guide``, and the
    questions that name one are placed in it, in their order; a question that names none keeps
    the case study it has. Declared ``enemies`` are added (an import never removes one); each
    must be a question of the guide or of the file.

    A question's status is ``status`` if given, else the file's, else the existing question's,
    else draft. Every problem (an unknown task statement, a duplicate id, an id that belongs to
    another guide, a rule broken at the resolved status) is collected before anything is
    written and raised as ``ImportInvalid``. With ``dry_run`` nothing is kept.
    """
    problems: list[Problem] = []
    if not specs:
        raise ImportInvalid([Problem("(import)", None, None, "the file holds no questions")])
    subs = {s.code: s for s in SubDomain.objects.filter(domain__guide=guide)}
    existing = {
        q.external_id: q
        for q in Question.objects.filter(external_id__in=[s.external_id for s in specs])
        .select_related("sub_domain__domain__guide")
        .prefetch_related("choices")
    }
    seen: dict[str, QuestionSpec] = {}
    ready: list[tuple[QuestionSpec, str]] = []
    for spec in specs:

        def problem(message: str, spec=spec) -> None:
            problems.append(Problem(spec.file, spec.line, spec.external_id, message))

        if spec.external_id in seen:
            first = seen[spec.external_id]
            problem(f"duplicate id (also at {first.file}:{first.line})")
            continue
        seen[spec.external_id] = spec
        if spec.guide and spec.guide != guide.code:
            problem(f"the file puts this question in guide {spec.guide}, but the import is into {guide.code}")
        if spec.sub_domain not in subs:
            problem(
                f"task statement {spec.sub_domain!r} is not in guide {guide.code}"
                if spec.sub_domain
                else "missing task statement: set it in the file or choose one for the import"
            )
        question = existing.get(spec.external_id)
        if question is not None and question.sub_domain.domain.guide_id != guide.pk:
            problem(f"id {spec.external_id} already belongs to guide {question.sub_domain.domain.guide.code}")
            continue
        resolved = status or spec.status or (question.status if question else Question.Status.DRAFT)
        if question is not None and (change := rules.status_change_problem(question.status, resolved)):
            problem(change)
        spec = _keep_what_the_file_lacks(spec, question)
        problems.extend(bankfile.spec_problems(spec, status=resolved))
        ready.append((spec, resolved))
    problems += _case_and_enemy_problems(ready, guide, case_studies)
    if problems:
        raise ImportInvalid(problems)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        cases = {
            c.code: upsert(
                CaseStudy,
                lookup={"code": c.code},
                values={"guide": guide, "title": c.title, "scenario": c.scenario},
            )[0]
            for c in case_studies
        }
        for spec, resolved in ready:
            placed = {}
            if spec.case_study:
                placed["case_study"] = cases.get(spec.case_study) or CaseStudy.objects.get(
                    code=spec.case_study
                )
            outcome = question_upsert(
                spec=spec,
                sub_domain=subs[spec.sub_domain],
                user=user,
                note=f"imported from {spec.file}",
                status=resolved,
                **placed,
            )
            getattr(report, outcome).append(spec.external_id)
            changed = outcome != UNCHANGED
            if changed and resolved == Question.Status.PUBLISHED and _awaits_review(spec, user):
                report.notices.append(
                    Problem(
                        spec.file,
                        spec.line,
                        spec.external_id,
                        "put in review, not published: another author approves it (four eyes)",
                    )
                )
        _add_enemies([spec for spec, _ in ready], guide)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _case_and_enemy_problems(ready, guide: ExamGuide, case_studies) -> list[Problem]:
    """A named case study must be in the file or already in the guide; a declared enemy must be
    a question of the guide or of the file."""
    problems = []
    in_file = {c.code for c in case_studies}
    named = {spec.case_study for spec, _ in ready if spec.case_study} - in_file
    known = dict(CaseStudy.objects.filter(code__in=named | in_file).values_list("code", "guide_id"))
    ids = {spec.external_id for spec, _ in ready}
    enemies = {e for spec, _ in ready for e in spec.enemies} - ids
    ids |= set(
        Question.objects.filter(external_id__in=enemies, sub_domain__domain__guide=guide).values_list(
            "external_id", flat=True
        )
    )
    for case in case_studies:
        if known.get(case.code, guide.pk) != guide.pk:
            problems.append(
                Problem(case.file, case.line, case.code, f"case study {case.code} belongs to another guide")
            )
    for spec, _ in ready:
        if spec.case_study and spec.case_study not in in_file and known.get(spec.case_study) != guide.pk:
            message = f"case study {spec.case_study} is neither in the file nor in guide {guide.code}"
            problems.append(Problem(spec.file, spec.line, spec.external_id, message))
        for enemy in spec.enemies:
            if enemy not in ids:
                message = f"enemy {enemy} is neither in the file nor in guide {guide.code}"
                problems.append(Problem(spec.file, spec.line, spec.external_id, message))
    return problems


def _add_enemies(specs, guide: ExamGuide) -> None:
    declared = [spec for spec in specs if spec.enemies]
    if not declared:
        return
    names = {spec.external_id for spec in declared} | {e for spec in declared for e in spec.enemies}
    questions = {
        q.external_id: q
        for q in Question.objects.filter(external_id__in=names, sub_domain__domain__guide=guide)
    }
    for spec in declared:
        questions[spec.external_id].enemies.add(*(questions[e] for e in spec.enemies))


def questions_import_text(
    *,
    text: str,
    filename: str,
    format: str,
    guide: ExamGuide,
    user,
    default_sub_domain: str | None = None,
    skip_unsupported: bool = False,
    status: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Parse ``text`` as ``format`` and import it (see ``questions_import``); the one entry point
    of the import command and the admin's import page."""
    parsed = formats.parse(
        format,
        text,
        filename=filename,
        default_sub_domain=default_sub_domain or None,
        skip_unsupported=skip_unsupported,
    )
    specs, problems = parsed
    if problems:
        raise ImportInvalid(problems)
    report = questions_import(
        specs=specs,
        guide=guide,
        user=user,
        status=status,
        dry_run=dry_run,
        case_studies=parsed.case_studies,
    )
    report.skipped = list(parsed.skipped)
    report.notices = [*parsed.notices, *report.notices]
    return report
