"""Import and export formats. Each module has ``parse(text, *, filename, default_sub_domain,
skip_unsupported)`` returning ``(specs, problems)`` (a ``ParseResult``, which also holds the
skipped questions and the notices for the author) with 1-based line numbers, and most an
``export(questions) -> str``, which raises ``ExportRefused`` for questions it cannot carry."""

from __future__ import annotations

from ..bankfile import Problem
from . import aiken, csvfile, gift, moodlexml, native
from .common import ExportRefused, ParseResult

PARSERS = {
    "native": native.parse,
    "gift": gift.parse,
    "moodlexml": moodlexml.parse,
    "aiken": aiken.parse,
    "csv": csvfile.parse,
}
EXPORTERS = {
    "native": native.export,
    "gift": gift.export,
    "moodlexml": moodlexml.export,
    "csv": csvfile.export,
}
EXTENSIONS = {"native": "yaml", "gift": "gift", "moodlexml": "xml", "aiken": "txt", "csv": "csv"}

__all__ = ["EXPORTERS", "EXTENSIONS", "PARSERS", "ExportRefused", "ParseResult", "parse"]


def parse(
    format: str,
    text: str,
    *,
    filename: str,
    default_sub_domain: str | None = None,
    skip_unsupported: bool = False,
) -> ParseResult:
    try:
        parser = PARSERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; one of {', '.join(PARSERS)}") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheet programs write
    if "\x00" in text:  # no question has one, and PostgreSQL cannot store it
        line = text[: text.index("\x00")].count("\n") + 1
        return ParseResult(
            [], [Problem(filename, line, None, "the file contains a NUL character (is it binary?)")]
        )
    return parser(
        text, filename=filename, default_sub_domain=default_sub_domain, skip_unsupported=skip_unsupported
    )
