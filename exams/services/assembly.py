"""Drawing the questions of an attempt from the published bank."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from questions.models import Domain, Question, QuestionVersion, SubDomain

from ..errors import AssemblyError
from ..models import Attempt, AttemptItem, ExamBlueprint
from ..scoring import apportion, spread


@dataclass(frozen=True)
class Draw:
    """One question drawn: what its AttemptItem holds (the field names are the item's)."""

    question_id: int
    version_id: int
    sub_domain_id: int
    domain_id: int
    choice_count: int
    select_count: int
    option_order: tuple[int, ...]

    def item_fields(self) -> dict:
        return {**asdict(self), "option_order": list(self.option_order)}


def _pool(blueprint: ExamBlueprint, question_ids=None):
    """(question, version, task statement) of every question the blueprint may draw.

    Three integers per row and no join to the versions: on a 10,000-question bank the join and
    the wider rows were half of the draw's time (docs/performance.md). What the drawn versions
    hold is read for those alone (``_versions``).
    """
    qs = Question.objects.filter(
        status=Question.Status.PUBLISHED,
        sub_domain__domain__guide_id=blueprint.guide_id,
        current_version__isnull=False,
    )
    if blueprint.domain_id:
        qs = qs.filter(sub_domain__domain_id=blueprint.domain_id)
    if blueprint.sub_domain_id:
        qs = qs.filter(sub_domain_id=blueprint.sub_domain_id)
    if question_ids is not None:
        qs = qs.filter(pk__in=question_ids)
    return qs.order_by("pk").values_list("pk", "current_version_id", "sub_domain_id")


def _versions(version_ids: list[int]) -> dict[int, tuple[int, int]]:
    # order_by(): no order wanted, and the default one joins and sorts the questions table.
    rows = QuestionVersion.objects.filter(pk__in=version_ids).order_by()
    return {pk: (c, s) for pk, c, s in rows.values_list("pk", "choice_count", "select_count")}


def _seen_counts(user) -> dict[int, int]:
    """How often this candidate has drawn each question, from their own attempts' items.

    The attempt ids first, then their items by the attempt index: joined in one statement,
    PostgreSQL chose to scan every candidate's items (a parallel sequential scan of the whole
    table, growing with all history) for a candidate who has a few hundred.
    """
    attempt_ids = list(Attempt.objects.filter(user=user).order_by().values_list("pk", flat=True))
    if not attempt_ids:
        return {}
    items = AttemptItem.objects.filter(attempt_id__in=attempt_ids)
    return Counter(items.values_list("question_id", flat=True))


def _least_seen(rows: list[tuple], count: int, seen: dict[int, int], rng: random.Random) -> list[tuple]:
    """``count`` rows, those this candidate has seen least first, chosen at random among equals."""
    tiers: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        tiers[seen.get(row[0], 0)].append(row)
    chosen: list[tuple] = []
    for level in sorted(tiers):
        need = count - len(chosen)
        if need <= 0:
            break
        tier = tiers[level]
        chosen += rng.sample(tier, min(need, len(tier)))
    return chosen


def assemble(*, blueprint: ExamBlueprint, user, rng: random.Random, question_ids=None) -> list[Draw]:
    """Draw ``blueprint.question_count`` questions.

    Per-domain counts follow the guide's weights (largest remainder), each domain's count is
    spread over its task statements (each at least once where the bank allows), and within a
    task statement the questions this candidate has seen least come first. The same ``rng``
    seed gives the same draw. ``question_ids`` limits the draw to a given set (practice sets).
    Six queries whatever the size of the bank (five for a candidate's first attempt).
    """
    domains = list(Domain.objects.filter(guide_id=blueprint.guide_id).order_by("number"))
    subs = {
        pk: (code, domain_id)
        for pk, code, domain_id in SubDomain.objects.filter(domain__guide_id=blueprint.guide_id)
        .order_by()
        .values_list("pk", "code", "domain_id")
    }
    if blueprint.domain_id or blueprint.sub_domain_id or question_ids is not None:
        wanted_domains = None  # a focused set draws from what it has, not by the guide's weights
    else:
        wanted_domains = domains
    by_domain: dict[int, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in _pool(blueprint, question_ids):
        code, domain_id = subs[row[2]]
        by_domain[domain_id][code].append(row)
    seen = _seen_counts(user)
    total = blueprint.question_count

    if wanted_domains is None:
        present = [d for d in domains if by_domain.get(d.pk)]
        available = [sum(len(v) for v in by_domain[d.pk].values()) for d in present]
        if sum(available) < total and question_ids is None:
            raise AssemblyError(
                f"This set needs {total} published questions but the bank holds {sum(available)}: "
                f"{total - sum(available)} short."
            )
        quotas = apportion(min(total, sum(available)), available, available)
        plan = list(zip(present, quotas, strict=True))
    else:
        quotas = apportion(total, [d.weight for d in domains])
        short = []
        for domain, quota in zip(domains, quotas, strict=True):
            have = sum(len(v) for v in by_domain[domain.pk].values())
            if have < quota:
                short.append(
                    f"Domain {domain.number} ({domain.title}) needs {quota} published questions "
                    f"but the bank holds {have}: {quota - have} short."
                )
        if short:
            raise AssemblyError(" ".join(short))
        plan = list(zip(domains, quotas, strict=True))

    chosen: list[tuple[tuple, int]] = []  # (pool row, domain id)
    for domain, quota in plan:
        groups = by_domain[domain.pk]
        codes = sorted(groups)
        counts = spread(quota, [len(groups[c]) for c in codes])
        for code, count in zip(codes, counts, strict=True):
            chosen += [(row, domain.pk) for row in _least_seen(groups[code], count, seen, rng)]
    versions = _versions([row[1] for row, _ in chosen])
    draws: list[Draw] = []
    for row, domain_id in chosen:
        choice_count, select_count = versions[row[1]]
        order = list(range(choice_count))
        rng.shuffle(order)
        draws.append(Draw(row[0], row[1], row[2], domain_id, choice_count, select_count, tuple(order)))
    rng.shuffle(draws)
    return draws
