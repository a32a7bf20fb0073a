"""A candidate sits the adaptive diagnostic in a real browser: first told honestly that the bank
is not calibrated, then, once it is, answering question after question until the estimate."""

import random
import re

import pytest
from playwright.sync_api import expect

from exams import irt, selectors
from exams.models import Attempt, AttemptItem, DiagnosticResult
from questions.models import ExamGuide
from tests.browser import axe_serious, screenshot
from tests.exams.test_learning import calibrate_bank
from tests.factories import correct_positions

pytestmark = pytest.mark.e2e


def test_sit_a_diagnostic(candidate_page):
    page = candidate_page
    guide = ExamGuide.objects.get(code="MLS-C01")
    page.goto("/practice/")
    page.get_by_role("button", name="Start the MLS-C01 adaptive diagnostic").click()
    expect(page.locator(".messages")).to_contain_text("not yet")
    assert not Attempt.objects.filter(blueprint__slug="diagnostic").exists()

    calibrate_bank(guide)
    params = selectors.item_parameters(guide=guide)
    rng = random.Random(7)
    page.get_by_role("button", name="Start the MLS-C01 adaptive diagnostic").click()
    page.wait_for_url(re.compile(r"/diagnostic/\d+/$"))
    attempt = Attempt.objects.get(blueprint__slug="diagnostic")
    # sending nothing is refused and asks for an answer
    page.get_by_role("button", name="Answer and continue").click()
    expect(page.get_by_text("Choose an answer first.")).to_be_visible()
    asked = 0
    while "/diagnostic/" in page.url:
        asked += 1
        expect(page.locator("#diagnostic-progress")).to_contain_text(f"Question {asked}")
        item = AttemptItem.objects.select_related("version").get(attempt=attempt, position=asked)
        p = params[item.question_id]
        right = rng.random() < irt.probability(0.8, p["a"], p["b"])
        if item.type in ("ordering", "matching"):
            values = correct_positions(item)
            if not right:
                values = values[1:] + values[:1]
            for row, value in enumerate(values):
                page.locator(f"#slot-{row}").select_option(str(value))
        else:
            keys = correct_positions(item)
            chosen = keys if right else [next(i for i in range(item.choice_count) if i not in keys)]
            for index in chosen:
                page.locator(f"label[for=opt-{index}]").click()
        if asked == 3:
            assert axe_serious(page) == []
            screenshot(page, "diagnostic-question")
        page.get_by_role("button", name="Answer and continue").click()
        page.wait_for_load_state()
    page.wait_for_url(re.compile(r"/result/$"))
    result = DiagnosticResult.objects.get(attempt=attempt)
    assert asked <= 30 and attempt.items.count() == asked
    expect(page.locator("#diagnostic-score")).to_have_text(str(result.scaled))
    expect(page.locator("#diagnostic-low")).to_have_text(str(result.low_scaled))
    expect(page.locator("#diagnostic-pass")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator("#diagnostic-domains tbody tr")).to_have_count(4)
    assert axe_serious(page) == []
    screenshot(page, "diagnostic-result")
