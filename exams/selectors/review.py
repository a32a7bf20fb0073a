"""Reads of a marked attempt: each question with the candidate's answer, the key and every why.

Only for submitted attempts and for study-mode questions already checked: the callers make
sure of that (rule 2 of docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from questions import rules

from ..models import Attempt, AttemptItem

# The review's "Show" filter: its choices, and which questions each keeps.
REVIEW_SHOW = {
    "all": ("All questions", lambda item: True),
    "wrong": ("Wrong only", lambda item: not item.is_correct),
    "unanswered": ("Unanswered", lambda item: not item.selected),
    "flagged": ("Flagged", lambda item: item.flagged),
    "correct": ("Correct", lambda item: bool(item.is_correct)),
}


def _arranged_review(item: AttemptItem, content: dict) -> dict:
    """Ordering: the candidate's order beside the right one; matching: per prompt (in the order
    shown), the response chosen beside the right one. Each with its why."""
    choices = content["choices"]
    placed = list(item.selected) or [None] * len(choices)
    if item.type == "ordering":
        right = [
            {
                "number": i + 1,
                "html": c["text_html"],
                "why_html": c["why_html"],
                "yours": None if placed[i] is None else placed[i] + 1,
                "right": placed[i] == i,
            }
            for i, c in enumerate(choices)
        ]
        yours = sorted(
            ({"position": placed[i] + 1, "html": c["text_html"], "right": placed[i] == i}
             for i, c in enumerate(choices) if placed[i] is not None),
            key=lambda s: s["position"],
        )  # fmt: skip
        unplaced = [c["text_html"] for i, c in enumerate(choices) if placed[i] is None]
        return {"steps": right, "your_order": yours, "unplaced": unplaced}
    pairs = []
    for original in item.shown_order:
        c = choices[original]
        mine = placed[original]
        pairs.append(
            {
                "prompt_html": c["prompt_html"],
                "your_html": None if mine is None else choices[mine]["text_html"],
                "correct_html": c["text_html"],
                "why_html": c["why_html"],
                "right": mine == original,
            }
        )
    return {"pairs": pairs}


def _shortened(text: str, length: int = 70) -> str:
    """``text`` cut to ``length`` characters with an ellipsis, as Django's ``truncatechars``
    does; here so that a 65-question review does not run the filter (and its translation
    lookup) for every reference."""
    return text if len(text) <= length else text[: length - 1] + "…"


def item_review(item: AttemptItem) -> dict:
    """One question as the candidate saw it, with their answer, the key and every why."""
    content = item.version.content
    common = {
        "item": item,
        "kind": item.type,
        "stem_html": content["stem_html"],
        "explanation_html": content["explanation_html"],
        "references": [(ref, _shortened(ref)) for ref in content["references"]],
        "case_study": content.get("case_study"),
        "answered": bool(item.selected),
    }
    if item.type in rules.ARRANGED_TYPES:
        return {**common, **_arranged_review(item, content)}
    chosen = set(item.selected)
    options = [
        {
            "letter": rules.LETTERS[shown],
            "html": content["choices"][original]["text_html"],
            "why_html": content["choices"][original]["why_html"],
            "correct": content["choices"][original]["correct"],
            "chosen": original in chosen,
        }
        for shown, original in enumerate(item.option_order)
    ]
    return {
        **common,
        "options": options,
        "your_letters": [o["letter"] for o in options if o["chosen"]],
        "key_letters": [o["letter"] for o in options if o["correct"]],
    }


@dataclass(frozen=True)
class Review:
    items: list[AttemptItem]
    # One row per task statement the attempt drew, in the guide's order: code, title, domain
    # (its number), sub_id, wrong (unanswered counts as wrong), total and seconds (the active
    # time on its questions).
    summary: list[dict]
    # One row per domain the attempt drew, in order: number, title, total (questions), seconds.
    domains: list[dict]

    @property
    def seconds(self) -> int:
        """The active time on all the attempt's questions."""
        return sum(row["seconds"] for row in self.domains)

    def task_row(self, code: str | None) -> dict | None:
        """The summary row of task statement ``code``, if the attempt drew it."""
        return next((row for row in self.summary if row["code"] == code), None)

    def questions(self, *, show: str = "all", domain: int | None = None, task: str | None = None) -> list:
        """The reviews of the questions the filters keep, in order."""
        keep = REVIEW_SHOW[show][1]
        return [
            item_review(item)
            for item in self.items
            if keep(item)
            and (domain is None or item.sub_domain.domain.number == domain)
            and (not task or item.sub_domain.code == task)
        ]


def attempt_review(*, attempt: Attempt) -> Review:
    """A submitted attempt's questions and its summary per task statement (one query)."""
    items = list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("version", "sub_domain__domain", "question")
        .order_by("position")
    )
    summary: dict[str, dict] = {}
    domains: dict[int, dict] = {}
    for item in items:
        sub = item.sub_domain
        row = summary.setdefault(
            sub.code,
            {
                "code": sub.code,
                "title": sub.title,
                "domain": sub.domain.number,
                "sub_id": sub.pk,
                "wrong": 0,
                "total": 0,
                "seconds": 0,
            },
        )
        row["total"] += 1
        row["wrong"] += not item.is_correct
        row["seconds"] += item.active_seconds
        number = sub.domain.number
        domain = domains.setdefault(
            number, {"number": number, "title": sub.domain.title, "total": 0, "seconds": 0}
        )
        domain["total"] += 1
        domain["seconds"] += item.active_seconds
    rows = sorted(summary.values(), key=lambda r: [int(p) for p in r["code"].split(".")])
    return Review(items=items, summary=rows, domains=[domains[n] for n in sorted(domains)])
