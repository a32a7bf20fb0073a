"""Item response theory, pure numpy: the two-parameter logistic model (2PL), calibrated by
marginal maximum likelihood (Bock–Aitkin EM over Gauss–Hermite quadrature) with priors on the
parameters, and abilities scored by their posterior mean (EAP). No ORM; docs/analytics.md says
why this and not a library, and how it compares with girth.

The model: a candidate of ability θ answers item j right with probability
``P = 1 / (1 + exp(-a_j (θ - b_j)))``; ``b`` is the difficulty (the θ at which half answer right),
``a`` the discrimination. Abilities are on the scale of the candidates, N(0, 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import sparse

# The quadrature of the calibration: 21 Gauss–Hermite nodes for a N(0, 1) ability.
NODES, _W = hermegauss(21)
WEIGHTS = _W / _W.sum()
LOG_WEIGHTS = np.log(WEIGHTS)
# The finer grid an ability is scored on (a posterior over 30 items is narrow: SE ~0.3).
GRID = np.linspace(-5.0, 5.0, 201)
LOG_PRIOR_GRID = -0.5 * GRID**2

# The authored difficulty is the prior of b until responses outweigh it; a's prior centres on 1.
PRIOR_B = {"easy": -1.0, "medium": 0.0, "hard": 1.0}
PRIOR_B_SD = 1.0
PRIOR_A_MEAN, PRIOR_A_SD = 1.0, 0.5
MIN_A = 0.05  # an item never discriminates below this (a negative a is a wrong key: flagged)

MIN_RESPONSES = 30  # an item counts as calibrated from this many responses
MISFIT_RMSD = 0.10  # item misfit: posterior-weighted RMSD between observed and model curves
LOW_DISCRIMINATION = 0.30


def probability(theta, a, b):
    """P(right) under the 2PL; broadcasts."""
    return 1.0 / (1.0 + np.exp(-a * (theta - b)))


def information(theta, a, b):
    """Fisher information of an item at θ: a² P (1 - P)."""
    p = probability(theta, a, b)
    return a * a * p * (1.0 - p)


@dataclass
class Calibration:
    """Per item (arrays of the same length): the parameters, their standard errors, the
    responses they rest on, the misfit statistic and the expected counts at each node (what an
    incremental update adds to)."""

    a: np.ndarray
    b: np.ndarray
    se_a: np.ndarray
    se_b: np.ndarray
    responses: np.ndarray
    rmsd: np.ndarray
    n_q: np.ndarray  # items × nodes: expected respondents at each node
    r_q: np.ndarray  # items × nodes: expected right answers at each node
    iterations: int = 0


def m_step(n_q, r_q, a, b, prior_b, steps: int = 3):
    """Maximise each item's posterior given expected counts at the nodes (Fisher scoring, all
    items at once): the priors N(PRIOR_A_MEAN, PRIOR_A_SD) on a and N(prior_b, PRIOR_B_SD) on b.
    Returns a, b and their standard errors (from the posterior information)."""
    a, b = a.copy(), b.copy()
    for _ in range(steps):
        p = probability(NODES[None, :], a[:, None], b[:, None])
        resid = r_q - n_q * p
        w = n_q * p * (1 - p)
        d = NODES[None, :] - b[:, None]
        g_a = (resid * d).sum(1) - (a - PRIOR_A_MEAN) / PRIOR_A_SD**2
        g_b = -a * resid.sum(1) - (b - prior_b) / PRIOR_B_SD**2
        i_aa = (w * d * d).sum(1) + 1 / PRIOR_A_SD**2
        i_bb = a * a * w.sum(1) + 1 / PRIOR_B_SD**2
        i_ab = -a * (w * d).sum(1)
        det = i_aa * i_bb - i_ab * i_ab
        step_a = (i_bb * g_a - i_ab * g_b) / det
        step_b = (i_aa * g_b - i_ab * g_a) / det
        a = np.clip(a + np.clip(step_a, -1, 1), MIN_A, 4.0)
        b = np.clip(b + np.clip(step_b, -1, 1), -6.0, 6.0)
    p = probability(NODES[None, :], a[:, None], b[:, None])
    w = n_q * p * (1 - p)
    d = NODES[None, :] - b[:, None]
    i_aa = (w * d * d).sum(1) + 1 / PRIOR_A_SD**2
    i_bb = a * a * w.sum(1) + 1 / PRIOR_B_SD**2
    i_ab = -a * (w * d).sum(1)
    det = i_aa * i_bb - i_ab * i_ab
    return a, b, np.sqrt(i_bb / det), np.sqrt(i_aa / det)


def _matrices(persons, items, correct, n_persons: int, n_items: int):
    """The responses as two sparse persons × items indicator matrices: right, and wrong. Apart
    rather than "answered" and "right", so that each response is one stored entry, not two."""
    correct = np.asarray(correct, dtype=bool)

    def indicator(mask):
        return sparse.csr_matrix(
            (np.ones(int(mask.sum())), (persons[mask], items[mask])), shape=(n_persons, n_items)
        )

    return indicator(correct), indicator(~correct)


def _posteriors(right, wrong, log1, log0):
    """Each person's posterior over the nodes (persons × nodes), rows summing to 1."""
    loglik = right @ log1 + wrong @ log0 + LOG_WEIGHTS[None, :]
    loglik -= loglik.max(axis=1, keepdims=True)
    post = np.exp(loglik, out=loglik)
    post /= post.sum(axis=1, keepdims=True)
    return post


def rmsd(n_q, r_q, a, b):
    """Item misfit: the root mean squared difference between the observed share right at each
    node (from posterior-weighted counts) and the model's curve, weighted by the respondents
    there (the RMSD of PISA's scaling). Near 0 for a fitting item."""
    p = probability(NODES[None, :], a[:, None], b[:, None])
    total = n_q.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(n_q > 0, r_q / np.where(n_q > 0, n_q, 1), p)
        value = np.sqrt((n_q * (observed - p) ** 2).sum(1) / total)
    return np.where(total > 0, value, 0.0)


def calibrate(
    persons,
    items,
    correct,
    *,
    n_items: int,
    prior_b,
    a0=None,
    b0=None,
    max_iter: int = 200,
    tol: float = 1e-3,
) -> Calibration:
    """Calibrate every item from scored responses (one per person and item): ``persons``,
    ``items`` and ``correct`` are parallel arrays, person and item indexes from 0; ``prior_b`` the
    authored difficulty's b per item. EM until no parameter moves more than ``tol``."""
    persons = np.asarray(persons, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    prior_b = np.asarray(prior_b, dtype=np.float64)
    n_persons = int(persons.max()) + 1 if len(persons) else 0
    right, wrong = _matrices(persons, items, correct, n_persons, n_items)
    a = np.full(n_items, PRIOR_A_MEAN) if a0 is None else np.asarray(a0, dtype=np.float64)
    b = prior_b.copy() if b0 is None else np.asarray(b0, dtype=np.float64)
    right_t, wrong_t = right.T.tocsr(), wrong.T.tocsr()
    n_q = r_q = np.zeros((n_items, len(NODES)))
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        p = probability(NODES[None, :], a[:, None], b[:, None])
        post = _posteriors(right, wrong, np.log(p), np.log1p(-p))
        r_q = right_t @ post
        n_q = r_q + wrong_t @ post
        new_a, new_b, se_a, se_b = m_step(n_q, r_q, a, b, prior_b)
        moved = max(np.abs(new_a - a).max(initial=0), np.abs(new_b - b).max(initial=0))
        a, b = new_a, new_b
        if moved < tol:
            break
    _, _, se_a, se_b = m_step(n_q, r_q, a, b, prior_b, steps=0)
    responses = np.bincount(items, minlength=n_items)
    return Calibration(a, b, se_a, se_b, responses, rmsd(n_q, r_q, a, b), n_q, r_q, iterations)


def node_posterior(a, b, correct):
    """One person's posterior over the calibration nodes, from their responses to items with
    parameters ``a`` and ``b`` (arrays) and 0/1 ``correct``."""
    p = probability(NODES[None, :], np.asarray(a)[:, None], np.asarray(b)[:, None])
    x = np.asarray(correct, dtype=np.float64)[:, None]
    loglik = (x * np.log(p) + (1 - x) * np.log1p(-p)).sum(0) + LOG_WEIGHTS
    post = np.exp(loglik - loglik.max())
    return post / post.sum()


def eap(a, b, correct) -> tuple[float, float]:
    """An ability's posterior mean and standard deviation (EAP and its SE) under a N(0, 1) prior,
    from responses to items with parameters ``a``, ``b``; (0, 1) with no responses."""
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return 0.0, 1.0
    p = probability(GRID[None, :], a[:, None], np.asarray(b, dtype=np.float64)[:, None])
    x = np.asarray(correct, dtype=np.float64)[:, None]
    loglik = (x * np.log(p) + (1 - x) * np.log1p(-p)).sum(0) + LOG_PRIOR_GRID
    post = np.exp(loglik - loglik.max())
    post /= post.sum()
    mean = float((GRID * post).sum())
    return mean, float(math.sqrt(max(((GRID - mean) ** 2 * post).sum(), 1e-12)))


def eap_many(persons, a, b, correct, n_persons: int) -> tuple[np.ndarray, np.ndarray]:
    """``eap`` for many persons at once: parallel arrays of responses (person index, the
    item's a and b, right or not). Persons without responses get (0, 1)."""
    persons = np.asarray(persons, dtype=np.int64)
    x = np.asarray(correct, dtype=np.float64)
    p = probability(GRID[None, :], np.asarray(a)[:, None], np.asarray(b)[:, None])
    contrib = x[:, None] * np.log(p) + (1 - x[:, None]) * np.log1p(-p)
    rows = sparse.csr_matrix(
        (np.ones(len(persons)), (persons, np.arange(len(persons)))), shape=(n_persons, len(persons))
    )
    loglik = np.asarray(rows @ contrib) + LOG_PRIOR_GRID[None, :]
    post = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    mean = post @ GRID
    sd = np.sqrt(np.maximum(post @ GRID**2 - mean**2, 1e-12))
    return mean, sd


def update(cal_a, cal_b, n_q, r_q, prior_b, person_a, person_b, person_correct, new_mask):
    """An incremental EM step for one person's new responses: their posterior over the nodes
    (from all their responses, ``person_*``, at the current parameters) is added to the expected
    counts of the items they newly answered (``new_mask`` picks them, in the order of the
    ``cal_*`` rows), whose parameters are then re-estimated. Returns new a, b, se_a, se_b,
    n_q, r_q for those rows. The nightly full calibration re-does everyone's posteriors."""
    post = node_posterior(person_a, person_b, person_correct)
    x = np.asarray(person_correct, dtype=np.float64)[np.asarray(new_mask)]
    n_q = n_q + post[None, :]
    r_q = r_q + x[:, None] * post[None, :]
    a, b, se_a, se_b = m_step(n_q, r_q, cal_a, cal_b, prior_b, steps=4)
    return a, b, se_a, se_b, n_q, r_q


def flags(*, responses, a, rmsd_value) -> dict[str, bool]:
    """What an author should look at: a misfitting item (its observed curve departs from the
    model's) or one that barely discriminates (a low or wrong key), once it has enough responses."""
    enough = responses >= MIN_RESPONSES
    return {
        "misfit": bool(enough and rmsd_value > MISFIT_RMSD),
        "weak": bool(enough and a < LOW_DISCRIMINATION),
    }


def normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))
