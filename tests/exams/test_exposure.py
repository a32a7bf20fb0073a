"""The diagnostic's exposure plan (exams/exposure.py), pure: what it allocates, what it prices,
its floor, and that the diagnostic's rules still hold with it. Whether it makes the diagnostic
more precise is a question for 2,000 simulated candidates: bench/learning_bench.py."""

import json
import random
from collections import Counter

import numpy as np
import pytest

from exams import adaptive, exposure, irt

WEIGHTS = {1: 20, 2: 24, 3: 36, 4: 20}


def bank(n_items: int, seed: int = 1):
    """A bank in the guide's proportions with 2PL parameters like a calibrated one's."""
    rng = np.random.default_rng(seed)
    domains = np.concatenate([[d] * round(n_items * w / 100) for d, w in WEIGHTS.items()])
    return (
        list(range(len(domains))),
        domains,
        rng.lognormal(0, 0.35, len(domains)),
        rng.normal(0, 1, len(domains)),
    )


def make_plan(n_items=150, cap=adaptive.EXPOSURE_CAP, seed=1):
    ids, domains, a, b = bank(n_items, seed)
    return exposure.plan(ids, domains, a, b, weights=WEIGHTS, length=adaptive.MAX_ITEMS, cap=cap)


def test_quotas_share_the_length_by_the_weights():
    assert exposure.quotas(WEIGHTS, 30) == {1: 6, 2: 7, 3: 11, 4: 6}
    assert exposure.quotas({7: 1, 8: 1, 9: 1}, 10) == {7: 4, 8: 3, 9: 3}
    assert sum(exposure.quotas(WEIGHTS, 65).values()) == 65


def test_no_plan_when_the_pool_cannot_give_every_candidate_its_questions_under_the_cap():
    # 60 questions shown to at most a quarter each: 15 per candidate on average, not 30
    assert make_plan(n_items=60) is None
    assert make_plan(n_items=60, cap=1.0) is not None


def test_the_cap_has_a_price_and_the_floor_a_cost():
    capped, free = make_plan(), make_plan(cap=1.0)
    _, _, a, b = bank(150)
    priced = np.array([q in capped.prices for q in range(150)])
    best = irt.information(np.array(capped.nodes)[:, None], a[None, :], b[None, :]).max(axis=0)
    # the cap binds on the questions everyone wants: priced ones are the informative ones
    assert 0 < priced.sum() < 150 and all(p > 0 for p in capped.prices.values())
    assert best[priced].mean() > 1.5 * best[~priced].mean()
    assert not free.prices  # without a cap nothing is scarce
    # the floor: below what the plan itself reaches, above what no cap allows
    reached = float(np.sqrt(np.mean(1 / (1 + np.array(capped.planned)))))
    assert free.floor < capped.floor <= reached + 1e-9
    assert reached - capped.floor < 0.01  # the Frank-Wolfe steps have converged


def test_a_plan_survives_its_trip_through_the_database_json():
    plan = make_plan()
    again = exposure.Plan.from_json(json.loads(json.dumps(plan.as_json())))
    assert again == plan
    _, _, a, b = bank(150)
    answers = [adaptive.Answer(adaptive.Item(0, 1, 1.2, 0.3), True)]
    assert np.allclose(
        again.scores(a, b, list(range(150)), answers), plan.scores(a, b, list(range(150)), answers)
    )


def test_the_diagnostic_with_a_plan_keeps_content_balance_the_cap_and_asks_nothing_twice():
    ids, domains, a, b = bank(150)
    plan = exposure.plan(ids, domains, a, b, weights=WEIGHTS, length=adaptive.MAX_ITEMS, cap=0.25)
    pool = [adaptive.Item(j, int(domains[j]), float(a[j]), float(b[j])) for j in ids]
    rng, pick, shown = np.random.default_rng(7), random.Random(7), Counter()
    people = 160
    for p, theta in enumerate(rng.normal(0, 1, people), start=1):
        answers = []
        while len(answers) < adaptive.MAX_ITEMS:
            item = adaptive.choose_next(
                pool, answers, weights=WEIGHTS, shown=shown, started=p, enemies={}, rng=pick, plan=plan
            )
            shown[item.question_id] += 1
            answers.append(adaptive.Answer(item, bool(rng.random() < irt.probability(theta, item.a, item.b))))
        asked = [x.item for x in answers]
        assert len({i.question_id for i in asked}) == adaptive.MAX_ITEMS
        per_domain = Counter(i.domain_id for i in asked)
        assert all(abs(per_domain[d] - 30 * w / 100) <= 1 for d, w in WEIGHTS.items())
        # a question rests once shown in a quarter of the diagnostics started (counting this one)
        assert max(shown.values()) < 0.25 * max(p, adaptive.EXPOSURE_FLOOR) + 1
    assert max(shown.values()) / people == pytest.approx(0.25, abs=0.01)  # the cap is met, and binds


def test_the_plan_chooses_by_gain_over_price():
    """A question the cap makes scarce gives way to a slightly less informative free one."""
    plan = exposure.Plan(nodes=(0.0,), planned=(0.0,), prices={1: 0.5}, floor=0.0)
    star, plain = adaptive.Item(1, 1, 2.0, 0.0), adaptive.Item(2, 1, 1.5, 0.0)
    choose = dict(weights={1: 1}, shown={}, started=1, enemies={}, rng=random.Random(0))
    assert adaptive.choose_next([star, plain], [], **choose) in (star, plain)  # the top 2 without a plan
    scores = plan.scores(np.array([2.0, 1.5]), np.array([0.0, 0.0]), [1, 2], [])
    assert scores[0] == pytest.approx(1.0 - 0.5) and scores[1] == pytest.approx(0.5625)
    assert scores.argmax() == 1
