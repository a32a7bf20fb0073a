from html import escape, unescape

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from ..forms import task_scope

register = template.Library()
register.filter("task_scope", task_scope)

# Keys the exam script keeps for itself (static/js/exam.js): F flags, N and P move. An option
# whose letter is one of them is chosen by its number instead.
RESERVED_KEYS = "FNP"


@register.filter
def plain_text(html: str) -> str:
    """Sanitised HTML as the plain text a native <option> shows (escaped again on output)."""
    return " ".join(unescape(strip_tags(html)).split())


@register.filter
def letter_keys(options: list[dict]) -> str:
    """The letters that choose an option of this question (``selectors.item_options``), for
    the exam script: it takes its keys from the page, so they always match what is shown."""
    return "".join(o["letter"] for o in options if o["letter"] not in RESERVED_KEYS)


def _runs(letters: str) -> list[str]:
    """'ABCDEGH' -> ['A', 'E'], ['G', 'H'] as 'A–E', 'G–H': consecutive letters as one range."""
    runs: list[list[str]] = []
    for char in letters:
        if runs and ord(char) == ord(runs[-1][-1]) + 1:
            runs[-1].append(char)
        else:
            runs.append([char])
    return [run[0] if len(run) == 1 else f"{run[0]}</kbd>–<kbd>{run[-1]}" for run in runs]


@register.simple_tag
def option_keys_hint(options: list[dict]) -> str:
    """'<kbd>1</kbd>–<kbd>8</kbd> or <kbd>A</kbd>–<kbd>E</kbd>, <kbd>G</kbd>–<kbd>H</kbd>'."""
    digits = f"<kbd>1</kbd>–<kbd>{len(options)}</kbd>" if len(options) > 1 else "<kbd>1</kbd>"
    letters = ", ".join(f"<kbd>{run}</kbd>" for run in _runs(letter_keys(options)))
    return mark_safe(f"{digits} or {letters}" if letters else digits)  # noqa: S308  # nosec B308 B703 (letters and a count)


@register.filter
def clock(seconds) -> str:
    """Seconds as H:MM:SS, the way the exam's timer shows them."""
    if seconds is None:
        return "untimed"
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.filter
def duration(seconds) -> str:
    """Seconds as a person says them: "45 s", "2 min 05 s", "1 h 02 min"."""
    seconds = max(0, int(seconds or 0))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


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
