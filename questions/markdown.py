"""Markdown for question text: rendered, then sanitised with an allow-list (nh3).

Raw HTML in the source is escaped, not rendered, so ``<script>`` shows as text; nh3 then
strips anything the renderer produced outside the allow-list (e.g. ``javascript:`` links).
"""

from html import escape as html_escape

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h4", "h5", "h6", "hr", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


class _NoRawHtml(md.Extension):
    def extendMarkdown(self, parser):
        parser.preprocessors.deregister("html_block")
        parser.inlinePatterns.deregister("html")


# Python-Markdown is super-linear on some inputs (thousands of "[" or of "=" lines take seconds
# to minutes) and recursive on nested lists. Past these bounds a source is shown as plain text,
# or its brackets as text, so that no author's input can hold a worker or crash a page; at the
# bounds the worst input found renders in a quarter of a second. rules.MAX_TEXT refuses longer
# text wherever a question is saved or imported.
MAX_SOURCE = 5_000
MAX_BRACKETS = 200


def _plain(source: str) -> str:
    return f"<p>{html_escape(source)}</p>"


def render(source: str) -> str:
    source = source or ""
    if len(source) > MAX_SOURCE:
        return _plain(source)
    if source.count("[") > MAX_BRACKETS:
        source = source.replace("[", "\\[")  # an escaped bracket starts no link: linear again
    try:
        html = md.markdown(source, extensions=["fenced_code", "tables", "sane_lists", _NoRawHtml()])
    except RecursionError:  # lists or quotes nested thousands deep
        return _plain(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
