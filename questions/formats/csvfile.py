"""CSV: one question per row, for spreadsheets.

Columns (a header row names them; order does not matter, names are case-insensitive):

- ``stem``, ``explanation`` (Markdown; cells may span lines), ``correct`` (the right options'
  letters: ``B`` or ``A,C``) and ``option_a``, ``why_a``, ``option_b``, ``why_b``, … (as many
  as the longest question needs; a row leaves the ones it does not use empty);
- optional: ``id`` (default: derived from the stem), ``guide``, ``sub_domain`` (default: the
  import's), ``type`` (default: ``multiple`` when more than one letter is correct), ``select``,
  ``difficulty`` (default ``medium``), ``status`` (default: the existing question's, or draft),
  ``references`` (links separated by spaces or line breaks).
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Iterable

from ..bankfile import ChoiceSpec, Problem
from .common import ParseResult, finish, make_spec, refuse_exhibits, refuse_types, rows, stable_id

FIXED = (
    "id", "guide", "sub_domain", "type", "select", "difficulty", "status", "stem", "explanation",
    "references", "correct",
)  # fmt: skip
OPTION = re.compile(r"^(option|why)_([a-z])$")


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    problems: list[Problem] = []
    specs = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        header_end = reader.line_num
        unknown = [h for h in header if h not in FIXED and not OPTION.match(h)]
        letters = sorted({OPTION.match(h).group(2) for h in header if OPTION.match(h)})
        missing = [h for h in ("stem", "correct", "option_a") if h not in header]
        if unknown:
            problems.append(Problem(filename, 1, None, f"unknown column(s): {', '.join(map(repr, unknown))}"))
        if missing:
            problems.append(Problem(filename, 1, None, f"missing column(s): {', '.join(missing)}"))
        if letters != list(string.ascii_lowercase[: len(letters)]):
            problems.append(
                Problem(filename, 1, None, "option columns must run option_a, option_b, … without a gap")
            )
        if len(set(header)) != len(header):
            problems.append(Problem(filename, 1, None, "a column is named twice"))
        if problems:
            return ParseResult([], problems)
        line = header_end + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    Problem(filename, start, None, f"{len(cells)} cells, but the header names {len(header)}")
                )
                continue
            row = dict(zip(header, (c.strip() for c in cells), strict=False))
            specs.append(_row(row, letters, filename, start, default_sub_domain, problems))
    except csv.Error as exc:
        problems.append(Problem(filename, reader.line_num, None, f"CSV error: {exc}"))
    if not specs and not problems:
        problems.append(Problem(filename, None, None, "the file holds no questions"))
    return ParseResult(specs, problems)


def _row(row: dict, letters: list[str], filename: str, line: int, default_sub: str | None, problems):
    stem = row.get("stem", "")
    qid = row.get("id") or stable_id("CSV", stem)

    def problem(message: str) -> None:
        problems.append(Problem(filename, line, qid, message))

    texts = [(row.get(f"option_{x}", ""), row.get(f"why_{x}", "")) for x in letters]
    while texts and not any(texts[-1]):
        texts.pop()
    keys = {k.lower() for k in re.findall(r"[A-Za-z]", row.get("correct", ""))}
    for key in sorted(keys):
        if ord(key) - ord("a") >= len(texts):
            problem(f"'correct' names option {key.upper()}, which the row does not have")
    select = None
    if row.get("select"):
        if row["select"].isascii() and row["select"].isdigit() and len(row["select"]) <= 4:
            select = int(row["select"])
        else:
            problem(f"select must be a whole number, not {row['select']!r}")
    choices = [
        ChoiceSpec(text, string.ascii_lowercase[i] in keys, why, line) for i, (text, why) in enumerate(texts)
    ]
    spec = make_spec(
        external_id=qid,
        guide=row.get("guide", ""),
        sub_domain=row.get("sub_domain") or default_sub or "",
        type=row.get("type") or ("multiple" if len(keys) > 1 else "single"),
        select=select,
        difficulty=row.get("difficulty") or "medium",
        status=row.get("status", ""),
        stem=stem,
        choices=choices,
        explanation=row.get("explanation", ""),
        references=row.get("references", "").split(),
        file=filename,
        line=line,
        unset={k for k in ("difficulty", "references") if not row.get(k)},
    )
    return finish(spec, problems)


def export(questions: Iterable) -> str:
    """Every question as one row, with as many option columns as the longest question needs (an
    ordering item's steps in the right order). Matching is refused: CSV has no prompt column."""
    items = rows(questions)
    refuse_types(items, ("matching",), "CSV", "native YAML or Moodle XML")
    refuse_exhibits(items, "CSV")
    width = max((len(r.choices) for r in items), default=4)
    letters = string.ascii_lowercase[:width]
    header = [*FIXED] + [f"{kind}_{x}" for x in letters for kind in ("option", "why")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in items:
        correct = ",".join(string.ascii_uppercase[i] for i, c in enumerate(r.choices) if c.correct)
        cells = [
            r.id, r.guide, r.sub_domain, r.type, r.select, r.difficulty, r.status, r.stem, r.explanation,
            "\n".join(r.references), correct,
        ]  # fmt: skip
        for i in range(width):
            cells += [r.choices[i].text, r.choices[i].why] if i < len(r.choices) else ["", ""]
        writer.writerow(cells)
    return out.getvalue()
