"""Aiken: the plainest multiple-choice format (Moodle's).

    Which service stores objects?
    A. Amazon S3
    B) Amazon EBS
    ANSWER: A

Aiken carries no "why", no explanation and no task statement: the task statement comes from
the import (``--sub-domain``), and every "why" and the explanation are filled with the
``rules.PLACEHOLDER`` text. Such a question imports as a draft, and cannot be published until
an author has replaced every placeholder (see docs/authoring.md).
"""

from __future__ import annotations

import re

from ..bankfile import ChoiceSpec, Problem
from .common import EXPLANATION, WHY, ParseResult, finish, make_spec, stable_id

OPTION = re.compile(r"^([A-Z])[.)]\s+(\S.*)$")
ANSWER = re.compile(r"^ANSWER:\s*(.*)$", re.I)


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    problems: list[Problem] = []
    specs = []
    stem: list[str] = []
    options: list[tuple[int, str]] = []
    start = 0

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(filename, line, None, message))

    def reset() -> None:
        stem.clear()
        options.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        option, answer = OPTION.match(line), ANSWER.match(line)
        if not stem:
            if not line:
                continue
            if option or answer:
                problem(number, f"{line[:30]!r} comes before any question text")
                continue
            start = number
            stem.append(line)
        elif not options:
            if option:
                if option.group(1) != "A":
                    problem(number, f"the first option must be 'A.' or 'A)', not {option.group(1)!r}")
                options.append((number, option.group(2)))
            elif answer or not line:
                problem(
                    start,
                    "the question has no options ('A. …' lines) before "
                    + ("'ANSWER:'" if answer else "a blank line"),
                )
                reset()
            else:
                stem.append(line)
        elif not line:
            problem(start, "the question has no 'ANSWER:' line after its options")
            reset()
        elif option:
            expected = chr(ord("A") + len(options))
            if option.group(1) != expected:
                problem(number, f"expected option {expected!r}, found {option.group(1)!r}")
            options.append((number, option.group(2)))
        elif answer:
            key = answer.group(1).strip().upper()
            if not re.fullmatch(r"[A-Z]", key) or ord(key) - ord("A") >= len(options):
                last = chr(ord("A") + len(options) - 1)
                problem(
                    number, f"ANSWER: {answer.group(1).strip()!r} does not name one of the options A–{last}"
                )
            else:
                stem_text = "\n".join(stem)
                spec = make_spec(
                    external_id=stable_id("AIKEN", stem_text),
                    sub_domain=default_sub_domain or "",
                    type="single",
                    select=1,
                    stem=stem_text,
                    choices=[
                        ChoiceSpec(t.strip(), i == ord(key) - ord("A"), WHY, n)
                        for i, (n, t) in enumerate(options)
                    ],
                    explanation=EXPLANATION,
                    file=filename,
                    line=start,
                    unset={"difficulty", "references"},
                )
                specs.append(finish(spec, problems))
            reset()
        else:
            problem(number, f"expected the next option or 'ANSWER: X', found {line[:40]!r}")
            reset()
    if stem:
        problem(start, "the question has no 'ANSWER:' line")
    if not specs and not problems:
        problem(None, "the file holds no questions")
    if specs and not default_sub_domain:
        problem(None, "Aiken files name no task statement: choose one for the import (--sub-domain)")
    return ParseResult(specs, problems)
