"""Writing questions in the admin: validation, versions with their authors, statuses, history."""

import html
import random

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from exams.models import AttemptItem
from exams.services.attempts import attempt_start
from questions.models import Question, QuestionVersion
from questions.rules import PLACEHOLDER
from questions.services import author_grant
from tests.factories import UserFactory, client_for
from tests.questions.conftest import options, question_form

pytestmark = pytest.mark.django_db

ADD = reverse("admin:questions_question_add")


def change_url(question):
    return reverse("admin:questions_question_change", args=[question.pk])


def errors_of(response) -> str:
    """Every error shown on the admin form: the question's and the options' (inline) errors."""
    context = response.context
    assert context is not None, "the form was saved"
    parts = [str(context["adminform"].form.errors)]
    for inline in context["inline_admin_formsets"]:
        parts.append(str(inline.formset.non_form_errors()))
        parts += [str(form.errors) for form in inline.formset.forms]
    return html.unescape(" ".join(parts))


def test_the_add_page_offers_task_statements_grouped_by_domain(author_client, sub):
    page = author_client.get(ADD).content.decode()
    assert '<optgroup label="MLS-C01 · Domain 3: Domain 3">' in page
    assert f'<option value="{sub.pk}">3.2 Task 3.2</option>' in page
    assert 'id="question-preview"' in page and "js/author-preview.js" in page


def test_an_author_writes_a_draft_and_it_gets_version_1_with_its_author(author_client, author, sub):
    response = author_client.post(ADD, question_form(sub_domain=sub, change_note="first draft"))
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(external_id="TEST-3.2-001")
    assert question.status == "draft"
    assert [(c.text, c.is_correct) for c in question.choices.order_by("position")] == [
        (t, c) for t, c, _ in options()
    ]
    version = question.current_version
    assert (version.number, version.created_by, version.note) == (1, author, "first draft")
    assert version.content["choices"][0]["text_html"] == "<p>Option 0 with its own wording</p>"
    assert LogEntry.objects.filter(object_id=str(question.pk), user=author).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"choices": options(3)}, "Multiple choice needs at least 4 options, has 3."),
        ({"choices": options(4, correct=(0, 1))}, "Multiple choice needs exactly 1 correct option, has 2."),
        (
            {"type": "multiple", "select_count": 2, "choices": options(4, correct=(0, 1))},
            "Multiple response needs at least 5 options, has 4.",
        ),
        (
            {"type": "multiple", "select_count": 1, "choices": options(5, correct=(0,))},
            "Multiple response needs at least 2 correct options, has 1.",
        ),
        (
            {"type": "multiple", "select_count": 3, "choices": options(5, correct=(0, 1))},
            "Select is 3 but the question has 2 correct option(s).",
        ),
        (
            {"choices": [*options(3), ("A fourth option", False, PLACEHOLDER + " x")], "status": "review"},
            "The 'why' of option D is still the import placeholder",
        ),
        ({"sub_domain": ""}, "This field is required."),
        ({"references": "", "status": "review"}, "At least one reference link is required."),
        ({"stem": "Pick two. (Select TWO.)"}, "Do not write '(Select TWO.)'"),
    ],
)
def test_each_rule_is_a_clear_message_on_the_form_and_nothing_is_saved(author_client, sub, fields, message):
    fields = dict(fields)
    data = question_form(sub_domain=sub, choices=fields.pop("choices", None)) | fields
    response = author_client.post(ADD, data)
    assert response.status_code == 200
    assert message in errors_of(response), errors_of(response)
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()


def test_an_option_without_its_why_is_refused(author_client, sub):
    data = question_form(sub_domain=sub)
    data["choices-2-why"] = ""
    response = author_client.post(ADD, data)
    assert "This field is required." in errors_of(response)
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()


def test_editing_a_published_question_makes_a_new_version_and_attempts_keep_theirs(
    small_guide, blueprint_small, author_client, author, candidate
):
    attempt = attempt_start(user=candidate, blueprint=blueprint_small, seed=1)
    item = AttemptItem.objects.filter(attempt=attempt).select_related("question", "version").first()
    question, drawn = item.question, item.version
    old_stem = drawn.content["stem"]
    data = question_form(
        sub_domain=question.sub_domain, question=question, stem=old_stem + " Edited.", change_note="clearer"
    )
    response = author_client.post(change_url(question), data)
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.current_version.number == drawn.number + 1
    assert question.current_version.created_by == author
    assert question.current_version.content["stem"] == old_stem + " Edited."
    item.refresh_from_db()
    assert item.version_id == drawn.pk
    assert QuestionVersion.objects.get(pk=drawn.pk).content["stem"] == old_stem


def test_saving_without_a_change_makes_no_new_version(small_guide, author_client):
    question = Question.objects.filter(status="published").first()
    before = question.current_version_id
    data = question_form(sub_domain=question.sub_domain, question=question)
    response = author_client.post(change_url(question), data)
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.current_version_id == before


def test_a_published_question_cannot_go_back_to_draft(small_guide, author_client):
    question = Question.objects.filter(status="published").first()
    data = question_form(sub_domain=question.sub_domain, question=question, status="draft")
    response = author_client.post(change_url(question), data)
    assert "cannot go back to draft: retire it instead" in errors_of(response)


def test_retiring_keeps_every_attempt_and_stops_new_draws(
    small_guide, blueprint_small, author_client, candidate
):
    attempt = attempt_start(user=candidate, blueprint=blueprint_small, seed=2)
    items = {i.question_id: i.version_id for i in AttemptItem.objects.filter(attempt=attempt)}
    retired = Question.objects.get(pk=next(iter(items)))
    response = author_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "retire", "_selected_action": [retired.pk]},
    )
    assert response.status_code == 302
    retired.refresh_from_db()
    assert retired.status == "retired"
    assert {i.question_id: i.version_id for i in AttemptItem.objects.filter(attempt=attempt)} == items
    from exams.services.assembly import assemble

    drawn = {d.question_id for d in assemble(blueprint=blueprint_small, user=candidate, rng=random.Random(5))}
    assert retired.pk not in drawn


def test_only_published_questions_are_drawn_and_drafts_have_versions(
    small_guide, blueprint_small, author_client, sub, candidate
):
    author_client.post(ADD, question_form(sub_domain=sub))
    draft = Question.objects.get(external_id="TEST-3.2-001")
    assert draft.current_version is not None
    from exams.services.assembly import assemble

    drawn = {d.question_id for d in assemble(blueprint=blueprint_small, user=candidate, rng=random.Random(5))}
    assert draft.pk not in drawn


def test_publish_action_checks_the_publishing_rules(author_client, sub, author):
    data = question_form(sub_domain=sub, references="")
    assert author_client.post(ADD, data).status_code == 302
    draft = Question.objects.get(external_id="TEST-3.2-001")
    reviewer = UserFactory(username="author-b")
    author_grant(user=reviewer)
    second = client_for(reviewer)
    Question.objects.filter(pk=draft.pk).update(status="review")
    response = second.post(
        reverse("admin:questions_question_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Not published: TEST-3.2-001: at least one reference link is required" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "review"
    draft.references = ["https://docs.aws.amazon.com/"]
    draft.save()
    second.post(
        reverse("admin:questions_question_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == "published"


def test_the_change_page_shows_versions_who_and_when(small_guide, author_client, author):
    question = Question.objects.filter(status="published").first()
    data = question_form(
        sub_domain=question.sub_domain,
        question=question,
        explanation="A better explanation.",
        change_note="explain more",
    )
    author_client.post(change_url(question), data)
    page = author_client.get(change_url(question)).content.decode()
    assert "v2</a> (current)" in page and "author-a" in page and "explain more" in page
    history = author_client.get(
        reverse("admin:questions_question_history", args=[question.pk])
    ).content.decode()
    assert "author-a" in history and "Changed Explanation" in history


def test_the_list_filters_and_searches(small_guide, author_client):
    changelist = reverse("admin:questions_question_changelist")
    for query in (
        "?status__exact=draft",
        "?type__exact=multiple",
        "?difficulty__exact=hard",
        "?sub_domain__domain__id__exact=1",
        "?placeholders=yes",
        "?reports=open",
        "?q=MLS-C01-3.2",
    ):
        assert author_client.get(changelist + query).status_code == 200, query
    assert reverse("admin:questions_question_import") in author_client.get(changelist).content.decode()
    page = author_client.get(changelist + "?q=MLS-C01-3.2").content.decode()
    assert "MLS-C01-3.2-000" in page and "MLS-C01-3.1-000" not in page


def test_an_unused_draft_can_be_deleted_but_a_drawn_question_cannot(
    small_guide, blueprint_small, author_client, sub, candidate
):
    author_client.post(ADD, question_form(sub_domain=sub))
    draft = Question.objects.get(external_id="TEST-3.2-001")
    delete = reverse("admin:questions_question_delete", args=[draft.pk])
    assert author_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Question.objects.filter(pk=draft.pk).exists()

    attempt = attempt_start(user=candidate, blueprint=blueprint_small, seed=3)
    drawn = AttemptItem.objects.filter(attempt=attempt).first().question
    page = author_client.post(reverse("admin:questions_question_delete", args=[drawn.pk]), {"post": "yes"})
    assert "would require deleting the following protected related objects" in page.content.decode()
    assert Question.objects.filter(pk=drawn.pk).exists()


def test_the_lists_take_the_same_number_of_queries_for_more_rows(author_client, candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from questions.models import ProblemReport
    from tests.factories import build_guide

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert author_client.get(url).status_code == 200
        return len(captured)

    def add_reports():
        ProblemReport.objects.bulk_create(
            ProblemReport(question=q, user=candidate, reason="typo", text="x") for q in Question.objects.all()
        )

    urls = [
        reverse("admin:questions_question_changelist"),
        reverse("admin:questions_problemreport_changelist"),
    ]
    build_guide(code="SMALL-1", per_sub=1)
    add_reports()
    small = [queries(u) for u in urls]
    build_guide(code="LARGE-1", per_sub=3)
    add_reports()
    assert Question.objects.count() == 60
    assert [queries(u) for u in urls] == small


def test_the_bulk_delete_action_deletes_unused_drafts(author_client, sub):
    author_client.post(ADD, question_form(sub_domain=sub))
    draft = Question.objects.get(external_id="TEST-3.2-001")
    response = author_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Question.objects.filter(pk=draft.pk).exists()
    assert not QuestionVersion.objects.filter(question_id=draft.pk).exists()
