"""GIFT (Moodle's text format): the subset that maps onto multiple choice and multiple response.

    // difficulty: medium                       <- our metadata, in comments other tools ignore
    // reference: https://docs.aws.amazon.com/...
    $CATEGORY: MLS-C01/3.2                      <- the task statement (or "$CATEGORY: 3.2")

    ::MLS-3.2-001::[markdown]A team … Which model fits best? {
      =Right option#why it is right
      ~Wrong option#why it is wrong
      ####The concept (general feedback: the explanation)
    }

Multiple response gives every right option the same positive weight (``~%50%``) and every
wrong one a weight of zero or less (``~%-100%``). Special characters are escaped with a
backslash (``\\~ \\= \\# \\{ \\} \\:``), ``\\n`` is a line break, ``//`` starts a comment line, and
a blank line ends a question. Essay, true/false, numerical, matching, short answer, missing
word and description items are refused, naming their line, unless ``skip_unsupported``.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import groupby

import nh3

from ..bankfile import ChoiceSpec, Problem
from .common import ParseResult, finish, id_from_title, make_spec, rows, stable_id

SPECIAL = "~=#{}:"
META = re.compile(r"^//\s*(difficulty|reference)\s*:\s*(\S.*?)\s*$", re.I)
CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*?)\s*$", re.I)
WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
TASK_CODE = re.compile(r"^(\d+(?:\.\d+)+)(?:\s|$)")
GUIDE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]+$")
UNSUPPORTED = (
    "only multiple choice and multiple response are supported; "
    "remove it or skip unsupported questions (--skip-unsupported)"
)


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following == "n":
                out.append("\n")
            elif following in SPECIAL or following == "\\":
                out.append(following)
            else:
                out.append(char + following)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def find_unescaped(text: str, token: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _html_to_text(text: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</p>\s*", "\n\n", text, flags=re.I)
    return html.unescape(nh3.clean(text, tags=set())).strip()


class _Parser:
    def __init__(self, filename: str, default_sub_domain: str | None, skip_unsupported: bool):
        self.filename = filename
        self.default_sub_domain = default_sub_domain or ""
        self.skip_unsupported = skip_unsupported
        self.specs: list = []
        self.problems: list[Problem] = []
        self.skipped: list[Problem] = []
        self.guide, self.sub_domain = "", self.default_sub_domain

    def problem(self, line: int | None, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.filename, line, qid, message))

    def unsupported(self, line: int, kind: str, qid: str | None) -> None:
        if self.skip_unsupported:
            self.skipped.append(Problem(self.filename, line, qid, f"skipped: {kind} question"))
        else:
            self.problem(line, f"{kind} question: {UNSUPPORTED}", qid)

    def category(self, line: int, path: str) -> None:
        parts = [p.strip() for p in path.split("/") if p.strip()]
        match = TASK_CODE.match(parts[-1]) if parts else None
        if match is None:
            self.problem(
                line, f"category {path!r} names no task statement: end it with one, e.g. MLS-C01/3.2"
            )
            self.guide, self.sub_domain = "", self.default_sub_domain
            return
        self.sub_domain = match.group(1)
        self.guide = parts[-2] if len(parts) > 1 and GUIDE_CODE.match(parts[-2]) else ""

    def run(self, text: str) -> ParseResult:
        block: list[tuple[int, str]] = []
        meta: dict = {"difficulty": "", "references": []}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("//"):
                if found := META.match(line):
                    key, value = found.group(1).lower(), found.group(2)
                    if key == "difficulty":
                        meta["difficulty"] = value.lower()
                    else:
                        meta["references"].append(value)
                continue
            found = CATEGORY.match(line)
            if not line or found:
                if block:
                    self.question(block, meta)
                    block, meta = [], {"difficulty": "", "references": []}
                if found:
                    self.category(number, found.group(1))
                continue
            block.append((number, raw))
        if block:
            self.question(block, meta)
        if not self.specs and not self.problems and not self.skipped:
            self.problem(None, "the file holds no questions")
        return ParseResult(self.specs, self.problems, self.skipped)

    def question(self, block: list[tuple[int, str]], meta: dict) -> None:
        text = "\n".join(raw for _, raw in block)
        starts, offset = [], 0
        for _, raw in block:
            starts.append(offset)
            offset += len(raw) + 1

        def line_at(pos: int) -> int:
            return block[max(0, bisect_right(starts, pos) - 1)][0]

        first = block[0][0]
        pos = len(text) - len(text.lstrip())
        title = None
        if text.startswith("::", pos):
            end = find_unescaped(text, "::", pos + 2)
            if end < 0:
                self.problem(first, "the title is not closed with '::'")
                return
            title = unescape(text[pos + 2 : end]).strip()
            pos = end + 2
        qid = id_from_title(title) if title else None
        fmt = re.match(r"\s*\[(\w+)\]", text[pos:])
        is_html = bool(fmt) and fmt.group(1).lower() == "html"
        if fmt:
            pos += fmt.end()
        opening = find_unescaped(text, "{", pos)
        if opening < 0:
            self.unsupported(first, "description (text without an answer block)", qid)
            return
        closing = find_unescaped(text, "}", opening + 1)
        if closing < 0:
            self.problem(line_at(opening), "the answer block is not closed with '}'", qid)
            return
        if text[closing + 1 :].strip():
            self.unsupported(first, "missing word (text after the answer block)", qid)
            return

        def clean(raw: str) -> str:
            value = unescape(raw).strip()
            return _html_to_text(value) if is_html else value

        stem = clean(text[pos:opening])
        qid = qid or stable_id("GIFT", stem)
        parsed = self.answers(text, opening + 1, closing, line_at, qid)
        if parsed is None:
            return
        kind, answers, general = parsed
        if kind:
            self.unsupported(first, kind, qid)
            return
        explicit = any(weight is not None for _, _, weight, _, _ in answers)
        weights = [
            weight if weight is not None else (100.0 if marker == "=" else 0.0)
            for _, marker, weight, _, _ in answers
        ]
        positives = [w for w in weights if w > 0]
        qtype = "multiple" if explicit and len(positives) > 1 else "single"
        if explicit and positives and max(positives) - min(positives) > 0.01:
            self.problem(
                first, "partial credit is not supported: give every right option the same weight", qid
            )
            return
        if explicit and positives and abs(sum(positives) - 100) > 0.1:
            self.problem(first, f"the right options' weights add up to {sum(positives):g}%, not 100%", qid)
            return
        choices = [
            ChoiceSpec(clean(answer), w > 0, clean(feedback), line)
            for (line, _, _, answer, feedback), w in zip(answers, weights, strict=True)
        ]
        spec = make_spec(
            external_id=qid,
            guide=self.guide,
            sub_domain=self.sub_domain,
            type=qtype,
            select=None,
            difficulty=meta["difficulty"],
            stem=stem,
            choices=choices,
            explanation=clean(general),
            references=list(meta["references"]),
            file=self.filename,
            line=first,
            unset={
                k
                for k, v in (("difficulty", meta["difficulty"]), ("references", meta["references"]))
                if not v
            },
        )
        self.specs.append(finish(spec, self.problems))

    def answers(self, text: str, start: int, end: int, line_at, qid: str):
        """(unsupported kind or None, [(line, marker, weight, text, feedback)], general feedback)."""
        body_end = end
        general = ""
        split = find_unescaped(text[:end], "####", start)
        if split >= 0:
            general, body_end = text[split + 4 : end], split
        body = text[start:body_end]
        core = body.strip()
        if not core:
            return "essay", [], general
        if core.startswith("#"):
            return "numerical", [], general
        hash_at = find_unescaped(core, "#")
        if (core[:hash_at] if hash_at >= 0 else core).strip().upper() in ("T", "F", "TRUE", "FALSE"):
            return "true/false", [], general
        found: list[tuple[int, str]] = []
        i = start
        while i < body_end:
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char in "=~":
                found.append((i, char))
            elif not found and not char.isspace():
                self.problem(
                    line_at(i),
                    "text before the first answer: start each with '=' (right) or '~' (wrong)",
                    qid,
                )
                return None
            i += 1
        answers = []
        for n, (at, marker) in enumerate(found):
            raw = text[at + 1 : found[n + 1][0] if n + 1 < len(found) else body_end]
            weight = None
            if match := WEIGHT.match(raw):
                weight, raw = float(match.group(1)), raw[match.end() :]
            feedback_at = find_unescaped(raw, "#")
            answer, feedback = (raw[:feedback_at], raw[feedback_at + 1 :]) if feedback_at >= 0 else (raw, "")
            if marker == "=" and find_unescaped(answer, "->") >= 0:
                return "matching", [], general
            answers.append((line_at(at), marker, weight, answer, feedback))
        if not any(marker == "~" for _, marker, _, _, _ in answers):
            return "short answer", [], general
        return None, answers, general


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    return _Parser(filename, default_sub_domain, skip_unsupported).run(text)


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def export(questions: Iterable) -> str:
    """Every question in GIFT, grouped by task statement under a ``$CATEGORY: GUIDE/code`` line."""
    blocks = []
    ordered = sorted(
        rows(questions),
        key=lambda r: (r.guide, [int(p) for p in r.sub_domain.split(".") if p.isdigit()], r.id),
    )
    for (guide, code), group in groupby(ordered, key=lambda r: (r.guide, r.sub_domain)):
        members = list(group)
        blocks.append(f"// {guide} {code} {members[0].sub_domain_title}\n$CATEGORY: {guide}/{code}\n")
        for r in members:
            lines = [f"// difficulty: {r.difficulty}", *(f"// reference: {ref}" for ref in r.references)]
            lines.append(f"::{escape(r.id)}::[markdown]{escape(r.stem)} {{")
            right = sum(c for _, c, _ in r.choices)
            for text, correct, why in r.choices:
                if r.type == "multiple":
                    mark = f"~%{_weight(right)}%" if correct else "~%-100%"
                else:
                    mark = "=" if correct else "~"
                lines.append(f"  {mark}{escape(text)}#{escape(why)}")
            lines.append(f"  ####{escape(r.explanation)}")
            lines.append("}")
            blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
