"""The save status never claims a save the server refused, a busy server is waited for as it
asks, and the time on each question is measured and shown (issues #18, points 2 and 7, and #19,
point 4), in real Chromium against a real server process."""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem
from tests.browser import axe_serious, screenshot, start_from_exam_list, wait_saved, wait_until

pytestmark = pytest.mark.e2e


def start_full_mock(page) -> Attempt:
    start_from_exam_list(page, "Full mock exam")  # MLS-C01's: its instructions, then Begin
    wait_until(page, "window.mockexam !== undefined")
    return Attempt.objects.get(state="in_progress")


def single_choice(page, attempt: Attempt) -> AttemptItem:
    """Go to the attempt's first single-answer question with four options or more."""
    items = AttemptItem.objects.filter(attempt=attempt).order_by("position")
    item = next(i for i in items if i.type == "single" and i.choice_count >= 4)
    if item.position != 1:
        page.goto(f"/attempts/{attempt.pk}/q/{item.position}/")
        wait_until(page, "window.mockexam !== undefined")
    return item


def checked(page) -> list[int]:
    return page.locator("input[name=option]").evaluate_all(
        "els => els.filter(e => e.checked).map(e => +e.value)"
    )


def test_a_refused_save_shows_the_servers_answer_and_one_message_never_saved(candidate_page):
    first = candidate_page
    attempt = start_full_mock(first)
    position = single_choice(first, attempt).position
    second = first.context.new_page()
    second.goto(first.url)
    wait_until(second, "window.mockexam !== undefined")

    first.locator("label[for=opt-0]").click()
    wait_saved(first)
    second.locator("label[for=opt-3]").click()  # based on the page before the first tab's save
    status = second.locator("#save-status")
    expect(status).to_contain_text("not saved")
    expect(second.get_by_role("alert")).to_have_count(1)
    expect(second.get_by_role("alert")).to_contain_text("another tab or device")
    assert checked(second) == [0]  # the server's answer, not the refused one
    wait_saved(second)  # nothing waits: the refused change is dropped, and the status says so
    expect(status).not_to_contain_text("saved ✓")
    screenshot(second, "save-refused")
    assert axe_serious(second) == []

    # A second conflict replaces the message; it does not stack another banner.
    first.locator("label[for=opt-1]").click()
    wait_saved(first)
    second.locator("label[for=opt-2]").click()
    expect(second.get_by_role("alert")).to_have_count(1)
    expect(status).to_contain_text("not saved")
    wait_until(second, "document.getElementById('opt-1').checked")

    # The tab now holds the server's revision: its next change lands, and only then "saved ✓".
    second.locator("label[for=opt-2]").click()
    wait_saved(second)
    expect(status).to_have_text("saved ✓")
    expect(second.get_by_role("alert")).to_have_count(0)
    item = AttemptItem.objects.get(attempt=attempt, position=position)
    assert item.selected == [item.option_order[2]] and item.revision == 3


def test_a_busy_server_is_waited_for_as_long_as_it_asks_and_nothing_claims_saved(candidate_page):
    page = candidate_page
    attempt = start_full_mock(page)
    position = single_choice(page, attempt).position
    sent: list[float] = []

    def busy_once(route):
        sent.append(time.monotonic())
        if len(sent) == 1:  # as a restarting database answers (config/middleware.py)
            body = {"error": "The database is briefly unavailable.", "code": "unavailable", "retry_after": 4}
            route.fulfill(
                status=503,
                headers={"Retry-After": "4"},
                content_type="application/json",
                body=json.dumps(body),
            )
        else:
            route.continue_()

    page.route(re.compile(r"/attempts/\d+/save/$"), busy_once)
    page.locator("label[for=opt-1]").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("retrying")
    expect(status).to_contain_text("kept on this device")
    assert "saved ✓" not in status.inner_text()
    assert page.evaluate("window.mockexam.pending()") == 1
    wait_saved(page, timeout=20)
    expect(status).to_have_text("saved ✓")
    assert len(sent) == 2 and sent[1] - sent[0] >= 3.8  # not the 1 s backoff: the server's 4 s
    item = AttemptItem.objects.get(attempt=attempt, position=position)
    assert item.selected == [item.option_order[1]]


def test_an_out_of_date_token_keeps_the_answer_asks_for_a_reload_and_the_reload_saves_it(candidate_page):
    """The CSRF token changed under the page (signed in again in another tab): the save is
    refused with a 403 that says so, the answer stays queued on this device (no retry loop, no
    "saved"), and the reload the status asks for sends it."""
    page = candidate_page
    attempt = start_full_mock(page)
    position = single_choice(page, attempt).position
    replies: list[int] = []
    page.on("response", lambda r: replies.append(r.status) if "/save/" in r.url else None)
    cookie = next(c for c in page.context.cookies() if c["name"] == "csrftoken")
    page.context.add_cookies([{**cookie, "value": "x" * 32}])  # another secret than the page's
    page.locator("label[for=opt-2]").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("reload the page")
    expect(status).to_contain_text("1 answer kept here")
    page.wait_for_timeout(3000)  # no retries: the same token would be refused again
    assert replies == [403]
    assert page.evaluate("window.mockexam.pending()") == 1
    assert AttemptItem.objects.get(attempt=attempt, position=position).selected == []

    page.reload()
    wait_until(page, "window.mockexam !== undefined")
    wait_saved(page)
    expect(status).to_have_text("saved ✓")
    item = AttemptItem.objects.get(attempt=attempt, position=position)
    assert item.selected == [item.option_order[2]]


def test_time_on_each_question_pacing_and_the_time_shown_after(candidate_page):
    page = candidate_page
    attempt = start_full_mock(page)
    position = single_choice(page, attempt).position
    pacing = page.locator("#pacing-text")
    expect(pacing).to_contain_text("65 of 65 unanswered")
    expect(pacing).to_contain_text(re.compile(r"^65 of 65 unanswered · about (\d+ min )?\d+ s each$"))

    page.wait_for_timeout(2500)  # on screen, visible and focused
    page.locator("label[for=opt-0]").click()
    wait_saved(page)
    expect(pacing).to_contain_text("64 of 65 unanswered")
    page.get_by_role("link", name="Next ▶").click()  # leaving the question reports its time
    page.wait_for_url(re.compile(rf"/q/{position + 1}/$"))
    wait_until(page, "window.mockexam !== undefined")
    first = AttemptItem.objects.get(attempt=attempt, position=position)
    assert 2 <= first.active_seconds <= 30, first.active_seconds

    # Pacing can be hidden, and stays hidden on the next page.
    page.get_by_role("button", name="Hide pacing").click()
    expect(pacing).to_be_hidden()
    page.reload()
    expect(page.get_by_role("button", name="Show pacing")).to_be_visible()
    expect(pacing).to_be_hidden()
    page.get_by_role("button", name="Show pacing").click()
    expect(pacing).to_be_visible()
    screenshot(page, "pacing")

    page.wait_for_timeout(1500)
    page.get_by_role("button", name="End exam").click()
    page.locator("#end-dialog").get_by_role("button", name=re.compile("End exam")).click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator("#time-used")).to_contain_text(re.compile(r"Time used 0:0\d:\d\d of \d:\d\d:00"))
    second = AttemptItem.objects.get(attempt=attempt, position=position + 1)
    assert second.active_seconds >= 1  # reported before the end form was sent
    page.get_by_role("link", name="Review answers").first.click()
    expect(page.locator(f"#q{position} .item-time")).to_contain_text(re.compile(r"⏱ \d+ s"))
    expect(page.locator("#time-by-domain tbody tr").first).to_be_visible()
    assert axe_serious(page) == []
