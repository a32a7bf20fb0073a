"""Issue 20 in a real Chromium: an author adds an exhibit and sends the question for review,
another author compares and approves it; axe finds no violation on the authoring pages."""

import pytest
from PIL import Image, ImageDraw

from questions.models import ProblemReport, Question
from questions.services import ChoiceData, author_grant, question_save
from tests.browser import log_in, screenshot
from tests.factories import UserFactory, build_guide

pytestmark = pytest.mark.e2e


def chart_png(path):
    image = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(image)
    for i, height in enumerate((60, 150, 110, 200)):
        draw.rectangle([40 + i * 110, 230 - height, 110 + i * 110, 230], fill=(32, 96, 160))
    draw.line([30, 230, 470, 230], fill="black", width=2)
    image.save(path, "PNG")
    return path


def axe_all(page) -> list:
    """Every axe violation (any impact) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


@pytest.fixture
def authors(browser, server):
    build_guide(per_sub=1, multiple_every=0)
    for name in ("ada", "grace"):
        author_grant(user=UserFactory(username=name))


def new_page(browser, server, width=1600):
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 1000})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_an_author_adds_an_exhibit_and_another_approves_it(browser, server, authors, tmp_path):
    from playwright.sync_api import expect

    context, tab = new_page(browser, server)
    log_in(tab, "ada")
    tab.goto("/admin/questions/question/add/")
    tab.select_option("#id_sub_domain", label="3.2 Task 3.2")
    tab.fill(
        "#id_stem", "The chart shows the daily requests to an endpoint. Which scaling policy fits it best?"
    )
    for i, text in enumerate(
        [
            "Target tracking on invocations per instance",
            "A fixed instance count",
            "Manual scaling",
            "No scaling",
        ]
    ):
        tab.fill(f"#id_choices-{i}-text", text)
        tab.fill(f"#id_choices-{i}-why", f"Why: {text.lower()}.")
    tab.check("#id_choices-0-is_correct")
    tab.fill("#id_explanation", "Target tracking follows the load.")
    tab.fill("#id_references", "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html")
    tab.fill("#id_tags_text", "autoscaling, needs-review")
    tab.select_option("#id_status", "review")
    tab.locator("#exhibits-group .add-row a").click()
    tab.set_input_files("#id_exhibits-0-upload", str(chart_png(tmp_path / "requests.png")))
    tab.fill("#id_exhibits-0-alt", "Bar chart: requests rise from 60 to 200 a day over four days")
    tab.get_by_role("button", name="Save and continue editing").click()
    tab.get_by_text("was added successfully").wait_for()
    question = Question.objects.get(stem__startswith="The chart shows")
    assert question.status == "review" and question.exhibits.count() == 1
    preview = tab.frame_locator("iframe.question-preview-frame")
    image = preview.locator(".exhibits img")
    image.wait_for()
    assert image.get_attribute("alt").startswith("Bar chart")
    assert preview.locator(".exhibits img").evaluate("img => img.complete && img.naturalWidth") == 480
    screenshot(tab, "authoring-exhibit")
    assert axe_all(tab) == []
    context.close()

    context, tab = new_page(browser, server)
    log_in(tab, "grace")
    tab.goto("/admin/questions/question/?status__exact=review")
    tab.get_by_role("checkbox", name="Select this object for an action").first.check()
    tab.select_option("select[name=action]", "publish")
    tab.locator("button[name=index]").click()
    tab.get_by_text("1 question(s) published.").wait_for()
    question.refresh_from_db()
    version = question.current_version
    assert question.status == "published" and version.reviewed_by.username == "grace"
    assert version.created_by.username == "ada"
    tab.goto(f"/admin/questions/question/{question.pk}/change/")
    expect(tab.locator("table.version-history")).to_contain_text("grace")
    context.close()


def test_the_authoring_pages_have_no_axe_violations(browser, server, authors, tmp_path):
    """Add and change a question of every type, the import page, closing a report, a diff."""
    context, tab = new_page(browser, server, width=1280)
    log_in(tab, "ada")
    found = {}
    for kind in ("single", "multiple", "ordering", "matching"):
        tab.goto("/admin/questions/question/add/")
        tab.select_option("#id_type", kind)
        tab.locator("#exhibits-group .add-row a").click()
        found[f"add {kind}"] = axe_all(tab)
    question = Question.objects.order_by("pk").first()
    choices = [ChoiceData(c.text, c.is_correct, c.why) for c in question.choices.all()]
    choices[0] = ChoiceData(
        choices[0].text + " (with a replica)", choices[0].is_correct, "Now with a replica."
    )
    question.stem = question.stem.replace(" ", " **all** ", 1) + " Choose the cheapest."
    question_save(question=question, choices=choices, user=None, note="clearer stem")
    tab.goto(f"/admin/questions/question/{question.pk}/change/")
    found["change"] = axe_all(tab)
    tab.goto("/admin/questions/question/import/")
    found["import"] = axe_all(tab)
    tab.goto("/admin/questions/question/")
    found["list"] = axe_all(tab)
    report = ProblemReport.objects.create(question=question, user=None, reason="typo", text="A typo.")
    tab.goto(f"/admin/questions/problemreport/{report.pk}/close/")
    found["report close"] = axe_all(tab)
    tab.goto(f"/admin/questions/problemreport/{report.pk}/change/")
    found["report"] = axe_all(tab)
    tab.goto(f"/admin/questions/question/{question.pk}/compare/?a=1&b=2")
    found["compare"] = axe_all(tab)
    screenshot(tab, "authoring-compare")
    assert {page: v for page, v in found.items() if v} == {}
    context.close()
