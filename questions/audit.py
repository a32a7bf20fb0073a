"""The bank audit: statistics that reveal a gameable bank (pure Python; no ORM, no Django).

A test-wise candidate who knows nothing of the subject can still beat chance when the key is
usually the longest option, usually in one position, carries words the distractors never use,
or when stems never force a choice between workable options. ``audit_guide`` measures each of
these for the published questions of one guide, as ``bankfile.read_bank`` parses them, and
checks them against the thresholds in the guide's ``audit:`` block (``Thresholds``).

Length, position and cue statistics apply to ``single`` and ``multiple`` questions only; other
types (ordering, matching) have no distractors to compare and are counted in the stem figures.
Questions the validator rejects (a single answer without exactly one key, say) are skipped.

Option length is its character count with runs of white space collapsed. Length rank 1 is the
longest option. **Ties count against the bank**: a key as long as a distractor ranks above it,
so an audit that passes cannot have been helped by ties (they are rare in character counts).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml

from questions.chisquare import uniformity
from questions.similarity import terms, words

CHOICE_TYPES = ("single", "multiple")


@dataclass(frozen=True)
class Thresholds:
    """The audit's limits, set per guide under ``audit:`` in guide.yaml; these are the defaults."""

    max_length_rank_share: float = 0.35  # no length rank holds more single-answer keys than this
    min_chi_square_p: float = 0.01  # length rank and key position: uniform unless p is below
    max_multiple_longest_excess: float = 0.10  # multiple response: at most chance + this
    min_constraint_share: float = 0.35  # stems whose final question names a deciding constraint
    cue_ratio: float = 3.0  # an absolute/hedging word this many times likelier in keys, or in
    cue_min_count: int = 10  # distractors, and in at least this many options, is a tell

    @classmethod
    def from_mapping(cls, raw) -> Thresholds:
        """The thresholds of an ``audit:`` block (None: the defaults); ValueError says what is wrong."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ValueError("'audit' must be a mapping of threshold names to numbers")
        known = {f.name for f in fields(cls)}
        values = {}
        for key, value in raw.items():
            if key == "__line__":
                continue
            if key not in known:
                raise ValueError(f"unknown audit threshold {key!r}; known: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"audit threshold {key!r} must be a number, not {value!r}")
            if key == "cue_min_count" and (not isinstance(value, int) or value < 1):
                raise ValueError("audit threshold 'cue_min_count' must be a whole number of at least 1")
            if key == "cue_ratio" and value <= 1:
                raise ValueError("audit threshold 'cue_ratio' must be above 1")
            if key not in ("cue_min_count", "cue_ratio") and not 0 <= value <= 1:
                raise ValueError(f"audit threshold {key!r} must be a share from 0 to 1")
            values[key] = value
        return cls(**values)

    @classmethod
    def for_guide_file(cls, path: Path) -> Thresholds:
        """The thresholds of a guide.yaml (read again here so that bankfile.GuideSpec needs no field)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return cls.from_mapping(data.get("audit") if isinstance(data, dict) else None)


def _length(text: str) -> int:
    return len(" ".join(text.split()))


def _keys(q) -> list[int]:
    return [i for i, c in enumerate(q.choices) if c.correct]


def _well_formed(q) -> bool:
    keys = _keys(q)
    if q.type == "single":
        return len(keys) == 1 and len(q.choices) >= 2
    return 2 <= len(keys) < len(q.choices)


def length_rank(q) -> int:
    """The single answer's length rank: 1 + the number of options strictly longer than the key."""
    key = _length(q.choices[_keys(q)[0]].text)
    return 1 + sum(_length(c.text) > key for c in q.choices)


def keys_among_longest(q) -> int:
    """How many keys are among the k longest options (k = number of keys; ties favour a key)."""
    order = sorted(q.choices, key=lambda c: (-_length(c.text), not c.correct))
    return sum(c.correct for c in order[: len(_keys(q))])


def single_answer_stats(singles) -> dict:
    """Where single-answer keys fall by length rank and by position (A, B, C...).

    Shares are of all single-answer keys at each rank or position; with four options chance is
    25% each. Questions with more options spread their keys thinner, so one rank's share stays a
    fair gate in a mixed bank. The chi-square tests compare each question only with questions
    that have the same number of options (chisquare.uniformity).
    """
    ranks = [(length_rank(q) - 1, len(q.choices)) for q in singles]
    by_rank = Counter(r + 1 for r, _ in ranks)
    positions = [(_keys(q)[0], len(q.choices)) for q in singles]
    by_position = Counter(p for p, _ in positions)
    total = max(1, len(singles))
    return {
        "questions": len(singles),
        "length_rank_shares": {r: by_rank[r] / total for r in sorted(by_rank)},
        "length_rank_test": uniformity(ranks),
        "position_shares": {chr(65 + p): by_position[p] / total for p in sorted(by_position)},
        "position_test": uniformity(positions),
    }


def multiple_response_stats(multiples) -> dict:
    """Keys of multiple-response questions against their k longest options, and chance.

    "Exactly the k longest": every key is among the k longest; by chance 1 / C(n, k) per
    question. "Keys among the k longest": the share of a question's keys found there; by chance
    k / n. Both are averaged over questions, chance included, so mixed shapes are handled.
    """
    shapes: dict[str, list] = defaultdict(list)
    rows = []
    for q in multiples:
        n, k = len(q.choices), len(_keys(q))
        hit = keys_among_longest(q)
        rows.append((hit == k, 1 / math.comb(n, k), hit / k, k / n))
        shapes[f"{k} of {n}"].append(q)
    count = max(1, len(rows))
    return {
        "questions": len(rows),
        "shapes": {s: len(qs) for s, qs in sorted(shapes.items())},
        "exactly_longest": sum(r[0] for r in rows) / count,
        "exactly_longest_chance": sum(r[1] for r in rows) / count,
        "among_longest": sum(r[2] for r in rows) / count,
        "among_longest_chance": sum(r[3] for r in rows) / count,
    }


# The deciding constraints of the real exam's final question, by kind. Each pattern is matched
# case-insensitively against the stem's final question sentence. A bare superlative is not a
# constraint ("MOST likely cause", "MOST appropriate", "BEST"): it names no ground to choose on.
CONSTRAINTS = {
    "effort": r"\b(least|less|lowest|minimal|minimum|fewest|smallest)\b[\w\s-]{0,30}?"
    r"\b(overhead|effort|custom code|code|changes?|maintenance|administration|steps)\b"
    r"|\bsimplest\b|\bmost operationally efficient\b|\bmost efficient(ly)?\b",
    "cost": r"\bcost[- ]effective(ly)?\b|\b(lowest|least|minimal|minimum|lower)\s+(possible\s+)?"
    r"(cost|price|spend)\b|\bcheapest\b|\bleast expensive\b|\bmost economical\b"
    r"|\breduce (the )?cost\b[\w\s-]{0,20}\bmost\b",
    "security": r"\bmost secure(ly)?\b|\bleast[- ]privilege(d)?\b",
    "performance": r"\b(lowest|least|minimal|minimum|lower)\s+(possible\s+)?latency\b|\bfastest\b"
    r"|\b(highest|most)\s+(sustained\s+)?throughput\b|\b(shortest|least)\s+(amount of\s+)?time\b"
    r"|\bmost quickly\b|\bas quickly as possible\b",
    "scale": r"\bmost (scalable|available|resilient|fault[- ]tolerant|durable)\b"
    r"|\bhighest (availability|durability)\b",
}
_CONSTRAINTS = {kind: re.compile(pattern, re.I) for kind, pattern in CONSTRAINTS.items()}
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def final_question(stem: str) -> str:
    """The stem's last sentence that asks (ends in "?"), or its last sentence if none does."""
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(stem.split())) if s.strip()]
    asking = [s for s in sentences if s.endswith("?")]
    return (asking or sentences or [""])[-1]


def constraint_kinds(stem: str) -> list[str]:
    """The kinds of deciding constraint named in the stem's final question sentence."""
    sentence = final_question(stem)
    return [kind for kind, pattern in _CONSTRAINTS.items() if pattern.search(sentence)]


def constraint_stats(questions) -> dict:
    kinds = Counter()
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in questions:
        found = constraint_kinds(q.stem)
        kinds.update(found)
        by_type[q.type][0] += bool(found)
        by_type[q.type][1] += 1
    gated = [by_type[t] for t in CHOICE_TYPES if t in by_type]
    with_constraint, total = sum(g[0] for g in gated), sum(g[1] for g in gated)
    return {
        "share": with_constraint / total if total else None,
        "with_constraint": with_constraint,
        "questions": total,
        "by_type": {t: {"with_constraint": a, "questions": b} for t, (a, b) in sorted(by_type.items())},
        "kinds": dict(kinds.most_common()),
    }


def stem_length_stats(questions) -> dict:
    by_type: dict[str, list[int]] = defaultdict(list)
    for q in questions:
        by_type[q.type].append(len(q.stem.split()))
    return {
        t: {
            "questions": len(v),
            "mean": round(statistics.mean(v), 1),
            "median": statistics.median(v),
            "min": min(v),
            "max": max(v),
        }
        for t, v in sorted(by_type.items())
    }


# Test-wise rules of thumb: absolute options are wrong, hedged or qualified options are right.
# Matched as whole words or phrases of an option's text, in any case ("all of the above" is
# refused by the validator already). "every" is an absolute ("every record", and the
# "every hour" of a batch schedule); "for example" qualifies an option the way a hedge does.
ABSOLUTE_TERMS = ("always", "never", "only", "all", "every", "must", "guaranteed", "cannot", "completely")
HEDGING_TERMS = (
    "may",
    "might",
    "can",
    "could",
    "typically",
    "generally",
    "usually",
    "often",
    "some",
    "for example",
)
KEY_ONLY_MIN = 4  # a content term in this many keys and no distractor is listed
DISTRACTOR_ONLY_MIN = 8  # ... in this many distractors and no key


def cue_stats(questions, thresholds: Thresholds) -> dict:
    """Words whose presence in an option says whether it is a key.

    For each listed absolute or hedging word: the share of keys and of distractors that contain
    it, and their ratio, with half an option added to each count (so a word never seen on one
    side still gets a finite ratio). A word found in at least ``cue_min_count`` options whose
    ratio is at least ``cue_ratio`` either way is a tell. Content terms (unigrams and bigrams,
    stop words removed) found in several keys and no distractor, or the reverse, are listed for
    review but do not fail the audit: domain words legitimately cluster in keys.
    """
    keys = [c.text for q in questions for c in q.choices if c.correct]
    distractors = [c.text for q in questions for c in q.choices if not c.correct]
    key_text = [" ".join(words(t)) for t in keys]
    distractor_text = [" ".join(words(t)) for t in distractors]
    listed = []
    for kind, vocabulary in (("absolute", ABSOLUTE_TERMS), ("hedging", HEDGING_TERMS)):
        for term in vocabulary:
            pattern = re.compile(rf"\b{re.escape(term)}\b")
            k = sum(bool(pattern.search(t)) for t in key_text)
            d = sum(bool(pattern.search(t)) for t in distractor_text)
            key_rate = (k + 0.5) / (len(keys) + 1)
            distractor_rate = (d + 0.5) / (len(distractors) + 1)
            ratio = key_rate / distractor_rate
            tell = k + d >= thresholds.cue_min_count and max(ratio, 1 / ratio) >= thresholds.cue_ratio
            listed.append(
                {
                    "term": term,
                    "kind": kind,
                    "keys": k,
                    "distractors": d,
                    "ratio": round(ratio, 2),
                    "tell": tell,
                }
            )
    in_keys = Counter(t for text in keys for t in terms(text))
    in_distractors = Counter(t for text in distractors for t in terms(text))
    return {
        "keys": len(keys),
        "distractors": len(distractors),
        "listed_terms": listed,
        "key_only": [(t, n) for t, n in in_keys.most_common() if n >= KEY_ONLY_MIN and not in_distractors[t]],
        "distractor_only": [
            (t, n) for t, n in in_distractors.most_common() if n >= DISTRACTOR_ONLY_MIN and not in_keys[t]
        ],
    }


@dataclass
class Check:
    name: str
    passed: bool
    value: str  # the measured figure, as the report prints it
    limit: str


@dataclass
class GuideAudit:
    guide: str
    title: str
    thresholds: Thresholds
    questions: dict[str, int]  # published questions audited, by type
    single: dict
    multiple: dict
    constraints: dict
    stem_words: dict
    cues: dict
    checks: list[Check] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def as_dict(self) -> dict:
        return asdict(self)


def _p_check(name: str, test: dict, minimum: float) -> Check:
    if test["p"] is None:
        return Check(name, True, f"not tested ({test['untested']} questions, too few)", f"p ≥ {minimum}")
    return Check(
        name,
        test["p"] >= minimum,
        f"p = {test['p']:.2g} (χ² {test['chi_square']}, df {test['df']})",
        f"p ≥ {minimum}",
    )


def _checks(single: dict, multiple: dict, constraints: dict, cues: dict, t: Thresholds) -> list[Check]:
    checks = []
    if single["questions"]:
        rank, share = max(single["length_rank_shares"].items(), key=lambda item: item[1])
        checks.append(
            Check(
                "length_rank_share",
                share <= t.max_length_rank_share,
                f"{share:.1%} of keys at rank {rank}",
                f"≤ {t.max_length_rank_share:.0%}",
            )
        )
        checks.append(_p_check("length_rank_uniform", single["length_rank_test"], t.min_chi_square_p))
        checks.append(_p_check("key_position_uniform", single["position_test"], t.min_chi_square_p))
    if multiple["questions"]:
        for name, key in (
            ("multiple_exactly_longest", "exactly_longest"),
            ("multiple_among_longest", "among_longest"),
        ):
            limit = multiple[f"{key}_chance"] + t.max_multiple_longest_excess
            checks.append(
                Check(
                    name,
                    multiple[key] <= limit + 1e-9,
                    f"{multiple[key]:.1%} (chance {multiple[f'{key}_chance']:.1%})",
                    f"≤ {limit:.1%}",
                )
            )
    if constraints["share"] is not None:
        share = constraints["share"]
        checks.append(
            Check(
                "constraint_share",
                share >= t.min_constraint_share,
                f"{share:.1%} of stems",
                f"≥ {t.min_constraint_share:.0%}",
            )
        )
    if cues["keys"]:
        tells = [c for c in cues["listed_terms"] if c["tell"]]
        checks.append(
            Check(
                "cue_terms",
                not tells,
                ", ".join(f"{c['term']!r} {c['keys']}/{c['distractors']}" for c in tells)
                + " (keys/distractors)"
                if tells
                else "none",
                f"ratio < {t.cue_ratio} when in ≥ {t.cue_min_count} options",
            )
        )
    return checks


def audit_guide(guide, questions, thresholds: Thresholds | None = None) -> GuideAudit:
    """The audit of ``guide``'s published questions among ``questions`` (a Bank's, say)."""
    thresholds = thresholds or Thresholds()
    mine = [q for q in questions if q.guide == guide.code and q.status == "published"]
    choice = [q for q in mine if q.type in CHOICE_TYPES and _well_formed(q)]
    singles = [q for q in choice if q.type == "single"]
    multiples = [q for q in choice if q.type == "multiple"]
    single = single_answer_stats(singles)
    multiple = multiple_response_stats(multiples)
    constraints = constraint_stats(mine)
    cues = cue_stats(choice, thresholds)
    result = GuideAudit(
        guide=guide.code,
        title=guide.title,
        thresholds=thresholds,
        questions=dict(sorted(Counter(q.type for q in mine).items())),
        single=single,
        multiple=multiple,
        constraints=constraints,
        stem_words=stem_length_stats(mine),
        cues=cues,
    )
    result.checks = _checks(single, multiple, constraints, cues, thresholds)
    return result
