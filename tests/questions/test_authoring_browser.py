"""The live preview in a real Chromium: it follows the author's typing, renders Markdown as the
exam does, shows a script as text, and breaks no Content-Security-Policy rule."""

import pytest

from questions.services import author_grant
from tests.browser import log_in
from tests.factories import UserFactory, build_guide

pytestmark = pytest.mark.e2e


@pytest.fixture
def author_page(page):
    build_guide(per_sub=1, multiple_every=0)
    author_grant(user=UserFactory(username="ada"))
    log_in(page, "ada")
    return page


def test_the_preview_follows_the_form(author_page):
    from playwright.sync_api import expect

    tab = author_page
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto("/admin/questions/question/add/")
    preview = tab.frame_locator("iframe.question-preview-frame")
    preview.locator(".preview-issues").get_by_text("Missing stem.").wait_for()

    tab.select_option("#id_sub_domain", label="3.2 Task 3.2")
    tab.fill("#id_stem", "Which **algorithm** suits tabular data? <script>alert(1)</script>")
    for i, text in enumerate(["XGBoost", "K-means", "DeepAR", "BlazingText"]):
        tab.fill(f"#id_choices-{i}-text", text)
        tab.fill(f"#id_choices-{i}-why", f"Why {text}.")
    tab.check("#id_choices-0-is_correct")
    tab.fill("#id_explanation", "Trees are *strong* on tabular data.")

    stem = preview.locator(".exam-question .stem")
    stem.locator("strong", has_text="algorithm").wait_for()
    assert "<script>alert(1)</script>" in stem.inner_text()
    assert preview.locator(".exam-question .list-group-item.option").count() == 4
    assert preview.locator(".review-options .list-group-item-success").inner_text().startswith("A.")
    assert preview.locator(".explanation em").inner_text() == "strong"
    expect(preview.locator(".preview-issues")).to_have_count(0)

    tab.select_option("#id_type", "multiple")
    preview.locator(".preview-issues").get_by_text(
        "Multiple response needs at least 5 options, has 4."
    ).wait_for()
    assert dialogs == []
