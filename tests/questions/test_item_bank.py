"""Authoring like an item bank (issue 20): exhibits, the four-eyes rule, diffs, the loop back to
the reporter, tags, save as new, usage, readable ids, and the controls that confused authors."""

import base64
import io
import re

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from exams.models import AttemptItem
from exams.services.attempts import attempt_start, attempt_submit
from questions import formats, selectors, services
from questions.diffs import marked, version_diff
from questions.formats.common import stable_id
from questions.markdown import render
from questions.models import Exhibit, ProblemReport, Question, QuestionVersion, Tag
from questions.services import author_grant, problem_report_close, question_save, question_set_status
from tests.factories import UserFactory, client_for
from tests.questions.conftest import exhibit_rows, question_form

ADD = reverse("admin:questions_question_add")
CHANGELIST = reverse("admin:questions_question_changelist")


def png(size=(40, 30), color="red", fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def change_url(question):
    return reverse("admin:questions_question_change", args=[question.pk])


@pytest.fixture
def second_author(db):
    user = UserFactory(username="author-b")
    author_grant(user=user)
    return user


@pytest.fixture
def question(small_guide):
    return Question.objects.filter(sub_domain__domain__guide=small_guide, sub_domain__code="3.2").get()


def add_with_exhibit(client, sub, *, upload, alt="A bar chart of the confusion matrix", **fields):
    data = question_form(sub_domain=sub, **fields) | exhibit_rows(None, new=1)
    data |= {"exhibits-0-upload": upload, "exhibits-0-alt": alt}
    return client.post(ADD, data)


# ---- 1. exhibits ----------------------------------------------------------------------------


def test_an_exhibit_is_stored_by_its_content_and_frozen_in_the_version(author_client, sub):
    data = png()
    response = add_with_exhibit(author_client, sub, upload=SimpleUploadedFile("chart.png", data, "image/png"))
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(external_id="TEST-3.2-001")
    exhibit = question.exhibits.get()
    assert re.fullmatch(r"exhibits/[0-9a-f]{64}\.png", exhibit.image.name)
    assert (exhibit.width, exhibit.height) == (40, 30)
    with default_storage.open(exhibit.image.name, "rb") as stored:
        assert stored.read() == data
    assert question.current_version.content["exhibits"] == [
        {"image": exhibit.image.name, "alt": "A bar chart of the confusion matrix", "width": 40, "height": 30}
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("chart.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"),
            "not an image",
        ),
        (SimpleUploadedFile("chart.png", png()[:-20], "image/png"), "could not be read"),
        (SimpleUploadedFile("chart.bmp", png(fmt="BMP"), "image/bmp"), "not an image of a type we show"),
        (
            SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024 + 1), "image/png"),
            "at most 2 MB",
        ),
    ],
)
def test_a_bad_upload_is_refused_by_its_content_and_nothing_is_saved(author_client, sub, upload, message):
    response = add_with_exhibit(author_client, sub, upload=upload)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()


def test_an_exhibit_needs_alt_text(author_client, sub):
    upload = SimpleUploadedFile("chart.png", png(), "image/png")
    response = add_with_exhibit(author_client, sub, upload=upload, alt="")
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Exhibit.objects.exists()
    with pytest.raises(ValidationError, match="no alt text"):
        question = Question(sub_domain=sub, external_id="X-1", stem="Stem?", explanation="Because.")
        info = services.exhibit_store(png())
        question_save(
            question=question,
            choices=[services.ChoiceData(f"Option {i}", i == 0, "Why.") for i in range(4)],
            user=None,
            exhibits=[services.ExhibitData(info.name, " ")],
        )


def test_exam_and_review_show_the_exhibit_of_the_version_drawn(blueprint_small, candidate, client_a):
    attempt = attempt_start(user=candidate, blueprint=blueprint_small, seed=1)
    item = AttemptItem.objects.filter(attempt=attempt).order_by("position").first()
    question = Question.objects.get(pk=item.question_id)
    first, second = services.exhibit_store(png(color="red")), services.exhibit_store(png(color="blue"))
    choices = [services.ChoiceData(c.text, c.is_correct, c.why) for c in question.choices.all()]
    drawn = question_save(
        question=question, choices=choices, user=None, exhibits=[services.ExhibitData(first.name, "Red bars")]
    )
    AttemptItem.objects.filter(pk=item.pk).update(version=drawn)  # as if drawn after this edit
    question_save(
        question=question, choices=choices, user=None, exhibits=[services.ExhibitData(second.name, "Blue")]
    )
    assert question.current_version.content["exhibits"][0]["image"] == second.name

    exam = client_a.get(reverse("exams:question", args=[attempt.pk, item.position])).content.decode()
    assert f'src="/media/{first.name}"' in exam and 'alt="Red bars"' in exam and second.name not in exam
    assert "enlarge" in exam
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    review = client_a.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert f'src="/media/{first.name}"' in review and second.name not in review
    assert "This question was corrected after you answered it" in review
    assert default_storage.exists(first.name)  # never deleted: the version drawn still shows it


def test_the_sanitiser_keeps_our_exhibits_only():
    ours = f"/media/exhibits/{'a' * 64}.png"
    assert f'<img alt="chart" class="exhibit-inline" src="{ours}">' in render(f"![chart]({ours})")
    other = render("![tracker](https://evil.example/pixel.png) and ![x](/media/exhibits/../../settings.py)")
    assert "<img" not in other and "[image not shown: tracker]" in other


def test_exhibits_are_served_with_their_type_to_signed_in_users_only(client, candidate):
    info = services.exhibit_store(png())
    url = f"/media/{info.name}"
    assert client.get(url).status_code == 302  # to log in
    client.force_login(candidate)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/exhibits/..%2Fsecret.png").status_code == 404
    assert client.get(f"/media/exhibits/{'b' * 64}.png").status_code == 404


def test_native_export_and_import_carry_exhibits(author, question, small_guide):
    info = services.exhibit_store(png(color="green"))
    choices = [services.ChoiceData(c.text, c.is_correct, c.why) for c in question.choices.all()]
    question_save(
        question=question, choices=choices, user=None, exhibits=[services.ExhibitData(info.name, "Green")]
    )
    text = formats.EXPORTERS["native"](selectors.questions_for_export(ids=[question.pk]))
    doc = yaml.safe_load(text)["questions"][0]
    assert doc["exhibits"][0]["alt"] == "Green"
    assert base64.b64decode(doc["exhibits"][0]["data"]) == png(color="green")
    question.exhibits.all().delete()
    report = services.questions_import_text(
        text=text, filename="q.yaml", format="native", guide=small_guide, user=None
    )
    assert report.updated == [question.external_id]
    assert list(question.exhibits.values_list("image", "alt")) == [(info.name, "Green")]


@pytest.mark.parametrize(("fmt", "name"), [("gift", "GIFT"), ("csv", "CSV"), ("moodlexml", "Moodle XML")])
def test_formats_without_exhibits_refuse_them_by_name(question, fmt, name):
    """Only the bank's own format carries images: the others refuse such questions by id rather
    than drop the image without a word."""
    info = services.exhibit_store(png(color="blue"))
    choices = [services.ChoiceData(c.text, c.is_correct, c.why) for c in question.choices.all()]
    question_save(
        question=question, choices=choices, user=None, exhibits=[services.ExhibitData(info.name, "Blue")]
    )
    with pytest.raises(formats.ExportRefused, match=f"{name} cannot carry exhibits.*{question.external_id}"):
        formats.EXPORTERS[fmt](selectors.questions_for_export(ids=[question.pk]))


def test_a_bank_file_with_a_bad_exhibit_names_its_line(small_guide):
    text = yaml.safe_dump(
        {
            "sub_domain": "3.2",
            "questions": [
                {
                    "id": "X-1", "stem": "Which?", "explanation": "Because.",
                    "references": ["https://docs.aws.amazon.com/"],
                    "choices": [{"text": f"Option {i}", "correct": i == 0, "why": "Why."} for i in range(4)],
                    "exhibits": [{"alt": "", "data": base64.b64encode(b"not an image").decode()}],
                }
            ],
        }
    )  # fmt: skip
    with pytest.raises(services.ImportInvalid) as refused:
        services.questions_import_text(
            text=text, filename="q.yaml", format="native", guide=small_guide, user=None
        )
    messages = " ".join(p.message for p in refused.value.problems)
    assert "not an image" in messages
    assert not Question.objects.filter(external_id="X-1").exists()


# ---- 2. four eyes -------------------------------------------------------------------------


@pytest.fixture
def in_review(author, sub):
    question = Question(sub_domain=sub, external_id="T-1", stem="Which one?", explanation="Because.")
    question.references = ["https://docs.aws.amazon.com/"]
    question_save(
        question=question,
        choices=[services.ChoiceData(f"Option {i} here", i == 0, "Why.") for i in range(4)],
        user=author,
    )
    assert question_set_status(question=question, status="review", user=author)
    return question


def test_the_last_editor_cannot_publish_their_own_version(in_review, author):
    with pytest.raises(ValidationError, match="another author must approve it"):
        question_set_status(question=in_review, status="published", user=author)
    in_review.refresh_from_db()
    assert in_review.status == "review" and not in_review.current_version.is_reviewed


def test_another_author_approves_and_is_kept_with_the_version(in_review, second_author):
    assert question_set_status(question=in_review, status="published", user=second_author)
    version = QuestionVersion.objects.get(pk=in_review.current_version_id)
    assert (version.reviewed_by, version.review_override) == (second_author, False)
    assert version.reviewed_at is not None and version.reviewer == "author-b"


def test_a_superuser_may_publish_their_own_edit_and_it_is_recorded(in_review, superuser):
    Question.objects.filter(pk=in_review.pk).update(status="draft")
    in_review.refresh_from_db()
    in_review.stem = "Which one, now?"
    question_save(
        question=in_review,
        choices=[services.ChoiceData(c.text, c.is_correct, c.why) for c in in_review.choices.all()],
        user=superuser,
    )
    assert question_set_status(question=in_review, status="published", user=superuser)
    version = QuestionVersion.objects.get(pk=in_review.current_version_id)
    assert version.created_by == superuser and version.review_override and version.reviewed_by == superuser


def test_a_draft_goes_through_review_and_a_non_author_cannot_approve(
    in_review, author, second_author, staff_user
):
    Question.objects.filter(pk=in_review.pk).update(status="draft")
    with pytest.raises(ValidationError, match="send it for review first"):
        question_set_status(question=in_review, status="published", user=second_author)
    Question.objects.filter(pk=in_review.pk).update(status="review")
    with pytest.raises(ValidationError, match="only an author"):
        question_set_status(question=in_review, status="published", user=staff_user)


def test_an_authors_edit_of_a_published_question_goes_back_to_review(in_review, author, second_author):
    question_set_status(question=in_review, status="published", user=second_author)
    in_review.refresh_from_db()
    in_review.stem = "Which one is right?"
    version = question_save(
        question=in_review,
        choices=[services.ChoiceData(c.text, c.is_correct, c.why) for c in in_review.choices.all()],
        user=author,
    )
    in_review.refresh_from_db()
    assert in_review.status == "review" and version.number == 2 and not version.is_reviewed
    # Saving it unchanged as published again is the same approved version: nothing to approve.
    question_set_status(question=in_review, status="published", user=second_author)
    assert QuestionVersion.objects.get(pk=version.pk).reviewed_by == second_author


def test_the_admin_form_refuses_publishing_a_draft_and_the_action_needs_a_second_author(
    author_client, author, second_author, sub
):
    response = author_client.post(ADD, question_form(sub_domain=sub, status="published"))
    assert response.status_code == 200 and "Publishing needs a second author" in response.content.decode()
    assert author_client.post(ADD, question_form(sub_domain=sub, status="review")).status_code == 302
    question = Question.objects.get(external_id="TEST-3.2-001")
    response = author_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [question.pk]}, follow=True
    )
    assert "another author must approve it" in response.content.decode()
    client_for(second_author).post(CHANGELIST, {"action": "publish", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == "published" and question.current_version.reviewed_by == second_author
    page = author_client.get(change_url(question)).content.decode()
    assert "author-b" in page  # the history's "Approved" column


def test_bank_files_record_the_reviewer_and_date(small_guide):
    text = yaml.safe_dump(
        {
            "sub_domain": "3.2",
            "questions": [
                {
                    "id": "R-1", "stem": "Which?", "explanation": "Because.", "status": "published",
                    "references": ["https://docs.aws.amazon.com/"], "reviewed_by": "Grace Hopper",
                    "reviewed_on": "2025-03-14", "tags": ["SageMaker", "tabular"],
                    "choices": [{"text": f"Option {i}", "correct": i == 0, "why": "Why."} for i in range(4)],
                }
            ],
        }
    ).replace("'2025-03-14'", "2025-03-14")  # fmt: skip
    services.questions_import_text(
        text=text, filename="q.yaml", format="native", guide=small_guide, user=None
    )
    question = Question.objects.get(external_id="R-1")
    version = question.current_version
    assert version.reviewer_name == "Grace Hopper" and version.reviewed_at.date().isoformat() == "2025-03-14"
    assert sorted(question.tags.values_list("name", flat=True)) == ["sagemaker", "tabular"]
    exported = yaml.safe_load(formats.EXPORTERS["native"](selectors.questions_for_export(ids=[question.pk])))
    assert exported["questions"][0]["reviewed_by"] == "Grace Hopper"
    assert str(exported["questions"][0]["reviewed_on"]) == "2025-03-14"


def test_an_author_importing_as_published_puts_unreviewed_questions_in_review(small_guide, author):
    text = yaml.safe_dump(
        {
            "sub_domain": "3.2",
            "questions": [
                {
                    "id": "R-2", "stem": "Which?", "explanation": "Because.", "status": "published",
                    "references": ["https://docs.aws.amazon.com/"],
                    "choices": [{"text": f"Option {i}", "correct": i == 0, "why": "Why."} for i in range(4)],
                }
            ],
        }
    )  # fmt: skip
    report = services.questions_import_text(
        text=text, filename="q.yaml", format="native", guide=small_guide, user=author
    )
    assert Question.objects.get(external_id="R-2").status == "review"
    assert any("put in review" in n.message for n in report.notices)


# ---- 3. diffs -----------------------------------------------------------------------------


def test_the_diff_marks_changed_words_and_parts():
    left, right = marked("Use a Lambda function", "Use an AWS Lambda function")
    assert left == "Use <del>a</del> Lambda function" and right == "Use <ins>an AWS</ins> Lambda function"
    assert marked("<b>", "<i>") == ("&lt;<del>b</del>&gt;", "&lt;<ins>i</ins>&gt;")  # escaped


def test_two_versions_side_by_side_in_the_admin(author_client, in_review, author):
    in_review.stem = "Which **one** is best?"
    choices = [services.ChoiceData(c.text, c.is_correct, c.why) for c in in_review.choices.all()]
    choices[0], choices[1] = (
        services.ChoiceData(choices[0].text, False, "Now wrong."),
        services.ChoiceData(choices[1].text, True, "Now right."),
    )
    question_save(question=in_review, choices=choices, user=author)
    parts = {p.label: p for p in version_diff(*[v.content for v in in_review.versions.order_by("number")])}
    assert parts["Stem"].changed and "<strong>one</strong>" in parts["Stem"].right_html
    assert parts["Option A: key"].changed and parts["Option B: key"].changed
    assert not parts["Option C: key"].changed and not parts["Explanation"].changed
    url = reverse("admin:questions_question_compare", args=[in_review.pk])
    page = author_client.get(url, {"a": 1, "b": 2}).content.decode()
    assert "<strong>one</strong>" in page and "<ins>" in page and "v1" in page and "v2" in page
    assert author_client.get(url, {"a": 1, "b": 9}).status_code == 404
    assert "compare with v1" in author_client.get(change_url(in_review)).content.decode()


# ---- 4. the loop back to the reporter ------------------------------------------------------


def test_the_reporter_sees_the_outcome_and_that_the_question_was_corrected(
    blueprint_small, candidate, client_a
):
    attempt = attempt_start(user=candidate, blueprint=blueprint_small, seed=3)
    item = AttemptItem.objects.filter(attempt=attempt).order_by("position").first()
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    report = ProblemReport.objects.create(
        question_id=item.question_id, user=candidate, reason="typo", text="x"
    )
    problem_report_close(report=report, user=None, note="Fixed the typo in version 2.")
    question = Question.objects.get(pk=item.question_id)
    question.stem += " Corrected."
    question_save(
        question=question,
        choices=[services.ChoiceData(c.text, c.is_correct, c.why) for c in question.choices.all()],
        user=None,
    )
    review = client_a.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert "Fixed the typo in version 2." in review
    assert review.count("This question was corrected after you answered it") == 1
    mine = client_a.get(reverse("questions:my_reports")).content.decode()
    assert "Fixed the typo in version 2." in mine and question.external_id in mine


def test_the_list_of_reports_is_the_candidates_own(client_a, other_candidate, question):
    ProblemReport.objects.create(
        question=question, user=other_candidate, reason="typo", text="someone else's"
    )
    assert "someone else" not in client_a.get(reverse("questions:my_reports")).content.decode()


# ---- 6. working at scale ------------------------------------------------------------------


def test_tags_are_saved_and_filter_the_list(author_client, sub):
    data = question_form(sub_domain=sub, tags_text="SageMaker, tabular,  sagemaker")
    assert author_client.post(ADD, data).status_code == 302
    question = Question.objects.get(external_id="TEST-3.2-001")
    assert sorted(t.name for t in question.tags.all()) == ["sagemaker", "tabular"]
    listed = author_client.get(CHANGELIST, {"tag": "tabular"}).context["cl"].result_list
    assert [q.external_id for q in listed] == ["TEST-3.2-001"]
    assert Tag.objects.count() == 2


def test_save_as_new_copies_a_question_as_a_draft_under_the_next_id(author_client, question):
    data = question_form(sub_domain=question.sub_domain, question=question) | {"_saveasnew": "1"}
    response = author_client.post(change_url(question), data)
    assert response.status_code == 302
    copy = Question.objects.exclude(pk=question.pk).get(sub_domain=question.sub_domain)
    assert copy.external_id == "MLS-3.2-001" and copy.status == "draft"  # the bank's pattern: MLS-3.2-NNN
    assert [c.text for c in copy.choices.all()] == [c.text for c in question.choices.all()]
    assert copy.current_version.note.startswith("copied from")


def test_the_usage_column_is_one_query_for_the_page(author_client, blueprint_small, candidate):
    attempt_start(user=candidate, blueprint=blueprint_small, seed=1)
    author_client.get(CHANGELIST)  # warm up
    with CaptureQueriesContext(connection) as few:
        page = author_client.get(CHANGELIST)
    assert "1 attempt" in page.content.decode() and "never" in page.content.decode()
    usage_queries = [
        q
        for q in few.captured_queries
        if "attempt_item" in q["sql"].lower() or "attemptitem" in q["sql"].lower()
    ]
    assert len(usage_queries) == 1


def test_the_import_page_offers_task_statements_to_pick(author_client, small_guide, sub):
    page = author_client.get(reverse("admin:questions_question_import")).content.decode()
    assert f'<option value="{sub.pk}">3.2 Task 3.2</option>' in page
    aiken = "Which is right?\nA. One\nB. Two\nC. Three\nD. Four\nANSWER: A\n"
    upload = SimpleUploadedFile("q.txt", aiken.encode())
    response = author_client.post(
        reverse("admin:questions_question_import"),
        {"file": upload, "format": "aiken", "guide": small_guide.pk, "sub_domain": sub.pk},
    )
    assert response.status_code == 200
    assert Question.objects.get(stem="Which is right?").sub_domain == sub


def test_imported_questions_get_readable_ids():
    qid = stable_id("AIKEN", "Which AWS service   stores objects durably?")
    assert re.fullmatch(r"AIKEN-which-aws-service-stores-objects-durably-[0-9A-F]{8}", qid)
    assert qid == stable_id("AIKEN", "which aws service stores objects durably?")


# ---- 8. confusing controls ---------------------------------------------------------------


def test_the_version_page_has_no_delete_and_the_report_page_says_resolve(author_client, question, candidate):
    page = author_client.get(
        reverse("admin:questions_questionversion_change", args=[question.current_version_id])
    )
    assert "deletelink" not in page.content.decode()
    report = ProblemReport.objects.create(question=question, user=candidate, reason="typo")
    page = author_client.get(
        reverse("admin:questions_problemreport_change", args=[report.pk])
    ).content.decode()
    assert "Resolve with a note to the reporter" in page and "Close this report" not in page
