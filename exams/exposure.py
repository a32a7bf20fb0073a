"""Exposure control by plan (issue 22), pure (no ORM): which questions the adaptive diagnostic
should save for whom, so that the exposure cap costs as little precision as it can.

A cap alone ("rest once a quarter of the candidates have seen it") gives the bank's best
questions to whoever asks first, which is every candidate's first questions, while their ability
is still a guess. The plan looks at the whole population instead: it allocates the bank to
candidates at ``NODES`` abilities (equal shares of a standard normal population) so that their
average error is smallest with every question shown to at most ``cap`` of them and each
candidate's questions in the guide's proportions. It is a convex problem over a polytope, solved
by Frank-Wolfe steps whose linear subproblems are linear programs (SciPy's HiGHS). What the
diagnostic keeps of it is small: the information the plan gives a candidate at each node, and
per question its *price*, the shadow price of its cap (what showing it to one more candidate
costs the others). The next question is then the one whose gain for this candidate, weighted
by the posterior over the nodes, most exceeds its price. docs/analytics.md has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize_scalar
from scipy.sparse import coo_matrix
from scipy.stats import norm

from . import irt
from .scoring import apportion

NODES = 40  # abilities the plan allocates to, each standing for 1/NODES of the candidates
STEPS = 40  # Frank-Wolfe steps: the average error is within 0.001 of the optimum well before


@dataclass(frozen=True)
class Plan:
    """What the diagnostic keeps of a plan: the nodes, the information the plan gives a candidate
    at each, and each question's price (question id to price; a question the plan did not see
    costs nothing)."""

    nodes: tuple[float, ...]
    planned: tuple[float, ...]
    prices: dict[int, float]
    floor: float = 0.0  # no rule does better on average under the cap, even knowing each ability

    def as_json(self) -> dict:
        return {"nodes": self.nodes, "planned": self.planned, "prices": self.prices, "floor": self.floor}

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        prices = {int(q): float(p) for q, p in data["prices"].items()}  # JSON's keys are strings
        return cls(tuple(data["nodes"]), tuple(data["planned"]), prices, float(data["floor"]))

    def scores(self, a: np.ndarray, b: np.ndarray, ids: Sequence[int], answers) -> np.ndarray:
        """Per question (parameters ``a``, ``b``): its gain for a candidate who gave ``answers``,
        the posterior over the nodes weighting the gain at each, less its price."""
        nodes = np.array(self.nodes)
        log_like = np.zeros(len(nodes))
        for x in answers:
            p = np.clip(irt.probability(nodes, x.item.a, x.item.b), 1e-12, 1 - 1e-12)
            log_like += np.log(p if x.correct else 1 - p)
        posterior = np.exp(log_like - log_like.max())
        posterior /= posterior.sum()
        gain = (
            irt.information(nodes[:, None], a[None, :], b[None, :])
            / (1 + np.array(self.planned))[:, None] ** 2
        )
        return posterior @ gain - np.array([self.prices.get(q, 0.0) for q in ids])


def quotas(weights: dict[int, float], length: int) -> dict[int, int]:
    """``length`` questions shared by the weights (``scoring.apportion``: largest remainder)."""
    return dict(zip(weights, apportion(length, list(weights.values())), strict=True))


def nodes(count: int = NODES) -> np.ndarray:
    """The mean ability of each of ``count`` equal shares of a standard normal population."""
    edges = norm.ppf(np.linspace(0.0, 1.0, count + 1))
    return (norm.pdf(edges[:-1]) - norm.pdf(edges[1:])) * count


def plan(
    ids: Sequence[int],
    domains: Sequence[int],
    a: Sequence[float],
    b: Sequence[float],
    *,
    weights: dict[int, float],
    length: int,
    cap: float,
    steps: int = STEPS,
) -> Plan | None:
    """The plan for a pool (question ids, their domains and parameters), or None when the pool
    cannot give every candidate ``length`` questions in the weights' proportions under the cap."""
    theta = nodes()
    k, n = len(theta), len(ids)
    info = irt.information(theta[None, :], np.asarray(a, float)[:, None], np.asarray(b, float)[:, None])
    domains = np.asarray(domains)
    need = quotas(weights, length)
    # y[i, j]: the share of the candidates at node j shown question i, flattened i * k + j
    rows, cols, targets = [], [], []
    for j in range(k):
        for d, q in need.items():
            members = np.flatnonzero(domains == d)
            rows += [len(targets)] * len(members)
            cols += list(members * k + j)
            targets.append(q)
    same_mix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(targets), n * k)).tocsr()
    capped = coo_matrix(
        (np.full(n * k, 1.0 / k), (np.repeat(np.arange(n), k), np.arange(n * k))), shape=(n, n * k)
    ).tocsr()

    def vertex(gradient):
        found = linprog(
            gradient.ravel(),
            A_ub=capped,
            b_ub=np.full(n, cap),
            A_eq=same_mix,
            b_eq=targets,
            bounds=(0, 1),
            method="highs",
        )
        if found.status != 0:
            return None, None
        return found.x.reshape(n, k), -np.asarray(found.ineqlin.marginals)

    def error(y):  # mean posterior variance, to first order
        return float(np.mean(1 / (1 + (y * info).sum(axis=0))))

    y, prices = vertex(-info)  # the most information in all: a feasible start
    if y is None:
        return None
    lowest = 0.0  # Frank-Wolfe's duality gap bounds the optimum from below
    for _ in range(steps):
        gradient = -info / (1 + (y * info).sum(axis=0)) ** 2 / k
        s, prices = vertex(gradient)
        lowest = max(lowest, error(y) - float((gradient * (y - s)).sum()))
        step = minimize_scalar(lambda t, y=y, s=s: error(y + t * (s - y)), bounds=(0, 1), method="bounded").x
        y = y + step * (s - y)
    # the prices at the plan: a candidate's gain from question i at node j is info / (1 + planned)²
    # (k times the objective's gradient), and the cap's dual on the same scale is its price
    planned = (y * info).sum(axis=0)
    _, prices = vertex(-info / (1 + planned) ** 2 / k)
    return Plan(
        nodes=tuple(map(float, theta)),
        planned=tuple(map(float, planned)),
        prices={int(q): float(p) for q, p in zip(ids, prices, strict=True) if p > 1e-12},
        floor=float(np.sqrt(lowest)),
    )
