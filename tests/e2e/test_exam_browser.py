"""A candidate sits exams in real Chromium against a real server process."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem
from tests.browser import (
    axe_serious,
    no_sideways_scroll,
    screenshot,
    start_from_exam_list,
    wait_saved,
    wait_until,
)
from tests.factories import correct_positions

pytestmark = pytest.mark.e2e


def start_full_mock(page):
    start_from_exam_list(page, "Full mock exam")
    return Attempt.objects.get(state="in_progress")


def option_inputs(page):
    return page.locator("input[name=option]")


def answer(page, item, displayed: list[int], by_keyboard: bool) -> None:
    if by_keyboard:
        for index in displayed:
            page.keyboard.press(str(index + 1))
    else:
        for index in displayed:
            page.locator(f"label[for=opt-{index}]").click()


def test_sit_a_whole_65_question_exam(candidate_page):
    page = candidate_page
    attempt = start_full_mock(page)
    items = {i.position: i for i in AttemptItem.objects.filter(attempt=attempt).select_related("version")}
    assert len(items) == 65
    expected = {}
    flagged = {10, 20, 30, 40, 50, 60}
    first_multiple = min(p for p, i in items.items() if i.select_count > 1)
    for n in range(1, 66):
        item = items[n]
        expect(page.locator("#position-label")).to_have_text(f"Question {n} of 65")
        wait_until(page, "window.mockexam !== undefined")  # keys typed before the script runs do nothing
        expect(page.locator("#timer-value")).to_have_text(re.compile(r"^(2:5\d|3:00):\d\d$"))
        if item.select_count > 1:
            expect(page.locator(".select-instruction")).to_have_text(re.compile(r"\(Select (TWO|THREE)\.\)"))
        keys = correct_positions(item)
        if n % 4 == 0:  # a wrong answer now and then: the first option that is not in the key
            keys = [next(i for i in range(item.choice_count) if i not in keys), *keys[1:]]
        answer(page, item, keys, by_keyboard=n % 2 == 0)
        if n in flagged:
            page.keyboard.press("f") if n % 20 else page.get_by_role("button", name="Flag for review").click()
            expect(page.locator("#flag-button")).to_have_attribute("aria-pressed", "true")
        expected[n] = sorted(keys)
        wait_saved(page)
        expect(page.locator("#save-status")).to_have_text("saved ✓")
        if n == first_multiple:
            assert axe_serious(page) == []
            screenshot(page, "exam")
        if n == 30:  # a reload mid-exam restores the answer and the flag
            page.reload()
            checked = [
                int(v)
                for v in option_inputs(page).evaluate_all(
                    "els => els.filter(e => e.checked).map(e => e.value)"
                )
            ]
            assert sorted(checked) == expected[30]
            expect(page.get_by_role("button", name="Flagged for review")).to_have_attribute(
                "aria-pressed", "true"
            )
            expect(page.locator('.nav-cell[data-position="29"]')).to_have_class(re.compile("answered"))
        if n < 65:
            page.keyboard.press("n") if n % 3 else page.get_by_role("link", name="Next ▶").click()
    page.get_by_role("link", name="Review answers ▶").click()
    expect(page.get_by_text("65 answered, 0 unanswered, 6 flagged")).to_be_visible()
    page.get_by_role("link", name="Flagged").click()
    expect(page.locator(".review-table tbody tr")).to_have_count(6)
    assert axe_serious(page) == []
    screenshot(page, "review")
    page.get_by_role("link", name="Question 40").click()
    expect(page.locator("#position-label")).to_have_text("Question 40 of 65")
    page.get_by_role("button", name="End exam").click()
    dialog = page.locator("#end-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#end-unanswered")).to_have_text("0")
    expect(dialog.locator("#end-flagged")).to_have_text("6")
    dialog.get_by_role("button", name="End exam and see my score").click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator("#domain-table tbody tr:not(.task-row)")).to_have_count(4)
    expect(page.locator("#domain-table tbody tr.task-row")).to_have_count(15)
    expect(page.locator("#verdict")).to_have_text("Pass")
    assert axe_serious(page) == []
    wait_until(page, "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length === 1")
    screenshot(page, "result")
    page.set_viewport_size({"width": 360, "height": 740})  # the same result on a phone
    no_sideways_scroll(page)
    page.locator("#breakdown").scroll_into_view_if_needed()
    screenshot(page, "phone-result")

    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finish == "candidate"
    stored = {i.position: i for i in AttemptItem.objects.filter(attempt=attempt)}
    for n, keys in expected.items():
        assert sorted(stored[n].option_order[k] for k in keys) == sorted(stored[n].selected), n
    assert {n for n, i in stored.items() if i.flagged} == flagged
    assert attempt.correct_count == 65 - 16  # every fourth answer was wrong


def test_when_time_runs_out_the_browser_submits(candidate_page):
    page = candidate_page
    attempt = start_full_mock(page)
    page.locator("label[for=opt-0]").click()
    wait_saved(page)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    page.wait_for_url(re.compile(r"/result/$"), timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finish == "timeout"
    assert attempt.submitted_at == attempt.deadline
    assert AttemptItem.objects.get(attempt=attempt, position=1).selected != []
    expect(page.locator("#verdict")).to_be_visible()


def test_server_killed_mid_exam_loses_nothing(candidate_page, server):
    page = candidate_page
    attempt = start_full_mock(page)
    for n in (1, 2, 3):
        page.locator("label[for=opt-1]").click()
        wait_saved(page)
        if n < 3:
            page.get_by_role("link", name="Next ▶").click()
    acknowledged = {
        i.position: i.selected for i in AttemptItem.objects.filter(attempt=attempt, position__lte=3)
    }
    assert all(acknowledged.values())

    server.kill()
    page.locator("label[for=opt-2]").click()  # changed while the server is down
    page.keyboard.press("f")
    expect(page.locator("#save-status")).to_contain_text("offline", timeout=10_000)
    assert page.evaluate("window.mockexam.pending()") == 1
    for n in (1, 2):  # every acknowledged answer is still there, read straight from the database
        assert AttemptItem.objects.get(attempt=attempt, position=n).selected == acknowledged[n]

    server.start()
    wait_saved(page, timeout=40)
    expect(page.locator("#save-status")).to_have_text("saved ✓")
    item = AttemptItem.objects.get(attempt=attempt, position=3)
    shown = [2] if item.select_count == 1 else [1, 2]  # a check box adds to the earlier choice
    assert item.selected == sorted(item.option_order[s] for s in shown) and item.flagged
    page.reload()
    expect(page.locator("input#opt-2")).to_be_checked()


def test_a_second_tab_cannot_silently_overwrite(candidate_page, browser):
    page = candidate_page
    attempt = start_full_mock(page)
    other = page.context.new_page()
    other.goto(page.url)
    page.locator("label[for=opt-0]").click()
    wait_saved(page)
    other.locator("label[for=opt-3]").click()
    expect(other.get_by_role("alert")).to_contain_text("another tab or device")
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    assert item.selected == [item.option_order[0]]
