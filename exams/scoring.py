"""Pure computation for exams: apportioning quotas and turning answers into scores. No ORM."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction


def apportion(total: int, weights: Sequence[int | float], capacity: Sequence[int] | None = None) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder method.

    65 at 20/24/36/20 gives 13/16/23/13. Ties in the remainders go to the larger weight, then
    to the earlier entry, so the result is deterministic. With ``capacity``, no share exceeds
    its capacity; what does not fit is apportioned again among the others.
    """
    n = len(weights)
    if total < 0 or n == 0:
        raise ValueError("need a non-negative total and at least one weight")
    caps = list(capacity) if capacity is not None else [total] * n
    shares = [0] * n
    open_ = [i for i in range(n) if caps[i] > 0 and weights[i] > 0]
    remaining = total
    while remaining > 0 and open_:
        weight_sum = sum(Fraction(weights[i]) for i in open_)
        exact = {i: Fraction(remaining) * Fraction(weights[i]) / weight_sum for i in open_}
        floors = {i: int(exact[i]) for i in open_}
        leftover = remaining - sum(floors.values())
        order = sorted(open_, key=lambda i: (-(exact[i] - floors[i]), -weights[i], i))
        for i in order[:leftover]:
            floors[i] += 1
        for i in open_:
            take = min(floors[i], caps[i] - shares[i])
            shares[i] += take
            remaining -= take
        open_ = [i for i in open_ if shares[i] < caps[i]]
    return shares


def spread(total: int, available: Sequence[int]) -> list[int]:
    """Spread ``total`` over groups holding ``available`` items, in proportion to what each
    holds, and every group at least one where ``total`` allows."""
    if total > sum(available):
        raise ValueError("not enough items")
    shares = apportion(total, available, available)
    nonempty = [i for i, a in enumerate(available) if a > 0]
    if total >= len(nonempty):
        for i in nonempty:
            if shares[i] == 0:
                donor = max(range(len(shares)), key=lambda j: (shares[j], -j))
                shares[donor] -= 1
                shares[i] = 1
    return shares


def is_correct(selected: Sequence[int], correct: Sequence[int]) -> bool:
    """All or nothing: the selection must be exactly the correct set. Unanswered is wrong."""
    return bool(selected) and set(selected) == set(correct)


def scaled_score(percent: float, *, score_min: int, score_max: int, passing: int, cut_percent: float) -> int:
    """Map a raw percentage to the exam's scale, piecewise linearly through the cut score.

    0% maps to ``score_min``, ``cut_percent`` to ``passing`` and 100% to ``score_max``. The vendor
    does not publish its mapping: this is an estimate (docs/scoring.md explains the choice).
    """
    p = min(max(float(percent), 0.0), 100.0)
    if p < cut_percent:  # rounded down, so that a score below the cut never shows as a pass
        return math.floor(score_min + (passing - score_min) * p / cut_percent)
    return round(passing + (score_max - passing) * (p - cut_percent) / (100 - cut_percent))
