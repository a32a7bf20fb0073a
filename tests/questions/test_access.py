"""Only authors and staff with the authoring permissions reach authoring: every authoring URL,
as an anonymous visitor, a candidate, an Authors member without staff, staff who is not an
author, an author and a superuser."""

import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AUTHORS_GROUP
from questions.models import ProblemReport, Question
from tests.factories import UserFactory, client_for
from tests.questions.conftest import question_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(small_guide):
    question = Question.objects.filter(sub_domain__code="3.2").first()
    Question.objects.filter(pk=question.pk).update(status="draft", stem="SECRET DRAFT STEM")
    return question


@pytest.fixture
def report(draft, candidate):
    return ProblemReport.objects.create(question=draft, user=candidate, reason="typo", text="A typo.")


@pytest.fixture
def visitors(db, candidate, author, staff_user, superuser):
    group_only = UserFactory(username="group-only")
    group_only.groups.add(Group.objects.get(name=AUTHORS_GROUP))
    return {
        "anonymous": None,
        "candidate": candidate,
        "authors group without staff": group_only,
        "staff, not an author": staff_user,
        "author": author,
        "superuser": superuser,
    }


def authoring_urls(draft, report):
    version = draft.current_version_id
    return [
        ("get", reverse("admin:questions_question_changelist")),
        ("get", reverse("admin:questions_question_add")),
        ("get", reverse("admin:questions_question_change", args=[draft.pk])),
        ("get", reverse("admin:questions_question_history", args=[draft.pk])),
        ("get", reverse("admin:questions_question_delete", args=[draft.pk])),
        ("get", reverse("admin:questions_question_import")),
        ("post", reverse("admin:questions_question_preview")),
        ("get", reverse("admin:questions_questionversion_changelist")),
        ("get", reverse("admin:questions_questionversion_change", args=[version])),
        ("get", reverse("admin:questions_problemreport_changelist")),
        ("get", reverse("admin:questions_problemreport_change", args=[report.pk])),
        ("get", reverse("admin:questions_problemreport_close", args=[report.pk])),
    ]


EXPECTED = {
    "anonymous": "login",
    "candidate": "login",
    "authors group without staff": "login",  # the author role is staff + the Authors group
    "staff, not an author": 403,
    "author": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_authoring_url(visitors, draft, report, who):
    client = client_for(visitors[who])
    for method, url in authoring_urls(draft, report):
        response = getattr(client, method)(url, {"stem": "x"} if method == "post" else None)
        expected = EXPECTED[who]
        if expected == "login":
            assert response.status_code == 302, (url, response.status_code)
            assert response.url.startswith(reverse("admin:login")), url
        else:
            assert response.status_code == expected, (who, url, response.status_code)
        if expected != 200:
            assert b"SECRET DRAFT STEM" not in response.content, url


def test_the_demo_author_can_author(draft):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    client = client_for(User.objects.get(username="author"))
    assert client.get(reverse("admin:questions_question_change", args=[draft.pk])).status_code == 200
    assert client.get(reverse("admin:questions_question_import")).status_code == 200


def test_grant_author_makes_an_author(draft, candidate):
    from django.core.management import call_command

    call_command("grant_author", candidate.username, verbosity=0)
    client = client_for(candidate)
    assert client.get(reverse("admin:questions_question_changelist")).status_code == 200


def test_a_candidate_cannot_publish_import_or_write(client_a, draft, sub):
    changelist = reverse("admin:questions_question_changelist")
    response = client_a.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    draft.refresh_from_db()
    assert draft.status == "draft"

    upload = io.BytesIO(b"::NEW-1:: Q {=a#x ~b#x ~c#x ~d#x ####E}")
    upload.name = "x.gift"
    client_a.post(
        reverse("admin:questions_question_import"),
        {"file": upload, "format": "gift", "guide": sub.domain.guide_id, "sub_domain": "3.2"},
    )
    assert not Question.objects.filter(external_id="NEW-1").exists()

    client_a.post(reverse("admin:questions_question_add"), question_form(sub_domain=sub))
    assert not Question.objects.filter(external_id="TEST-3.2-001").exists()


def test_staff_without_authoring_permissions_cannot_publish(draft, staff_user):
    client = client_for(staff_user)
    response = client.post(
        reverse("admin:questions_question_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_preview_refuses_get_and_needs_csrf(author, author_client):
    url = reverse("admin:questions_question_preview")
    assert author_client.get(url).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    assert strict.post(url, {"stem": "x"}).status_code == 403


def test_authors_may_not_edit_or_delete_versions(author_client, draft):
    version = draft.current_version
    response = author_client.post(
        reverse("admin:questions_questionversion_change", args=[version.pk]), {"note": "x"}
    )
    assert response.status_code == 403
    assert (
        author_client.get(reverse("admin:questions_questionversion_delete", args=[version.pk])).status_code
        == 403
    )
