"""Writing ordering and matching items and case studies in the admin, with the same rules as the
bank files, a preview of each type, and versions that pin what candidates see."""

import pytest
from django.urls import reverse

from questions.models import CaseStudy, Question
from tests.questions.conftest import question_form
from tests.questions.test_authoring_admin import errors_of

pytestmark = pytest.mark.django_db

ADD = reverse("admin:questions_question_add")
PREVIEW = reverse("admin:questions_question_preview")
WHY = "It depends on the step before."


def with_prompts(data: dict, prompts: list[str]) -> dict:
    for i, prompt in enumerate(prompts):
        data[f"choices-{i}-prompt"] = prompt
    return data


def test_an_author_writes_an_ordering_item(author_client, sub):
    steps = [(f"Step {n} of the pipeline", False, WHY) for n in "ABCD"]
    data = question_form(sub_domain=sub, choices=steps, type="ordering", select_count=1)
    response = author_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(external_id="TEST-3.2-001")
    assert question.type == "ordering" and question.select_count == 4
    version = question.current_version
    assert version.type == "ordering" and [c["text"] for c in version.content["choices"]] == [
        s[0] for s in steps
    ]


@pytest.mark.parametrize(
    ("n", "prompts", "message"),
    [
        (2, ["One", "Two"], "Matching needs 3 to 7 pairs, has 2."),
        (3, ["One", "Two", ""], "Pair 3 has no prompt."),
        (3, ["One", "Two", "one"], "Two pairs have the same prompt."),
    ],
)
def test_matching_rules_show_on_the_form_and_nothing_is_saved(author_client, sub, n, prompts, message):
    pairs = [(f"Response {i}", False, WHY) for i in range(n)]
    data = with_prompts(question_form(sub_domain=sub, choices=pairs, type="matching"), prompts)
    response = author_client.post(ADD, data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()


def test_an_author_writes_a_matching_item_with_enemies(author_client, sub, small_guide):
    enemy = Question.objects.filter(sub_domain__domain__guide=small_guide).first()
    pairs = [(f"Service {i}", False, WHY) for i in range(3)]
    data = with_prompts(
        question_form(sub_domain=sub, choices=pairs, type="matching"), ["Need A", "Need B", "Need C"]
    )
    data["enemies"] = [enemy.pk]
    response = author_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(external_id="TEST-3.2-001")
    first = question.choices.order_by("position").first()
    assert (first.prompt, first.text) == ("Need A", "Service 0")
    assert question.current_version.content["choices"][1]["prompt_html"] == "<p>Need B</p>"
    assert list(enemy.enemies.all()) == [question]


def test_the_preview_shows_each_type(author_client, sub):
    base = {"stem": "Match them.", "explanation": "E.", "sub_domain": str(sub.pk)}
    matching = {
        **base,
        "type": "matching",
        "choice_text": ["Textract", "Transcribe"],
        "choice_why": [WHY, WHY],
        "choice_prompt": ["Read forms", "Transcribe calls"],
        "choice_correct": ["0", "0"],
    }
    page = author_client.post(PREVIEW, matching).content.decode()
    assert "Read forms" in page and "Choose a response" in page
    assert "Matching needs 3 to 7 pairs, has 2." in page
    ordering = {
        **base,
        "type": "ordering",
        "choice_text": ["First", "Second", "Third"],
        "choice_why": [WHY] * 3,
    }
    page = author_client.post(PREVIEW, ordering).content.decode()
    assert "Position…" in page and "Step 3." in page and "To fix" not in page


def test_editing_a_scenario_gives_its_questions_new_versions(author_client, superuser, sub):
    from django.core.management import call_command

    from tests.factories import client_for

    call_command("load_bank", "tests/questions/fixtures/every-type")
    case = CaseStudy.objects.get(code="MLA-T-CS-02")
    url = reverse("admin:questions_casestudy_change", args=[case.pk])
    page = client_for(superuser).get(url).content.decode()
    assert "MLA-T-CS-02-1" in page and "MLA-T-CS-02-2" in page
    data = {"guide": case.guide_id, "code": case.code, "title": case.title,
            "scenario": case.scenario + "\nThe team has two engineers.",
            "questions-TOTAL_FORMS": 2, "questions-INITIAL_FORMS": 2,
            "questions-MIN_NUM_FORMS": 0, "questions-MAX_NUM_FORMS": 1000}  # fmt: skip
    for i, q in enumerate(case.questions.order_by("case_order")):
        data[f"questions-{i}-id"] = q.pk
        data[f"questions-{i}-case_study"] = case.pk
    response = client_for(superuser).post(url, data)
    assert response.status_code == 302, response.content[:2000]
    for question in case.questions.all():
        assert question.current_version.number == 2
        assert "two engineers" in question.current_version.content["case_study"]["scenario"]
