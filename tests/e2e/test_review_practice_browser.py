"""After a short exam: review one task statement's wrong answers, then practise them in study mode."""

import re

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem
from tests.browser import axe_serious, screenshot, start_from_exam_list, wait_saved, wait_until
from tests.factories import correct_positions

pytestmark = pytest.mark.e2e


def test_review_a_task_statement_then_practise_mistakes(candidate_page):
    page = candidate_page
    start_from_exam_list(page, "Mini mock exam")
    attempt = Attempt.objects.get(state="in_progress")
    items = {i.position: i for i in AttemptItem.objects.filter(attempt=attempt).select_related("version")}
    assert len(items) == 20
    for n in range(1, 21):
        wait_until(page, "window.mockexam !== undefined")  # a click before the script runs is not saved
        keys = correct_positions(items[n])
        # right on even positions, wrong on odd ones
        chosen = keys if n % 2 == 0 else [next(i for i in range(items[n].choice_count) if i not in keys)]
        for index in chosen:
            page.locator(f"label[for=opt-{index}]").click()
        wait_saved(page)
        if n < 20:
            page.get_by_role("link", name="Next ▶").click()
    page.get_by_role("button", name="End exam").click()
    page.get_by_role("button", name="End exam and see my score").click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator("#raw-percent")).to_have_text("50.0")

    page.get_by_role("link", name="Review answers").click()
    wrong = AttemptItem.objects.filter(attempt=attempt, is_correct=False).select_related("sub_domain")
    task = wrong[0].sub_domain
    expected = sum(1 for w in wrong if w.sub_domain_id == task.pk)
    page.locator(".task-summary").get_by_role("link", name=re.compile(rf"^{re.escape(task.code)} ")).click()
    page.wait_for_url(re.compile(rf"show=wrong&task={re.escape(task.code)}$"))
    expect(page.locator("article.item-review")).to_have_count(expected)
    expect(page.locator("article.item-review").first).to_contain_text("Explanation")
    assert axe_serious(page) == []
    screenshot(page, "review-by-task")

    page.get_by_role("button", name=f"Practise my mistakes in {task.code}").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    practice = Attempt.objects.get(state="in_progress")
    assert practice.blueprint.mode == "study" and practice.question_count == expected
    expect(page.get_by_role("button", name="Check answer")).to_be_visible()
    item = AttemptItem.objects.select_related("version").get(attempt=practice, position=1)
    wait_until(page, "window.mockexam !== undefined")  # a click before the script runs is not saved
    for index in correct_positions(item):  # a multiple-response question may want two or three
        page.locator(f"label[for=opt-{index}]").click()
    page.get_by_role("button", name="Check answer").click()
    feedback = page.locator(".study-feedback")
    expect(feedback).to_contain_text("Explanation")
    expect(feedback.locator(".badge", has_text="Correct")).to_be_visible()
    expect(page.locator("input#opt-0")).to_be_disabled()
    assert axe_serious(page) == []
    screenshot(page, "study-mode")
