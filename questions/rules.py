"""The rules a question must meet, as one pure function (no ORM, no Django).

Every way a question enters the bank goes through ``question_problems``: the bank files
(``questions.bankfile``), the admin's question form and its choices, and every import format. The
messages are written for authors, so they can be shown as they are.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

# The vocabularies of a question, value -> label, each defined here once: the model's choices,
# the bank format, every import format and the commands take them from here (a new item type is
# one more entry of QUESTION_TYPES, with its rules below).
QUESTION_TYPES = {
    "single": "Multiple choice",
    "multiple": "Multiple response",
    "ordering": "Ordering",
    "matching": "Matching",
}
# The types whose options are chosen (radio buttons, checkboxes) and the types whose options are
# arranged: an ordering item's options are its steps in the right order, a matching item's are
# its pairs (each option a response, with the prompt it answers). Both are all or nothing.
CHOICE_TYPES = ("single", "multiple")
ARRANGED_TYPES = ("ordering", "matching")
# How many steps an ordering item and how many pairs a matching item has (AWS's exam guides).
ORDERING_STEPS = (3, 5)
MATCHING_PAIRS = (3, 7)
DIFFICULTIES = {"easy": "Easy", "medium": "Medium", "hard": "Hard"}
# A question's life: written as a draft, sent for review, published once an author other than
# its last editor approves it (docs/authoring.md, "Four eyes"), retired when it should no longer
# be drawn. Only published questions are drawn.
STATUSES = {"draft": "Draft", "review": "In review", "published": "Published", "retired": "Retired"}
# An exam guide's life: candidates can book a current exam; a retired one stays for its content.
GUIDE_STATUSES = {"current": "Current", "retired": "Retired"}

# The most options a question may have: the one limit every part of the engine derives from
# (the option letters, the exam screen's keys, the autosave's bounds, the analytics columns,
# the admin's rows). Binding for the bank format (docs/question-format.md): it also bounds the
# steps of an ordering item and the prompts and responses of a matching item.
MAX_OPTIONS = 8
LETTERS = string.ascii_uppercase[:MAX_OPTIONS]
# "(Select THREE.)" as the real exam writes it: the exam screen and the author's preview say it
# from the key, so a stem must not (SELECT_INSTRUCTION). One word per possible count.
NUMBER_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT")[:MAX_OPTIONS]
SELECT_INSTRUCTION = re.compile(rf"\(select ({'|'.join(NUMBER_WORDS)}|\d+)\.?\)", re.I)

FORBIDDEN_OPTIONS = re.compile(r"\b(all|none|both|neither) of the (above|options)\b", re.I)
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")

# What an import writes where its format has nothing (Aiken has no "why" and no explanation).
# A draft may carry it; publishing is refused until an author has replaced every one.
PLACEHOLDER = "[to be written]"
# Longer Markdown is not rendered (questions/markdown.py, MAX_SOURCE); no real stem, option or
# explanation comes near it (the bundled bank's longest is under 900 characters).
MAX_TEXT = 5_000


@dataclass(frozen=True)
class Issue:
    """One broken rule. ``field`` names the question field at fault (``None`` for the whole
    question); ``choice`` is the index of the option at fault, if it is one option's problem."""

    message: str
    field: str | None = None
    choice: int | None = None

    def __str__(self) -> str:
        return self.message


def letter(index: int) -> str:
    """An option's letter; past Z (only in messages about a broken file) its number."""
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def option_name(type: str, index: int) -> str:
    """'option B', 'step 2' or 'pair 3': how an author finds the option at fault."""
    if type == "ordering":
        return f"step {index + 1}"
    if type == "matching":
        return f"pair {index + 1}"
    return f"option {letter(index)}"


def select_count_for(type: str, choice_count: int, correct_count: int) -> int:
    """How many options an answer places: 1 for multiple choice, the keys for multiple
    response, every step or pair for ordering and matching."""
    if type == "multiple":
        return correct_count
    if type in ARRANGED_TYPES:
        return choice_count
    return 1


def select_words(count: int) -> str:
    """3 -> 'THREE', as in '(Select THREE.)'."""
    return NUMBER_WORDS[count - 1] if 1 <= count <= len(NUMBER_WORDS) else str(count)


def is_placeholder(text: str | None) -> bool:
    return (text or "").strip().startswith(PLACEHOLDER)


def status_change_problem(old: str | None, new: str) -> str | None:
    """Draft → in review → published → retired (and back to published). A question candidates
    may have seen never becomes a draft again: retire it instead. A question in review may go
    back to draft (the reviewer sends it back)."""
    if old in ("published", "retired") and new == "draft":
        return f"a {old} question cannot go back to draft: retire it instead"
    return None


def approval_problem(*, editor_id: int | None, approver_id: int | None, override: bool) -> str | None:
    """The four-eyes rule: a version is published on the approval of an author other than the
    one who last edited it (``editor_id``, ``None`` when nobody is recorded, e.g. a bank file).
    ``override`` (a superuser's) lets the editor publish their own edit: the caller records it."""
    if approver_id is None:
        return "publishing needs an approving author"
    if editor_id is not None and editor_id == approver_id and not override:
        return (
            "you made the latest version: another author must approve it (send it for review); "
            "only a superuser may publish their own edit"
        )
    return None


# Exhibits: images shown with a stem (an architecture diagram, a chart, a confusion matrix).
# Their type is read from the content (Pillow), never from the file name.
EXHIBIT_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}  # Pillow's name: extension
EXHIBIT_FORMAT_NAMES = "PNG, JPEG, WebP or GIF"
EXHIBIT_MAX_BYTES = 2 * 1024 * 1024
EXHIBIT_MAX_PIXELS = 16_000_000  # 4000 x 4000: past this, decoding is a risk (decompression bombs)
MAX_EXHIBITS = 4
ALT_MAX = 300


def exhibit_problems(exhibits: Sequence[tuple[str, str]]) -> list[Issue]:
    """The rules of a question's exhibits, each ``(stored name, alt text)``."""
    issues = []
    if len(exhibits) > MAX_EXHIBITS:
        issues.append(Issue(f"a question has at most {MAX_EXHIBITS} exhibits, this one has {len(exhibits)}"))
    for i, (name, alt) in enumerate(exhibits):
        if not (name or "").strip():
            issues.append(Issue(f"exhibit {i + 1} has no image", "image", i))
        if not (alt or "").strip():
            issues.append(
                Issue(f"exhibit {i + 1} has no alt text: describe what it shows for screen readers", "alt", i)
            )
        elif len(alt) > ALT_MAX:
            issues.append(
                Issue(f"the alt text of exhibit {i + 1} is longer than {ALT_MAX} characters", "alt", i)
            )
    return issues


def question_problems(
    type: str,
    select_count: int | None,
    choices: Sequence[tuple],
    sub_domain_set: bool,
    *,
    stem: str | None = None,
    explanation: str | None = None,
    references: Sequence[str] | None = None,
    status: str = "published",
) -> list[Issue]:
    """Every rule the question breaks, in the order an author would fix them.

    ``choices`` are ``(text, correct, why)`` or ``(text, correct, why, prompt)`` in authoring
    order: an ordering item's steps in the right order (``correct`` is not used), a matching
    item's pairs (``text`` the response, ``prompt`` what it answers). ``select_count`` of
    ``None`` means "derive it" (nothing to check; ordering and matching always derive it).
    ``stem``, ``explanation`` and ``references`` are checked when given. A published question
    (and one sent for review, ready to be) must also have a reference and no placeholder.
    """
    issues: list[Issue] = []
    publishing = status in ("review", "published")  # a question sent for review is ready to publish

    def add(message: str, field: str | None = None, choice: int | None = None) -> None:
        issues.append(Issue(message, field, choice))

    if not sub_domain_set:
        add("missing task statement: choose the task statement (sub-domain) it tests", "sub_domain")
    if type not in QUESTION_TYPES:
        add(f"type must be one of {', '.join(QUESTION_TYPES)}, not {type!r}", "type")
    for name, text in (("stem", stem), ("explanation", explanation)):
        if text is not None and len(text) > MAX_TEXT:
            add(f"the {name} is longer than {MAX_TEXT:,} characters", name)
    if stem is not None:
        if not stem.strip():
            add("missing stem", "stem")
        elif SELECT_INSTRUCTION.search(stem):
            add(
                "do not write '(Select TWO.)' in the stem: the exam screen adds it from the answer key",
                "stem",
            )
    if explanation is not None:
        if not explanation.strip():
            add("missing explanation", "explanation")
        elif publishing and is_placeholder(explanation):
            add("the explanation is still the import placeholder: write it before publishing", "explanation")
    if references is not None:
        if publishing and not references:
            add("at least one reference link is required", "references")
        for ref in references:
            if not isinstance(ref, str) or not URL.match(ref.strip()):
                add(f"reference {ref!r} is not an http(s) link", "references")

    arranged = type in ARRANGED_TYPES
    prompts = [(c[3] if len(c) > 3 else "") or "" for c in choices]
    for i, (text, _correct, why, *_) in enumerate(choices):
        name = option_name(type, i)
        if len(text or "") > MAX_TEXT or len(why or "") > MAX_TEXT or len(prompts[i]) > MAX_TEXT:
            add(f"{name} or its 'why' is longer than {MAX_TEXT:,} characters", "text", i)
        if not (text or "").strip():
            add(f"{name} has no {'response' if type == 'matching' else 'text'}", "text", i)
        elif FORBIDDEN_OPTIONS.search(text):
            add(f"{name} {text[:40]!r}: options such as 'all of the above' are not allowed", "text", i)
        if type == "matching" and not prompts[i].strip():
            add(f"{name} has no prompt", "prompt", i)
        elif type != "matching" and prompts[i].strip():
            add(f"{name} has a prompt: only a matching item pairs prompts with responses", "prompt", i)
        if not (why or "").strip():
            add(f"{name} has no 'why' (why it is right or wrong)", "why", i)
        elif publishing and is_placeholder(why):
            add(f"the 'why' of {name} is still the import placeholder: write it before publishing", "why", i)
    texts = [(c[0] or "").strip().lower() for c in choices]
    if len(set(texts)) != len(texts):
        if type == "ordering":
            add("two steps have the same text")
        elif type == "matching":
            add("two pairs have the same response: each response matches exactly one prompt")
        else:
            add("two choices have the same text")
    if type == "matching":
        keys = [p.strip().lower() for p in prompts if p.strip()]
        if len(set(keys)) != len(keys):
            add("two pairs have the same prompt")

    n_choices = len(choices)
    n_correct = sum(bool(c[1]) for c in choices)
    if n_choices > MAX_OPTIONS:
        add(f"a question has at most {MAX_OPTIONS} options, this one has {n_choices}")
    if type == "single":
        if n_choices < 4:
            add(f"multiple choice needs at least 4 options, has {n_choices}")
        if n_correct != 1:
            add(f"multiple choice needs exactly 1 correct option, has {n_correct}")
        if select_count is not None and select_count != 1:
            add(f"multiple choice selects exactly 1 option, not {select_count}", "select_count")
    elif type == "multiple":
        if n_choices < 5:
            add(f"multiple response needs at least 5 options, has {n_choices}")
        if n_correct < 2:
            add(f"multiple response needs at least 2 correct options, has {n_correct}")
        if n_correct >= n_choices:
            add("multiple response needs at least one wrong option")
        if select_count is not None and select_count != n_correct:
            add(
                f"select is {select_count} but the question has {n_correct} correct option(s)",
                "select_count",
            )
    elif arranged:
        low, high = ORDERING_STEPS if type == "ordering" else MATCHING_PAIRS
        what = "steps" if type == "ordering" else "pairs"
        if not low <= n_choices <= high:
            add(f"{QUESTION_TYPES[type].lower()} needs {low} to {high} {what}, has {n_choices}")
    return issues
