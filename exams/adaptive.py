"""The adaptive diagnostic's rules, pure (no ORM): which question comes next (content balancing,
exposure control, enemies, maximum information), when to stop, and what the answers say (a
scaled score with its interval, P(pass), strengths per domain). The method, and how well it does
on simulated candidates, is in docs/analytics.md; the service is ``services.diagnostic``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import exposure, irt
from .scoring import scaled_score

MAX_ITEMS = 30
MIN_ITEMS = 12  # at least this many, so that every domain is asked
SE_TARGET = 0.30  # stop once the ability's standard error is this small
EXPOSURE_CAP = 0.25  # no question shown in more than this share of diagnostics
EXPOSURE_FLOOR = 40  # below this many diagnostics, the cap counts as if there were this many
TOP_K = 2  # randomesque: pick at random among the k best eligible questions
Z80 = 1.2815515655446004


@dataclass(frozen=True)
class Item:
    """A question the diagnostic may ask, with its calibrated parameters."""

    question_id: int
    domain_id: int
    a: float
    b: float


@dataclass(frozen=True)
class Answer:
    item: Item
    correct: bool


def ability(answers: Sequence[Answer]) -> tuple[float, float]:
    """EAP ability and its standard error from the answers so far."""
    return irt.eap([x.item.a for x in answers], [x.item.b for x in answers], [x.correct for x in answers])


def should_stop(count: int, se: float, *, max_items: int = MAX_ITEMS, se_target: float = SE_TARGET) -> bool:
    """Stop at the maximum length, or once precise enough after the minimum."""
    return count >= max_items or (count >= MIN_ITEMS and se <= se_target)


def domains_by_need(weights: dict[int, float], asked: Counter) -> list[int]:
    """Domains in the order the next question should come from: the furthest below its share
    of the guide's weights (after the next question) first; ties to the heavier domain."""
    total = sum(weights.values())
    n = sum(asked.values()) + 1

    def deficit(d):
        return weights[d] / total * n - asked.get(d, 0)

    return sorted(weights, key=lambda d: (-deficit(d), -weights[d], d))


def eligible(item: Item, *, shown: dict[int, int], started: int, cap: float = EXPOSURE_CAP) -> bool:
    """Exposure control: a question already shown in ``cap`` of the diagnostics started (at least
    ``EXPOSURE_FLOOR`` counted) rests until others catch up."""
    return shown.get(item.question_id, 0) < cap * max(started, EXPOSURE_FLOOR)


def choose_next(
    pool: Iterable[Item],
    answers: Sequence[Answer],
    *,
    weights: dict[int, float],
    shown: dict[int, int],
    started: int,
    enemies: dict[int, set[int]],
    rng: random.Random,
    cap: float = EXPOSURE_CAP,
    plan: exposure.Plan | None = None,
) -> Item | None:
    """The next question: from the domain most behind its weight that has an eligible one,
    at random among the ``TOP_K`` best: with an exposure ``plan``, the most gain for this
    candidate over the question's price (``exposure.Plan.scores``), else the most informative
    at the current ability. Never a question already asked or an enemy of one. None when
    nothing is left."""
    theta, _ = ability(answers)
    asked = {x.item.question_id for x in answers}
    blocked = set().union(*(enemies.get(q, set()) for q in asked)) if asked else set()
    candidates = [
        i
        for i in pool
        if i.question_id not in asked
        and i.question_id not in blocked
        and eligible(i, shown=shown, started=started, cap=cap)
    ]
    per_domain = Counter(x.item.domain_id for x in answers)
    for domain in domains_by_need(weights, per_domain):
        mine = [i for i in candidates if i.domain_id == domain]
        if mine:
            a, b = np.array([i.a for i in mine]), np.array([i.b for i in mine])
            if plan is None:
                score = irt.information(theta, a, b)
            else:
                score = plan.scores(a, b, [i.question_id for i in mine], answers)
            best = np.argsort(-score, kind="stable")[:TOP_K]
            return mine[int(best[rng.randrange(len(best))])]
    return None


@dataclass(frozen=True)
class Scale:
    """How abilities map to the exam's scale: the expected share right on a form drawn by the
    guide's weights from the calibrated bank (``reference``: per domain weight, its items'
    parameters), and the exam's scaled-score mapping."""

    reference: tuple[tuple[float, tuple[float, ...], tuple[float, ...]], ...]
    score_min: int
    score_max: int
    passing: int
    cut_percent: float
    exam_questions: int

    def expected_share(self, theta: float) -> float:
        total = sum(w for w, _, _ in self.reference)
        return sum(
            w / total * float(np.mean(irt.probability(theta, np.array(a), np.array(b))))
            for w, a, b in self.reference
        )

    def scaled(self, theta: float) -> int:
        return scaled_score(
            100 * self.expected_share(theta),
            score_min=self.score_min,
            score_max=self.score_max,
            passing=self.passing,
            cut_percent=self.cut_percent,
        )

    def cut_theta(self) -> float:
        """The ability whose expected share right is the cut (bisection: the share rises with θ)."""
        low, high = -6.0, 6.0
        for _ in range(50):
            mid = (low + high) / 2
            if self.expected_share(mid) < self.cut_percent / 100:
                low = mid
            else:
                high = mid
        return (low + high) / 2

    def exam_se(self, theta: float) -> float:
        """The measurement error of a real exam of ``exam_questions`` at θ: 1/√(its information),
        an average item of the bank standing for each question."""
        infos = [
            float(np.mean(irt.information(theta, np.array(a), np.array(b)))) for _, a, b in self.reference
        ]
        weights = [w for w, _, _ in self.reference]
        mean_info = sum(w * i for w, i in zip(weights, infos, strict=True)) / sum(weights)
        return 1 / math.sqrt(max(self.exam_questions * mean_info, 1e-9))


def pass_probability(theta: float, se: float, scale: Scale) -> float:
    """P(passing the real exam now): the ability's uncertainty and the real exam's own
    measurement error, both normal, against the ability at the cut. The one rule for the
    diagnostic's result and the dashboard's readiness."""
    cut = scale.cut_theta()
    spread = math.sqrt(se * se + scale.exam_se(cut) ** 2)
    return irt.normal_cdf((theta - cut) / spread)


@dataclass(frozen=True)
class Estimate:
    theta: float
    se: float
    scaled: int
    low: int  # 80% interval of the scaled score
    high: int
    probability: float


def estimate(theta: float, se: float, scale: Scale) -> Estimate:
    """What an ability and its error mean on the exam's scale: the scaled score, an 80% interval
    (θ ± 1.28 SE mapped to the scale) and P(pass)."""
    return Estimate(
        theta=theta,
        se=se,
        scaled=scale.scaled(theta),
        low=scale.scaled(theta - Z80 * se),
        high=scale.scaled(theta + Z80 * se),
        probability=pass_probability(theta, se, scale),
    )


STRONGER, IN_LINE, WEAKER = "stronger", "in line", "weaker"


def domain_strengths(answers: Sequence[Answer], theta: float) -> dict[int, dict]:
    """Per domain asked: right, asked, how many the overall ability predicts, and a verdict —
    stronger or weaker than the candidate's overall level when the difference is beyond one
    standard deviation of what chance would give, else in line."""
    result: dict[int, dict] = {}
    for x in answers:
        row = result.setdefault(x.item.domain_id, {"right": 0, "asked": 0, "expected": 0.0, "var": 0.0})
        p = float(irt.probability(theta, x.item.a, x.item.b))
        row["right"] += x.correct
        row["asked"] += 1
        row["expected"] += p
        row["var"] += p * (1 - p)
    for row in result.values():
        z = (row["right"] - row["expected"]) / math.sqrt(max(row.pop("var"), 1e-9))
        row["verdict"] = STRONGER if z > 1 else WEAKER if z < -1 else IN_LINE
    return result
