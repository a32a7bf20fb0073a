"""Ordering, matching and case studies in the exam engine: scoring (all or nothing), the
autosave's strict shapes, assembly (case studies as units, enemies apart), the exam screen,
review, study mode and the integrity rule, on the fixture bank with every type."""

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from exams.models import Attempt, AttemptItem, ExamBlueprint
from exams.scoring import AnswerShapeError, arrangement_correct, item_type, shown_answer, stored_answer
from exams.services.assembly import assemble
from exams.services.attempts import attempt_start, attempt_submit
from questions.models import Choice, Domain, Question, QuestionVersion
from questions.services import question_snapshot
from tests.factories import correct_positions

FIXTURE = Path(__file__).parent.parent / "questions" / "fixtures" / "every-type"

# ---- pure: the answer's shapes and all-or-nothing marking -----------------------------------


def test_arrangements_are_all_or_nothing():
    assert arrangement_correct([0, 1, 2], 3)
    assert not arrangement_correct([0, 2, 1], 3)
    assert not arrangement_correct([0, 1, None], 3)
    assert not arrangement_correct([], 3)


def test_ordering_answers_map_from_the_screen_and_back():
    order = [2, 0, 1]  # displayed step d is the version's step order[d]
    # The candidate puts displayed step 1 (step 0) first, displayed 2 (step 1) second, displayed 0 third.
    stored = stored_answer(
        "ordering", [2, 0, 1], option_order=order, response_order=[], choice_count=3, select_count=3
    )
    assert stored == [0, 1, 2]
    assert shown_answer("ordering", stored, option_order=order, response_order=[]) == [2, 0, 1]
    partial = stored_answer(
        "ordering", [None, 0, None], option_order=order, response_order=[], choice_count=3, select_count=3
    )
    assert partial == [0, None, None]
    # Two steps at one position: a wrong answer, kept as given (each control is independent).
    shared = stored_answer(
        "ordering", [0, 0, 1], option_order=order, response_order=[], choice_count=3, select_count=3
    )
    assert shared == [0, 1, 0] and not arrangement_correct(shared, 3)
    assert (
        stored_answer(
            "ordering", [None] * 3, option_order=order, response_order=[], choice_count=3, select_count=3
        )
        == []
    )


def test_matching_answers_map_prompts_and_responses_apart():
    prompts, responses = [1, 2, 0], [2, 0, 1]
    # Right answer: prompt p takes response p; displayed prompt d shows prompt prompts[d], whose
    # response is shown at responses.index(prompts[d]).
    shown = [responses.index(p) for p in prompts]
    stored = stored_answer(
        "matching", shown, option_order=prompts, response_order=responses, choice_count=3, select_count=3
    )
    assert stored == [0, 1, 2] and arrangement_correct(stored, 3)
    assert shown_answer("matching", stored, option_order=prompts, response_order=responses) == shown


@pytest.mark.parametrize(
    ("kind", "shown", "message"),
    [
        ("ordering", [0, 1], "one entry per step: 3, not 2"),
        ("ordering", [0, 1, 3], "between 1 and 3"),
        ("matching", [0, 1, 2, 0], "one entry per prompt: 3, not 4"),
        ("matching", [0, 7, None], "between 1 and 3"),
        ("single", [None], "Options are numbers"),
    ],
)
def test_malformed_answers_are_refused(kind, shown, message):
    with pytest.raises(AnswerShapeError, match=message):
        stored_answer(
            kind, shown, option_order=[0, 1, 2], response_order=[0, 1, 2], choice_count=3, select_count=3
        )


def test_an_items_type_follows_from_its_shape():
    assert item_type(4, 1, [3, 1, 0, 2]) == "single"
    assert item_type(5, 2, [0, 1, 2, 3, 4]) == "multiple"
    assert item_type(4, 4, [3, 1, 0, 2]) == "ordering"
    assert item_type(3, 3, [2, 0, 1, 1, 2, 0]) == "matching"


# ---- the engine on the fixture bank ------------------------------------------------------------


@pytest.fixture
def bank(db):
    call_command("load_bank", str(FIXTURE))
    return ExamBlueprint.objects.get(guide__code="MLA-T", slug="full")


def ids(draws):
    by_pk = dict(Question.objects.values_list("pk", "external_id"))
    return [by_pk[d.question_id] for d in draws]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(60))
def test_case_studies_come_whole_in_order_and_enemies_never_together(bank, candidate, seed):
    draws = assemble(blueprint=bank, user=candidate, rng=random.Random(seed))
    drawn = ids(draws)
    assert len(drawn) == 12 == len(set(drawn))
    for case, size in (("MLA-T-CS-01", 3), ("MLA-T-CS-02", 2)):
        members = [i for i in drawn if i.startswith(case)]
        if members:  # all of them, next to each other, in their order
            start = drawn.index(members[0])
            assert drawn[start : start + size] == [f"{case}-{n}" for n in range(1, size + 1)]
    assert sum(f"MLA-T-CS-0{n}-1" in drawn for n in (1, 2)) <= 1  # the blueprint's max_case_studies
    assert not {"MLA-T-1.1-001", "MLA-T-1.1-002"} <= set(drawn)
    assert not {"MLA-T-1.2-004", "MLA-T-2.1-001"} <= set(drawn)
    # Each question counts against its own task statement: the domains split 6/6.
    numbers = dict(Domain.objects.values_list("pk", "number"))
    assert Counter(numbers[d.domain_id] for d in draws) == {1: 6, 2: 6}


@pytest.mark.django_db
def test_a_candidates_history_never_makes_a_mock_refuse_to_start(bank, candidate):
    """Seen questions rank apart (each seen at its own time), which once left every try of a
    draw on the same choice: the enemy of a deployment question taken, domain 2 one short, and
    the start refused after a dozen mocks. Forty mocks in a row, each submitted, all start."""
    for seed in range(40):
        attempt = attempt_start(user=candidate, blueprint=bank, seed=seed)
        assert attempt.items.count() == 12
        attempt_submit(user=candidate, attempt_id=attempt.pk)


@pytest.mark.django_db
def test_case_studies_are_drawn_across_seeds(bank, candidate):
    seen = {
        c
        for seed in range(40)
        for c in ids(assemble(blueprint=bank, user=candidate, rng=random.Random(seed)))
    }
    assert {"MLA-T-CS-01-1", "MLA-T-CS-02-1", "MLA-T-1.1-005", "MLA-T-2.1-004"} <= seen


@pytest.mark.django_db
def test_a_drill_of_one_domain_takes_the_case_questions_it_holds_together(bank, candidate):
    from exams.services.practice import attempt_start_drill

    domain = bank.guide.domains.get(number=1)
    attempt = attempt_start_drill(user=candidate, guide=bank.guide, count=10, study=True, domain=domain)
    drawn = [i.question.external_id for i in attempt.items.select_related("question").order_by("position")]
    assert set(drawn) <= set(
        Question.objects.filter(sub_domain__domain=domain).values_list("external_id", flat=True)
    )
    if "MLA-T-CS-01-1" in drawn:
        start = drawn.index("MLA-T-CS-01-1")
        assert drawn[start : start + 2] == ["MLA-T-CS-01-1", "MLA-T-CS-01-2"]


def items_by_type(attempt):
    return {i.type: i for i in attempt.items.select_related("version").order_by("position")}


@pytest.fixture
def every_type_attempt(bank, candidate):
    """An attempt holding an ordering, a matching and a case-study item (a seed that draws them)."""
    for seed in range(200):
        attempt = attempt_start(user=candidate, blueprint=bank, seed=seed)
        kinds = items_by_type(attempt)
        cases = AttemptItem.objects.filter(attempt=attempt, question__case_study__isnull=False).exists()
        if {"ordering", "matching", "single", "multiple"} <= set(kinds) and cases:
            return attempt
        Attempt.objects.filter(pk=attempt.pk).delete()
    raise AssertionError("no seed drew every type")


def save(client, attempt, item, selected, revision=None):
    body = {"position": item.position, "selected": selected, "flagged": False,
            "revision": item.revision if revision is None else revision}  # fmt: skip
    return client.post(
        reverse("exams:save", args=[attempt.pk]), json.dumps(body), content_type="application/json"
    )


@pytest.mark.django_db
def test_right_arrangements_score_and_a_wrong_pair_scores_nothing(client_a, candidate, every_type_attempt):
    attempt = every_type_attempt
    kinds = items_by_type(attempt)
    ordering, matching = kinds["ordering"], kinds["matching"]
    assert save(client_a, attempt, ordering, correct_positions(ordering)).status_code == 200
    wrong = correct_positions(matching)
    wrong[0], wrong[1] = wrong[1], wrong[0]  # two prompts swapped: all or nothing
    assert save(client_a, attempt, matching, wrong).status_code == 200
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    ordering.refresh_from_db()
    matching.refresh_from_db()
    assert ordering.is_correct is True and ordering.selected == list(range(ordering.choice_count))
    assert matching.is_correct is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        [0, 1],
        [0, 1.5, 2],  # a fraction ([0, 0, 1] is a shared position: kept and marked wrong)
        ["a"],
        [True, 0, 1],
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
        [-1, 0, 1],
        {"x": 1},
    ],
)
def test_malformed_arrangements_are_4xx_and_change_nothing(client_a, every_type_attempt, bad):
    attempt = every_type_attempt
    for item in items_by_type(attempt).values():
        if item.type not in ("ordering", "matching"):
            continue
        response = save(client_a, attempt, item, bad)
        assert 400 <= response.status_code < 500, (item.type, bad, response.content)
        fresh = AttemptItem.objects.get(pk=item.pk)
        assert (fresh.selected, fresh.revision) == ([], 0)


@pytest.mark.django_db
def test_a_partial_arrangement_is_kept_and_shown_again(client_a, every_type_attempt):
    attempt = every_type_attempt
    ordering = items_by_type(attempt)["ordering"]
    partial = [None] * ordering.choice_count
    partial[0] = 1
    assert save(client_a, attempt, ordering, partial).status_code == 200
    page = client_a.get(reverse("exams:question", args=[attempt.pk, ordering.position]))
    rows = page.context["arrangement"]["rows"]
    assert [r["chosen"] for r in rows] == partial
    assert '<option value="1" selected>Position 2</option>' in page.content.decode()


MARKER_WHY = "WHY-SECRET-MARKER"
MARKER_EXPLANATION = "EXPLANATION-SECRET-MARKER"


@pytest.mark.django_db
def test_no_exam_page_of_the_new_types_carries_the_key(client_a, every_type_attempt):
    attempt = every_type_attempt
    Choice.objects.update(why=MARKER_WHY)
    Question.objects.update(explanation=MARKER_EXPLANATION)
    for question in Question.objects.all():
        question_snapshot(question=question)
    # A fresh attempt on the marked versions.
    Attempt.objects.filter(pk=attempt.pk).delete()
    attempt = attempt_start(user=attempt.user, blueprint=attempt.blueprint, seed=attempt.seed)
    for n in range(1, attempt.question_count + 1):
        item = AttemptItem.objects.get(attempt=attempt, position=n)
        body = client_a.get(reverse("exams:question", args=[attempt.pk, n])).content.decode()
        for secret in (MARKER_WHY, MARKER_EXPLANATION, "correct", "is_correct"):
            assert secret not in body, (n, secret)
        if item.type in ("ordering", "matching"):
            content = item.version.content
            # The steps (or prompts) are listed in the attempt's shuffled order, not the key's.
            key = "text_html" if item.type == "ordering" else "prompt_html"
            listed = sorted(range(item.choice_count), key=lambda i: body.index(content["choices"][i][key]))
            assert listed == list(item.shown_order)
            # The values the page sends are positions or displayed responses: 0..n-1 only.
            assert f'data-index="{item.choice_count}"' not in body


@pytest.mark.django_db
def test_review_shows_your_order_and_pairs_beside_the_right_ones(client_a, candidate, every_type_attempt):
    attempt = every_type_attempt
    kinds = items_by_type(attempt)
    save(client_a, attempt, kinds["ordering"], correct_positions(kinds["ordering"])[::-1])
    save(client_a, attempt, kinds["matching"], correct_positions(kinds["matching"]))
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    body = client_a.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert "Your order" in body and "Correct order" in body and "You put it at" in body
    assert "Your response" in body and "Correct response" in body
    assert "Case study:" in body
    assert "Explanation" in body


@pytest.mark.django_db
def test_study_mode_checks_an_ordering_item_at_once(client_a, bank, candidate):
    from exams.services.practice import attempt_start_drill

    domain = bank.guide.domains.get(number=1)
    attempt = attempt_start_drill(user=candidate, guide=bank.guide, count=10, study=True, domain=domain)
    item = next(
        i for i in attempt.items.select_related("version").order_by("position") if i.type == "ordering"
    )
    assert save(client_a, attempt, item, correct_positions(item)).status_code == 200
    client_a.post(reverse("exams:check", args=[attempt.pk, item.position]))
    page = client_a.get(reverse("exams:question", args=[attempt.pk, item.position])).content.decode()
    # The feedback is on the steps themselves (each right, at its position, with its why), not
    # in a second list of them.
    assert "badge text-bg-success" in page and "Correct order" not in page
    assert page.count("Right · it goes at position") == item.choice_count
    assert "disabled" in page


@pytest.mark.django_db
def test_mistakes_include_the_new_types(client_a, candidate, every_type_attempt):
    from exams.selectors import mistakes_question_ids

    attempt = every_type_attempt
    attempt_submit(user=candidate, attempt_id=attempt.pk)  # nothing answered: every item wrong
    wrong = set(mistakes_question_ids(user=candidate, guide=attempt.blueprint.guide))
    types = set(Question.objects.filter(pk__in=wrong).values_list("type", flat=True))
    assert {"ordering", "matching"} <= types


@pytest.mark.django_db
def test_item_statistics_cover_every_type_and_name_the_wrong_pairings(
    bank, django_capture_on_commit_callbacks
):
    """Six candidates sit the same form; half match two prompts the wrong way round."""
    from exams.models import ItemStatistic
    from exams.services.analytics import analytics_rebuild
    from tests.factories import UserFactory

    kinds = dict(QuestionVersion.objects.values_list("pk", "type"))
    seed = next(
        seed
        for seed in range(200)
        if {"ordering", "matching"}
        <= {kinds[d.version_id] for d in assemble(blueprint=bank, user=None, rng=random.Random(seed))}
    )
    for n in range(6):
        user = UserFactory(username=f"stat-{n}")
        attempt = attempt_start(user=user, blueprint=bank, seed=seed)
        for item in attempt.items.select_related("version").order_by("position"):
            answer = correct_positions(item)
            if item.type == "matching" and n % 2:
                answer[0], answer[1] = answer[1], answer[0]
            if item.type in ("single", "multiple") and n < 3:
                answer = [i for i in range(item.choice_count) if i not in answer][: len(answer)]
            save(client_for(user), attempt, item, answer)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(user=user, attempt_id=attempt.pk)
    analytics_rebuild(guide_id=bank.guide_id)
    stats = {s.question.type: s for s in ItemStatistic.objects.select_related("question")}
    assert {"single", "ordering", "matching"} <= set(stats)
    assert stats["ordering"].facility == 1.0
    assert stats["ordering"].option_rates[0]["option"] == "Step 1"
    matching = ItemStatistic.objects.filter(question__type="matching", responses=6).first()
    assert matching.facility == 0.5
    assert len(matching.wrong_pairings) == 2 and matching.wrong_pairings[0]["count"] == 3
    assert matching.wrong_pairings[0]["prompt_text"] and matching.wrong_pairings[0]["response_text"]
    assert any(s.discrimination is not None for s in ItemStatistic.objects.all())


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c
