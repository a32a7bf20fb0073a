"""The bank's file format: every rule gives a problem with the file, the line and the question."""

import pytest

from questions.bankfile import read_bank
from tests.factories import dedent, write_bank


@pytest.fixture
def bank(tmp_path):
    return write_bank(tmp_path)


def problems_for(folder):
    return [str(p) for p in read_bank(folder.parent)[1]]


def test_a_valid_bank_has_no_problems(bank):
    parsed, problems = read_bank(bank.parent)
    assert problems == []
    assert len(parsed.questions) == 12
    assert parsed.guides[0].code == "TST-01"


GOOD = """\
  - id: X-{n}
    type: {type}
    stem: A team stores {n} data sets and must choose a storage service for its training pipeline.
    choices:
{choices}
    explanation: Why.
    references: [https://docs.aws.amazon.com/s3/]
"""


def choice_lines(flags, why="Reason."):
    return "".join(
        f"      - text: Option {i} for this case\n        correct: {str(c).lower()}\n        why: {why}\n"
        for i, c in enumerate(flags)
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, False, False])),
            "at least 4 options, has 3",
        ),
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, True, False, False])),
            "exactly 1 correct option, has 2",
        ),
        (
            GOOD.format(n=1, type="multiple", choices=choice_lines([True, True, False, False])),
            "at least 5 options, has 4",
        ),
        (
            GOOD.format(n=1, type="multiple", choices=choice_lines([True, False, False, False, False])),
            "at least 2 correct",
        ),
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False], why='""')),
            "has no 'why'",
        ),
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False])).replace(
                "    explanation: Why.\n", ""
            ),
            "missing explanation",
        ),
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False])).replace(
                "[https://docs.aws.amazon.com/s3/]", "[]"
            ),
            "reference link",
        ),
        (
            GOOD.format(n=1, type="triple", choices=choice_lines([True, False, False, False])),
            "type must be one of",
        ),
        (
            GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False]))
            + "    colour: red\n",
            "unknown field 'colour'",
        ),
    ],
)
def test_each_rule_names_file_line_and_question(bank, body, message):
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n' + body)
    found = problems_for(bank)
    assert len(found) >= 1, found
    assert any(message in p for p in found), found
    assert all("9.yaml:" in p and "[X-1]" in p for p in found), found


def test_missing_task_statement(bank):
    (bank / "9.yaml").write_text(
        "questions:\n" + GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False]))
    )
    assert any("missing task statement" in p for p in problems_for(bank))


def test_unknown_task_statement(bank):
    (bank / "9.yaml").write_text(
        'sub_domain: "7.7"\nquestions:\n'
        + GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False]))
    )
    assert any("'7.7' is not in guide TST-01" in p for p in problems_for(bank))


def test_duplicate_id_names_both_places(bank):
    q = GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False]))
    other = q.replace(
        "stores 1 data sets and must choose a storage service",
        "labels images with a workforce before it trains",
    )
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n' + q + other)
    found = problems_for(bank)
    assert any("duplicate id (also at" in p and "[X-1]" in p for p in found), found


def test_near_duplicate_stems_are_reported(bank):
    a = GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False]))
    b = GOOD.format(n=2, type="single", choices=choice_lines([True, False, False, False]))
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n' + a + b)
    found = problems_for(bank)
    assert any("near-duplicate" in p and "X-1" in p for p in found), found


def test_yaml_syntax_error_has_a_line(bank):
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n  - id: [unclosed\n')
    found = problems_for(bank)
    assert any("9.yaml:" in p and "YAML error" in p for p in found), found


def test_duplicate_keys_are_refused(bank):
    (bank / "9.yaml").write_text(
        dedent("""
        sub_domain: "1.1"
        sub_domain: "1.1"
        questions: []
    """)
    )
    assert any("duplicate key 'sub_domain'" in p for p in problems_for(bank))


def test_select_words_in_the_stem_are_refused(bank):
    q = GOOD.format(n=1, type="multiple", choices=choice_lines([True, True, False, False, False]))
    q = q.replace("training pipeline.", "training pipeline. (Select TWO.)")
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n' + q)
    assert any("do not write '(Select TWO.)'" in p for p in problems_for(bank))


def test_all_of_the_above_is_refused(bank):
    q = GOOD.format(n=1, type="single", choices=choice_lines([True, False, False, False])).replace(
        "Option 3 for this case", "All of the above"
    )
    (bank / "9.yaml").write_text('sub_domain: "1.1"\nquestions:\n' + q)
    assert any("all of the above" in p for p in problems_for(bank))


def test_guide_weights_must_sum_to_100(tmp_path):
    folder = write_bank(tmp_path, weights=(20, 24, 36, 19))
    assert any("weights must add up to 100, not 99" in p for p in problems_for(folder))


def test_bank_requirements_are_enforced(bank):
    guide = bank / "guide.yaml"
    guide.write_text(
        guide.read_text()
        + "bank_requirements:\n  min_total: 20\n  min_per_sub_domain: 5\n  min_multiple_share: 0.2\n"
    )
    found = problems_for(bank)
    assert any("holds 12 published questions, needs 20" in p for p in found), found
    assert any("task statement 1.1 holds 3 published questions, needs 5" in p for p in found), found
    assert any("0% of published questions are multiple response, needs 20%" in p for p in found), found


def test_guide_values_must_fit_their_columns(bank):
    """PostgreSQL refuses a title longer than its column and a number beyond a small integer;
    the file check says so by line instead of a load that fails half-way."""
    guide = bank / "guide.yaml"
    text = guide.read_text().replace("title: Task 1.1", "title: " + "Long task " * 31)
    text = text.replace("title: Domain 2", "title: " + "D" * 201)
    text = text.replace("question_count: 20", "question_count: 100000", 1)
    guide.write_text(text)
    found = problems_for(bank)
    assert any("the task statement title is longer than 300 characters" in p for p in found), found
    assert any("the domain title is longer than 200 characters" in p for p in found), found
    assert any("'question_count' must be a whole number from 1 to 32767" in p for p in found), found
