"""Moodle XML: multiple choice, multiple response, matching and ordering, both ways.

    <quiz>
      <question type="category">                      <- the task statement, as in GIFT
        <category><text>$course$/top/MLS-C01/3.2</text></category>
      </question>
      <question type="multichoice">                   <- single true/false: multiple choice
        <name><text>MLS-3.2-001</text></name>          <-   or multiple response
        <questiontext format="markdown"><text>…</text></questiontext>
        <generalfeedback format="markdown"><text>…</text></generalfeedback>   <- the explanation
        <idnumber>MLS-3.2-001</idnumber>               <- the id (else the name)
        <single>true</single>
        <answer fraction="100" format="markdown">      <- right (> 0), wrong (0 or less)
          <text>…</text><feedback format="markdown"><text>…</text></feedback>  <- the why
        </answer>
        <tags><tag><text>difficulty:hard</text></tag><tag><text>status:draft</text></tag></tags>
        <!-- reference: https://docs.aws.amazon.com/… -->
      </question>

A matching question holds ``<subquestion>`` elements (the prompt's ``<text>``, the response's
``<answer><text>``); Moodle has no per-pair feedback, so we write a pair's why as a
``<feedback>`` inside its subquestion (which Moodle ignores). An ordering question (Moodle's
qtype_ordering) holds its items as ``<answer>`` elements in the right order, each with an
optional ``<feedback>`` (the why); its layout, selection and grading options are written for
all-or-nothing grading of every item and are not read (we always show every step and score all
or nothing, as AWS does).

Texts in ``html`` format are reduced to plain text; ``markdown``, ``plain_text`` and
``moodle_auto_format`` are taken as Markdown. An answer without feedback or a question without
general feedback imports as a draft with the placeholder (``common.mark_for_author``).

The file is parsed with the standard library's expat, which keeps line numbers, with no
document type declaration (so no entities) and a size limit. Other question types (essay,
short answer, numerical, true/false, cloze...) are refused by name with their line, or skipped
with ``skip_unsupported``; a category with no task statement is fine until a question needs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from ..bankfile import ChoiceSpec
from . import common
from .common import ImportParser, ParseResult

MAX_CHARS = 10_000_000  # ten times the largest bank; the admin's upload limit is lower still
SUPPORTED = ("multichoice", "multichoiceset", "matching", "ordering")
UNSUPPORTED = (
    "only multichoice, matching and ordering questions are supported; "
    "remove it or skip unsupported questions (--skip-unsupported)"
)
# Moodle's names of the types we do not take, as an author knows them.
TYPE_NAMES = {
    "truefalse": "true/false",
    "shortanswer": "short answer",
    "numerical": "numerical",
    "essay": "essay",
    "description": "description",
    "cloze": "embedded answers (cloze)",
    "multianswer": "embedded answers (cloze)",
    "calculated": "calculated",
    "calculatedsimple": "calculated simple",
    "calculatedmulti": "calculated multichoice",
    "randomsamatch": "random short-answer matching",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
}
MARKDOWN_FORMATS = ("markdown", "plain_text", "moodle_auto_format")


class XMLRefused(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""
    comments: list[str] = field(default_factory=list)

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The text of the child ``tag`` (of its ``<text>`` child, if it has one)."""
        child = self.find(tag)
        if child is None:
            return default
        inner = child.find("text")
        return (inner if inner is not None else child).text


def read_tree(text: str) -> Node:
    """The document as nodes with their lines; ``XMLRefused`` for broken or unsafe XML."""
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = Node("", {}, 0)
    stack = [root]
    parts: list[list[str]] = [[]]

    def refuse(*_args) -> None:
        raise XMLRefused(parser.CurrentLineNumber, "a DOCTYPE or entity declaration is not allowed")

    def start(tag: str, attrs: dict) -> None:
        node = Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)
        parts.append([])

    def end(_tag: str) -> None:
        stack.pop().text = "".join(parts.pop())

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda data: parts[-1].append(data)
    parser.CommentHandler = lambda data: stack[-1].comments.append(data.strip())
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise XMLRefused(exc.lineno, f"XML error: {expat.errors.messages[exc.code]}") from None
    return root


class _Parser(ImportParser):
    def __init__(self, filename: str, default_sub_domain: str | None, skip_unsupported: bool):
        super().__init__(filename, default_sub_domain, skip_unsupported)
        self.no_task: tuple[int, str] | None = None  # a category that names no task statement

    def run(self, text: str) -> ParseResult:
        if len(text) > MAX_CHARS:
            self.problem(None, f"the file is larger than {MAX_CHARS // 1_000_000} million characters")
            return ParseResult([], self.problems)
        try:
            tree = read_tree(text)
        except XMLRefused as exc:
            self.problem(exc.line, str(exc))
            return ParseResult([], self.problems)
        quiz = tree.children[0] if tree.children else None
        if quiz is None or quiz.tag != "quiz":
            self.problem(quiz.line if quiz else 1, "a Moodle XML file holds one <quiz> element")
            return ParseResult([], self.problems)
        for node in quiz.children:
            if node.tag != "question":
                self.problem(node.line, f"<{node.tag}> in <quiz>: only <question> elements belong there")
                continue
            kind = node.attrs.get("type", "")
            if kind == "category":
                self.category(node)
            elif kind in SUPPORTED:
                self.question(node, kind)
            else:
                self.unsupported(node, kind)
        if not self.specs and not self.problems and not self.skipped:
            self.problem(None, "the file holds no questions")
        return self.result()

    def category(self, node: Node) -> None:
        path = node.value("category").strip()
        found = common.task_from_category(path)
        if found is None:  # Moodle writes its parent categories too: a problem only if used
            self.guide, self.sub_domain = "", self.default_sub_domain
            self.no_task = (node.line, path)
        else:
            (self.guide, self.sub_domain), self.no_task = found, None

    def unsupported(self, node: Node, kind: str) -> None:
        qid = self.qid(node, "") or None
        name = TYPE_NAMES.get(kind, kind or "(no type)")
        self.refuse_type(node.line, qid, name, f"{name} question (type {kind!r}): {UNSUPPORTED}")

    @staticmethod
    def qid(node: Node, stem: str) -> str:
        idnumber = node.value("idnumber").strip()
        if idnumber:
            return idnumber
        name = common.id_from_title(node.value("name").strip())
        return name or (common.stable_id("MOODLE", stem) if stem else "")

    def question(self, node: Node, kind: str) -> None:
        body = node.find("questiontext")
        fmt = _format(body, "html")
        stem, hint = common.strip_selection_hint(_clean(node.value("questiontext"), fmt))
        qid = self.qid(node, stem)
        general = node.find("generalfeedback")
        explanation = _clean(node.value("generalfeedback"), _format(general, fmt))
        if kind == "matching":
            qtype, choices = "matching", self.pairs(node, fmt, qid)
        elif kind == "ordering":
            qtype = "ordering"
            choices = [
                ChoiceSpec(_clean(a.value("text"), _format(a, fmt)), False, _feedback(a, fmt), a.line)
                for a in node.all("answer")
            ]
        else:
            found = self.choices(node, kind, fmt, qid)
            if found is None:
                return
            qtype, choices = found
        tags = node.find("tags")
        meta = {}
        for tag in tags.all("tag") if tags is not None else []:
            key, _, value = tag.value("text").partition(":")
            meta[key.strip().lower()] = value.strip().lower()
        meta["references"] = [
            c.split(":", 1)[1].strip() for c in node.comments if c.lower().startswith("reference:")
        ]
        if not self.sub_domain and self.no_task:
            line, path = self.no_task
            self.problem(
                node.line,
                f"category {path!r} (line {line}) names no task statement: end it with one, "
                "e.g. MLS-C01/3.2, or choose one for the import",
                qid,
            )
        self.add_question(node.line, hint, qid, qtype, stem, choices, explanation, meta)

    def choices(self, node: Node, kind: str, fmt: str, qid: str):
        """``(type, choices)`` of a multichoice question, or ``None`` after a problem."""
        answers = node.all("answer")
        weights = []
        for a in answers:
            try:
                weights.append(float(a.attrs.get("fraction", "0")))
            except ValueError:
                self.problem(a.line, f"fraction {a.attrs.get('fraction')!r} is not a number", qid)
                return None
        positives = [w for w in weights if w > 0]
        single = node.value("single", "true").strip().lower() in ("true", "1")
        if kind == "multichoiceset":  # all or nothing: every right answer is simply right
            single = False
        elif positives and max(positives) - min(positives) > 0.01:
            self.problem(
                node.line, "partial credit is not supported: give every right answer the same fraction", qid
            )
            return None
        elif single and positives and abs(positives[0] - 100) > 0.01:
            self.problem(node.line, f"the right answer's fraction is {positives[0]:g}, not 100", qid)
            return None
        elif not single and positives and abs(sum(positives) - 100) > 0.1:
            self.problem(
                node.line, f"the right answers' fractions add up to {sum(positives):g}, not 100", qid
            )
            return None
        choices = [
            ChoiceSpec(_clean(a.value("text"), _format(a, fmt)), w > 0, _feedback(a, fmt), a.line)
            for a, w in zip(answers, weights, strict=True)
        ]
        return ("single" if single else "multiple"), choices

    def pairs(self, node: Node, fmt: str, qid: str) -> list[ChoiceSpec]:
        pairs = []
        for sub in node.all("subquestion"):
            answer = sub.find("answer")
            response = answer.value("text") if answer is not None else ""
            prompt = _clean(sub.value("text"), _format(sub, fmt))
            if not prompt and response.strip():
                self.problem(
                    sub.line,
                    f"response {response.strip()[:40]!r} has no prompt (an extra wrong answer in "
                    "Moodle): not supported, every response here matches exactly one prompt",
                    qid,
                )
                continue
            pairs.append(ChoiceSpec(response.strip(), False, _feedback(sub, fmt), sub.line, prompt))
        return pairs


def _format(node: Node | None, default: str) -> str:
    return node.attrs.get("format", default) if node is not None else default


def _clean(text: str, fmt: str) -> str:
    return text.strip() if fmt in MARKDOWN_FORMATS else common.html_to_text(text)


def _feedback(node: Node, fmt: str) -> str:
    feedback = node.find("feedback")
    if feedback is None:
        return ""
    return _clean(node.value("feedback"), _format(feedback, fmt))


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    return _Parser(filename, default_sub_domain, skip_unsupported).run(text)


# ---- export ------------------------------------------------------------------------------------


def _text(tag: str, value: str, indent: str, markdown: bool = True) -> str:
    attrs = ' format="markdown"' if markdown else ""
    return f"{indent}<{tag}{attrs}>\n{indent}  <text>{escape(value)}</text>\n{indent}</{tag}>"


def _fraction(count: int) -> str:
    return f"{100 / count:.7f}".rstrip("0").rstrip(".")


def _question(r) -> list[str]:
    moodle_type = {"single": "multichoice", "multiple": "multichoice"}.get(r.type, r.type)
    out = [f"  <question type={quoteattr(moodle_type)}>"]
    out.append(_text("name", r.id, "    ", markdown=False))
    out.append(_text("questiontext", r.stem, "    "))
    out.append(_text("generalfeedback", r.explanation, "    "))
    out += [
        "    <defaultgrade>1</defaultgrade>",
        "    <penalty>0</penalty>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{escape(r.id)}</idnumber>",
    ]
    if r.type in ("single", "multiple"):
        right = sum(o.correct for o in r.choices)
        out += [
            f"    <single>{'true' if r.type == 'single' else 'false'}</single>",
            "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>ABCD</answernumbering>",
            "    <showstandardinstruction>0</showstandardinstruction>",
        ]
        for o in r.choices:
            if r.type == "single":
                fraction = "100" if o.correct else "0"
            else:
                fraction = _fraction(right) if o.correct else "-100"
            out.append(f'    <answer fraction="{fraction}" format="markdown">')
            out.append(f"      <text>{escape(o.text)}</text>")
            out.append(_text("feedback", o.why, "      "))
            out.append("    </answer>")
    elif r.type == "matching":
        out.append("    <shuffleanswers>true</shuffleanswers>")
        for o in r.choices:
            out.append('    <subquestion format="markdown">')
            out.append(f"      <text>{escape(o.prompt)}</text>")
            out.append(f"      <answer>\n        <text>{escape(o.text)}</text>\n      </answer>")
            out.append(_text("feedback", o.why, "      "))
            out.append("    </subquestion>")
    else:  # ordering: the items in the right order, all shown, all or nothing
        out += [
            "    <layouttype>VERTICAL</layouttype>",
            "    <selecttype>ALL</selecttype>",
            f"    <selectcount>{len(r.choices)}</selectcount>",
            "    <gradingtype>ALL_OR_NOTHING</gradingtype>",
            "    <showgrading>SHOW</showgrading>",
            "    <numberingstyle>none</numberingstyle>",
        ]
        for position, o in enumerate(r.choices, start=1):
            out.append(f'    <answer fraction="{position}" format="markdown">')
            out.append(f"      <text>{escape(o.text)}</text>")
            out.append(_text("feedback", o.why, "      "))
            out.append("    </answer>")
    tags = [f"difficulty:{r.difficulty}", f"status:{r.status}"]
    out.append("    <tags>")
    out += [f"      <tag><text>{escape(t)}</text></tag>" for t in tags]
    out.append("    </tags>")
    out += [f"    <!-- reference: {_comment_safe(ref)} -->" for ref in r.references]
    out.append("  </question>")
    return out


def _comment_safe(url: str) -> str:
    """A link as a comment may hold it: no "--" and no "-" at the end, so such a link's hyphens
    are written percent-encoded (``%2D``, the same link)."""
    return url.replace("-", "%2D") if "--" in url or url.endswith("-") else url


def export(questions: Iterable) -> str:
    """Every question in Moodle XML, grouped by task statement under a category
    ``$course$/top/GUIDE/code``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    ordered = sorted(common.rows(questions), key=lambda r: (r.guide, common.code_key(r.sub_domain), r.id))
    common.refuse_exhibits(ordered, "Moodle XML")
    for (guide, code), group in groupby(ordered, key=lambda r: (r.guide, r.sub_domain)):
        members = list(group)
        title = members[0].sub_domain_title.replace("-", " ")
        out += [
            f"  <!-- {guide} {code} {title} -->",
            '  <question type="category">',
            "    <category>",
            f"      <text>$course$/top/{escape(guide)}/{escape(code)}</text>",
            "    </category>",
            "  </question>",
        ]
        for r in members:
            out += _question(r)
    out.append("</quiz>")
    return "\n".join(out) + "\n"
