"""Markdown is rendered, then sanitised with an allow-list: no payload yields executable HTML,
whether through ``render`` (what versions store and candidates see) or the authoring preview."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from questions.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render
from questions.models import Question
from tests.questions.conftest import question_form

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me]( javascript:alert(1))",
    "[click me](jav&#x61;script:alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "[click me](java\tscript:alert(1))",
    "[ref link][r]\n\n[r]: javascript:alert(1)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<<script>script>alert(1)<</script>/script>",
    '[x](http://a.example "t\\" onmouseover=\\"alert(1))',
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<x onclick=alert(1)>click</x>",
    '<a href="javascript&colon;alert(1)">x</a>',
]

SAFE_SCHEMES = {"http", "https", "mailto", ""}
PREVIEW_OWN_TAGS = {
    "html", "head", "meta", "title", "link", "body", "section", "h2", "div", "fieldset", "legend",
    "label", "input", "span", "ol", "ul", "li", "p", "a",
}  # fmt: skip


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(html: str):
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_harmless(html: str, allowed_tags: set[str]) -> None:
    for tag, attrs in elements(html):
        assert tag in allowed_tags, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in ("href", "src", "action", "data", "formaction"):
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, (name, value, html)
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_leaves_no_executable_html(payload):
    html = render(payload)
    assert_harmless(html, ALLOWED_TAGS)
    for tag, attrs in elements(html):
        assert {name for name, _ in attrs} <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, attrs)


def test_the_issues_examples_show_as_harmless_text():
    assert render("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert render("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
    assert (
        render("[click me](javascript:alert(1))")
        == '<p><a rel="noopener noreferrer nofollow">click me</a></p>'
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_admin_preview_leaves_no_executable_html(author_client, payload):
    response = author_client.post(
        reverse("admin:questions_question_preview"),
        {
            "stem": payload,
            "explanation": payload,
            "type": "multiple",
            "select_count": 2,
            "references": "javascript:alert(1)",
            "choice_text": [payload, "b"],
            "choice_why": [payload, "c"],
            "choice_correct": ["1", "0"],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_harmless(html, PREVIEW_OWN_TAGS | ALLOWED_TAGS)
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_saved_payload_is_stored_sanitised_in_the_version(author_client, sub):
    payload = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    data = question_form(sub_domain=sub, stem=payload + " Which one?")
    assert author_client.post(reverse("admin:questions_question_add"), data).status_code == 302
    content = Question.objects.get(external_id="TEST-3.2-001").current_version.content
    assert content["stem"].startswith("<img")  # the Markdown source is kept as written
    assert_harmless(content["stem_html"], ALLOWED_TAGS)
    assert "&lt;img src=x onerror=alert(1)&gt;" in content["stem_html"]
