"""A candidate sits a full mock of each current exam in real Chromium, from the bundled banks as
`make run` loads them: MLA-C01 (65 questions, 130 minutes, pass 720, case studies, ordering and
matching) and AIF-C01 (65 questions, 90 minutes, pass 700, five domains)."""

import re

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem
from tests.browser import log_in, screenshot, start_from_exam_list, wait_saved, wait_until
from tests.factories import UserFactory, correct_positions

pytestmark = pytest.mark.e2e


def answer(page, item) -> None:
    """The key of any item type: options by their labels, steps and pairs by their selects."""
    keys = correct_positions(item)
    if item.type in ("ordering", "matching"):
        for slot, value in enumerate(keys):
            page.locator(f"#slot-{slot}").select_option(str(value))
    else:
        for index in keys:
            page.locator(f"label[for=opt-{index}]").click()


@pytest.mark.parametrize(
    ("code", "clock", "domains", "tasks", "passing"),
    [
        ("MLA-C01", r"^(2:0\d|2:10):\d\d$", 4, 12, 720),
        ("AIF-C01", r"^(1:2\d|1:30):\d\d$", 5, 14, 700),
    ],
)
def test_sit_a_full_mock_of_a_current_exam(page, bank, code, clock, domains, tasks, passing):
    UserFactory(username="sam")
    log_in(page, "sam")
    page.goto("/exams/")
    section = page.locator(f"#exam-{code.lower()}")
    expect(section.get_by_test_id("exam-status")).to_have_text("Current")
    start_from_exam_list(page, "Full mock exam", code)  # its instructions, then Begin
    attempt = Attempt.objects.get(state="in_progress", blueprint__guide__code=code)
    items = {
        i.position: i
        for i in AttemptItem.objects.filter(attempt=attempt).select_related("version", "question")
    }
    assert len(items) == 65
    assert attempt.blueprint.duration_minutes == {"MLA-C01": 130, "AIF-C01": 90}[code]
    seen_types, pictured_case = set(), False
    for n in range(1, 66):
        item = items[n]
        expect(page.locator("#position-label")).to_have_text(f"Question {n} of 65")
        wait_until(page, "window.mockexam !== undefined")
        expect(page.locator("#timer-value")).to_have_text(re.compile(clock))
        if item.question.case_study_id:  # the scenario is in view beside each of its questions
            expect(page.locator(".case-study .scenario")).to_be_visible()
            if not pictured_case and code == "MLA-C01":
                screenshot(page, "case-study")
                pictured_case = True
        else:
            expect(page.locator(".case-study")).to_have_count(0)
        answer(page, item)
        seen_types.add(item.type)
        wait_saved(page)
        expect(page.locator("#save-status")).to_have_text("saved ✓")
        if n < 65:
            page.get_by_role("link", name="Next ▶").click()
    assert {"single", "multiple"} <= seen_types and seen_types & {"ordering", "matching"}
    page.get_by_role("button", name="End exam").click()
    dialog = page.locator("#end-dialog")
    expect(dialog.locator("#end-unanswered")).to_have_text("0")
    dialog.get_by_role("button", name="End exam and see my score").click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator("#domain-table tbody tr:not(.task-row)")).to_have_count(domains)
    expect(page.locator("#domain-table tbody tr.task-row")).to_have_count(tasks)
    expect(page.locator("#verdict")).to_have_text("Pass")
    expect(page.get_by_text(f"{passing}", exact=False).first).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.correct_count == 65
    assert attempt.blueprint.guide.passing_score == passing
