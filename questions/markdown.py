"""Markdown for question text: rendered, then sanitised with an allow-list (nh3).

Raw HTML in the source is escaped, not rendered, so ``<script>`` shows as text; nh3 then
strips anything the renderer produced outside the allow-list (e.g. ``javascript:`` links).
An image is kept only when it is one of our exhibits (stored through our storage, under
``exhibits/``); any other becomes the words "[image not shown: …]", so that an author sees
what happened (and the rules say it too: upload it as an exhibit).
"""

from html import escape as html_escape
from xml.etree.ElementTree import Element  # nosec B405 (builds nodes, parses nothing)

import markdown as md
import nh3
from django.core.files.storage import default_storage
from markdown.treeprocessors import Treeprocessor

from .images import EXHIBIT_DIR, is_exhibit_name

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h4", "h5", "h6", "hr", "sub", "sup",
}  # fmt: skip
ALLOWED_TAGS |= {"img"}  # our exhibits only (_OnlyExhibits)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
    "img": {"src", "alt", "class"},
}


def exhibit_url(name: str) -> str:
    """Where a stored exhibit is served: the storage's URL (``/media/exhibits/…`` here, the
    bucket's with django-storages)."""
    return default_storage.url(name)


def exhibit_name(src: str) -> str | None:
    """The storage name of one of our exhibits from its URL, or ``None`` for any other image."""
    prefix = exhibit_url(f"{EXHIBIT_DIR}/")
    if not src.startswith(prefix):
        return None
    name = f"{EXHIBIT_DIR}/{src[len(prefix) :]}"
    return name if is_exhibit_name(name) else None


class _OnlyExhibits(Treeprocessor):
    def run(self, root):
        for parent in root.iter():
            for i, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                if exhibit_name(child.get("src", "")) is not None:
                    child.set("class", "exhibit-inline")
                    continue
                text = Element("span")
                text.text = f"[image not shown: {child.get('alt') or 'no alt text'}]"
                text.tail = child.tail
                parent.remove(child)
                parent.insert(i, text)


class _NoRawHtml(md.Extension):
    def extendMarkdown(self, parser):
        parser.preprocessors.deregister("html_block")
        parser.inlinePatterns.deregister("html")
        parser.treeprocessors.register(_OnlyExhibits(parser), "only_exhibits", 0)


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
