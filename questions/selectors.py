"""Reads of the question bank, with their joins and counts done in the database."""

from functools import lru_cache

from django.db.models import Count, Prefetch, Q

from .errors import NotFound
from .models import GUIDE_ORDER, Domain, ExamGuide, ProblemReport, Question, QuestionVersion, SubDomain

PUBLISHED = Q(questions__status=Question.Status.PUBLISHED)


def guides_with_coverage() -> list[ExamGuide]:
    """Every guide with its domains and task statements, each annotated with published counts.

    Three queries whatever the size of the bank; ``weight_total`` is the sum of domain weights.
    """
    subs = SubDomain.objects.annotate(published=Count("questions", filter=PUBLISHED)).order_by("code")
    domains = (
        Domain.objects.annotate(
            published=Count(
                "sub_domains__questions", filter=Q(sub_domains__questions__status=Question.Status.PUBLISHED)
            )
        )
        .prefetch_related(Prefetch("sub_domains", queryset=subs))
        .order_by("number")
    )
    guides = list(
        ExamGuide.objects.annotate(
            published=Count(
                "domains__sub_domains__questions",
                filter=Q(domains__sub_domains__questions__status=Question.Status.PUBLISHED),
            )
        )
        .prefetch_related(Prefetch("domains", queryset=domains))
        .order_by(*GUIDE_ORDER)  # an aggregate query ignores the model's default ordering
    )
    for guide in guides:
        guide.weight_total = sum(d.weight for d in guide.domains.all())
    return guides


def bank_coverage(*, guide: ExamGuide, status: str = Question.Status.PUBLISHED) -> list[dict]:
    """One row per task statement: count, type mix and difficulty mix (one grouped query)."""
    rows = (
        Question.objects.filter(sub_domain__domain__guide=guide, status=status)
        .values("sub_domain__domain__number", "sub_domain__code", "sub_domain__title", "type", "difficulty")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[str, dict] = {}
    for sub in SubDomain.objects.filter(domain__guide=guide).select_related("domain"):
        table[sub.code] = {"domain": sub.domain.number, "code": sub.code, "title": sub.title, "total": 0}
    for row in rows:
        entry = table[row["sub_domain__code"]]
        entry["total"] += row["n"]
        entry[row["type"]] = entry.get(row["type"], 0) + row["n"]
        entry[row["difficulty"]] = entry.get(row["difficulty"], 0) + row["n"]
    return sorted(table.values(), key=lambda e: [int(p) for p in e["code"].split(".")])


def sub_domains_in_order():
    """Every task statement with its domain and guide, as the guides lay them out."""
    return SubDomain.objects.select_related("domain__guide").order_by(
        "domain__guide__code", "domain__number", "code"
    )


def sub_domain_choices() -> list:
    """Task statements as grouped select choices, laid out as the guides lay them out (one query)."""
    groups: dict[str, list] = {}
    for sub in sub_domains_in_order():
        label = f"{sub.domain.guide.code} · Domain {sub.domain.number}: {sub.domain.title}"
        groups.setdefault(label, []).append((sub.pk, f"{sub.code} {sub.title}"))
    return [("", "---------"), *groups.items()]


def guide_for_import(code: str | None = None) -> ExamGuide | None:
    """The guide ``code``, or the only guide there is when no code is given."""
    if code:
        return ExamGuide.objects.filter(code=code).first()
    guides = list(ExamGuide.objects.all()[:2])
    return guides[0] if len(guides) == 1 else None


def questions_for_export(
    *, guide: ExamGuide | None = None, sub_domain: str | None = None, status: str | None = None, ids=None
):
    """Questions with everything an exporter reads, in bank order (five queries)."""
    qs = Question.objects.select_related(
        "sub_domain__domain__guide", "case_study", "current_version__reviewed_by"
    ).prefetch_related(
        "choices", "exhibits", "tags", Prefetch("enemies", queryset=Question.objects.only("external_id"))
    )
    if guide is not None:
        qs = qs.filter(sub_domain__domain__guide=guide)
    if sub_domain:
        qs = qs.filter(sub_domain__code=sub_domain)
    if status:
        qs = qs.filter(status=status)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("sub_domain__domain__guide__code", "sub_domain__code", "external_id")


def next_external_id(*, sub_domain: SubDomain) -> str:
    """The next free id in the bank's pattern for a task statement: ``MLS-3.2-008`` after
    ``MLS-3.2-007`` (the guide code's first part, the task statement, a number; one query)."""
    prefix = f"{sub_domain.domain.guide.code.split('-')[0]}-{sub_domain.code}-"
    taken = Question.objects.filter(external_id__startswith=prefix).values_list("external_id", flat=True)
    numbers = [int(rest) for qid in taken if (rest := qid[len(prefix) :]).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def question_versions(*, question: Question):
    return question.versions.select_related("created_by", "reviewed_by").order_by("-number")


def question_version_pair(*, question: Question, a: int, b: int) -> tuple[QuestionVersion, QuestionVersion]:
    """Versions ``a`` and ``b`` (numbers) of ``question``; ``NotFound`` if either is not one."""
    found = {v.number: v for v in question.versions.filter(number__in=[a, b]).select_related("created_by")}
    if a not in found or b not in found:
        raise NotFound("No such version of this question.")
    return found[a], found[b]


def question_open_reports(*, question: Question):
    return (
        question.reports.filter(status=ProblemReport.Status.OPEN)
        .select_related("user")
        .order_by("created_at")
    )


def user_reports(*, user):
    """A candidate's problem reports, newest first, with their question (one query)."""
    reports = ProblemReport.objects.filter(user=user)
    return reports.select_related("question", "version").order_by("-created_at")


def user_reports_on(*, user) -> dict[int, list[ProblemReport]]:
    """A candidate's reports by question, oldest first (one query; a candidate's reports are few)."""
    found: dict[int, list[ProblemReport]] = {}
    for report in ProblemReport.objects.filter(user=user).order_by("created_at"):
        found.setdefault(report.question_id, []).append(report)
    return found


@lru_cache(maxsize=2048)
def version_cached(version_id: int) -> QuestionVersion:
    """A question version, kept in this process: versions are snapshots, never changed once made.

    The exam page reads one on every request; from here it costs no join and no JSON decoding.
    Callers must treat it as read-only (it is shared by every request of the process).
    """
    return QuestionVersion.objects.get(pk=version_id)
