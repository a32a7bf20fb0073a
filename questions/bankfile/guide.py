"""The guide file (``guide.yaml``): the exam guide, its domains and task statements, its
blueprints and the rules the bank as a whole must meet."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..rules import GUIDE_STATUSES, URL
from .yamlfile import Collector, load_yaml, plain, stripped, unknown_keys

GUIDE_FILE = "guide.yaml"
GUIDE_KEYS = {
    "code", "title", "version", "question_count", "duration_minutes", "score_min", "score_max",
    "passing_score", "competency_threshold", "domains", "blueprints", "bank_requirements", "audit",
    "status", "retired_on", "successor", "guide_url",
}  # fmt: skip
BLUEPRINT_KEYS = {
    "slug", "name", "question_count", "duration_minutes", "mode", "description", "max_case_studies",
}  # fmt: skip
# The rules of the bank as a whole (bankfile.requirements checks each).
REQUIREMENT_KEYS = {
    "min_total", "min_per_domain", "min_per_sub_domain", "min_multiple_share", "difficulty_mix",
    "even_correct_positions", "min_ordering_matching_share", "min_case_studies",
}  # fmt: skip


@dataclass
class SubDomainSpec:
    code: str
    title: str
    knowledge: str


@dataclass
class DomainSpec:
    number: int
    title: str
    weight: int
    sub_domains: list[SubDomainSpec]


@dataclass
class GuideSpec:
    code: str
    title: str
    version: str
    question_count: int
    duration_minutes: int
    score_min: int
    score_max: int
    passing_score: int
    competency_threshold: int
    domains: list[DomainSpec]
    blueprints: list[dict]
    requirements: dict
    file: str
    status: str = "current"
    retired_on: datetime.date | None = None
    successor: str = ""
    guide_url: str = ""

    def sub_domain_codes(self) -> dict[str, int]:
        return {s.code: d.number for d in self.domains for s in d.sub_domains}


SMALL_INT_MAX = 32767  # the PositiveSmallIntegerFields these numbers are stored in
# Text lengths of the columns a guide file fills (questions.models): PostgreSQL refuses more.
TEXT_LIMITS = {"guide code": 32, "guide title": 200, "guide version": 20, "domain title": 200,
               "task statement code": 10, "task statement title": 300, "guide successor": 32}  # fmt: skip


def _int(data: dict, key: str, rel: str, out: Collector, *, minimum: int = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= SMALL_INT_MAX:
        out.add(
            rel, data.get("__line__"), f"{key!r} must be a whole number from {minimum} to {SMALL_INT_MAX}"
        )
        return minimum
    return value


def _fits(value: str, what: str, rel: str, line: int | None, out: Collector) -> str:
    if len(value) > TEXT_LIMITS[what]:
        out.add(rel, line, f"the {what} is longer than {TEXT_LIMITS[what]} characters")
    return value


def _life(data: dict, rel: str, line: int | None, out: Collector) -> tuple[str, datetime.date | None]:
    """``status`` (current unless said) and ``retired_on``, which a retired guide must give."""
    status = stripped(data.get("status")) or "current"
    if status not in GUIDE_STATUSES:
        out.add(rel, line, f"status must be one of {', '.join(GUIDE_STATUSES)}, not {status!r}")
        status = "current"
    retired_on = data.get("retired_on")
    if retired_on is not None and not isinstance(retired_on, datetime.date):
        out.add(rel, line, f"retired_on must be a date such as 2026-03-31, not {retired_on!r}")
        retired_on = None
    if status == "retired" and retired_on is None:
        out.add(rel, line, "a retired guide needs retired_on: the last day the exam was offered")
    if status == "current" and retired_on is not None:
        out.add(rel, line, "retired_on is only for a guide whose status is retired")
        retired_on = None
    return status, retired_on


def parse_guide(path: Path, rel: str, out: Collector) -> GuideSpec | None:
    data = load_yaml(path, rel, out)
    if not isinstance(data, dict):
        if data is not None or not out.problems:
            out.add(rel, None, "a guide file must be a mapping with code, title and domains")
        return None
    line = data["__line__"]
    unknown_keys(data, GUIDE_KEYS, rel, out)
    for key in ("code", "title"):
        if not stripped(data.get(key)):
            out.add(rel, line, f"the guide needs a {key!r}")
    for key in ("code", "title", "version"):
        _fits(str(data.get(key) or "").strip(), f"guide {key}", rel, line, out)
    numbers = {
        key: _int(data, key, rel, out, minimum=1)
        for key in ("question_count", "duration_minutes", "score_max", "passing_score")
    }
    numbers["score_min"] = _int(data, "score_min", rel, out)
    if not numbers["score_min"] < numbers["passing_score"] <= numbers["score_max"]:
        out.add(rel, line, "scores must satisfy score_min < passing_score <= score_max")
    threshold = data.get("competency_threshold", 70)
    if not isinstance(threshold, int) or not 0 < threshold <= 100:
        out.add(rel, line, "competency_threshold must be a percentage between 1 and 100")
        threshold = 70
    status, retired_on = _life(data, rel, line, out)
    successor = _fits(stripped(data.get("successor")), "guide successor", rel, line, out)
    guide_url = stripped(data.get("guide_url"))
    if guide_url and not URL.match(guide_url):
        out.add(rel, line, f"guide_url must be an http(s) address, not {guide_url!r}")
    domains: list[DomainSpec] = []
    raw_domains = data.get("domains")
    if not isinstance(raw_domains, list) or not raw_domains:
        out.add(rel, line, "the guide needs a list of domains")
        raw_domains = []
    seen_codes: set[str] = set()
    for raw in raw_domains:
        if not isinstance(raw, dict):
            out.add(rel, line, "each domain must be a mapping with number, title, weight")
            continue
        dline = raw["__line__"]
        unknown_keys(raw, {"number", "title", "weight", "sub_domains"}, rel, out)
        number = _int(raw, "number", rel, out, minimum=1)
        weight = _int(raw, "weight", rel, out, minimum=1)
        if not stripped(raw.get("title")):
            out.add(rel, dline, f"domain {number} needs a title")
        _fits(stripped(raw.get("title")), "domain title", rel, dline, out)
        subs = []
        raw_subs = raw.get("sub_domains")
        if not isinstance(raw_subs, list) or not raw_subs:
            out.add(rel, dline, f"domain {number} needs at least one task statement (sub_domains)")
            raw_subs = []
        for sub in raw_subs:
            if not isinstance(sub, dict):
                out.add(rel, dline, f"a task statement of domain {number} is not a mapping")
                continue
            unknown_keys(sub, {"code", "title", "knowledge"}, rel, out)
            code = str(sub.get("code", "")).strip()
            if not code.startswith(f"{number}."):
                out.add(rel, sub["__line__"], f"task statement code {code!r} must start with '{number}.'")
            if code in seen_codes:
                out.add(rel, sub["__line__"], f"task statement {code} is listed twice")
            seen_codes.add(code)
            if not stripped(sub.get("title")):
                out.add(rel, sub["__line__"], f"task statement {code} needs a title")
            _fits(code, "task statement code", rel, sub["__line__"], out)
            _fits(stripped(sub.get("title")), "task statement title", rel, sub["__line__"], out)
            subs.append(SubDomainSpec(code, stripped(sub.get("title")), stripped(sub.get("knowledge"))))
        domains.append(DomainSpec(number, stripped(raw.get("title")), weight, subs))
    if domains:
        if len({d.number for d in domains}) != len(domains):
            out.add(rel, line, "domain numbers must be unique")
        total = sum(d.weight for d in domains)
        if total != 100:
            out.add(rel, line, f"domain weights must add up to 100, not {total}")
    blueprints = []
    for raw in data.get("blueprints") or []:
        if not isinstance(raw, dict) or not stripped(raw.get("slug")) or not stripped(raw.get("name")):
            out.add(rel, line, "each blueprint needs a slug and a name")
            continue
        unknown_keys(raw, BLUEPRINT_KEYS, rel, out)
        _int(raw, "question_count", rel, out, minimum=1)
        _int(raw, "duration_minutes", rel, out, minimum=0)
        if "max_case_studies" in raw:
            _int(raw, "max_case_studies", rel, out, minimum=0)
        blueprints.append(plain(raw))
    requirements = data.get("bank_requirements") or {}
    if not isinstance(requirements, dict):
        out.add(rel, line, "bank_requirements must be a mapping")
        requirements = {}
    unknown_keys(requirements, REQUIREMENT_KEYS, rel, out)
    for key in ("min_multiple_share", "min_ordering_matching_share"):
        share = requirements.get(key)
        if share is not None and (
            isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1
        ):
            out.add(rel, requirements.get("__line__"), f"{key!r} must be a share from 0 to 1 (e.g. 0.15)")
            requirements.pop(key)
    cases = requirements.get("min_case_studies")
    if cases is not None and (isinstance(cases, bool) or not isinstance(cases, int) or cases < 0):
        out.add(rel, requirements.get("__line__"), "'min_case_studies' must be a whole number")
        requirements.pop("min_case_studies")
    return GuideSpec(
        code=stripped(data.get("code")),
        title=stripped(data.get("title")),
        version=str(data.get("version", "")).strip(),
        competency_threshold=threshold,
        status=status,
        retired_on=retired_on,
        successor=successor,
        guide_url=guide_url,
        domains=domains,
        blueprints=blueprints,
        requirements=plain(requirements),
        file=rel,
        **numbers,
    )
