"""The bank's own rules (``bank_requirements`` in ``guide.yaml``): totals per domain and task
statement, the type and difficulty mix, the spread of correct positions."""

from __future__ import annotations

from collections import Counter

from .guide import GuideSpec
from .questions import CaseStudySpec, QuestionSpec
from .yamlfile import Collector


def check_requirements(
    guide: GuideSpec, questions: list[QuestionSpec], out: Collector, cases: list[CaseStudySpec] = ()
) -> None:
    req = guide.requirements
    if not req:
        return
    published = [q for q in questions if q.guide == guide.code and q.status == "published"]
    domain_of = guide.sub_domain_codes()
    rel = guide.file
    if len(published) < req.get("min_total", 0):
        out.add(rel, None, f"the bank holds {len(published)} published questions, needs {req['min_total']}")
    per_domain = Counter(domain_of.get(q.sub_domain) for q in published)
    for number, minimum in (req.get("min_per_domain") or {}).items():
        if per_domain[int(number)] < minimum:
            out.add(
                rel,
                None,
                f"domain {number} holds {per_domain[int(number)]} published questions, needs {minimum}",
            )
    per_sub = Counter(q.sub_domain for q in published)
    minimum = req.get("min_per_sub_domain", 0)
    for code in domain_of:
        if per_sub[code] < minimum:
            out.add(
                rel, None, f"task statement {code} holds {per_sub[code]} published questions, needs {minimum}"
            )
    share = req.get("min_multiple_share")
    if share and published:
        actual = sum(q.type == "multiple" for q in published) / len(published)
        if actual < share:
            out.add(
                rel, None, f"{actual:.0%} of published questions are multiple response, needs {share:.0%}"
            )
    share = req.get("min_ordering_matching_share")
    if share and published:
        actual = sum(q.type in ("ordering", "matching") for q in published) / len(published)
        if actual < share:
            out.add(
                rel, None, f"{actual:.0%} of published questions are ordering or matching, needs {share:.0%}"
            )
    minimum = req.get("min_case_studies")
    if minimum:
        # A case study counts when at least two of its questions are published (it can be drawn).
        per_case = Counter(q.case_study for q in published if q.case_study)
        usable = sum(per_case[c.code] >= 2 for c in cases if c.guide == guide.code)
        if usable < minimum:
            out.add(rel, None, f"the bank holds {usable} case studies, needs {minimum}")
    for level, (low, high) in (req.get("difficulty_mix") or {}).items():
        actual = sum(q.difficulty == level for q in published) / max(1, len(published))
        if not low <= actual <= high:
            out.add(
                rel, None, f"{actual:.0%} of published questions are {level}, should be {low:.0%}–{high:.0%}"
            )
    if req.get("even_correct_positions"):
        keys = [[i for i, c in enumerate(q.choices) if c.correct] for q in published if q.type == "single"]
        singles = [k for k in keys if len(k) == 1]  # broken questions are reported on their own
        positions = Counter(k[0] for k in singles)
        for position in range(4):
            actual = positions[position] / max(1, len(singles))
            if not 0.15 <= actual <= 0.35:
                out.add(
                    rel,
                    None,
                    f"option {'ABCD'[position]} is correct in {actual:.0%} of multiple-choice questions; "
                    "spread them evenly (15–35% each)",
                )
