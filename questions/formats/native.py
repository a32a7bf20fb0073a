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
from ..bankfile.questions import CASE_FILE_PREFIX, OPTIONS_KEY
from .common import ParseResult, Row, code_key, rows


def parse(
    text: str, *, filename: str, default_sub_domain: str | None = None, skip_unsupported: bool = False
) -> ParseResult:
    out = bankfile.Collector()
    documents = [d for d in bankfile.load_yaml_documents(text, filename, out) if d is not None]
    if not documents and not out.problems:
        out.add(filename, None, "the file is empty")
    specs, cases = [], []
    for data in documents:
        if isinstance(data, dict) and "case_study" in data:  # a case-study file, as the bank writes it
            case, questions = bankfile.parse_case_study_data(data, filename, out)
            cases += [case] if case else []
            specs += questions
        else:
            specs += bankfile.parse_question_data(data, filename, out, default_sub_domain=default_sub_domain)
    return ParseResult(specs, out.problems, case_studies=cases)


class _Dumper(yaml.SafeDumper):
    """Multi-line Markdown as literal blocks (``|``), the way authors write it."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _question(row: Row) -> dict:
    data: dict = {"id": row.id}
    if row.case_study:  # a case study's questions may test different task statements
        data["sub_domain"] = row.sub_domain
    data["type"] = row.type
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
    if row.enemies:  # both directions are implied; each side lists its own, so a subset keeps them
        data["enemies"] = row.enemies
    return data


def _dump(header: str, data: dict) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"# {header}\n{body}"


def _base64(name: str) -> str:
    """A stored exhibit's bytes as base64, in lines of 76 characters (a literal block)."""
    with default_storage.open(name, "rb") as image:
        return base64.encodebytes(image.read()).decode("ascii")


def export_files(questions: Iterable) -> dict[str, str]:
    """The bank folder's layout: ``<guide>/<code>.yaml`` per task statement and
    ``<guide>/case-<id>.yaml`` per case study (its questions in their order)."""
    files = {}
    ordered = sorted(rows(questions), key=lambda r: (r.guide, code_key(r.sub_domain), r.id))
    alone = [r for r in ordered if r.case_study is None]
    for (guide, code), group in groupby(alone, key=lambda r: (r.guide, r.sub_domain)):
        members = list(group)
        data = {"sub_domain": code, "questions": [_question(r) for r in members]}
        files[f"{guide.lower()}/{code}.yaml"] = _dump(f"{guide} {code} {members[0].sub_domain_title}", data)
    cased = sorted(
        (r for r in ordered if r.case_study), key=lambda r: (r.guide, r.case_study.code, r.case_order)
    )
    for (guide, case), group in groupby(cased, key=lambda r: (r.guide, r.case_study)):
        data = {
            "case_study": {"id": case.code, "title": case.title, "scenario": case.scenario},
            "questions": [_question(r) for r in group],
        }
        files[f"{guide.lower()}/{CASE_FILE_PREFIX}{case.code.lower()}.yaml"] = _dump(
            f"{guide} {case.code}", data
        )
    return files


def export(questions: Iterable) -> str:
    """Every question as one YAML stream: a document per task statement."""
    return "---\n".join(export_files(questions).values())
