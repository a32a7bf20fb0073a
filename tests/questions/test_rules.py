"""Every authoring rule, as the one pure function that the bank files, the admin and imports share."""

import pytest

from questions.rules import PLACEHOLDER, question_problems, status_change_problem

REF = ["https://docs.aws.amazon.com/s3/"]


def opts(n, correct, why="Reason."):
    return [(f"Option {i}", i in correct, why) for i in range(n)]


def messages(type="single", select=None, choices=None, sub=True, **kw):
    kw.setdefault("stem", "A team must pick a storage service. Which one?")
    kw.setdefault("explanation", "The concept.")
    kw.setdefault("references", REF)
    return [
        str(i)
        for i in question_problems(type, select, opts(4, {0}) if choices is None else choices, sub, **kw)
    ]


def test_a_good_multiple_choice_question_breaks_no_rule():
    assert messages() == []


def test_a_good_multiple_response_question_breaks_no_rule():
    assert messages("multiple", 2, opts(5, {1, 3})) == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"choices": opts(3, {0})}, "multiple choice needs at least 4 options, has 3"),
        ({"choices": opts(4, {0, 1})}, "multiple choice needs exactly 1 correct option, has 2"),
        ({"choices": opts(4, set())}, "multiple choice needs exactly 1 correct option, has 0"),
        ({"select": 2}, "multiple choice selects exactly 1 option, not 2"),
        (
            {"type": "multiple", "select": 2, "choices": opts(4, {0, 1})},
            "multiple response needs at least 5 options, has 4",
        ),
        (
            {"type": "multiple", "select": 1, "choices": opts(5, {0})},
            "multiple response needs at least 2 correct options, has 1",
        ),
        (
            {"type": "multiple", "select": 5, "choices": opts(5, {0, 1, 2, 3, 4})},
            "multiple response needs at least one wrong option",
        ),
        (
            {"type": "multiple", "select": 3, "choices": opts(5, {0, 1})},
            "select is 3 but the question has 2 correct option(s)",
        ),
        ({"choices": opts(4, {0}, why=" ")}, "option A has no 'why' (why it is right or wrong)"),
        ({"sub": False}, "missing task statement: choose the task statement (sub-domain) it tests"),
        ({"type": "triple"}, "type must be one of single, multiple, ordering, matching, not 'triple'"),
        ({"stem": ""}, "missing stem"),
        ({"explanation": ""}, "missing explanation"),
        ({"references": []}, "at least one reference link is required"),
        ({"references": ["ftp://x"]}, "reference 'ftp://x' is not an http(s) link"),
        ({"stem": "Which two apply? (Select TWO.)"}, "do not write '(Select TWO.)' in the stem"),
        (
            {"choices": [*opts(3, {0}), ("All of the above", False, "No.")]},
            "options such as 'all of the above'",
        ),
        ({"choices": [*opts(3, {0}), ("Option 0", False, "No.")]}, "two choices have the same text"),
    ],
)
def test_each_rule_has_a_clear_message(kwargs, expected):
    kwargs = dict(kwargs)
    found = messages(
        kwargs.pop("type", "single"),
        kwargs.pop("select", None),
        kwargs.pop("choices", None),
        kwargs.pop("sub", True),
        **kwargs,
    )
    assert any(expected in m for m in found), found


def test_option_issues_name_the_option_and_its_index():
    issues = question_problems("single", 1, [*opts(3, {0}), ("Option 3", False, "")], True)
    (issue,) = [i for i in issues if i.field == "why"]
    assert issue.choice == 3 and "option D" in issue.message


def test_a_draft_may_lack_references_and_keep_import_placeholders():
    draft = opts(4, {0}, why=f"{PLACEHOLDER} why.")
    assert messages(choices=draft, references=[], explanation=f"{PLACEHOLDER} x", status="draft") == []


def test_publishing_needs_a_reference_and_no_placeholder():
    found = messages(
        choices=opts(4, {0}, why=f"{PLACEHOLDER} why."), explanation=f"{PLACEHOLDER} x", status="published"
    )
    assert sum("still the import placeholder" in m for m in found) == 5, found


def test_a_published_question_never_goes_back_to_draft():
    assert (
        status_change_problem("published", "draft")
        == "a published question cannot go back to draft: retire it instead"
    )
    assert status_change_problem("retired", "draft")
    assert status_change_problem("draft", "published") is None
    assert status_change_problem("published", "retired") is None
    assert status_change_problem("retired", "published") is None
    assert status_change_problem(None, "draft") is None
