"""GIFT (Moodle's text format): multiple choice, multiple response and matching.

    // difficulty: medium                       <- our metadata, in comments other tools ignore
    // reference: https://docs.aws.amazon.com/...
    $CATEGORY: MLS-C01/3.2                      <- the task statement (or "$CATEGORY: 3.2")

    ::MLS-3.2-001::[markdown]A team … Which model fits best? {
      =Right option#why it is right
      ~Wrong option#why it is wrong
      ####The concept (general feedback: the explanation)
    }

    ::MLA-1.1-006::[markdown]Match each task with the service. {
      =Extract fields from scanned forms -> Amazon Textract
      // why: Textract reads printed and handwritten text.   <- a pair's why (Moodle has none)
      ...
      ####General feedback
    }

Multiple response gives every right option the same positive weight (``~%50%``) and every
wrong one a weight of zero or less (``~%-100%``). Special characters are escaped with a
backslash (``\\~ \\= \\# \\{ \\} \\:``), ``\\n`` is a line break, ``//`` starts a comment line, and
a blank line ends a question. Essay, true/false, numerical, short answer, missing word and
description items are refused, naming their line, unless ``skip_unsupported``. Ordering has no
GIFT syntax: its export is refused.

Files as people write them (``common.mark_for_author``): an option without feedback or a
question without general feedback imports as a draft with the placeholder, and a "(Select TWO.)"
in the stem is taken out with a notice (two ``=`` answers and "(Select TWO.)" make a multiple
response question).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import groupby

from ..bankfile import ChoiceSpec
from . import common
from .common import ExportRefused, ImportParser, ParseResult

SPECIAL = "~=#{}:"
META = re.compile(r"^//\s*(difficulty|reference|why)\s*:\s*(.*?)\s*$", re.I)
CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*?)\s*$", re.I)
WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
UNSUPPORTED = (
    "only multiple choice, multiple response and matching are supported; "
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


class _Parser(ImportParser):
    def unsupported(self, line: int, kind: str, qid: str | None) -> None:
        self.refuse_type(line, qid, kind, f"{kind} question: {UNSUPPORTED}")

    def category(self, line: int, path: str) -> None:
        found = common.task_from_category(path)
        if found is None:
            self.problem(
                line, f"category {path!r} names no task statement: end it with one, e.g. MLS-C01/3.2"
            )
            self.guide, self.sub_domain = "", self.default_sub_domain
            return
        self.guide, self.sub_domain = found

    def run(self, text: str) -> ParseResult:
        block: list[tuple[int, str]] = []
        meta = _meta()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("//"):
                if (found := META.match(line)) and found.group(2):
                    key, value = found.group(1).lower(), found.group(2)
                    if key == "difficulty":
                        meta["difficulty"] = value.lower()
                    elif key == "reference":
                        meta["references"].append(value)
                    else:  # a matching pair's why, on the line under the pair
                        meta["whys"].append((number, unescape(value)))
                continue
            found = CATEGORY.match(line)
            if not line or found:
                if block:
                    self.question(block, meta)
                    block, meta = [], _meta()
                if found:
                    self.category(number, found.group(1))
                continue
            block.append((number, raw))
        if block:
            self.question(block, meta)
        if not self.specs and not self.problems and not self.skipped:
            self.problem(None, "the file holds no questions")
        return self.result()

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
        qid = common.id_from_title(title) if title else None
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
            return common.html_to_text(value) if is_html else value

        stem, hint = common.strip_selection_hint(clean(text[pos:opening]))
        qid = qid or common.stable_id("GIFT", stem)
        parsed = self.answers(text, opening + 1, closing, line_at, qid)
        if parsed is None:
            return
        kind, answers, general = parsed
        if kind == "matching":
            choices = self.pairs(answers, meta["whys"], clean, qid)
            if choices is not None:
                self.add_question(first, hint, qid, "matching", stem, choices, clean(general), meta)
            return
        if kind:
            self.unsupported(first, kind, qid)
            return
        explicit = any(weight is not None for _, _, weight, _, _ in answers)
        weights = [
            weight if weight is not None else (100.0 if marker == "=" else 0.0)
            for _, marker, weight, _, _ in answers
        ]
        positives = [w for w in weights if w > 0]
        # Several "=" answers are several right ones when the stem asked for that many.
        asked = not explicit and hint is not None and hint == len(positives) > 1
        qtype = "multiple" if (explicit or asked) and len(positives) > 1 else "single"
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
        self.add_question(first, hint, qid, qtype, stem, choices, clean(general), meta)

    def pairs(self, answers, whys: list[tuple[int, str]], clean, qid: str) -> list[ChoiceSpec] | None:
        """A matching question's pairs (``=prompt -> response``), each with the why of the
        ``// why:`` line under it."""
        lines = [line for line, *_ in answers]
        owner = [bisect_right(lines, number) - 1 for number, _ in whys]
        given: dict[int, str] = {}
        for (number, why), index in zip(whys, owner, strict=True):
            if index < 0:
                self.problem(number, "a '// why:' line goes under the matching pair it explains", qid)
                return None
            if index in given:
                self.problem(number, f"pair {index + 1} has a second '// why:' line", qid)
                return None
            given[index] = why
        choices = []
        for i, (line, _, weight, answer, feedback) in enumerate(answers):
            whole = f"{answer}#{feedback}" if feedback else answer  # "#" is text in a pair
            arrow = find_unescaped(whole, "->")
            if arrow < 0 or weight is not None:
                self.problem(line, "write every pair of a matching question as '=prompt -> response'", qid)
                return None
            answer = whole
            if find_unescaped(whole, "#", arrow) >= 0:
                self.problem(
                    line,
                    "a matching pair has no '#feedback' in GIFT (Moodle would keep it in the "
                    "response): write its why on a '// why:' line under the pair",
                    qid,
                )
                return None
            choices.append(
                ChoiceSpec(clean(answer[arrow + 2 :]), False, given.get(i, ""), line, clean(answer[:arrow]))
            )
        return choices

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
            answers.append((line_at(at), marker, weight, answer, feedback))
        if not any(marker == "~" for _, marker, _, _, _ in answers):
            # No "~": matching when a pair has "->" (as Moodle tells them apart), else short answer.
            if any(find_unescaped(answer, "->") >= 0 for _, _, _, answer, _ in answers):
                return "matching", answers, general
            return "short answer", [], general
        return None, answers, general


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    return _Parser(filename, default_sub_domain, skip_unsupported).run(text)


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _meta() -> dict:
    return {"difficulty": "", "references": [], "whys": []}


def export(questions: Iterable) -> str:
    """Every question in GIFT, grouped by task statement under a ``$CATEGORY: GUIDE/code`` line.
    Ordering has no GIFT syntax: ``ExportRefused`` names the ordering questions."""
    blocks = []
    items = common.rows(questions)
    common.refuse_types(items, ("ordering",), "GIFT", "native YAML or Moodle XML")
    common.refuse_exhibits(items, "GIFT")
    for r in items:
        if r.type == "matching" and any("->" in o.prompt for o in r.choices):
            raise ExportRefused(
                f"{r.id}: a matching prompt contains '->', which GIFT cannot escape; "
                "export it as native YAML or Moodle XML"
            )
    ordered = sorted(items, key=lambda r: (r.guide, common.code_key(r.sub_domain), r.id))
    for (guide, code), group in groupby(ordered, key=lambda r: (r.guide, r.sub_domain)):
        members = list(group)
        blocks.append(f"// {guide} {code} {members[0].sub_domain_title}\n$CATEGORY: {guide}/{code}\n")
        for r in members:
            lines = [f"// difficulty: {r.difficulty}", *(f"// reference: {ref}" for ref in r.references)]
            lines.append(f"::{escape(r.id)}::[markdown]{escape(r.stem)} {{")
            right = sum(o.correct for o in r.choices)
            for o in r.choices:
                if r.type == "matching":
                    lines.append(f"  ={escape(o.prompt)} -> {escape(o.text)}")
                    lines.append(f"  // why: {escape(o.why)}")
                    continue
                if r.type == "multiple":
                    mark = f"~%{_weight(right)}%" if o.correct else "~%-100%"
                else:
                    mark = "=" if o.correct else "~"
                lines.append(f"  {mark}{escape(o.text)}#{escape(o.why)}")
            lines.append(f"  ####{escape(r.explanation)}")
            lines.append("}")
            blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
