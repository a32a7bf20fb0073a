"""Reads of practice: the practice hub, and a candidate's open mistakes."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch

from questions.models import Domain, ExamGuide, Question, SubDomain

from ..models import Attempt, AttemptItem


def guides_outlined() -> list[ExamGuide]:
    """Every guide with its domains and their task statements, in the guide's order (three queries)."""
    subs = Prefetch("sub_domains", queryset=SubDomain.objects.order_by("code"))
    domains = Prefetch("domains", queryset=Domain.objects.order_by("number").prefetch_related(subs))
    return list(ExamGuide.objects.prefetch_related(domains))  # the guides' own order: current first


def guide_outline(*, guide: ExamGuide) -> list[Domain]:
    """One guide's domains with their task statements, in the guide's order (two queries)."""
    subs = Prefetch("sub_domains", queryset=SubDomain.objects.order_by("code"))
    return list(guide.domains.order_by("number").prefetch_related(subs))


def _latest_marks(*, user, guide=None, domain=None, sub_domain=None) -> Iterator[tuple]:
    """(question, sub_domain, guide, is_correct) of this candidate's latest marked answer to each
    published question, from the candidate's own items: the cost follows their history, not the
    bank's or everyone's (a correlated subquery per published question read every candidate's
    answers to it; docs/performance.md)."""
    # The attempt ids first: joined to the attempts by user, PostgreSQL scanned every item.
    attempt_ids = list(Attempt.objects.filter(user=user).order_by().values_list("pk", flat=True))
    items = AttemptItem.objects.filter(
        attempt_id__in=attempt_ids, checked_at__isnull=False, question__status=Question.Status.PUBLISHED
    )
    if sub_domain is not None:
        items = items.filter(question__sub_domain=sub_domain)
    elif domain is not None:
        items = items.filter(question__sub_domain__domain=domain)
    elif guide is not None:
        items = items.filter(question__sub_domain__domain__guide=guide)
    rows = items.order_by("question_id", "-checked_at", "-pk").values_list(
        "question_id", "question__sub_domain_id", "question__sub_domain__domain__guide_id", "is_correct"
    )
    seen: set[int] = set()
    for question_id, sub_id, guide_id, correct in rows:
        if question_id not in seen:
            seen.add(question_id)
            yield question_id, sub_id, guide_id, correct


def mistakes_question_ids(
    *, user, guide: ExamGuide, domain: Domain | None = None, sub_domain: SubDomain | None = None
) -> list[int]:
    """Published questions whose latest marked answer by this candidate, in any attempt, was wrong.

    A question answered correctly later drops out; one answered wrongly again comes back.
    """
    return sorted(
        q
        for q, _, _, correct in _latest_marks(user=user, guide=guide, domain=domain, sub_domain=sub_domain)
        if correct is False
    )


def mistakes_per_sub_domain(*, user) -> dict[int, dict[int, int]]:
    """Per guide id, per task statement id: how many of the candidate's mistakes (one query)."""
    result: dict[int, dict[int, int]] = {}
    for _, sub_id, guide_id, correct in _latest_marks(user=user):
        if correct is False:
            per_sub = result.setdefault(guide_id, {})
            per_sub[sub_id] = per_sub.get(sub_id, 0) + 1
    return result


def practice_overview(*, user) -> list[dict]:
    """Per guide: its domains and task statements (for drills) and the candidate's open mistakes."""
    mistakes_by_guide = mistakes_per_sub_domain(user=user)
    result = []
    for guide in guides_outlined():
        per_sub = mistakes_by_guide.get(guide.pk, {})
        domains = []
        for domain in guide.domains.all():
            subs = [{"sub": s, "mistakes": per_sub.get(s.pk, 0)} for s in domain.sub_domains.all()]
            domains.append({"domain": domain, "subs": subs, "mistakes": sum(s["mistakes"] for s in subs)})
        result.append({"guide": guide, "domains": domains, "mistakes": sum(per_sub.values())})
    return result
