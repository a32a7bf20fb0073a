"""Drawing a mock exam: exact quotas, every task statement, unseen first, clear shortfalls."""

import random
from collections import Counter

import pytest
from django.urls import reverse

from exams.errors import AssemblyError
from exams.models import Attempt, AttemptItem
from exams.services.assembly import UNSEEN, _least_seen_first, assemble
from exams.services.attempts import attempt_start, attempt_submit
from questions.models import Domain, Question
from tests.factories import build_guide

pytestmark = pytest.mark.django_db


def domain_counts(guide, draws):
    numbers = dict(Domain.objects.filter(guide=guide).values_list("pk", "number"))
    return Counter(numbers[d.domain_id] for d in draws)


@pytest.mark.parametrize("seed", range(25))
def test_quotas_are_exactly_13_16_23_13_and_every_task_statement_appears(guide, blueprint, candidate, seed):
    draws = assemble(blueprint=blueprint, user=candidate, rng=random.Random(seed))
    assert len(draws) == 65
    assert domain_counts(guide, draws) == {1: 13, 2: 16, 3: 23, 4: 13}
    assert len({d.sub_domain_id for d in draws}) == 15
    assert len({d.question_id for d in draws}) == 65


def test_spread_follows_what_the_bank_holds_within_a_domain(candidate):
    # domain 3's five task statements hold 30, 4, 4, 4, 4 questions: the big one gets most
    guide = build_guide(per_sub=[8, 8, 8, 8, 8, 8, 30, 4, 4, 4, 4, 8, 8, 8, 8])
    draws = assemble(blueprint=guide.blueprints.get(), user=candidate, rng=random.Random(1))
    codes = Counter(Question.objects.get(pk=d.question_id).sub_domain.code for d in draws if d.sub_domain_id)
    assert codes["3.1"] == 15 and all(codes[c] == 2 for c in ("3.2", "3.3", "3.4", "3.5"))  # 23 * 30/46 = 15


def test_same_seed_same_draw_and_option_order(blueprint, candidate):
    a = assemble(blueprint=blueprint, user=candidate, rng=random.Random(42))
    b = assemble(blueprint=blueprint, user=candidate, rng=random.Random(42))
    c = assemble(blueprint=blueprint, user=candidate, rng=random.Random(43))
    assert a == b
    assert a != c


def test_option_order_is_shuffled_and_stored(blueprint, candidate):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=5)
    orders = [tuple(i.option_order) for i in attempt.items.all()]
    assert any(o != tuple(sorted(o)) for o in orders)
    assert all(sorted(o) == list(range(len(o))) for o in orders)


def test_option_order_is_stable_across_reloads(client_a, blueprint, candidate):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=5)
    url = reverse("exams:question", args=[attempt.pk, 1])
    first = client_a.get(url).context["options"]
    second = client_a.get(url).context["options"]
    assert [o["html"] for o in first] == [o["html"] for o in second]


def test_unseen_questions_come_first(guide, blueprint, candidate):
    first = attempt_start(user=candidate, blueprint=blueprint, seed=1)
    attempt_submit(user=candidate, attempt_id=first.pk)
    seen = set(first.items.values_list("question_id", flat=True))
    second = attempt_start(user=candidate, blueprint=blueprint, seed=2)
    again = set(second.items.values_list("question_id", flat=True)) & seen
    # Each task statement holds 8, so domains hold 24/24/40/32 for quotas of 13/16/23/13. Two
    # exams need 26/32/46/26: at least 2 + 8 + 6 + 0 = 16 repeats, and unseen-first gives no more.
    assert len(again) == 16, again
    attempt_submit(user=candidate, attempt_id=second.pk)
    counts = Counter(
        AttemptItem.objects.filter(attempt__user=candidate).values_list("question_id", flat=True)
    )
    third = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    drawn = set(third.items.values_list("question_id", flat=True))
    # Within each task statement, no question is drawn while a less-seen one is left behind.
    for question_ids in _by_sub_domain().values():
        taken = [counts[q] for q in question_ids if q in drawn]
        left = [counts[q] for q in question_ids if q not in drawn]
        if taken and left:
            assert max(taken) <= min(left)


def test_least_seen_first_ranks_then_shuffles_equals_without_bias():
    """Unseen questions with enemies first (more enemies first), then the plain unseen ones in
    random order (shuffled as they are read), then the seen ones, least shown first."""
    ranks = {1: (2, True, 5), 2: (1, False, 9), 3: (0, -1), 4: (0, -2)}
    items = list(range(1, 21))

    def order(seed):
        return list(_least_seen_first(items, lambda pk: ranks.get(pk, UNSEEN), random.Random(seed)))

    first = order(0)
    assert first[:2] == [4, 3] and first[-2:] == [2, 1]
    assert sorted(first[2:-2]) == list(range(5, 21))
    assert order(0) == first
    # Each of the 16 equals comes first about as often as any other (100 times in 1,600).
    leads = Counter(order(seed)[2] for seed in range(1600))
    assert set(leads) == set(range(5, 21)) and all(60 <= n <= 140 for n in leads.values()), leads


def _by_sub_domain():
    groups = {}
    for pk, sub in Question.objects.values_list("pk", "sub_domain_id"):
        groups.setdefault(sub, []).append(pk)
    return groups


def test_shortfall_names_the_domain_and_creates_nothing(client_a, candidate):
    guide = build_guide(per_sub=[8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 4, 8, 8, 8, 8])
    blueprint = guide.blueprints.get()
    with pytest.raises(
        AssemblyError,
        match=r"Domain 3 \(Domain 3\) needs 23 published questions but the bank holds 20: 3 short",
    ):
        attempt_start(user=candidate, blueprint=blueprint)
    assert not Attempt.objects.exists()
    response = client_a.post(reverse("exams:start", args=[blueprint.pk]), follow=True)
    assert "Domain 3 (Domain 3) needs 23 published questions" in response.content.decode()
    assert not Attempt.objects.exists()


def test_only_published_questions_are_drawn(guide, blueprint, candidate):
    Question.objects.filter(sub_domain__code="1.1").update(status="retired")
    draws = assemble(blueprint=blueprint, user=candidate, rng=random.Random(1))
    assert not Question.objects.filter(pk__in=[d.question_id for d in draws], status="retired").exists()
