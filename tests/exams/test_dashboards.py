"""The candidate dashboard and the authors' item statistics: content, access, query counts."""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AUTHORS_GROUP
from exams.models import ItemStatistic
from exams.selectors import ITEM_STATS_PAGE_SIZE
from exams.services.analytics import analytics_rebuild
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from questions.models import Question
from tests.factories import UserFactory, build_guide, correct_positions

pytestmark = pytest.mark.django_db


def sit(user, blueprint, right_share, capture, seed):
    attempt = attempt_start(user=user, blueprint=blueprint, seed=seed)
    items = list(attempt.items.select_related("version").order_by("position"))
    for item in items[: int(len(items) * right_share)]:
        attempt_save_answer(
            user=user, attempt_id=attempt.pk, position=item.position, selected=correct_positions(item),
            flagged=False, base_revision=0,
        )  # fmt: skip
    with capture(execute=True):
        attempt_submit(user=user, attempt_id=attempt.pk)
    return attempt


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_dashboard_shows_trend_domains_weakest_and_readiness(
    client_a, candidate, blueprint, django_capture_on_commit_callbacks
):
    for seed, share in ((1, 0.5), (2, 0.8)):
        sit(candidate, blueprint, share, django_capture_on_commit_callbacks, seed)
    count, response = queries(client_a, reverse("exams:dashboard"))
    assert count <= 10
    section = response.context["guides"][0]
    assert [a.scaled_score for a in section["trend"]] == [
        a.scaled_score for a in candidate.attempts.order_by("submitted_at")
    ]
    assert len(section["domains"]) == 4 and len(section["weakest"]) == 5
    masteries = [s.mastery for s in section["weakest"]]
    assert masteries == sorted(masteries)
    body = response.content.decode()
    chart = json.loads(body.split('id="chart-')[1].split(">", 1)[1].split("</script>")[0])
    assert chart["trend"]["pass"] == 750 and len(chart["trend"]["scores"]) == 2
    assert chart["domains"]["threshold"] == 70
    assert 'role="img"' in body and "Scores as a table" in body  # text alternatives
    assert f"{round(100 * section['readiness'].probability)}%" in body
    assert body.count('action="/practice/drill/"') == 5


def test_dashboard_queries_do_not_grow_with_attempts(
    client_a, candidate, blueprint, django_capture_on_commit_callbacks
):
    sit(candidate, blueprint, 0.5, django_capture_on_commit_callbacks, 1)
    one, _ = queries(client_a, reverse("exams:dashboard"))
    for seed in (2, 3, 4):
        sit(candidate, blueprint, 0.6, django_capture_on_commit_callbacks, seed)
    four, _ = queries(client_a, reverse("exams:dashboard"))
    assert one == four <= 10


def test_empty_dashboard_invites_a_mock(client_a):
    assert "No mock exam results yet" in client_a.get(reverse("exams:dashboard")).content.decode()


@pytest.fixture
def stats(candidate, other_candidate, blueprint, django_capture_on_commit_callbacks):
    sit(candidate, blueprint, 0.9, django_capture_on_commit_callbacks, 1)
    sit(other_candidate, blueprint, 0.2, django_capture_on_commit_callbacks, 2)
    analytics_rebuild()
    return ItemStatistic.objects.all()


def author_client():
    author = UserFactory(username="writer")
    author.groups.add(Group.objects.get(name=AUTHORS_GROUP))
    client = Client()
    client.force_login(author)
    return client


def test_item_statistics_page_is_for_authors_only(client_a, stats):
    url = reverse("exams:item_statistics")
    assert Client().get(url).status_code == 302
    assert client_a.get(url).status_code == 403
    count, response = queries(author_client(), url)
    assert response.context["stats"].paginator.count == stats.count() > 0
    assert count <= 10


def test_item_statistics_filters_and_sorts(stats):
    client = author_client()
    url = reverse("exams:item_statistics")
    in_3_2 = client.get(url + "?task=3.2").context["stats"]
    assert in_3_2 and all(s.sub_domain.code == "3.2" for s in in_3_2)
    domain_2 = client.get(url + "?domain=2").context["stats"]
    assert all(s.question.sub_domain.domain.number == 2 for s in domain_2)
    hardest = list(client.get(url + "?sort=facility").context["stats"])
    assert [s.facility for s in hardest] == sorted(s.facility for s in hardest)
    ItemStatistic.objects.update(too_hard=False)
    ItemStatistic.objects.filter(pk=hardest[-1].pk).update(too_hard=True, low_discrimination=True)
    ItemStatistic.objects.filter(pk=hardest[-2].pk).update(too_easy=True)
    flagged = list(client.get(url + "?flag=too_hard").context["stats"])
    assert [s.pk for s in flagged] == [hardest[-1].pk]
    first = list(client.get(url + "?sort=flagged").context["stats"])
    assert [s.pk for s in first[:2]] == [hardest[-1].pk, hardest[-2].pk]  # two flags, then one
    assert client.get(url + "?flag=bogus&sort=bogus&domain=x&page=x").status_code == 200


def test_item_statistics_draw_a_bar_per_option_and_mark_the_key(stats):
    stat = ItemStatistic.objects.select_related("version").filter(version__type="single").first()
    key = [i for i, c in enumerate(stat.version.content["choices"]) if c["correct"]]
    assert [i for i, rate in enumerate(stat.option_rates) if rate["key"]] == key
    page = author_client().get(reverse("exams:item_statistics"), {"sort": "responses"})
    shown, body = list(page.context["stats"]), page.content.decode()
    assert len(shown) == PAGE
    assert body.count("<meter ") == sum(len(s.option_rates) for s in shown)
    assert body.count('<li class="is-key">') == sum(r["key"] for s in shown for r in s.option_rates) >= PAGE


PAGE = ITEM_STATS_PAGE_SIZE


def worst_case_statistics(guide, count: int) -> None:
    """``count`` rows as long as a row gets: every option, three wrong pairings of full-length
    texts, every flag (the page's size bound)."""
    questions = list(
        Question.objects.filter(sub_domain__domain__guide=guide).select_related("current_version")
    )
    now = timezone.now()
    rates = [
        {"option": f"Pair {i + 1}", "key": i == 0, "all": 0.5, "top": 0.6, "bottom": 0.4} for i in range(8)
    ]
    wrong = [
        {
            "prompt": 0,
            "response": 1,
            "count": 9,
            "rate": 0.3,
            "prompt_text": "p" * 120,
            "response_text": "r" * 120,
        }
    ]
    ItemStatistic.objects.bulk_create(
        ItemStatistic(
            guide=guide,
            question=q,
            version=q.current_version,
            sub_domain_id=q.sub_domain_id,
            responses=1000,
            facility=0.1,
            discrimination=0.05,
            option_rates=rates,
            wrong_pairings=wrong * 3,
            too_easy=True,
            too_hard=True,
            low_discrimination=True,
            computed_at=now,
        )
        for q in questions[:count]
    )


def test_item_statistics_page_is_bounded_in_rows_bytes_and_queries():
    """One guide, one page: the same rows, bytes and queries for 30 items and for 300, and
    another guide's items never on it."""
    client = author_client()
    url = reverse("exams:item_statistics")
    small = build_guide(code="AAA-01", per_sub=2)  # 30 questions, first in the guides' order
    worst_case_statistics(small, 30)
    small_count, small_page = queries(client, url)
    big = build_guide(code="BBB-01", per_sub=20, seed=2)  # 300 questions
    worst_case_statistics(big, 300)
    assert ItemStatistic.objects.count() == 330
    count, page = queries(client, url + "?guide=BBB-01&page=3")
    assert count == small_count <= 9
    assert len(page.context["stats"]) == PAGE and page.context["stats"].paginator.count == 300
    body = page.content.decode()
    assert body.count("<tr>") == PAGE + 1  # the header row and a page of items
    assert "AAA-01-" not in body and "BBB-01-" in body
    assert len(page.content) < 80_000, len(page.content)
    assert abs(len(page.content) - len(small_page.content)) < 2_000  # the same page, whatever the bank
    assert page.context["stats"][0].version.get_deferred_fields() >= {"content"}
    last = client.get(url, {"guide": "BBB-01", "page": "999"})  # past the end: the last page
    assert last.context["stats"].number == 12
