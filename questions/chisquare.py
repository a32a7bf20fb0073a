"""Pearson's chi-square goodness-of-fit test against uniform, in pure Python (no SciPy).

Used by the bank audit (questions/audit.py) to ask whether keys favour one length rank or one
position more than chance allows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

MIN_EXPECTED = 5  # Pearson's chi-square needs about five expected per cell to be trusted


def chi2_sf(x: float, df: int) -> float:
    """P(X ≥ x) for X chi-square distributed with ``df`` (a whole number ≥ 1) degrees of freedom.

    This is the regularized upper incomplete gamma function Q(df/2, x/2), which has closed forms
    when df is whole (always so for a goodness-of-fit test), with h = x/2:
      even df = 2m:      Q = e^-h · Σ_{i=0}^{m-1} h^i / i!
      odd df = 2m + 1:   Q = erfc(√h) + e^-h · Σ_{i=1}^{m} h^(i-1/2) / Γ(i + 1/2)
    Each term is computed through its logarithm so that neither large df nor large x overflows.
    Ten lines instead of SciPy (and NumPy) in the runtime dependencies for one function; the
    tests compare it with SciPy's values and with printed tables.
    """
    if df < 1 or df != int(df):
        raise ValueError("degrees of freedom must be a whole number of at least 1")
    if x <= 0:
        return 1.0
    h = x / 2
    if df % 2 == 0:
        total, logs = 0.0, (i * math.log(h) - math.lgamma(i + 1) - h for i in range(df // 2))
    else:
        total = math.erfc(math.sqrt(h))
        logs = ((i - 0.5) * math.log(h) - math.lgamma(i + 0.5) - h for i in range(1, df // 2 + 1))
    return min(1.0, total + sum(math.exp(v) for v in logs))


def uniformity(observations: list[tuple[int, int]]) -> dict:
    """Pearson's chi-square test that each outcome is equally likely, for questions whose number
    of outcomes differs: ``observations`` are (outcome index, number of outcomes) per question.

    Questions are grouped by their number of outcomes n; within a group every outcome is
    expected len(group)/n times, and the group's statistic has n − 1 degrees of freedom. The
    groups are independent, so their statistics and degrees of freedom add up to one test of
    the whole bank. A group expecting fewer than MIN_EXPECTED per outcome is left out (the
    chi-square approximation does not hold there) and counted in ``untested``.
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for outcome, n in observations:
        groups[n].append(outcome)
    statistic, df, untested, table = 0.0, 0, 0, {}
    for n, outcomes in sorted(groups.items()):
        counts = Counter(outcomes)
        table[n] = [counts[i] for i in range(n)]
        expected = len(outcomes) / n
        if n < 2 or expected < MIN_EXPECTED:
            untested += len(outcomes)
            continue
        statistic += sum((counts[i] - expected) ** 2 / expected for i in range(n))
        df += n - 1
    p = chi2_sf(statistic, df) if df else None
    return {"table": table, "chi_square": round(statistic, 3), "df": df, "p": p, "untested": untested}
