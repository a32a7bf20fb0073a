"""Inputs that used to crash a view or an importer with a 500 (found by the property-based and
access suites); each now gets a clear 4xx or message and changes nothing."""

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from exams.models import Attempt
from questions.markdown import MAX_SOURCE, render
from questions.models import SubDomain
from questions.rules import MAX_TEXT
from questions.services import ImportInvalid, author_grant, questions_import_text
from tests.factories import UserFactory, client_for

from .conftest import attempts_state, bank_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [b"[" * 2000 + b"]" * 2000, b'{"position": ' + b"[" * 1500 + b"]" * 1500 + b"}"],
    ids=["nested arrays", "nested value"],
)
def test_save_with_json_nested_past_the_parser_limit_is_a_400(world, body):
    before = attempts_state(world)
    response = client_for(world.a).post(
        reverse("exams:save", args=[world.open.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The request is not valid JSON."}
    assert attempts_state(world) == before


NATIVE_HEAD = 'sub_domain: "3.2"\nquestions:\n  - id: BAD-1\n'
BAD_FILES = [
    ("native", "{[1]: 2}\n", "a key must be a plain value, not a list"),
    ("native", "? {a: 1}\n: 2\n", "a key must be a plain value, not a dict"),
    ("native", "? !!set {a}\n: 2\n", "a key must be a plain value, not a set"),
    ("native", "[" * 3000 + "]" * 3000, "nests lists or mappings too deeply"),
    ("native", NATIVE_HEAD + "    select: " + "1" * 5000 + "\n", "a value cannot be read"),
    ("native", NATIVE_HEAD + "    stem: 2024-13-45\n", "a value cannot be read (month must be in 1..12)"),
    ("csv", "stem,correct,select,option_a\nS,A,²,x\n", "select must be a whole number, not '²'"),
    ("csv", "stem,correct,select,option_a\nS,A," + "9" * 5000 + ",x\n", "select must be a whole number"),
]


@pytest.mark.parametrize(("fmt", "text", "message"), BAD_FILES, ids=[m for _, _, m in BAD_FILES])
def test_files_that_crashed_an_importer_are_refused_with_a_message(guide, fmt, text, message):
    before = bank_state()
    with pytest.raises(ImportInvalid) as refused:
        questions_import_text(
            text=text, filename="bad", format=fmt, guide=guide, user=None, default_sub_domain="3.2"
        )
    assert any(message in p.message for p in refused.value.problems), refused.value.problems
    assert bank_state() == before


def task_pk(guide, code: str) -> int:
    """The import page's task statement is a picker: it posts the task statement's id."""
    return SubDomain.objects.get(domain__guide=guide, code=code).pk


def test_the_admin_import_page_shows_the_problem_instead_of_a_500(guide):
    author = UserFactory(username="author-bad")
    author_grant(user=author)
    upload = io.BytesIO(b"{[1]: 2}\n")
    upload.name = "bad.yaml"
    response = client_for(author).post(
        reverse("admin:questions_question_import"),
        {"file": upload, "format": "native", "guide": guide.pk, "sub_domain": task_pk(guide, "3.2")},
    )
    assert response.status_code == 200
    assert "a key must be a plain value" in response.content.decode()


@pytest.mark.parametrize("domain", ["²", "١", "9" * 40, "-1", "1.5"])
def test_review_and_statistics_filters_ignore_ids_that_are_not_ascii_digits(world, domain):
    review = client_for(world.a).get(reverse("exams:review", args=[world.submitted.pk]), {"domain": domain})
    assert review.status_code == 200
    staff = client_for(UserFactory(username="staff-bad", is_staff=True))
    assert staff.get(reverse("exams:item_statistics"), {"domain": domain}).status_code == 200


@pytest.mark.parametrize("view", ["exams:drill", "exams:mistakes"])
@pytest.mark.parametrize("guide_id", ["abc", "1.5", "²", "9" * 40, ""])
def test_practice_forms_answer_a_bad_guide_with_404(world, view, guide_id):
    count = Attempt.objects.count()
    response = client_for(world.a).post(reverse(view), {"guide": guide_id, "scope": "", "count": "10"})
    assert response.status_code == 404
    assert Attempt.objects.count() == count


@pytest.mark.parametrize("view", ["exams:drill", "exams:mistakes"])
@pytest.mark.parametrize("scope", ["d:²", "t:١", "d:" + "9" * 40, "x:1", "d:", "d:-1"])
def test_practice_forms_answer_a_bad_scope_with_a_message(world, view, scope):
    count = Attempt.objects.count()
    response = client_for(world.a).post(
        reverse(view), {"guide": world.guide.pk, "scope": scope, "count": "10"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("exams:practice")
    errors = [m.message for m in get_messages(response.wsgi_request)]
    assert errors and all(e.strip() for e in errors)
    assert Attempt.objects.count() == count


def test_the_nested_body_really_is_past_the_json_parser_limit():
    with pytest.raises(RecursionError):
        json.loads(b"[" * 2000 + b"]" * 2000)


@pytest.mark.parametrize(
    "source",
    ["1. " * 1300, "> " * 2400, "- " * 2400],
    ids=["ordered lists", "quotes", "bullets"],
)
def test_markdown_nested_past_the_recursion_limit_previews_as_text(guide, source):
    author = UserFactory(username="author-md")
    author_grant(user=author)
    response = client_for(author).post(reverse("admin:questions_question_preview"), {"stem": source})
    assert response.status_code == 200


def test_markdown_with_hundreds_of_brackets_renders_them_as_text():
    # Python-Markdown's link parser is quadratic in "[": 40,000 of them took minutes.
    html = render("[" * 300 + "a](https://example.com)")
    assert "<a" not in html and "[" * 300 in html
    assert render("[a](https://example.com)").startswith('<p><a href="https://example.com"')


def test_markdown_longer_than_the_limit_is_plain_text():
    assert render("*" * (MAX_SOURCE + 1)) == "<p>" + "*" * (MAX_SOURCE + 1) + "</p>"
    assert render("<b>" + "x" * MAX_SOURCE) == "<p>&lt;b&gt;" + "x" * MAX_SOURCE + "</p>"


def test_text_longer_than_the_limit_is_refused_on_import(guide):
    before = bank_state()
    stem = "Which one? " + "x" * MAX_TEXT
    gift = f"::LONG-1:: {stem} {{=a#x ~b#x ~c#x ~d#x ####E}}"
    with pytest.raises(ImportInvalid) as refused:
        questions_import_text(
            text=gift, filename="long.gift", format="gift", guide=guide, user=None, default_sub_domain="3.2"
        )
    assert any("longer than 5,000 characters" in p.message for p in refused.value.problems)
    assert bank_state() == before
