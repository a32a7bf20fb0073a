"""Ordering, matching and a case study answered in real Chromium: with the keyboard alone, with
the mouse, and by touch on a phone-sized screen; a reload mid-way restores every answer."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem, ExamBlueprint
from exams.services.attempts import attempt_start
from tests.browser import axe_serious, log_in, screenshot, wait_saved, wait_until
from tests.factories import UserFactory, correct_positions

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent.parent / "questions" / "fixtures" / "every-type"


@pytest.fixture
def every_type(transactional_db):
    """The bank with every type, and an attempt of "sam" holding an ordering item, a matching
    item and a case study (the first seed that draws them all)."""
    call_command("load_bank", str(FIXTURE), verbosity=0)
    user = UserFactory(username="sam")
    blueprint = ExamBlueprint.objects.get(guide__code="MLA-T", slug="full")
    for seed in range(300):
        attempt = attempt_start(user=user, blueprint=blueprint, seed=seed)
        items = list(attempt.items.select_related("question", "version").order_by("position"))
        kinds = {i.type for i in items}
        if {"ordering", "matching"} <= kinds and any(i.question.case_study_id for i in items):
            return attempt
        Attempt.objects.filter(pk=attempt.pk).delete()
    raise AssertionError("no seed drew every type")


def item_of(attempt, kind: str) -> AttemptItem:
    """The attempt's first item of ``kind``; "case": a multiple-choice item of a case study."""
    items = (
        AttemptItem.objects.filter(attempt=attempt).select_related("version", "question").order_by("position")
    )
    if kind == "case":
        return next(i for i in items if i.question.case_study_id and i.type in ("single", "multiple"))
    return next(i for i in items if i.type == kind)


def open_item(page, attempt, item) -> None:
    page.goto(reverse("exams:question", args=[attempt.pk, item.position]))
    wait_until(page, "window.mockexam !== undefined")


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus: the keyboard alone, no click."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def choose_by_keyboard(page, slot: int, value: int) -> None:
    """On a focused, closed native select, each ArrowDown moves one option down (the first
    option is the empty "Position…" or "Choose a response…")."""
    tab_to(page, f"slot-{slot}")
    page.keyboard.press("Home")
    for _ in range(value + 1):
        page.keyboard.press("ArrowDown")


def slot_values(page) -> list:
    return page.locator("select[name=slot]").evaluate_all("els => els.map(e => e.value)")


def stored(item) -> list:
    return AttemptItem.objects.get(pk=item.pk).selected


def test_keyboard_only_answers_ordering_matching_and_a_case_study_and_a_reload_restores_them(
    page, every_type
):
    attempt = every_type
    log_in(page, "sam")
    ordering, matching, case = (
        item_of(attempt, "ordering"),
        item_of(attempt, "matching"),
        item_of(attempt, "case"),
    )

    # Ordering: every step gets its position with Tab and the arrow keys.
    open_item(page, attempt, ordering)
    expect(page.locator(".select-instruction")).to_contain_text("Put the")
    key = correct_positions(ordering)
    for slot, position in enumerate(key[:2]):
        choose_by_keyboard(page, slot, position)
    wait_saved(page)
    page.reload()  # mid-way: the two placed steps come back
    wait_until(page, "window.mockexam !== undefined")
    assert slot_values(page) == [str(key[0]), str(key[1])] + [""] * (len(key) - 2)
    expect(page.locator("#pick-hint")).to_contain_text(f"2 of {len(key)} steps placed")
    for slot, position in enumerate(key[2:], start=2):
        choose_by_keyboard(page, slot, position)
    expect(page.locator("#order-summary li")).to_have_count(len(key))
    wait_saved(page)
    assert stored(ordering) == list(range(len(key)))
    assert axe_serious(page) == []
    screenshot(page, "ordering")

    # Matching: each prompt's response, by keyboard.
    page.keyboard.press("n")  # the N key moves on when no select has the focus
    open_item(page, attempt, matching)
    pairs = correct_positions(matching)
    for slot, response in enumerate(pairs):
        choose_by_keyboard(page, slot, response)
    expect(page.locator("#pick-hint")).to_contain_text("Matched with")
    wait_saved(page)
    page.reload()
    wait_until(page, "window.mockexam !== undefined")
    assert slot_values(page) == [str(r) for r in pairs]
    assert stored(matching) == list(range(len(pairs)))
    assert axe_serious(page) == []
    screenshot(page, "matching")

    # A case-study question: the scenario is there; the answer by its number key.
    open_item(page, attempt, case)
    expect(page.locator(".case-study summary")).to_contain_text("Case study:")
    expect(page.locator(".case-study .scenario")).to_be_visible()
    for index in correct_positions(case):
        page.keyboard.press(str(index + 1))
    wait_saved(page)
    page.reload()
    checked = page.locator("input[name=option]").evaluate_all(
        "els => els.filter(e => e.checked).map(e => +e.value)"
    )
    assert sorted(checked) == sorted(correct_positions(case))
    # The navigator shows all three answered.
    for item in (ordering, matching, case):
        expect(page.locator(f'.nav-cell[data-position="{item.position}"]')).to_have_class(
            re.compile("answered")
        )


def test_mouse_answers_with_a_flag_and_the_review_shows_both_orders(page, every_type):
    attempt = every_type
    log_in(page, "sam")
    ordering, matching = item_of(attempt, "ordering"), item_of(attempt, "matching")
    open_item(page, attempt, ordering)
    key = correct_positions(ordering)
    wrong = key[::-1]
    for slot, position in enumerate(wrong):
        page.locator(f"#slot-{slot}").click()  # the pointer opens the native list...
        page.locator(f"#slot-{slot}").select_option(str(position))  # ...and picks an entry
        page.keyboard.press("Escape")
    page.get_by_role("button", name="Flag for review").click()
    wait_saved(page)
    open_item(page, attempt, matching)
    for slot, response in enumerate(correct_positions(matching)):
        page.locator(f"#slot-{slot}").click()
        page.locator(f"#slot-{slot}").select_option(str(response))
        page.keyboard.press("Escape")
    wait_saved(page)
    page.reload()
    wait_until(page, "window.mockexam !== undefined")
    assert slot_values(page) == [str(r) for r in correct_positions(matching)]
    case = item_of(attempt, "case")
    open_item(page, attempt, case)
    expect(page.locator(".case-study .scenario")).to_be_visible()
    for index in correct_positions(case):
        page.locator(f"label[for=opt-{index}]").click()
    wait_saved(page)
    page.reload()
    checked = page.locator("input[name=option]").evaluate_all(
        "els => els.filter(e => e.checked).map(e => +e.value)"
    )
    assert sorted(checked) == sorted(correct_positions(case))
    page.get_by_role("button", name="End exam").click()
    page.locator("#end-dialog").get_by_role("button", name="End exam and see my score").click()
    page.wait_for_url("**/result/")
    page.goto(reverse("exams:review", args=[attempt.pk]))
    ordering_card = page.locator(f"#q{ordering.position}")
    expect(ordering_card.get_by_role("heading", name="Your order")).to_be_visible()
    expect(ordering_card.get_by_role("heading", name="Correct order")).to_be_visible()
    expect(ordering_card.locator(".badge")).to_contain_text(["Wrong", "Flagged"])
    matching_card = page.locator(f"#q{matching.position}")
    expect(matching_card.locator(".badge").first).to_have_text("Correct")
    expect(matching_card.get_by_role("columnheader", name="Correct response")).to_be_visible()
    assert axe_serious(page) == []
    for item in (ordering, matching, case):
        item.refresh_from_db()
    assert (ordering.is_correct, ordering.flagged, matching.is_correct, case.is_correct) == (
        False,
        True,
        True,
        True,
    )


def test_a_phone_answers_by_touch(browser, server, every_type):
    attempt = every_type
    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, "sam")
        ordering, matching, case = (
            item_of(attempt, "ordering"),
            item_of(attempt, "matching"),
            item_of(attempt, "case"),
        )
        for item in (ordering, matching):
            open_item(page, attempt, item)
            for slot, value in enumerate(correct_positions(item)):
                page.locator(f"#slot-{slot}").tap()
                page.locator(f"#slot-{slot}").select_option(str(value))
            wait_saved(page)
        open_item(page, attempt, case)
        summary = page.locator(".case-study summary")
        summary.tap()  # the scenario folds away on a small screen...
        expect(page.locator(".case-study .scenario")).to_be_hidden()
        summary.tap()  # ...and comes back
        expect(page.locator(".case-study .scenario")).to_be_visible()
        for index in correct_positions(case):
            page.locator(f"label[for=opt-{index}]").tap()
        wait_saved(page)
        page.reload()
        wait_until(page, "window.mockexam !== undefined")
        open_item(page, attempt, matching)
        assert slot_values(page) == [str(v) for v in correct_positions(matching)]
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        for item in (ordering, matching):
            assert stored(item) == list(range(item.choice_count))
    finally:
        context.close()
