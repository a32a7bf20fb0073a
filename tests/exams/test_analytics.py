"""Analytics checked against values worked out by hand on a small fixture of responses."""

import math
import statistics as stdlib

import pytest
from django.utils import timezone

from exams import adaptive, irt, selectors, statistics
from exams.models import AttemptItem, CandidateReadiness, CandidateStanding, ItemStatistic
from exams.services.analytics import analytics_rebuild
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from exams.services.standings import standings_compute
from questions.models import Question
from tests.factories import UserFactory, build_guide

pytestmark = pytest.mark.django_db

# Four questions, six candidates; 1 = right. Wrong answers pick the option given in WRONG_PICK.
MATRIX = {
    "A": [1, 1, 1, 1],
    "B": [1, 1, 1, 0],
    "C": [1, 1, 0, 0],
    "D": [1, 0, 1, 0],
    "E": [1, 0, 0, 0],
    "F": [0, 0, 0, 1],
}


def wrong_option(content, nth=0):
    return [i for i, c in enumerate(content["choices"]) if not c["correct"]][nth]


def sit(user, blueprint, answers, capture):
    attempt = attempt_start(user=user, blueprint=blueprint)
    questions = list(Question.objects.order_by("pk"))
    for item in AttemptItem.objects.filter(attempt=attempt).select_related("version"):
        index = questions.index(item.question)
        content = item.version.content
        if answers[index]:
            original = [i for i, c in enumerate(content["choices"]) if c["correct"]]
        else:  # the bottom scorers all pick the first wrong option; others the second
            original = [wrong_option(content, 0 if sum(answers) <= 1 else 1)]
        shown = [item.option_order.index(o) for o in original]
        attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            position=item.position,
            selected=shown,
            flagged=False,
            base_revision=0,
        )
    with capture(execute=True):
        attempt_submit(user=user, attempt_id=attempt.pk)
    return attempt


@pytest.fixture
def cohort(django_capture_on_commit_callbacks):
    guide = build_guide(shape=((100, 1),), per_sub=4, multiple_every=0, blueprint=("full", 4, 10))
    blueprint = guide.blueprints.get()
    users = {}
    for name, answers in MATRIX.items():
        users[name] = UserFactory(username=name)
        sit(users[name], blueprint, answers, django_capture_on_commit_callbacks)
    analytics_rebuild(guide_id=guide.pk)
    return guide, blueprint, users


def test_facility_and_discrimination(cohort):
    questions = list(Question.objects.order_by("pk"))
    stats = {s.question_id: s for s in ItemStatistic.objects.all()}
    assert len(stats) == 4
    first = stats[questions[0].pk]
    assert first.responses == 6
    assert first.facility == pytest.approx(5 / 6)
    # item 1 against the rest (share of the other three right): A 1, B 2/3, C 1/3, D 1/3, E 0, F 1/3
    x = [1, 1, 1, 1, 1, 0]
    y = [1, 2 / 3, 1 / 3, 1 / 3, 0, 1 / 3]
    assert first.discrimination == pytest.approx(stdlib.correlation(x, y))
    # by hand: cov 0.1111, var(x) 0.8333, var(y) 0.5926 (sums of squares): r = 0.1111 / 0.7027
    assert first.discrimination == pytest.approx(0.1581, abs=1e-4)
    fourth = stats[questions[3].pk]
    assert fourth.facility == pytest.approx(2 / 6)
    # item 4: x = 1,0,0,0,0,1 and rest = 1, 1, 2/3, 2/3, 1/3, 0
    assert fourth.discrimination == pytest.approx(
        stdlib.correlation([1, 0, 0, 0, 0, 1], [1, 1, 2 / 3, 2 / 3, 1 / 3, 0])
    )


def test_distractor_rates_in_top_and_bottom_thirds(cohort):
    # Ranked by score: A 100%, B 75% (top third); C, D 50%; E, F 25% (bottom third).
    question = Question.objects.order_by("pk")[1]  # right for A, B, C; wrong for D, E, F
    stat = ItemStatistic.objects.get(question=question)
    content = question.current_version.content
    key = next(i for i, c in enumerate(content["choices"]) if c["correct"])
    first_wrong, second_wrong = wrong_option(content, 0), wrong_option(content, 1)
    rates = stat.option_rates
    assert {k: v for k, v in rates[key].items() if k != "option"} == {
        "key": True,
        "all": 3 / 6,
        "top": 1.0,
        "bottom": 0.0,
    }
    # E and F (bottom third, at most one right) chose the first wrong option; D the second
    assert {k: v for k, v in rates[first_wrong].items() if k != "option"} == {
        "key": False,
        "all": 2 / 6,
        "top": 0.0,
        "bottom": 1.0,
    }
    assert {k: v for k, v in rates[second_wrong].items() if k != "option"} == {
        "key": False,
        "all": 1 / 6,
        "top": 0.0,
        "bottom": 0.0,
    }
    assert rates[key]["option"] == "ABCDEF"[key]


def test_flags(cohort):
    questions = list(Question.objects.order_by("pk"))
    stats = {s.question_id: s for s in ItemStatistic.objects.all()}
    assert not any(s.too_easy or s.too_hard for s in stats.values())  # 5/6 is not above 0.95
    assert statistics.item_flags(40, 0.97, 0.3) == {
        "too_easy": True,
        "too_hard": False,
        "low_discrimination": False,
    }
    assert statistics.item_flags(40, 0.15, 0.3)["too_hard"]
    assert statistics.item_flags(40, 0.5, 0.05)["low_discrimination"]
    assert not any(statistics.item_flags(5, 0.99, 0.05).values())  # too few responses to judge
    assert stats[questions[0].pk].low_discrimination is False


def test_mastery_weights_recent_attempts_more(cohort, django_capture_on_commit_callbacks):
    _, blueprint, users = cohort
    sit(users["F"], blueprint, [1, 1, 1, 0], django_capture_on_commit_callbacks)  # F improves: 1/4 then 3/4
    standing = CandidateStanding.objects.get(user=users["F"], sub_domain__isnull=True)
    # newest weight 1, older 0.7: (3 + 0.7 * 1) / (4 + 0.7 * 4) = 3.7 / 6.8
    assert standing.mastery == pytest.approx(3.7 / 6.8)
    assert statistics.mastery([(1, 4), (3, 4)]) == pytest.approx(3.7 / 6.8)
    assert standing.attempts == 2 and standing.answered == 8
    # F (0.544) is now above C, D (0.5), E (0.25): 3 of the 5 others
    assert standing.percentile == pytest.approx(3 / 5)
    task = CandidateStanding.objects.get(user=users["F"], sub_domain__isnull=False)
    assert task.mastery == pytest.approx(3.7 / 6.8)


def test_percentiles_after_a_rebuild(cohort):
    percentiles = {
        s.user.username: s.percentile
        for s in CandidateStanding.objects.filter(sub_domain__isnull=True).select_related("user")
    }
    # PERCENT_RANK: share of the others strictly below. A 1.0, B 0.8, C and D 0.4, E and F 0
    assert percentiles == pytest.approx({"A": 1.0, "B": 0.8, "C": 0.4, "D": 0.4, "E": 0.0, "F": 0.0})


def test_ability_by_hand():
    # Four items at a = 1, b = 0, three right: the posterior under a N(0, 1) prior is
    # phi(t) * P(t)^3 * (1 - P(t)); its mean and sd by a plain Riemann sum over [-6, 6].
    grid = [-6 + 12 * k / 4000 for k in range(4001)]
    dens = [math.exp(-t * t / 2) * (1 / (1 + math.exp(-t))) ** 3 * (1 - 1 / (1 + math.exp(-t))) for t in grid]
    mean = sum(t * d for t, d in zip(grid, dens, strict=True)) / sum(dens)
    sd = math.sqrt(sum((t - mean) ** 2 * d for t, d in zip(grid, dens, strict=True)) / sum(dens))
    theta, se = irt.eap([1.0] * 4, [0.0] * 4, [True, True, True, False])
    assert (theta, se) == pytest.approx((mean, sd), abs=2e-3)


def test_readiness_is_the_ability_model_over_all_the_candidates_answers(cohort):
    guide, _, users = cohort
    params = selectors.item_parameters(guide=guide)
    scale = selectors.ability_scale(guide=guide, params=params)
    questions = list(Question.objects.order_by("pk"))
    for name in ("A", "E"):
        record = CandidateReadiness.objects.get(user=users[name], guide=guide)
        answers = MATRIX[name]
        theta, se = irt.eap(
            [params[q.pk]["a"] for q in questions], [params[q.pk]["b"] for q in questions], answers
        )
        expected = adaptive.estimate(theta, se, scale)
        assert (record.theta, record.theta_se) == pytest.approx((theta, se), abs=1e-6)
        assert record.probability == pytest.approx(expected.probability, abs=1e-6)
        assert (record.expected_scaled, record.low_scaled, record.high_scaled) == (
            expected.scaled, expected.low, expected.high,
        )  # fmt: skip
        assert record.answered == 4
    a, e = (CandidateReadiness.objects.get(user=users[n], guide=guide) for n in ("A", "E"))
    assert a.theta > e.theta and a.probability > e.probability


def test_rebuild_twice_gives_the_same_result(cohort):
    guide, _, _ = cohort

    def snapshot():
        return (
            sorted(
                (s.version_id, s.responses, round(s.facility, 9), str(s.discrimination), str(s.option_rates))
                for s in ItemStatistic.objects.all()
            ),
            sorted(
                (s.user_id, s.domain_id, s.sub_domain_id or 0, round(s.mastery, 9), str(s.percentile))
                for s in CandidateStanding.objects.all()
            ),
            sorted((r.user_id, round(r.probability, 9)) for r in CandidateReadiness.objects.all()),
        )

    first = snapshot()
    analytics_rebuild(guide_id=guide.pk)
    assert snapshot() == first


def test_a_candidate_alone_has_no_percentile_and_the_second_one_has(django_capture_on_commit_callbacks):
    """The per-attempt percentile (``standings_compute`` for one candidate) of the first
    candidate of a guide: no one to compare with, None (not a division by zero); the second,
    above the first: all of the others below them. (The guide's rebuild, which also runs after
    a submit, ranks a lone candidate 0; the dashboard shows no percentile until
    ``PERCENTILE_MIN_OTHERS`` others have sat a mock.)"""
    guide = build_guide(shape=((100, 1),), per_sub=4, multiple_every=0, blueprint=("full", 4, 10))
    blueprint = guide.blueprints.get()
    first, second = UserFactory(), UserFactory()
    sit(first, blueprint, [1, 0, 0, 0], django_capture_on_commit_callbacks)
    standings_compute(guide=guide, now=timezone.now(), user_id=first.pk)
    assert CandidateStanding.objects.get(user=first, sub_domain__isnull=True).percentile is None
    sit(second, blueprint, [1, 1, 1, 0], django_capture_on_commit_callbacks)
    standings_compute(guide=guide, now=timezone.now(), user_id=second.pk)
    assert CandidateStanding.objects.get(user=second, sub_domain__isnull=True).percentile == 1.0
