"""Drawing the questions of an attempt from the published bank."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from questions.models import Domain, Question

from ..models import AttemptItem, ExamBlueprint
from ..scoring import apportion, spread


class AssemblyError(Exception):
    """The bank cannot fill the blueprint; the message names each domain and its shortfall."""


@dataclass(frozen=True)
class Draw:
    question_id: int
    version_id: int
    sub_domain_id: int
    domain_id: int
    choice_count: int
    select_count: int
    option_order: tuple[int, ...]


def _pool(blueprint: ExamBlueprint, question_ids=None):
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
    return qs.order_by("pk").values_list(
        "pk",
        "current_version_id",
        "sub_domain_id",
        "sub_domain__code",
        "sub_domain__domain_id",
        "current_version__choice_count",
        "current_version__select_count",
    )


def _seen_counts(user) -> dict[int, int]:
    rows = AttemptItem.objects.filter(attempt__user=user).values("question_id").annotate(n=Count("id"))
    return {row["question_id"]: row["n"] for row in rows}


def assemble(*, blueprint: ExamBlueprint, user, rng: random.Random, question_ids=None) -> list[Draw]:
    """Draw ``blueprint.question_count`` questions.

    Per-domain counts follow the guide's weights (largest remainder), each domain's count is
    spread over its task statements (each at least once where the bank allows), and within a
    task statement the questions this candidate has seen least come first. The same ``rng``
    seed gives the same draw. ``question_ids`` limits the draw to a given set (practice sets).
    """
    domains = list(Domain.objects.filter(guide_id=blueprint.guide_id).order_by("number"))
    if blueprint.domain_id or blueprint.sub_domain_id or question_ids is not None:
        wanted_domains = None  # a focused set draws from what it has, not by the guide's weights
    else:
        wanted_domains = domains
    by_domain: dict[int, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in _pool(blueprint, question_ids):
        by_domain[row[4]][row[3]].append(row)
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

    draws: list[Draw] = []
    for domain, quota in plan:
        groups = by_domain[domain.pk]
        codes = sorted(groups)
        counts = spread(quota, [len(groups[c]) for c in codes])
        for code, count in zip(codes, counts, strict=True):
            candidates = list(groups[code])
            rng.shuffle(candidates)
            candidates.sort(key=lambda row: seen.get(row[0], 0))  # stable: random among equals
            for row in candidates[:count]:
                order = list(range(row[5]))
                rng.shuffle(order)
                draws.append(Draw(row[0], row[1], row[2], row[4], row[5], row[6], tuple(order)))
    rng.shuffle(draws)
    return draws
