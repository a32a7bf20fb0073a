from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

NUMBER_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}


@register.filter
def select_words(count: int) -> str:
    """3 -> 'THREE', as the real exam writes it in '(Select THREE.)'."""
    return NUMBER_WORDS.get(count, str(count))


@register.filter
def clock(seconds) -> str:
    """Seconds as H:MM:SS, the way the exam's timer shows them."""
    if seconds is None:
        return "untimed"
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.simple_tag
def navigator_items(question_prefix: str, statuses: list[dict], current: int | None) -> str:
    """The navigator's <li> cells (``selectors.attempt_statuses``), joined in one pass.

    As a template loop (65 cells, each a ``{% url %}``, a localised number and three ``{% if %}``)
    this was the largest item of the question page's profile (docs/performance.md). What is
    printed is built from integers and fixed strings; the URL prefix
    (``selectors.attempt_urls``) is escaped.
    """
    prefix = escape(question_prefix)
    parts = []
    for status in statuses:
        n = int(status["position"])
        css = "nav-cell answered" if status["answered"] else "nav-cell"
        label = f"Question {n}, answered" if status["answered"] else f"Question {n}, unanswered"
        if status["flagged"]:
            css += " flagged"
            label += ", flagged"
        aria = ""
        if n == current:
            css += " current"
            aria = ' aria-current="page"'
        link = f'<a href="{prefix}{n}/" data-position="{n}" class="{css}"{aria} aria-label="{label}">{n}</a>'
        parts.append(f"<li>{link}</li>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 (integers, fixed text, escaped prefix)
