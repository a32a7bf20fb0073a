"""The pure modules of issue 22: the 2PL calibration and scoring (exams/irt.py), the adaptive
rules (exams/adaptive.py) and the FSRS mapping (exams/spacing.py). No database."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from exams import adaptive, irt, spacing


def simulate(n_persons=1500, n_items=60, seed=1, wrong_key=None):
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0, 0.3, n_items)
    b = rng.normal(0, 1, n_items)
    theta = rng.normal(0, 1, n_persons)
    persons = np.repeat(np.arange(n_persons), 30)
    items = np.concatenate([rng.choice(n_items, 30, replace=False) for _ in range(n_persons)])
    p = irt.probability(theta[persons], a[items], b[items])
    if wrong_key is not None:  # this item's key is wrong: the able get it "wrong"
        p = np.where(items == wrong_key, 1 - p, p)
    x = rng.random(len(items)) < p
    return a, b, theta, persons, items, x


def test_calibration_recovers_the_parameters_it_simulated_from():
    a, b, _, persons, items, x = simulate()
    cal = irt.calibrate(persons, items, x, n_items=len(a), prior_b=np.zeros(len(a)))
    assert np.corrcoef(cal.b, b)[0, 1] > 0.95
    assert np.corrcoef(cal.a, a)[0, 1] > 0.8
    # each item's b within three of its standard errors of the truth, for nearly all items
    assert np.mean(np.abs(cal.b - b) < 3 * cal.se_b) > 0.9
    assert (cal.responses == np.bincount(items, minlength=len(a))).all()


def test_the_authored_difficulty_leads_with_few_responses_and_the_data_with_many():
    def gap(n_persons):
        _, _, _, persons, items, x = simulate(n_persons=n_persons, n_items=60)
        hard = irt.calibrate(persons, items, x, n_items=60, prior_b=np.full(60, 1.0))
        easy = irt.calibrate(persons, items, x, n_items=60, prior_b=np.full(60, -1.0))
        return float(np.mean(hard.b - easy.b)), float(np.mean(hard.se_b))

    few_gap, few_se = gap(8)  # about 4 responses an item
    many_gap, many_se = gap(1500)  # about 750
    assert few_gap > 0.8  # the prior (2 apart) still shows
    assert many_gap < 0.15  # the data decide (the prior 2 apart leaves under 8%)
    assert few_se > 2 * many_se  # and the uncertainty says which is which


def test_a_wrong_key_is_flagged_and_fitting_items_are_not():
    a, _b, _, persons, items, x = simulate(wrong_key=7)
    cal = irt.calibrate(persons, items, x, n_items=len(a), prior_b=np.zeros(len(a)))
    verdicts = [
        irt.flags(responses=cal.responses[j], a=cal.a[j], rmsd_value=cal.rmsd[j]) for j in range(len(a))
    ]
    assert verdicts[7]["weak"]
    assert sum(v["misfit"] or v["weak"] for v in verdicts) <= 3  # few false alarms among 59 good items


def test_an_incremental_update_moves_only_the_items_answered_and_towards_the_evidence():
    a, _b, _, persons, items, x = simulate()
    cal = irt.calibrate(persons, items, x, n_items=len(a), prior_b=np.zeros(len(a)))
    answered = np.array([3, 4, 5])
    new = irt.update(
        cal.a[answered], cal.b[answered], cal.n_q[answered], cal.r_q[answered], np.zeros(3),
        cal.a[answered], cal.b[answered], [False, False, False], [True, True, True],
    )  # fmt: skip
    new_b, new_n = new[1], new[4]
    assert np.all(new_b > cal.b[answered])  # three wrong answers: the items look a bit harder
    assert np.allclose(new_n.sum(1), cal.n_q[answered].sum(1) + 1)  # one more respondent each


def test_eap_is_the_prior_without_answers_and_sharpens_with_them():
    assert irt.eap([], [], []) == (0.0, 1.0)
    high, se_high = irt.eap([1.2] * 20, [0.0] * 20, [True] * 16 + [False] * 4)
    low, _ = irt.eap([1.2] * 20, [0.0] * 20, [True] * 4 + [False] * 16)
    assert high > 0.5 > -0.5 > low and se_high < 0.5
    means, sds = irt.eap_many([0] * 20 + [2], [1.2] * 21, [0.0] * 21, [True] * 16 + [False] * 4 + [True], 3)
    assert means[0] == pytest.approx(high, abs=1e-9) and sds[0] == pytest.approx(se_high, abs=1e-9)
    assert (means[1], sds[1]) == pytest.approx((0.0, 1.0), abs=1e-4)  # nobody answered: the prior


# ---- the adaptive rules -------------------------------------------------------------------

WEIGHTS = {1: 20, 2: 24, 3: 36, 4: 20}


def pool(per_domain=20):
    rng = random.Random(2)
    return [
        adaptive.Item(question_id=100 * d + k, domain_id=d, a=rng.uniform(0.7, 2.0), b=rng.gauss(0, 1))
        for d in WEIGHTS
        for k in range(per_domain)
    ]


def sit(items, theta, *, shown, started, enemies=None, rng=None):
    rng = rng or random.Random(1)
    answers = []
    while not adaptive.should_stop(len(answers), adaptive.ability(answers)[1]):
        item = adaptive.choose_next(
            items, answers, weights=WEIGHTS, shown=shown, started=started, enemies=enemies or {}, rng=rng
        )
        if item is None:
            break
        answers.append(adaptive.Answer(item, rng.random() < irt.probability(theta, item.a, item.b)))
    return answers


def test_content_balance_follows_the_guide_weights():
    answers = sit(pool(), 0.3, shown={}, started=1)
    per_domain = Counter(x.item.domain_id for x in answers)
    n = len(answers)
    for domain, weight in WEIGHTS.items():
        assert abs(per_domain[domain] - n * weight / 100) <= 1


def test_no_question_twice_and_never_an_enemy_of_one_asked():
    items = pool()
    enemies = {101: {102, 103}, 102: {101}, 103: {101}}
    for seed in range(10):
        answers = sit(items, 0.0, shown={}, started=1, enemies=enemies, rng=random.Random(seed))
        ids = [x.item.question_id for x in answers]
        assert len(ids) == len(set(ids))
        assert not (101 in ids and ({102, 103} & set(ids)))


def test_exposure_control_rests_a_question_shown_in_a_quarter_of_the_diagnostics():
    items = pool()
    star = items[0]
    shown = {star.question_id: 25}
    assert not adaptive.eligible(star, shown=shown, started=100)
    assert adaptive.eligible(star, shown=shown, started=101)
    assert adaptive.eligible(star, shown={star.question_id: 9}, started=1)  # the floor: 0.25 x 40
    assert not adaptive.eligible(star, shown={star.question_id: 10}, started=1)
    shown = Counter()
    for n in range(1, 201):
        for x in sit(items, random.Random(n).gauss(0, 1), shown=shown, started=n, rng=random.Random(n)):
            shown[x.item.question_id] += 1
    assert max(shown.values()) <= 0.25 * 200


def test_stopping_rule():
    assert not adaptive.should_stop(adaptive.MIN_ITEMS - 1, 0.1)  # never before the minimum
    assert adaptive.should_stop(adaptive.MIN_ITEMS, adaptive.SE_TARGET)
    assert not adaptive.should_stop(adaptive.MIN_ITEMS, adaptive.SE_TARGET + 0.01)
    assert adaptive.should_stop(adaptive.MAX_ITEMS, 0.9)
    assert len(sit(pool(), 0.0, shown={}, started=1)) <= adaptive.MAX_ITEMS


def scale():
    reference = tuple((w, (1.0,) * 5, (-1.0, -0.5, 0.0, 0.5, 1.0)) for w in WEIGHTS.values())
    return adaptive.Scale(
        reference, score_min=100, score_max=1000, passing=750, cut_percent=72, exam_questions=65
    )


def test_the_scale_maps_the_cut_ability_to_the_passing_score_and_p_pass_rises_with_ability():
    s = scale()
    cut = s.cut_theta()
    assert s.scaled(cut) == 750
    assert s.scaled(cut - 0.01) < 750 < s.scaled(cut + 0.5)
    assert adaptive.pass_probability(cut, 0.3, s) == pytest.approx(0.5)
    assert (
        adaptive.pass_probability(cut + 1, 0.3, s) > 0.95 > 0.05 > adaptive.pass_probability(cut - 1, 0.3, s)
    )
    e = adaptive.estimate(cut + 0.2, 0.3, s)
    assert e.low < e.scaled < e.high


def test_domain_strengths_say_which_domain_departs_from_the_overall_level():
    item = {d: adaptive.Item(d, d, 1.0, 0.0) for d in (1, 2, 3)}
    answers = (
        [adaptive.Answer(item[1], True)] * 8 + [adaptive.Answer(item[2], False)] * 8
        + [adaptive.Answer(item[3], True)] * 4 + [adaptive.Answer(item[3], False)] * 4
    )  # fmt: skip
    verdicts = {d: row["verdict"] for d, row in adaptive.domain_strengths(answers, 0.0).items()}
    assert verdicts == {1: adaptive.STRONGER, 2: adaptive.WEAKER, 3: adaptive.IN_LINE}


# ---- FSRS --------------------------------------------------------------------------------

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_answers_map_to_fsrs_ratings():
    assert spacing.rating(correct=False) == spacing.Rating.Again
    assert spacing.rating(correct=False, unsure=True) == spacing.Rating.Again
    assert spacing.rating(correct=True, unsure=True) == spacing.Rating.Hard
    assert spacing.rating(correct=True) == spacing.Rating.Good


def test_a_wrong_answer_comes_back_sooner_than_an_unsure_one_and_a_sure_one_latest():
    wrong = spacing.review(None, spacing.rating(correct=False), T0)
    unsure = spacing.review(None, spacing.rating(correct=True, unsure=True), T0)
    sure = spacing.review(None, spacing.rating(correct=True), T0)
    assert T0 < wrong.due <= unsure.due < sure.due
    assert wrong.due - T0 >= timedelta(days=1)  # no minute-long learning steps
    again = spacing.review(sure, spacing.rating(correct=True), sure.due)
    assert again.due - sure.due > sure.due - T0  # intervals grow with each right answer
    assert spacing.review(again, spacing.rating(correct=False), again.due).due - again.due <= timedelta(
        days=3
    )


def test_intervals_never_pass_half_a_year():
    memory = None
    at = T0
    for _ in range(15):
        memory = spacing.review(memory, spacing.rating(correct=True), at)
        at = memory.due
    assert memory.due - memory.last_review <= timedelta(days=180)


def test_a_review_older_than_the_last_counts_at_the_last():
    sure = spacing.review(None, spacing.rating(correct=True), T0)
    late = spacing.review(sure, spacing.rating(correct=False), T0 - timedelta(days=3))
    assert late.last_review == T0
