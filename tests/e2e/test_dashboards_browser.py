"""The dashboards in a real browser, with data from several submitted mock exams."""

import random
import re

import pytest
from playwright.sync_api import expect

from exams.models import ExamBlueprint
from exams.services.analytics import analytics_rebuild
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from questions.services import authors_group
from tests.browser import axe_serious, log_in, screenshot, wait_until
from tests.factories import UserFactory, correct_positions

pytestmark = pytest.mark.e2e


def sit(user, blueprint, skill: float, seed: int) -> None:
    """A candidate who answers each question right with probability ``skill``."""
    rng = random.Random(seed)
    attempt = attempt_start(user=user, blueprint=blueprint, seed=seed)
    for item in attempt.items.select_related("version"):
        keys = correct_positions(item)
        chosen = (
            keys if rng.random() < skill else [next(i for i in range(item.choice_count) if i not in keys)]
        )
        attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            position=item.position,
            selected=chosen,
            flagged=False,
            base_revision=0,
        )
    attempt_submit(user=user, attempt_id=attempt.pk)


@pytest.fixture
def cohort(bank):
    full = ExamBlueprint.objects.get(slug="full", guide__code="MLS-C01")  # three guides are bundled
    sam = UserFactory(username="sam")
    for n, skill in enumerate((0.55, 0.62, 0.7, 0.78)):
        sit(sam, full, skill, seed=n)
    for n in range(12):
        sit(UserFactory(), full, 0.35 + n * 0.05, seed=100 + n)
    analytics_rebuild()
    return sam


def test_candidate_dashboard(page, cohort):
    log_in(page, "sam")
    page.goto("/dashboard/")
    expect(page.locator(".readiness-card .display-6")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator("canvas[data-chart=trend]")).to_be_visible()
    expect(page.locator(".weakest li")).to_have_count(5)
    wait_until(page, "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length === 2")
    assert axe_serious(page) == []
    screenshot(page, "dashboard")


def test_author_item_statistics(page, cohort):
    author = UserFactory(username="ada")
    author.groups.add(authors_group())  # recreated: a browser test's database is flushed between tests
    log_in(page, "ada")
    page.goto("/authoring/statistics/?sort=facility")
    expect(page.locator("table.item-stats tbody tr").first).to_be_visible()
    assert axe_serious(page) == []
    screenshot(page, "item-statistics")
