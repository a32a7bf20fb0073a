"""The exam engine's input forms: choices from the database, clear messages, nothing changed on
bad input, and filters that fall back to "all"."""

import pytest
from django.urls import reverse

from exams.forms import DrillForm, ItemStatisticsFilterForm, ReviewFilterForm, task_scope
from exams.models import Attempt
from exams.selectors import item_statistics_scope
from questions.models import Domain
from questions.services import author_grant
from tests.factories import UserFactory, build_guide, client_for

pytestmark = pytest.mark.django_db


def statistics_form(data, code=None):
    guides, guide, subs = item_statistics_scope(code=code)
    return ItemStatisticsFilterForm(data, guides=guides, guide=guide, sub_domains=subs)


def test_item_statistics_offer_the_domains_and_task_statements_of_the_guide_picked(guide):
    build_guide(code="FIVE-01", shape=((20, 1), (20, 1), (20, 1), (20, 1), (20, 1)), per_sub=0)
    form = statistics_form({})
    assert form.fields["guide"].initial == "FIVE-01"  # the first in the guides' order
    assert [code for code, _ in form.fields["guide"].choices] == ["FIVE-01", "MLS-C01"]
    assert [value for value, _ in form.fields["domain"].choices] == ["", 1, 2, 3, 4, 5]
    assert ("5.1", "5.1 Task 5.1") in form.fields["task"].choices
    four = statistics_form({"guide": "MLS-C01"}, "MLS-C01")
    assert [v for v, _ in four.fields["domain"].choices] == ["", 1, 2, 3, 4]
    assert "5.1" not in dict(four.fields["task"].choices)
    Domain.objects.filter(guide__code="FIVE-01", number=5).delete()
    assert [v for v, _ in statistics_form({}).fields["domain"].choices] == ["", 1, 2, 3, 4]
    author = UserFactory(username="stats-author")
    author_grant(user=author)
    page = client_for(author).get(
        reverse("exams:item_statistics"), {"guide": "MLS-C01", "domain": "3", "sort": "flagged"}
    )
    body = page.content.decode()
    assert '<option value="MLS-C01" selected>' in body
    assert '<option value="3" selected>Domain 3: Domain 3</option>' in body
    assert '<option value="flagged" selected>Flagged first</option>' in body
    assert "Domain 5" not in body


def test_item_statistics_filters_that_are_not_choices_count_as_none(guide):
    form = statistics_form(
        {"guide": "NOPE", "domain": "9", "task": "x", "flag": "bogus", "sort": "-facility", "page": "x"}
    )
    assert form.values() == {
        "guide": "MLS-C01",
        "domain": None,
        "task": None,
        "flag": "",
        "sort": "-facility",
        "page": 1,
    }


def test_review_filters_offer_what_the_attempt_drew():
    summary = [{"code": "1.1", "domain": 1}, {"code": "3.2", "domain": 3}]
    form = ReviewFilterForm({"show": "wrong", "domain": "3", "task": "2.1"}, summary=summary)
    assert [v for v, _ in form.fields["domain"].choices] == ["", 1, 3]
    assert form.values() == {"show": "wrong", "domain": 3, "task": None}
    assert ReviewFilterForm({"show": "nonsense"}, summary=summary).values()["show"] == "all"


def test_a_drill_names_its_scope_from_the_guide_and_a_size_it_offers(guide):
    other = build_guide(code="OTHER-01", per_sub=1)
    sub = guide.domains.get(number=3).sub_domains.get(code="3.2")
    form = DrillForm({"scope": task_scope(sub.pk), "count": "20", "mode": "exam"}, guide=guide)
    assert form.is_valid(), form.errors
    assert form.practice() == {
        "guide": guide,
        "domain": sub.domain,
        "sub_domain": sub,
        "count": 20,
        "study": False,
    }
    foreign = other.domains.get(number=1).sub_domains.first()
    for data, message in (
        (
            {"scope": task_scope(foreign.pk), "count": "10"},
            "Choose a domain or task statement of this exam guide.",
        ),
        ({"scope": task_scope(sub.pk), "count": "15"}, "A drill has 10, 20, 30 questions."),
        ({"count": "10"}, "Choose a domain or a task statement."),
    ):
        form = DrillForm(data, guide=guide)
        assert not form.is_valid() and message in str(form.errors), form.errors


def test_a_bad_drill_says_why_and_starts_nothing(client_a, guide):
    sub = guide.domains.get(number=3).sub_domains.get(code="3.2")
    data = {"guide": guide.pk, "scope": task_scope(sub.pk), "count": "15", "mode": "study"}
    response = client_a.post(reverse("exams:drill"), data, follow=True)
    assert "A drill has 10, 20, 30 questions." in response.content.decode()
    assert not Attempt.objects.exists()


def test_the_practice_hub_renders_the_drill_form_from_the_guide(client_a, guide):
    body = client_a.get(reverse("exams:practice")).content.decode()
    sub = guide.domains.get(number=4).sub_domains.order_by("code").last()
    assert f'<option value="{task_scope(sub.pk)}">\u00a0\u00a0{sub.code} {sub.title}</option>' in body
    assert f'id="count-{guide.pk}-30" value="30"' in body and f'id="mode-exam-{guide.pk}"' in body
