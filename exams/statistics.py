"""Pure statistics for analytics: item analysis, mastery. No ORM; see docs/analytics.md (readiness
is the ability model's: ``exams.irt`` and ``exams.adaptive``)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

MASTERY_DECAY = 0.7  # each older mock exam counts 0.7 times as much as the next newer one
TOO_EASY, TOO_HARD, LOW_DISCRIMINATION = 0.95, 0.20, 0.10
MIN_RESPONSES_FOR_FLAGS = 10


def point_biserial(n: int, sum_x: float, sum_y: float, sum_xy: float, sum_yy: float) -> float | None:
    """Pearson correlation of a 0/1 item score x with the rest score y, from sums.

    ``sum_xx`` equals ``sum_x`` because x is 0 or 1. None when either variable is constant.
    """
    if n < 2:
        return None
    var_x = n * sum_x - sum_x * sum_x
    var_y = n * sum_yy - sum_y * sum_y
    if var_x <= 0 or var_y <= 1e-12:
        return None
    return (n * sum_xy - sum_x * sum_y) / math.sqrt(var_x * var_y)


def item_flags(responses: int, facility: float, discrimination: float | None) -> dict[str, bool]:
    """Flags worth an author's look; none on fewer responses than a verdict needs."""
    enough = responses >= MIN_RESPONSES_FOR_FLAGS
    return {
        "too_easy": enough and facility > TOO_EASY,
        "too_hard": enough and facility < TOO_HARD,
        "low_discrimination": enough and discrimination is not None and discrimination < LOW_DISCRIMINATION,
    }


def mastery(history: Sequence[tuple[int, int]], decay: float = MASTERY_DECAY) -> float:
    """Recency-weighted share correct. ``history`` is (correct, total) per attempt, oldest first.

    The newest attempt has weight 1, the one before ``decay``, then ``decay**2``... A weighted
    ratio of sums, so an attempt with more questions in the area counts for more.
    """
    num = den = 0.0
    for age, (correct, total) in enumerate(reversed(history)):
        weight = decay**age
        num += weight * correct
        den += weight * total
    return num / den if den else 0.0


def wrong_pairings(answers: Iterable[Sequence[int | None]], responses: int, top: int = 3) -> list[dict]:
    """A matching item's most chosen wrong pairings: ``answers`` are its stored answers (per
    prompt index, the response's choice index or None; [] unanswered), ``responses`` how many
    there were. Each: prompt, response (indexes), count and rate (of all responses)."""
    counts: Counter = Counter()
    for answer in answers:
        for prompt, response in enumerate(answer or []):
            if response is not None and response != prompt:
                counts[(prompt, response)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [
        {"prompt": p, "response": r, "count": c, "rate": c / responses if responses else 0.0}
        for (p, r), c in ranked
    ]
