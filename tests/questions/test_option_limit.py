"""One option limit (rules.MAX_OPTIONS): a question at the limit is accepted everywhere it can
enter the bank, and one past it is refused by each of them with the same message."""

import pytest
import yaml
from django.urls import reverse

from questions import rules
from questions.bankfile import read_bank
from questions.models import Question
from questions.services import ImportInvalid, questions_import_text
from tests.factories import client_for, write_bank
from tests.questions.conftest import options, question_form

pytestmark = pytest.mark.django_db

LIMIT = rules.MAX_OPTIONS
TOO_MANY = f"a question has at most {LIMIT} options, this one has {LIMIT + 1}"
REF = "https://docs.aws.amazon.com/sagemaker/"


def texts(n: int) -> list[str]:
    return [f"Choice number {i} of the list" for i in range(n)]


def native(n: int) -> str:
    choices = [{"text": t, "correct": i == 0, "why": "Because."} for i, t in enumerate(texts(n))]
    question = {"id": f"LIM-{n}", "type": "single", "stem": "Which one?", "choices": choices,
                "explanation": "The concept.", "references": [REF]}  # fmt: skip
    return yaml.safe_dump({"sub_domain": "3.2", "questions": [question]}, sort_keys=False)


def gift(n: int) -> str:
    answers = "\n".join(f"  {'=' if i == 0 else '~'}{t}#Because." for i, t in enumerate(texts(n)))
    return f"// reference: {REF}\n::LIM-{n}::Which one? {{\n{answers}\n  ####The concept.\n}}\n"


def aiken(n: int) -> str:
    lines = [f"{rules.letter(i)}. {t}" for i, t in enumerate(texts(n))]
    return "Which one?\n" + "\n".join(lines) + "\nANSWER: A\n"


def csv(n: int) -> str:
    letters = [chr(ord("a") + i) for i in range(n)]
    header = ["id", "stem", "explanation", "references", "correct"]
    header += [f"{kind}_{x}" for x in letters for kind in ("option", "why")]
    row = [f"LIM-{n}", "Which one?", "The concept.", REF, "A"]
    row += [cell for t in texts(n) for cell in (t, "Because.")]
    return ",".join(header) + "\n" + ",".join(row) + "\n"


FORMATS = {"native": native, "gift": gift, "aiken": aiken, "csv": csv}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_import_format_takes_the_limit_and_refuses_one_more(fmt, small_guide, author):
    make = FORMATS[fmt]
    report = questions_import_text(
        text=make(LIMIT), filename=f"limit.{fmt}", format=fmt, guide=small_guide, user=author,
        default_sub_domain="3.2",
    )  # fmt: skip
    assert report.total == 1
    imported = Question.objects.get(external_id__in=report.created)
    assert imported.choices.count() == imported.current_version.choice_count == LIMIT
    with pytest.raises(ImportInvalid) as refused:
        questions_import_text(
            text=make(LIMIT + 1), filename=f"over.{fmt}", format=fmt, guide=small_guide, user=author,
            default_sub_domain="3.2",
        )  # fmt: skip
    assert any(TOO_MANY in str(p) for p in refused.value.problems), refused.value.problems
    assert Question.objects.filter(pk__gt=imported.pk).count() == 0


def test_the_bank_files_refuse_one_option_past_the_limit(tmp_path):
    folder = write_bank(tmp_path)
    path = folder / "3.1.yaml"
    data = yaml.safe_load(path.read_text())
    for n, question in ((LIMIT, data["questions"][0]), (LIMIT + 1, data["questions"][1])):
        question["choices"] = [
            {"text": t, "correct": i == 0, "why": "Because."} for i, t in enumerate(texts(n))
        ]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    _, problems = read_bank(tmp_path)
    assert [p.question for p in problems] == [data["questions"][1]["id"]]
    assert TOO_MANY in problems[0].message and problems[0].file.endswith("3.1.yaml")


def test_the_admin_takes_the_limit_and_refuses_one_more(author_client, sub):
    add = reverse("admin:questions_question_add")
    page = author_client.post(add, question_form(sub_domain=sub, choices=options(LIMIT + 1)))
    assert page.status_code == 200
    assert TOO_MANY[0].upper() + TOO_MANY[1:] in page.content.decode()
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()
    saved = author_client.post(add, question_form(sub_domain=sub, choices=options(LIMIT)))
    assert saved.status_code == 302
    assert Question.objects.get(external_id="TEST-3.2-001").choices.count() == LIMIT


def test_the_admin_offers_no_more_rows_than_the_limit(author_client):
    page = author_client.get(reverse("admin:questions_question_add")).content.decode()
    assert f'name="choices-MAX_NUM_FORMS" value="{LIMIT}"' in page


def test_the_preview_shows_the_limit_rule_and_the_select_words(author_client, sub):
    data = {
        "type": "multiple",
        "select_count": "7",
        "stem": "Which?",
        "explanation": "x",
        "sub_domain": "3.2",
    }
    data |= {"choice_text": texts(LIMIT + 1), "choice_why": ["w"] * (LIMIT + 1), "choice_correct": ["1"] * 7}
    page = client_for(None).post(reverse("admin:questions_question_preview"), data)
    assert page.status_code == 302  # authors only
    body = author_client.post(reverse("admin:questions_question_preview"), data).content.decode()
    assert "(Select SEVEN.)" in body and TOO_MANY[0].upper() + TOO_MANY[1:] in body


def test_every_count_has_its_word():
    assert len(rules.NUMBER_WORDS) == LIMIT and rules.LETTERS[-1] == rules.letter(LIMIT - 1)
    assert [rules.select_words(n) for n in (2, 6, LIMIT)] == ["TWO", "SIX", "EIGHT"]
    assert rules.SELECT_INSTRUCTION.search("Pick. (Select EIGHT.)")
