"""Markdown for question text: rendered, then sanitised with an allow-list (nh3).

Raw HTML in the source is escaped, not rendered, so ``<script>`` shows as text; nh3 then
strips anything the renderer produced outside the allow-list (e.g. ``javascript:`` links).
"""

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


def render(source: str) -> str:
    html = md.markdown(source or "", extensions=["fenced_code", "tables", "sane_lists", _NoRawHtml()])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
