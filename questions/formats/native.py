"""The bank's own YAML format (docs/question-format.md), for import and export.

A file is a YAML stream of one or more question files: a bank file imports as it is, and an
export of several task statements is one document per task statement, separated by ``---``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from itertools import groupby

import yaml
from django.core.files.storage import default_storage

from .. import bankfile
from ..bankfile.questions import OPTIONS_KEY
from .common import ParseResult, Row, code_key, rows


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    out = bankfile.Collector()
    documents = [d for d in bankfile.load_yaml_documents(text, filename, out) if d is not None]
    if not documents and not out.problems:
        out.add(filename, None, "the file is empty")
    specs = []
    for data in documents:
        specs += bankfile.parse_question_data(data, filename, out, default_sub_domain=default_sub_domain)
    return ParseResult(specs, out.problems)


class _Dumper(yaml.SafeDumper):
    """Multi-line Markdown as literal blocks (``|``), the way authors write it."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _question(row: Row) -> dict:
    data: dict = {"id": row.id, "type": row.type}
    if row.type == "multiple":
        data["select"] = row.select
    data.update(difficulty=row.difficulty, status=row.status, stem=row.stem)
    key = OPTIONS_KEY[row.type]
    if key == "steps":  # in the right order
        data[key] = [{"text": o.text, "why": o.why} for o in row.choices]
    elif key == "pairs":
        data[key] = [{"prompt": o.prompt, "response": o.text, "why": o.why} for o in row.choices]
    else:
        data[key] = [{"text": o.text, "correct": o.correct, "why": o.why} for o in row.choices]
    data.update(explanation=row.explanation, references=row.references)
    if row.tags:
        data["tags"] = row.tags
    if row.exhibits:
        data["exhibits"] = [{"alt": alt, "image": name, "data": _base64(name)} for name, alt in row.exhibits]
    if row.reviewed_by:
        data["reviewed_by"] = row.reviewed_by
        data["reviewed_on"] = row.reviewed_on
    return data


def _base64(name: str) -> str:
    """A stored exhibit's bytes as base64, in lines of 76 characters (a literal block)."""
    with default_storage.open(name, "rb") as image:
        return base64.encodebytes(image.read()).decode("ascii")


def export_files(questions: Iterable) -> dict[str, str]:
    """One bank file per task statement, named ``<guide>/<code>.yaml`` (a bank folder's layout)."""
    files = {}
    ordered = sorted(rows(questions), key=lambda r: (r.guide, code_key(r.sub_domain), r.id))
    for (guide, code), group in groupby(ordered, key=lambda r: (r.guide, r.sub_domain)):
        members = list(group)
        body = yaml.dump(
            {"sub_domain": code, "questions": [_question(r) for r in members]},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        files[f"{guide.lower()}/{code}.yaml"] = f"# {guide} {code} {members[0].sub_domain_title}\n{body}"
    return files


def export(questions: Iterable) -> str:
    """Every question as one YAML stream: a document per task statement."""
    return "---\n".join(export_files(questions).values())
