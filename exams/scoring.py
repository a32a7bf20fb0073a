"""Pure computation for exams: apportioning quotas and turning answers into scores. No ORM."""

from __future__ import annotations

import math
import random
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


def spread(
    total: int,
    available: Sequence[int],
    unseen: Sequence[int] | None = None,
    rng: random.Random | None = None,
) -> list[int]:
    """Spread ``total`` over groups holding ``available`` items: every group at least one where
    ``total`` allows, and the remainders where the most ``unseen`` items are left.

    Each group first gets the whole part of its proportional share (``total`` times its part of
    what all hold), at least one, but no more than its ``unseen`` items (at least one still).
    What that leaves is placed one at a time in the group with the most unseen items left after
    what it already takes (never past what it holds), ties at random with ``rng`` (else the
    earlier group). With nothing seen (``unseen`` omitted) that follows the bank's sizes; for a
    candidate it keeps the draw where their unseen questions are, so that no group runs dry
    while another still holds unseen ones (docs/scoring.md).
    """
    if total > sum(available):
        raise ValueError("not enough items")
    unseen = list(available) if unseen is None else list(unseen)
    n, held = len(available), sum(available)
    shares = [total * a // held if held else 0 for a in available]
    nonempty = [i for i in range(n) if available[i] > 0]
    if total >= len(nonempty):
        for i in nonempty:
            shares[i] = max(shares[i], 1)
        while sum(shares) > total:  # the ones given to small groups come from the largest share
            donor = max(range(n), key=lambda j: (shares[j], -j))
            shares[donor] -= 1
        floor = [1 if i in nonempty else 0 for i in range(n)]
    else:
        floor = [0] * n
    shares = [max(floor[i], min(shares[i], unseen[i])) for i in range(n)]
    ties = [rng.random() if rng else -i for i in range(n)]
    for _ in range(total - sum(shares)):
        i = max(
            (j for j in range(n) if shares[j] < available[j]), key=lambda j: (unseen[j] - shares[j], ties[j])
        )
        shares[i] += 1
    return shares


def is_correct(selected: Sequence[int], correct: Sequence[int]) -> bool:
    """All or nothing: the selection must be exactly the correct set. Unanswered is wrong."""
    return bool(selected) and set(selected) == set(correct)


ARRANGED = ("ordering", "matching")


def item_type(choice_count: int, select_count: int, option_order: Sequence[int]) -> str:
    """An attempt item's type, from its shape (items keep no type column): a matching item's
    order holds its prompts and then its responses; an ordering item places every step; a
    multiple-response item selects more than one option but never all (the rules ensure it)."""
    if len(option_order) == 2 * choice_count:
        return "matching"
    if select_count == choice_count:
        return "ordering"
    return "multiple" if select_count > 1 else "single"


def arrangement_correct(selected: Sequence[int | None], count: int) -> bool:
    """Ordering and matching, all or nothing (AWS's rule): every step at its place, every
    prompt with its response. Stored in the version's indexes, the key of both is the identity:
    step i belongs at position i, prompt i takes response i."""
    return count > 0 and list(selected) == list(range(count))


def answer_correct(type: str, selected: Sequence, choices: Sequence[dict]) -> bool:
    """Whether an answer (as stored on the item) earns the point; ``choices`` are the version's."""
    if type in ARRANGED:
        return arrangement_correct(selected, len(choices))
    return is_correct(selected, [i for i, c in enumerate(choices) if c["correct"]])


class AnswerShapeError(ValueError):
    """An answer that cannot be an answer to this item; the message says why."""


def stored_answer(
    type: str,
    shown: Sequence[int | None],
    *,
    option_order: Sequence[int],
    response_order: Sequence[int],
    choice_count: int,
    select_count: int,
) -> list:
    """The answer the browser sends (in the positions it shows) in the version's indexes.

    - multiple choice and multiple response: the displayed options chosen -> the chosen
      choice indexes, sorted;
    - ordering: per displayed step, the position given to it (0-based) or null -> per step
      index, its position or null (two steps given one position is a wrong answer, not a
      malformed one: each step's control is independent, as a keyboard moves through them);
    - matching: per displayed prompt, the displayed response chosen or null -> per prompt
      index, the choice index of its response or null.

    An arrangement with nothing placed is stored as ``[]`` (unanswered), like an empty choice.
    Raises ``AnswerShapeError`` for anything else.
    """
    if type not in ARRANGED:
        if any(s is None for s in shown):
            raise AnswerShapeError("Options are numbers.")
        if len(set(shown)) != len(shown) or any(not 0 <= s < choice_count for s in shown):
            raise AnswerShapeError(f"Options must be distinct and between 1 and {choice_count}.")
        if len(shown) > select_count:
            raise AnswerShapeError(f"This question takes at most {select_count} option(s).")
        return sorted(option_order[s] for s in shown)
    if not shown:
        return []
    what = "step" if type == "ordering" else "prompt"
    if len(shown) != choice_count:
        raise AnswerShapeError(f"This question needs one entry per {what}: {choice_count}, not {len(shown)}.")
    values = [s for s in shown if s is not None]
    if any(not 0 <= s < choice_count for s in values):
        raise AnswerShapeError(f"Each {what}'s entry must be empty or between 1 and {choice_count}.")
    if not values:
        return []
    stored: list[int | None] = [None] * choice_count
    if type == "ordering":
        for displayed, position in enumerate(shown):
            stored[option_order[displayed]] = position
    else:
        for displayed, response in enumerate(shown):
            stored[option_order[displayed]] = None if response is None else response_order[response]
    return stored


def shown_answer(
    type: str, stored: Sequence, *, option_order: Sequence[int], response_order: Sequence[int]
) -> list:
    """``stored_answer`` the other way: what the page shows of a stored answer. For an
    arrangement, per displayed step or prompt, the position given, or the displayed response
    chosen, or None; for the other types, the displayed options chosen, in order."""
    if type not in ARRANGED:
        chosen = set(stored)
        return [shown for shown, original in enumerate(option_order) if original in chosen]
    if not stored:
        return [None] * len(option_order)
    if type == "ordering":
        return [stored[original] for original in option_order]
    where = {original: shown for shown, original in enumerate(response_order)}
    return [None if stored[o] is None else where[stored[o]] for o in option_order]


def scaled_score(percent: float, *, score_min: int, score_max: int, passing: int, cut_percent: float) -> int:
    """Map a raw percentage to the exam's scale, piecewise linearly through the cut score.

    0% maps to ``score_min``, ``cut_percent`` to ``passing`` and 100% to ``score_max``. The vendor
    does not publish its mapping: this is an estimate (docs/scoring.md explains the choice).
    """
    p = min(max(float(percent), 0.0), 100.0)
    if p < cut_percent:  # rounded down, so that a score below the cut never shows as a pass
        return math.floor(score_min + (passing - score_min) * p / cut_percent)
    return round(passing + (score_max - passing) * (p - cut_percent) / (100 - cut_percent))
