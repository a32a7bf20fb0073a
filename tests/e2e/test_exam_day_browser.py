"""Exam day in real Chromium (issue 18): time that ran out while the candidate was away,
instructions before the clock, the walk through a filtered review, the keyboard and its
shortcuts, every candidate page on a 360 px phone and through axe, results that lead somewhere,
study feedback on the options, and tables and code styled wherever a question shows."""

import random
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Attempt, AttemptItem, ExamBlueprint, ItemReview
from exams.services.attempts import attempt_check_answer, attempt_save_answer, attempt_start, attempt_submit
from exams.services.practice import attempt_start_drill
from questions.markdown import render
from questions.models import QuestionVersion
from questions.services import author_grant
from tests.browser import (
    axe_violations,
    log_in,
    no_sideways_scroll,
    screenshot,
    start_from_exam_list,
    wait_saved,
    wait_until,
)
from tests.factories import UserFactory, build_guide, correct_positions

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
EXHIBIT = """The team measured three candidate endpoints:

| Endpoint | p95 latency (ms) | Cost per hour (USD) |
|---|---|---|
| ml.m5.xlarge | 180 | 0.23 |
| ml.c5.2xlarge | 95 | 0.41 |

```python
predictor = model.deploy(initial_instance_count=2, instance_type="ml.c5.2xlarge", endpoint_name="fraud")
```

Which endpoint meets a 100 ms p95 target at the lowest cost?"""


@pytest.fixture
def world(transactional_db):
    """A guide of 12 questions per task statement (a 10-question drill fits each), a mini mock
    and the candidate sam."""
    guide = build_guide(code="MLS-C01", per_sub=12)
    ExamBlueprint.objects.create(
        guide=guide, slug="mini", name="Mini mock exam", question_count=20, duration_minutes=50,
        score_min=100, score_max=1000, passing_score=750,
    )  # fmt: skip
    return guide, UserFactory(username="sam")


def question_url(attempt, position: int) -> str:
    return reverse("exams:question", args=[attempt.pk, position])


def sit(user, blueprint, *, seed: int, skill: float = 0.6) -> Attempt:
    """A mock answered through the services, right with probability ``skill``, and submitted."""
    rng = random.Random(seed)
    attempt = attempt_start(user=user, blueprint=blueprint, seed=seed)
    for item in attempt.items.select_related("version"):
        keys = correct_positions(item)
        wrong = [next(i for i in range(item.choice_count) if i not in keys)]
        attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            position=item.position,
            selected=keys if rng.random() < skill else wrong,
            flagged=item.position % 9 == 0,
            base_revision=0,
        )
    return attempt_submit(user=user, attempt_id=attempt.pk)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two CSS colours given as rgb(...) or rgba(...)."""

    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def style(locator, *props: str) -> list[str]:
    return locator.evaluate(
        f"(el) => {{ const s = getComputedStyle(el); return {list(props)}.map(p => s[p]); }}"
    )


# ---- 1 -------------------------------------------------------------------------------------


def test_time_that_ran_out_while_away_is_shown_as_such_and_starts_nothing(page, world):
    guide, _ = world
    log_in(page, "sam")
    start_from_exam_list(page, "Full mock exam", guide=guide.code)
    wait_until(page, "window.mockexam !== undefined")
    page.locator("label[for=opt-0]").click()
    wait_saved(page)
    old_tab = page.url
    page.goto("/")  # the candidate closes the exam...
    attempt = Attempt.objects.get()
    shift = timedelta(hours=4)  # ...and comes back the next morning; no worker ran meanwhile
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift, deadline=attempt.deadline - shift
    )
    page.goto("/exams/")
    expect(page.locator(".messages")).to_contain_text("Time ran out on your attempt at Full mock exam")
    card = page.locator(f"#exam-{guide.code.lower()} .card", has_text="Full mock exam")
    expect(card.get_by_role("link", name=re.compile(r"^Resume"))).to_have_count(0)
    expect(card.locator(".last-attempt")).to_contain_text("time ran out")
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finish == "timeout"
    assert attempt.submitted_at == attempt.deadline
    assert AttemptItem.objects.get(attempt=attempt, position=1).selected != []  # the saved answer counted
    card.get_by_role("link", name=re.compile(r"^result")).click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator("#time-ran-out")).to_contain_text("Time ran out")
    page.goto(old_tab)  # the tab left open on the exam leads to the result as well
    page.wait_for_url(re.compile(r"/result/$"))
    assert Attempt.objects.count() == 1  # nothing new started: that stays the candidate's choice
    assert axe_violations(page) == []


# ---- 3 -------------------------------------------------------------------------------------


def test_the_instructions_come_first_and_the_clock_starts_on_begin(page, world):
    guide, _ = world
    log_in(page, "sam")
    page.goto("/exams/")
    page.locator(f"#exam-{guide.code.lower()} .card", has_text="Full mock exam").get_by_role(
        "link", name=re.compile("^Start")
    ).click()
    page.wait_for_url(re.compile(r"/exams/\d+/$"))
    expect(page.locator("h1")).to_contain_text("before you begin")
    for text in ("65 questions", "180 minutes", "Multiple response", "Flag for review", "Keyboard shortcuts"):
        expect(page.locator("main")).to_contain_text(text)
    assert not Attempt.objects.exists()
    assert axe_violations(page) == []
    screenshot(page, "instructions")
    page.wait_for_timeout(1500)  # reading the instructions is not exam time
    begun = timezone.now()
    page.get_by_role("button", name="Begin").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    attempt = Attempt.objects.get()
    assert attempt.started_at >= begun - timedelta(milliseconds=50)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=180)
    expect(page.locator("#timer-value")).to_have_text(re.compile(r"^(3:00:00|2:59:\d\d)$"))


# ---- 4 -------------------------------------------------------------------------------------


def test_next_and_previous_walk_through_the_flagged_and_the_unanswered(page, world):
    guide, _ = world
    log_in(page, "sam")
    start_from_exam_list(page, "Full mock exam", guide=guide.code)
    attempt = Attempt.objects.get()
    AttemptItem.objects.filter(attempt=attempt, position__in=[2, 5, 9]).update(flagged=True)
    AttemptItem.objects.filter(attempt=attempt, position__in=[1, 2, 3, 4]).update(selected=[0])
    page.reload()
    page.get_by_role("link", name="Review flagged").click()
    expect(page.locator(".review-table tbody tr")).to_have_count(3)
    page.get_by_role("link", name="Question 2", exact=True).click()
    page.wait_for_url(re.compile(r"/q/2/\?show=flagged$"))
    expect(page.locator("#walk-banner")).to_contain_text("flagged questions (3)")
    page.get_by_role("link", name=re.compile(r"^Next ▶")).click()
    page.wait_for_url(re.compile(r"/q/5/\?show=flagged$"))
    wait_until(page, "window.mockexam !== undefined")
    page.keyboard.press("n")  # the shortcut follows the walk too
    page.wait_for_url(re.compile(r"/q/9/\?show=flagged$"))
    page.get_by_role("link", name=re.compile(r"^◀ Previous")).click()
    page.wait_for_url(re.compile(r"/q/5/\?show=flagged$"))
    page.goto(question_url(attempt, 9) + "?show=flagged")
    page.get_by_role("link", name="Review answers ▶").click()  # the last of the walk: back to the list
    page.wait_for_url(re.compile(r"/overview/\?show=flagged$"))

    page.get_by_role("link", name="Unanswered", exact=True).click()
    page.get_by_role("link", name="Question 6", exact=True).click()
    page.wait_for_url(re.compile(r"/q/6/\?show=unanswered$"))
    page.get_by_role("link", name=re.compile(r"^◀ Previous")).click()
    page.wait_for_url(re.compile(r"/q/5/\?show=unanswered$"))
    expect(page.locator("#prev-link")).to_have_count(0)  # nothing unanswered before 5
    page.goto(question_url(attempt, 2) + "?show=unanswered")  # answered itself: Next is the next one
    page.get_by_role("link", name=re.compile(r"^Next ▶")).click()
    page.wait_for_url(re.compile(r"/q/5/\?show=unanswered$"))


# ---- 5 -------------------------------------------------------------------------------------


def test_arrows_stay_in_the_radio_group_and_shortcuts_can_be_turned_off(page, world):
    guide, _ = world
    log_in(page, "sam")
    start_from_exam_list(page, "Full mock exam", guide=guide.code)
    attempt = Attempt.objects.get()
    item = AttemptItem.objects.filter(attempt=attempt, select_count=1).order_by("position").first()
    url = question_url(attempt, item.position)
    page.goto(url)
    wait_until(page, "window.mockexam !== undefined")
    expect(page.get_by_label("Keyboard shortcuts")).to_be_checked()  # a keyboard and mouse: on
    page.keyboard.press("1")
    expect(page.locator("#opt-0")).to_be_focused()
    # the focus ring: on the whole option row, at least 3:1 against the row and the page
    row = page.locator("label[for=opt-0]")
    outline, width, color, background = style(
        row, "outlineStyle", "outlineWidth", "outlineColor", "backgroundColor"
    )
    assert outline == "solid" and float(width.rstrip("px")) >= 2
    assert contrast(color, background) >= 3 and contrast(color, "rgb(255, 255, 255)") >= 3
    for key, checked in (("ArrowDown", 1), ("ArrowRight", 2), ("ArrowLeft", 1)):
        page.keyboard.press(key)
        expect(page.locator(f"#opt-{checked}")).to_be_checked()
        assert page.url.endswith(url), f"{key} left the question"
    wait_saved(page)
    item.refresh_from_db()
    assert item.selected == [item.option_order[1]]

    page.get_by_label("Keyboard shortcuts").uncheck()
    expect(page.locator(".keys-off")).to_be_visible()
    page.locator("#question-heading").click()
    for key in ("3", "n", "f"):
        page.keyboard.press(key)
    expect(page.locator("#opt-2")).not_to_be_checked()
    expect(page.locator("#flag-button")).to_have_attribute("aria-pressed", "false")
    assert page.url.endswith(url)
    page.reload()  # the choice is kept on this device
    expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
    page.get_by_label("Keyboard shortcuts").check()
    page.locator("#question-heading").click()
    page.keyboard.press("n")
    page.wait_for_url(re.compile(rf"/q/{item.position + 1}/$"))
    assert axe_violations(page) == []


def test_a_touch_screen_starts_with_the_shortcuts_off(browser, server, world):
    guide, sam = world
    attempt = attempt_start(user=sam, blueprint=guide.blueprints.get(slug="mini"), seed=4)
    context = browser.new_context(base_url=server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, "sam")
        page.goto(question_url(attempt, 1))
        wait_until(page, "window.mockexam !== undefined")
        expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
        expect(page.locator(".keys-on")).to_be_hidden()
        page.keyboard.press("1")
        expect(page.locator("#opt-0")).not_to_be_checked()
        page.locator("label[for=opt-1]").tap()
        expect(page.locator("#opt-1")).to_be_checked()
        wait_saved(page)
    finally:
        context.close()


# ---- 5 and 6: every candidate page, on a phone and through axe -----------------------------


def candidate_pages(guide, sam) -> list[str]:
    """Every page a candidate meets, with data behind each: a submitted mock (analysed), a mini
    mock in progress with a flag, a study drill with a checked answer."""
    full = guide.blueprints.get(slug="full")
    mock = sit(sam, full, seed=7)
    open_mock = attempt_start(user=sam, blueprint=guide.blueprints.get(slug="mini"), seed=8)
    AttemptItem.objects.filter(attempt=open_mock, position=2).update(flagged=True)
    sub = guide.domains.get(number=1).sub_domains.order_by("code").first()
    drill = attempt_start_drill(user=sam, guide=guide, count=10, study=True, sub_domain=sub)
    item = AttemptItem.objects.select_related("version").get(attempt=drill, position=1)
    AttemptItem.objects.filter(pk=item.pk).update(selected=[item.option_order[0]])
    attempt_check_answer(user=sam, attempt_id=drill.pk, position=1)
    return [
        "/",
        "/exams/",
        reverse("exams:instructions", args=[full.pk]),
        question_url(open_mock, 1),
        reverse("exams:overview", args=[open_mock.pk]) + "?show=flagged",
        question_url(open_mock, 2) + "?show=flagged",
        reverse("exams:result", args=[mock.pk]),
        reverse("exams:review", args=[mock.pk]),
        reverse("exams:review", args=[mock.pk]) + "?show=wrong",
        question_url(drill, 1),
        reverse("exams:history"),
        reverse("exams:dashboard"),
        reverse("exams:practice"),
        reverse("accounts:profile"),
    ]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_every_candidate_page_fits_a_phone_and_passes_axe(browser, server, world, device):
    guide, sam = world
    pages = candidate_pages(guide, sam)
    size = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(base_url=server.url, **size)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = {}

    def check(url: str) -> None:
        wide, window = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        found = axe_violations(page) + ([f"{wide}px of content in {window}px"] if wide > window else [])
        if found:
            problems[url] = found

    try:
        for anonymous in ("/", "/exams/", "/accounts/login/", "/accounts/signup/"):
            page.goto(anonymous)
            check(anonymous)
        log_in(page, "sam")
        for url in pages:
            page.goto(url)
            if "dashboard" in url or "result" in url:
                wait_until(page, "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length > 0")
            check(url)
        assert problems == {}, "sideways scrolling or axe violations (all impacts)"
        page.goto(reverse("exams:dashboard"))
        wait_until(page, "Object.keys(Chart.instances).length === 2")
        # every domain's label is drawn, however narrow the chart
        ticks = page.evaluate(
            "Chart.getChart(document.querySelector('canvas[data-chart=domains]')).scales.x.ticks.length"
        )
        assert ticks == guide.domains.count()
    finally:
        context.close()


# ---- 8 -------------------------------------------------------------------------------------


def test_the_result_leads_to_each_task_statements_wrong_answers_and_a_drill(page, world):
    guide, sam = world
    mock = sit(sam, guide.blueprints.get(slug="full"), seed=11, skill=0.5)
    log_in(page, "sam")
    page.goto(reverse("exams:result", args=[mock.pk]))
    wait_until(page, "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length === 1")
    ticks = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart=scores]')).scales.x.ticks"
    )
    assert [t["label"] for t in ticks] == ["D1", "D2", "D3", "D4"]
    wrong = AttemptItem.objects.filter(attempt=mock, is_correct=False).select_related("sub_domain")
    code = wrong[0].sub_domain.code
    expected = sum(1 for w in wrong if w.sub_domain.code == code)
    page.get_by_role("link", name=f"Wrong answers in {code}").click()
    page.wait_for_url(re.compile(rf"/review/\?show=wrong&task={re.escape(code)}$"))
    expect(page.locator("article.item-review")).to_have_count(expected)
    page.go_back()
    page.get_by_role("button", name=f"Drill {code}: 10 questions in study mode").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    drill = Attempt.objects.get(state="in_progress")
    assert drill.blueprint.mode == "study" and drill.blueprint.sub_domain.code == code
    page.goto(reverse("exams:dashboard"))
    expect(page.locator("table[id^=domains-table] tbody tr").first).to_contain_text("not enough data yet")
    expect(page.locator("main")).not_to_contain_text("0th")


# ---- 9 -------------------------------------------------------------------------------------


def test_study_mode_marks_the_options_themselves(page, world):
    guide, sam = world
    sub = guide.domains.get(number=2).sub_domains.order_by("code").first()
    drill = attempt_start_drill(user=sam, guide=guide, count=10, study=True, sub_domain=sub)
    item = AttemptItem.objects.select_related("version").get(attempt=drill, position=1)
    keys = correct_positions(item)
    wrong = next(i for i in range(item.choice_count) if i not in keys)
    log_in(page, "sam")
    page.goto(question_url(drill, 1))
    wait_until(page, "window.mockexam !== undefined")
    page.locator(f"label[for=opt-{wrong}]").click()
    page.get_by_role("button", name="Check answer").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    options = page.locator(".exam-question .option")
    expect(options).to_have_count(item.choice_count)  # once: no second copy in the feedback
    expect(page.locator(".study-feedback .review-options")).to_have_count(0)
    expect(page.locator(".exam-question .option.option-correct")).to_have_count(len(keys))
    expect(page.locator(f"label[for=opt-{wrong}]")).to_have_class(re.compile("option-wrong"))
    expect(page.locator(f"label[for=opt-{wrong}] .why")).to_contain_text("Incorrect · your choice")
    expect(page.locator(".exam-question .option .why")).to_have_count(item.choice_count)
    expect(page.locator(".study-feedback")).to_contain_text("Explanation")
    assert axe_violations(page) == []


def test_check_i_was_unsure_reaches_the_server_after_time_on_the_question(page, world):
    """The check form waits for the answer and the time on the question to be sent, then submits
    itself; the button clicked ("Check — I was unsure") must still reach the server, or spaced
    review takes the answer for a sure one."""
    guide, sam = world
    sub = guide.domains.get(number=2).sub_domains.order_by("code").first()
    drill = attempt_start_drill(user=sam, guide=guide, count=10, study=True, sub_domain=sub)
    item = AttemptItem.objects.select_related("version").get(attempt=drill, position=1)
    log_in(page, "sam")
    page.goto(question_url(drill, 1))
    wait_until(page, "window.mockexam !== undefined")
    for key in correct_positions(item):  # every key: the draw may give a multiple-response question
        page.locator(f"label[for=opt-{key}]").click()
    page.wait_for_timeout(1500)  # time on the question to report: the script submits the form itself
    page.get_by_role("button", name="Check — I was unsure").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    expect(page.locator(".study-feedback")).to_be_visible()
    review = ItemReview.objects.get(item=item)
    assert review.unsure and review.rating == 2  # right but unsure: Hard


# ---- 10 ------------------------------------------------------------------------------------


def assert_exhibit_styled(scope) -> None:
    cell, head = scope.locator("table td").first, scope.locator("table th").first
    border, line, padding = style(cell, "borderTopWidth", "borderTopStyle", "paddingLeft")
    assert float(border.rstrip("px")) >= 1 and line == "solid" and float(padding.rstrip("px")) >= 4
    assert style(head, "backgroundColor")[0] not in ("rgba(0, 0, 0, 0)", "transparent")
    code_background, code_padding, wrap = style(
        scope.locator("pre").first, "backgroundColor", "paddingLeft", "whiteSpace"
    )
    assert (
        code_background not in ("rgba(0, 0, 0, 0)", "transparent") and float(code_padding.rstrip("px")) >= 8
    )
    assert wrap == "pre-wrap"  # a long line wraps rather than push the page sideways


def test_tables_and_code_are_styled_in_the_exam_the_review_and_the_preview(browser, server, world):
    guide, sam = world
    attempt = attempt_start(user=sam, blueprint=guide.blueprints.get(slug="mini"), seed=12)
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    version = QuestionVersion.objects.get(pk=item.version_id)
    version.content = {**version.content, "stem": EXHIBIT, "stem_html": render(EXHIBIT)}
    version.save(update_fields=["content"])
    author_grant(user=UserFactory(username="ada"))
    for size in (PHONE, {"viewport": {"width": 1280, "height": 900}}):
        context = browser.new_context(base_url=server.url, **size)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, "sam")
            page.goto(question_url(attempt, 1))
            assert_exhibit_styled(page.locator(".exam-question .stem"))
            no_sideways_scroll(page)
            if size is PHONE:
                continue
            attempt_submit(user=sam, attempt_id=attempt.pk)
            page.goto(reverse("exams:review", args=[attempt.pk]))
            assert_exhibit_styled(page.locator("#q1 .stem"))
            page.get_by_role("button", name="Log out").click()
            log_in(page, "ada")
            page.goto("/admin/questions/question/add/")
            page.fill("#id_stem", EXHIBIT)
            preview = page.frame_locator("iframe.question-preview-frame")
            preview.locator(".exam-question .stem table td").first.wait_for()
            assert_exhibit_styled(preview.locator(".exam-question .stem"))
        finally:
            context.close()
