"""Ordering, matching, case studies and enemies in the bank format: parsed, validated with file
and line, loaded with versions that pin what candidates see (tests/questions/fixtures/every-type)."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from exams.models import ExamBlueprint
from questions.bankfile import read_bank
from questions.models import CaseStudy, Choice, Question, QuestionVersion
from questions.rules import question_problems

FIXTURE = Path(__file__).parent / "fixtures" / "every-type"


@pytest.fixture
def bank(tmp_path):
    """A copy of the fixture bank to break; returns the guide folder."""
    shutil.copytree(FIXTURE, tmp_path / "bank")
    return tmp_path / "bank" / "mla-t"


def problems_for(folder):
    return [str(p) for p in read_bank(folder.parent)[1]]


def test_the_fixture_bank_holds_every_type_and_no_problem():
    bank, problems = read_bank(FIXTURE)
    assert problems == []
    assert {q.type for q in bank.questions} == {"single", "multiple", "ordering", "matching"}
    assert [c.code for c in bank.case_studies] == ["MLA-T-CS-01", "MLA-T-CS-02"]
    assert bank.case_studies[0].questions == ["MLA-T-CS-01-1", "MLA-T-CS-01-2", "MLA-T-CS-01-3"]
    by_id = {q.external_id: q for q in bank.questions}
    assert next(c.text for c in by_id["MLA-T-1.1-005"].choices) == "Create the model package group"
    pair = by_id["MLA-T-1.1-006"].choices[0]
    assert (pair.prompt, pair.text) == ("Extract printed fields from scanned forms", "Amazon Textract")
    assert by_id["MLA-T-CS-01-3"].sub_domain == "2.1" and by_id["MLA-T-CS-01-3"].case_order == 3
    assert by_id["MLA-T-1.1-001"].enemies == ["MLA-T-1.1-002"]


# ---- the rules at their limits and one past them -------------------------------------------


def steps(n):
    return [
        (f"Step number {i} of the process", False, "Because it depends on the one before.") for i in range(n)
    ]


def pairs(n):
    return [(f"Response {i}", False, "It is the one that fits.", f"Prompt {i}") for i in range(n)]


@pytest.mark.parametrize(("n", "ok"), [(2, False), (3, True), (5, True), (6, False)])
def test_ordering_takes_3_to_5_steps(n, ok):
    issues = [str(i) for i in question_problems("ordering", None, steps(n), True)]
    assert (issues == []) is ok, issues
    if not ok:
        assert issues == [f"ordering needs 3 to 5 steps, has {n}"]


@pytest.mark.parametrize(("n", "ok"), [(2, False), (3, True), (7, True), (8, False)])
def test_matching_takes_3_to_7_pairs(n, ok):
    issues = [str(i) for i in question_problems("matching", None, pairs(n), True)]
    assert (issues == []) is ok, issues
    if not ok:
        assert issues == [f"matching needs 3 to 7 pairs, has {n}"]


def test_matching_past_the_option_limit_is_refused_by_the_one_limit():
    issues = [str(i) for i in question_problems("matching", None, pairs(9), True)]
    assert "a question has at most 8 options, this one has 9" in issues


def test_matching_prompts_and_responses_are_distinct_and_present():
    same_prompt = [*pairs(3)[:2], ("Response 2", False, "Why.", "prompt 0")]
    same_response = [*pairs(3)[:2], ("response 0", False, "Why.", "Prompt 2")]
    no_prompt = [*pairs(3)[:2], ("Response 2", False, "Why.", "")]
    assert "two pairs have the same prompt" in map(
        str, question_problems("matching", None, same_prompt, True)
    )
    assert any("same response" in str(i) for i in question_problems("matching", None, same_response, True))
    assert "pair 3 has no prompt" in map(str, question_problems("matching", None, no_prompt, True))


def test_ordering_steps_are_distinct_and_need_a_why():
    dup = [*steps(2), ("step NUMBER 0 of the process", False, "Why.")]
    assert "two steps have the same text" in map(str, question_problems("ordering", None, dup, True))
    nowhy = [*steps(2), ("Another step", False, "")]
    assert "step 3 has no 'why' (why it is right or wrong)" in map(
        str, question_problems("ordering", None, nowhy, True)
    )


def test_a_prompt_on_another_type_is_refused():
    choices = [(f"Option {i}", i == 0, "Why.", "a prompt" if i == 1 else "") for i in range(4)]
    assert any("only a matching item" in str(i) for i in question_problems("single", None, choices, True))


# ---- the file format: each problem with its file and line ----------------------------------


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def test_too_few_steps_names_the_file_line_and_id(bank):
    replace(
        bank / "1.2-transform.yaml",
        "      - text: Transform both sets with the fitted scaler\n"
        "        why: Both sets use the training statistics.\n",
        "",
    )
    found = problems_for(bank)
    assert any(
        "1.2-transform.yaml:" in p and "[MLA-T-1.2-004]: ordering needs 3 to 5 steps, has 2" in p
        for p in found
    ), found


def test_too_many_pairs(bank):
    extra = "".join(
        f"      - prompt: Extra need {i}\n        response: Extra service {i}\n        why: It fits.\n"
        for i in range(4)
    )
    replace(
        bank / "2.1-deploy.yaml",
        "    explanation: The traffic pattern",
        extra + "    explanation: The traffic pattern",
    )
    assert any("[MLA-T-2.1-004]: matching needs 3 to 7 pairs, has 8" in p for p in problems_for(bank))


def test_a_duplicate_response_is_refused_with_its_line(bank):
    replace(bank / "1.1-ingest.yaml", "response: Amazon Comprehend", "response: amazon textract")
    found = problems_for(bank)
    assert any("1.1-ingest.yaml:" in p and "same response" in p for p in found), found


def test_steps_on_a_matching_item_and_choices_on_an_ordering_item(bank):
    replace(bank / "1.1-ingest.yaml", "    type: matching", "    type: ordering")
    found = problems_for(bank)
    assert any("[MLA-T-1.1-006]: a ordering question has steps, not pairs" in p for p in found), found
    assert any("[MLA-T-1.1-006]: missing steps" in p for p in found), found


def test_an_unknown_key_in_a_step_is_named(bank):
    replace(
        bank / "1.1-ingest.yaml",
        "        why: Training produces",
        "        correct: true\n        why: Training produces",
    )
    found = problems_for(bank)
    assert any(":57 [MLA-T-1.1-005]: unknown field 'correct'" in p for p in found), found


def test_a_case_study_needs_two_to_four_questions(bank):
    path = bank / "case-02-fraud-alerts.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - id: MLA-T-CS-02-2")])
    found = problems_for(bank)
    assert any(
        "case-02-fraud-alerts.yaml:2 [MLA-T-CS-02]: a case study has 2 to 4 questions, this one has 1" in p
        for p in found
    ), found


def test_a_case_study_of_five_questions_is_refused(bank):
    path = bank / "case-01-grocery-forecasting.yaml"
    text = path.read_text()
    first = text[text.index("  - id: MLA-T-CS-01-1") : text.index("  - id: MLA-T-CS-01-2")]
    more = "".join(
        first.replace("MLA-T-CS-01-1", f"MLA-T-CS-01-{n}").replace("nightly exports", f"export {n} exports")
        for n in (4, 5)
    )
    path.write_text(text + more)
    assert any("a case study has 2 to 4 questions, this one has 5" in p for p in problems_for(bank))


def test_a_case_question_needs_its_task_statement(bank):
    replace(bank / "case-01-grocery-forecasting.yaml", '    sub_domain: "1.2"\n', "")
    replace(bank / "case-02-fraud-alerts.yaml", 'sub_domain: "2.1"', 'sub_domain: "9.9"')
    found = problems_for(bank)
    assert any("[MLA-T-CS-01-2]: missing task statement" in p for p in found), found
    assert any("[MLA-T-CS-02-2]: task statement '9.9' is not in guide MLA-T" in p for p in found), found


def test_a_case_study_needs_a_scenario_and_a_unique_id(bank):
    replace(bank / "case-02-fraud-alerts.yaml", "id: MLA-T-CS-02", "id: MLA-T-CS-01")
    replace(bank / "case-01-grocery-forecasting.yaml", "  title: Demand forecasting at a grocery chain\n", "")
    found = problems_for(bank)
    assert any("case-02-fraud-alerts.yaml:2 [MLA-T-CS-01]: duplicate case study id" in p for p in found), (
        found
    )
    assert any("[MLA-T-CS-01]: the case study has no 'title'" in p for p in found), found


def test_enemies_must_exist_and_not_be_the_question_itself(bank):
    replace(bank / "1.1-ingest.yaml", "enemies: [MLA-T-1.1-002]", "enemies: [MLA-T-1.1-001, MLA-T-9.9-999]")
    found = problems_for(bank)
    assert any("1.1-ingest.yaml:3 [MLA-T-1.1-001]: a question cannot be its own enemy" in p for p in found), (
        found
    )
    assert any("[MLA-T-1.1-001]: enemy MLA-T-9.9-999 is not a question of this bank" in p for p in found), (
        found
    )


def test_enemies_in_one_case_study_are_refused(bank):
    replace(
        bank / "case-02-fraud-alerts.yaml",
        "    references: [https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality.html]",
        "    references: [https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality.html]\n"
        "    enemies: [MLA-T-CS-02-2]",
    )
    assert any("enemy MLA-T-CS-02-2 is in the same case study" in p for p in problems_for(bank))


def test_the_new_requirements_are_checked(bank):
    replace(bank / "guide.yaml", "min_ordering_matching_share: 0.15", "min_ordering_matching_share: 0.5")
    replace(bank / "guide.yaml", "min_case_studies: 2", "min_case_studies: 3")
    found = problems_for(bank)
    assert any("29% of published questions are ordering or matching, needs 50%" in p for p in found), found
    assert any("the bank holds 2 case studies, needs 3" in p for p in found), found


def test_requirements_at_their_limits_pass(bank):
    replace(bank / "guide.yaml", "min_ordering_matching_share: 0.15", "min_ordering_matching_share: 0.28")
    assert problems_for(bank) == []


def test_an_unknown_requirement_is_named(bank):
    replace(bank / "guide.yaml", "min_case_studies: 2", "min_case_studys: 2")
    assert any("unknown field 'min_case_studys'" in p for p in problems_for(bank))


# ---- loading ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_stores_steps_pairs_case_studies_and_enemies_and_twice_changes_nothing():
    call_command("load_bank", str(FIXTURE))
    assert Question.objects.count() == 21
    ordering = Question.objects.get(external_id="MLA-T-1.1-005")
    assert ordering.type == "ordering" and ordering.select_count == 4
    assert list(ordering.choices.order_by("position").values_list("text", flat=True))[:2] == [
        "Create the model package group",
        "Run the pipeline's training step",
    ]
    matching = Question.objects.get(external_id="MLA-T-2.1-004")
    first = matching.choices.order_by("position").first()
    assert (first.prompt, first.text) == (
        "Steady traffic that needs answers in milliseconds",
        "Real-time inference",
    )
    version = matching.current_version
    assert version.type == "matching" and version.choice_count == 4
    assert (
        version.content["choices"][0]["prompt_html"]
        == "<p>Steady traffic that needs answers in milliseconds</p>"
    )
    case = CaseStudy.objects.get(code="MLA-T-CS-01")
    assert list(case.questions.order_by("case_order").values_list("external_id", "sub_domain__code")) == [
        ("MLA-T-CS-01-1", "1.1"),
        ("MLA-T-CS-01-2", "1.2"),
        ("MLA-T-CS-01-3", "2.1"),
    ]
    pinned = Question.objects.get(external_id="MLA-T-CS-01-2").current_version.content["case_study"]
    assert pinned["code"] == "MLA-T-CS-01" and "<strong>Amazon S3</strong>" in pinned["scenario_html"]
    # Enemies go both ways from one declaration.
    a = Question.objects.get(external_id="MLA-T-1.1-001")
    b = Question.objects.get(external_id="MLA-T-1.1-002")
    assert list(a.enemies.all()) == [b] and list(b.enemies.all()) == [a]
    assert ExamBlueprint.objects.get(guide__code="MLA-T", slug="full").max_case_studies == 1
    counts = (
        QuestionVersion.objects.count(),
        Choice.objects.count(),
        Question.enemies.through.objects.count(),
    )
    call_command("load_bank", str(FIXTURE))
    assert (
        QuestionVersion.objects.count(),
        Choice.objects.count(),
        Question.enemies.through.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_a_changed_scenario_gives_its_questions_new_versions_and_keeps_the_old(bank):
    call_command("load_bank", str(bank.parent))
    question = Question.objects.get(external_id="MLA-T-CS-02-1")
    old = question.current_version
    replace(bank / "case-02-fraud-alerts.yaml", "within 100 ms", "within 80 ms")
    replace(bank / "1.1-ingest.yaml", "    enemies: [MLA-T-1.1-002]\n", "")
    call_command("load_bank", str(bank.parent))
    question.refresh_from_db()
    assert question.current_version.number == old.number + 1
    assert "80 ms" in question.current_version.content["case_study"]["scenario"]
    assert "100 ms" in QuestionVersion.objects.get(pk=old.pk).content["case_study"]["scenario"]
    unrelated = Question.objects.get(external_id="MLA-T-CS-01-1")
    assert unrelated.current_version.number == 1
    assert not Question.objects.get(external_id="MLA-T-1.1-001").enemies.exists()
