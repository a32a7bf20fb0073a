"""Two versions of a question side by side: each part (stem, exhibits, every option, step or
pair with its key and why, the explanation, references) as candidates see it, with what changed
in its words marked (difflib). No ORM: it reads two versions' content."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from . import rules

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Part:
    """One part of the question in both versions: its rendered HTML (sanitised when the version
    was made; "" where a version lacks it), and its source with the changed words marked."""

    label: str
    left_html: str
    right_html: str
    left_marked: str
    right_marked: str
    changed: bool


def marked(old: str, new: str) -> tuple[str, str]:
    """``old`` and ``new`` escaped, with the words only one of them has in ``<del>`` / ``<ins>``."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_text, new_text = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_text)
            right.append(new_text)
            continue
        if old_text:
            left.append(f"<del>{old_text}</del>")
        if new_text:
            right.append(f"<ins>{new_text}</ins>")
    return "".join(left), "".join(right)


def _part(label: str, old: dict | None, new: dict | None, text: str, html: str | None = None) -> Part:
    old_text, new_text = (old or {}).get(text, ""), (new or {}).get(text, "")
    left, right = marked(old_text, new_text)
    return Part(
        label,
        (old or {}).get(html, "") if html else escape(old_text),
        (new or {}).get(html, "") if html else escape(new_text),
        left,
        right,
        old_text != new_text or (old is None) != (new is None),
    )


def _key(content: dict, choice: dict) -> str:
    if content.get("type", "single") in rules.ARRANGED_TYPES:
        return ""
    return "correct (a key)" if choice.get("correct") else "wrong"


def version_diff(old: dict, new: dict) -> list[Part]:
    """Every part of two versions' content, in the order candidates meet them."""
    parts = [
        _part(
            "Type",
            {"t": rules.QUESTION_TYPES.get(old.get("type", "single"))},
            {"t": rules.QUESTION_TYPES.get(new.get("type", "single"))},
            "t",
        ),
        _part("Stem", old, new, "stem", "stem_html"),
    ]
    old_ex, new_ex = old.get("exhibits", []), new.get("exhibits", [])
    for i in range(max(len(old_ex), len(new_ex))):
        a = old_ex[i] if i < len(old_ex) else None
        b = new_ex[i] if i < len(new_ex) else None
        part = _part(f"Exhibit {i + 1} (alt text)", a, b, "alt")
        same_image = (a or {}).get("image") == (b or {}).get("image")
        parts.append(
            Part(part.label, part.left_html, part.right_html, part.left_marked, part.right_marked,
                 part.changed or not same_image)
        )  # fmt: skip
    kind = new.get("type", "single")
    old_ch, new_ch = old["choices"], new["choices"]
    for i in range(max(len(old_ch), len(new_ch))):
        a = old_ch[i] if i < len(old_ch) else None
        b = new_ch[i] if i < len(new_ch) else None
        name = rules.option_name(kind, i)
        name = name[0].upper() + name[1:]
        if kind == "matching" or (a or {}).get("prompt") or (b or {}).get("prompt"):
            parts.append(_part(f"{name}: prompt", a, b, "prompt", "prompt_html"))
        parts.append(_part(f"{name}{': response' if kind == 'matching' else ''}", a, b, "text", "text_html"))
        if kind not in rules.ARRANGED_TYPES:
            keys = {"k": _key(old, a)} if a else None, {"k": _key(new, b)} if b else None
            parts.append(_part(f"{name}: key", *keys, "k"))
        parts.append(_part(f"{name}: why", a, b, "why", "why_html"))
    parts.append(_part("Explanation", old, new, "explanation", "explanation_html"))
    refs = {"r": "\n".join(old.get("references", []))}, {"r": "\n".join(new.get("references", []))}
    parts.append(_part("References", *refs, "r"))
    return parts
