"""Costs that must not grow with a candidate's history (issue 21, point 2): a start reads the
candidate's "seen" rows (at most one per question of the guide), never the items of their past
attempts; "My attempts" shows a page of attempts and the latest mocks' trend, whatever the count.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exams.models import Attempt, AttemptDomainScore, CandidateStanding, SeenQuestion
from exams.selectors import HISTORY_PAGE
from exams.selectors.analytics import TREND_MOCKS
from exams.services.attempts import attempt_start, attempt_submit
from exams.services.practice import blueprint_for_drill
from questions.models import Question
from tests.factories import build_guide

pytestmark = pytest.mark.django_db


class Reads:
    """Every statement a block runs; afterwards, how many rows its reads return."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrap = connection.execute_wrapper(self)
        self._wrap.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrap.__exit__(*exc)

    @property
    def selects(self) -> list[tuple[str, tuple]]:
        return [(sql, params) for sql, params in self.statements if sql.lstrip().upper().startswith("SELECT")]

    def rows(self) -> int:
        """The rows the block's reads return, read again (the data has not changed since)."""
        total = 0
        with connection.cursor() as cursor:
            for sql, params in self.selects:
                cursor.execute(sql, params)
                total += len(cursor.fetchall())
        return total


def start_cost(user, blueprint) -> tuple[int, int, list[str]]:
    """Queries and rows read by one start, and the SQL of its reads; the attempt is then removed."""
    with Reads() as reads:
        attempt = attempt_start(user=user, blueprint=blueprint, seed=7)
    rows = reads.rows()
    Attempt.objects.filter(pk=attempt.pk).delete()
    return len(reads.statements), rows, [sql for sql, _ in reads.selects]


def test_a_start_costs_the_same_after_1_and_100_past_attempts(candidate):
    """A 20-question mock from 120 questions: the whole bank is seen by the sixth attempt, so
    after 10 and after 100 the seen rows are the same 120; the start's reads stay put."""
    guide = build_guide(code="HIS-01", per_sub=8, blueprint=("full", 20, 60))
    blueprint = guide.blueprints.get(slug="full")
    costs = {}
    for n in range(100):
        attempt_submit(
            user=candidate, attempt_id=attempt_start(user=candidate, blueprint=blueprint, seed=n).pk
        )
        if n + 1 in (1, 10, 100):
            costs[n + 1] = start_cost(candidate, blueprint)
    queries = {n: c[0] for n, c in costs.items()}
    rows = {n: c[1] for n, c in costs.items()}
    assert queries[1] == queries[10] == queries[100], queries
    assert rows[10] == rows[100], rows
    bank = Question.objects.filter(sub_domain__domain__guide=guide).count()
    assert rows[100] - rows[1] <= bank - 20, rows  # only the seen rows grew, to one per question
    for sql in costs[100][2]:
        assert "exams_attemptitem" not in sql, sql  # no past attempt's items are read
    assert SeenQuestion.objects.filter(user=candidate).count() == bank


def test_seen_rows_are_backfilled_from_past_attempts(candidate, guide, blueprint):
    """The migration builds the same rows from the items of attempts made before it."""
    now = timezone.now()
    for n in range(3):
        attempt = attempt_start(user=candidate, blueprint=blueprint, seed=n, now=now + timedelta(hours=n))
        attempt_submit(user=candidate, attempt_id=attempt.pk, now=now + timedelta(hours=n, minutes=5))
    fields = ("user_id", "guide_id", "question_id", "times", "last_seen_at", "last_wrong")
    kept = sorted(SeenQuestion.objects.values_list(*fields))
    SeenQuestion.objects.all().delete()
    importlib.import_module("exams.migrations.0011_seen_questions").backfill(apps, None)
    assert sorted(SeenQuestion.objects.values_list(*fields)) == kept


@pytest.fixture
def history(candidate, guide, blueprint):
    """Make ``n`` submitted mocks (with a domain score each) and ``n // 2`` practice sets."""
    drill = blueprint_for_drill(guide=guide, count=10, study=True, domain=guide.domains.get(number=1))
    domain = guide.domains.get(number=1)

    def make(n: int) -> None:
        start = timezone.now() - timedelta(days=400)
        Attempt.objects.filter(user=candidate).delete()
        made = Attempt.objects.bulk_create(
            Attempt(
                user=candidate, blueprint=blueprint if i < n else drill, seed=i, state="submitted",
                started_at=start + timedelta(hours=i), submitted_at=start + timedelta(hours=i, minutes=50),
                question_count=65, correct_count=40, percent=61.54, scaled_score=700, passed=False,
            )
            for i in range(n + n // 2)
        )  # fmt: skip
        AttemptDomainScore.objects.bulk_create(
            AttemptDomainScore(attempt=a, domain=domain, correct=8, total=13, meets=False) for a in made[:n]
        )

    return make


def shape_size(response) -> int:
    """A page's size with every number one character and no CSRF token: the same rows give the
    same size whatever their ids and dates (which differ in width from day to day)."""
    page = re.sub(rb'name="csrfmiddlewaretoken" value="\w+"', b"", response.content)
    return len(re.sub(rb"\d+", b"0", page))


def rows_of(response) -> dict[str, int]:
    return {title: len(page.object_list) for title, _, page in response.context["groups"]}


def test_history_is_paged_and_its_page_does_not_grow(client_a, history):
    url = reverse("exams:history")
    sizes = {}
    for n in (60, 200):
        history(n)
        client_a.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client_a.get(url)
        assert rows_of(response) == {"Mock exams": HISTORY_PAGE, "Practice": min(n // 2, HISTORY_PAGE)}
        assert sum(len(t["rows"]) for t in response.context["trends"]) == TREND_MOCKS
        sizes[n] = (len(ctx.captured_queries), shape_size(response))
    assert sizes[60] == sizes[200], sizes
    body = response.content.decode()
    assert "Page 1 of 8 (200 attempts)" in body and "mocks=2&amp;practice=1" in body
    last = client_a.get(url, {"mocks": 8, "practice": 4})
    assert rows_of(last) == {"Mock exams": 200 - 7 * HISTORY_PAGE, "Practice": 100 - 3 * HISTORY_PAGE}
    assert last.context["groups"][0][2][0].seed == 200 - 7 * HISTORY_PAGE - 1  # newest first


@pytest.mark.parametrize(
    ("query", "status"), [({"mocks": "x"}, 400), ({"practice": 0}, 400), ({"mocks": 9}, 404)]
)
def test_a_page_that_is_not_there_is_refused(client_a, history, query, status):
    history(200)
    assert client_a.get(reverse("exams:history"), query).status_code == status


def test_no_history_is_one_empty_page(client_a):
    response = client_a.get(reverse("exams:history"))
    assert response.status_code == 200 and rows_of(response) == {"Mock exams": 0, "Practice": 0}
    assert "None yet." in response.content.decode()


def test_the_dashboard_shows_the_latest_mocks_and_does_not_grow(client_a, candidate, guide, history):
    """The dashboard's trend (chart and table) holds each guide's latest ``TREND_MOCKS`` mocks,
    however many the candidate sat, and says so with a link to all of them."""
    domain = guide.domains.get(number=1)
    url = reverse("exams:dashboard")
    sizes = {}
    for n in (30, 200):
        history(n)
        CandidateStanding.objects.update_or_create(
            user=candidate, guide=guide, domain=domain, sub_domain=None,
            defaults={"mastery": 0.6, "answered": 13, "attempts": n, "updated_at": timezone.now()},
        )  # fmt: skip
        client_a.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client_a.get(url)
        entry = next(g for g in response.context["guides"] if g["guide"] == guide)
        assert len(entry["trend"]) == TREND_MOCKS and entry["trend_capped"]
        seeds = [a.seed for a in entry["trend"]]
        assert seeds == list(range(n - TREND_MOCKS, n))  # the latest, oldest first
        sizes[n] = (len(ctx.captured_queries), shape_size(response))
    assert sizes[30] == sizes[200], sizes
    body = response.content.decode()
    assert f"Score over your latest {TREND_MOCKS} mock exams" in body and "All your attempts" in body
