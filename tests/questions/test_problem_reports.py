"""Problem reports: candidates send them on published questions; authors close them with a note."""

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from questions.models import ProblemReport, Question
from questions.services import problem_report_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(small_guide):
    return Question.objects.filter(status="published").select_related("current_version").first()


def url(question):
    return reverse("questions:report", args=[question.pk])


def send(client, question, **data):
    payload = {"reason": "wrong_key", "text": "B is right, see the docs.", "next": "/attempts/1/review/"}
    payload.update(data)
    return client.post(
        url(question), payload, **({"HTTP_HX_REQUEST": "true"} if data.pop("htmx", None) else {})
    )


def test_a_candidate_reports_a_published_question(client_a, candidate, published):
    response = send(client_a, published, version=published.current_version_id)
    assert response.status_code == 302 and response.url == "/attempts/1/review/"
    report = ProblemReport.objects.get()
    assert (report.question, report.version, report.user, report.reason, report.status) == (
        published, published.current_version, candidate, "wrong_key", "open",
    )  # fmt: skip
    assert "your report is with the question's authors" in next(
        str(m) for m in get_messages(response.wsgi_request)
    )


def test_htmx_gets_a_fragment(client_a, published):
    response = client_a.post(url(published), {"reason": "typo", "text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 201 and b"Thank you" in response.content
    response = client_a.post(url(published), {"reason": "nonsense"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and b"not one of the available choices" in response.content


def test_the_same_report_twice_is_recorded_once(client_a, published):
    send(client_a, published)
    send(client_a, published)
    assert ProblemReport.objects.count() == 1


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_reports_on_questions_that_are_not_published_are_refused(client_a, published, status):
    Question.objects.filter(pk=published.pk).update(status=status)
    assert send(client_a, published).status_code == 404
    assert not ProblemReport.objects.exists()


def test_unknown_questions_are_404(client_a):
    assert client_a.post(reverse("questions:report", args=[999999]), {"reason": "typo"}).status_code == 404


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "nonsense"}, "not one of the available choices"),
        ({"reason": "other", "text": ""}, "Please say what the problem is."),
        ({"text": "x" * 2001}, "at most 2000 characters"),
        ({"version": "abc"}, "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_with_a_message(client_a, published, data, error):
    response = send(client_a, published, **data)
    assert response.status_code == 302
    message = next(str(m) for m in get_messages(response.wsgi_request))
    assert message.startswith("Your report was not sent") and error in message, message
    assert not ProblemReport.objects.exists()


def test_a_version_of_another_question_is_refused(client_a, published):
    other = Question.objects.exclude(pk=published.pk).first()
    send(client_a, published, version=other.current_version_id)
    assert not ProblemReport.objects.exists()


def test_next_must_be_local(client_a, published):
    assert send(client_a, published, next="https://evil.example/").url == "/"
    assert send(client_a, published, next="//evil.example/", reason="typo").url == "/"


def test_anonymous_visitors_are_sent_to_log_in_and_get_is_refused(published, client_a):
    from django.test import Client

    response = send(Client(), published)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ProblemReport.objects.exists()
    assert client_a.get(url(published)).status_code == 405


def test_the_endpoint_needs_csrf(candidate, published):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(candidate)
    assert strict.post(url(published), {"reason": "typo"}).status_code == 403


def test_the_report_form_tag_posts_to_the_endpoint_and_comes_back(published, candidate):
    request = RequestFactory().get("/attempts/7/review/?show=all")
    request.user = candidate
    html = Template("{% load question_tags %}{% report_problem_form question_id version_id %}").render(
        Context({"request": request, "question_id": published.pk, "version_id": published.current_version_id})
    )
    assert f'action="{url(published)}"' in html
    assert 'name="next" value="/attempts/7/review/?show=all"' in html
    assert f'name="version" value="{published.current_version_id}"' in html
    assert "Report a problem with this question" in html


# ---- authors' side --------------------------------------------------------------------------


@pytest.fixture
def reports(published, candidate):
    older = ProblemReport.objects.create(question=published, user=candidate, reason="typo", text="older")
    closed = ProblemReport.objects.create(question=published, user=candidate, reason="unclear", text="done")
    problem_report_close(report=closed, user=None, note="fixed")
    newer = ProblemReport.objects.create(question=published, user=candidate, reason="wrong_key", text="newer")
    return older, closed, newer


def test_the_queue_lists_open_reports_first(author_client, reports):
    older, closed, newer = reports
    response = author_client.get(reverse("admin:questions_problemreport_changelist"))
    listed = list(response.context["cl"].result_list)
    assert listed == [newer, older, closed]
    assert (
        author_client.get(
            reverse("admin:questions_problemreport_changelist") + "?status__exact=open"
        ).status_code
        == 200
    )


def test_the_question_page_shows_its_open_reports(author_client, reports, published):
    page = author_client.get(reverse("admin:questions_question_change", args=[published.pk])).content.decode()
    assert "older" in page and "newer" in page and "done" not in page
    changelist = author_client.get(reverse("admin:questions_question_changelist") + "?reports=open")
    assert [q.open_report_count for q in changelist.context["cl"].result_list] == [2]


def test_closing_asks_for_a_note(author_client, author, reports):
    older, _, newer = reports
    changelist = reverse("admin:questions_problemreport_changelist")
    ask = author_client.post(
        changelist, {"action": "close_reports", "_selected_action": [older.pk, newer.pk]}
    )
    assert ask.status_code == 200 and b"Close with this note" in ask.content
    empty = author_client.post(
        changelist, {"action": "close_reports", "_selected_action": [older.pk], "apply": "1", "note": ""}
    )
    assert empty.status_code == 200 and b"This field is required" in empty.content
    older.refresh_from_db()
    assert older.is_open
    done = author_client.post(
        changelist,
        {
            "action": "close_reports",
            "_selected_action": [older.pk, newer.pk],
            "apply": "1",
            "note": "Key fixed in v2.",
        },
    )
    assert done.status_code == 302
    for report in (older, newer):
        report.refresh_from_db()
        assert (report.status, report.resolution_note, report.closed_by) == (
            "closed",
            "Key fixed in v2.",
            author,
        )
        assert report.closed_at is not None


def test_closing_one_report_from_its_page(author_client, author, reports):
    older = reports[0]
    page = author_client.get(
        reverse("admin:questions_problemreport_change", args=[older.pk])
    ).content.decode()
    close = reverse("admin:questions_problemreport_close", args=[older.pk])
    assert close in page
    assert author_client.post(close, {"note": "Not a problem: the option is right."}).status_code == 302
    older.refresh_from_db()
    assert older.status == "closed" and older.closed_by == author


def test_closing_twice_keeps_the_first_note(reports, author):
    older = reports[0]
    assert problem_report_close(report=older, user=author, note="first") is True
    assert problem_report_close(report=older, user=None, note="second") is False
    older.refresh_from_db()
    assert older.resolution_note == "first"
