"""``manage.py audit_bank [DIR]``: could a test-wise candidate game the bank? (docs/question-bank.md)"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.audit import GuideAudit, Thresholds, audit_guide
from questions.bankfile import read_bank
from questions.similarity import similar_pairs


def _table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def _pct(share) -> str:
    return "–" if share is None else f"{share:.1%}"


def render(audit: GuideAudit, pairs) -> list[str]:
    counts = ", ".join(f"{n} {t}" for t, n in audit.questions.items())
    out = [f"{audit.guide} — {audit.title}", f"Published questions audited: {counts or 'none'}", ""]
    out += ["Checks"]
    out += _table(
        ["", "check", "measured", "limit"],
        [["ok" if c.passed else "FAIL", c.name, c.value, c.limit] for c in audit.checks],
    )
    single = audit.single
    for title, test, label in (
        (
            "Key length rank, single answer (1 = longest; ties rank the key higher)",
            "length_rank_test",
            lambda i: f"rank {i + 1}",
        ),
        ("Key position, single answer", "position_test", lambda i: chr(65 + i)),
    ):
        if not single["questions"]:
            break
        t = single[test]
        rows = [[n, sum(c), *(f"{x} ({x / sum(c):.0%})" for x in c)] for n, c in t["table"].items()]
        widest = max(len(c) for c in t["table"].values())
        p = "not tested" if t["p"] is None else f"p = {t['p']:.2g}"
        out += ["", title, *_table(["options", "questions", *map(label, range(widest))], rows)]
        out += [f"  χ² = {t['chi_square']}, df {t['df']}, {p} ({t['untested']} questions untested)"]
    multiple = audit.multiple
    if multiple["questions"]:
        out += ["", "Multiple response: keys against the k longest options (k = number of keys)"]
        out += _table(
            ["shapes", "exactly the k longest", "chance", "share of keys among the k longest", "chance"],
            [
                [
                    ", ".join(f"{s}: {n}" for s, n in multiple["shapes"].items()),
                    _pct(multiple["exactly_longest"]),
                    _pct(multiple["exactly_longest_chance"]),
                    _pct(multiple["among_longest"]),
                    _pct(multiple["among_longest_chance"]),
                ]
            ],
        )
    cons = audit.constraints
    out += ["", "Deciding constraint in the final question sentence (single and multiple gate it)"]
    out += _table(
        ["type", "with constraint", "questions", "share"],
        [
            [t, v["with_constraint"], v["questions"], _pct(v["with_constraint"] / v["questions"])]
            for t, v in cons["by_type"].items()
        ],
    )
    out += ["  kinds: " + (", ".join(f"{k} {n}" for k, n in cons["kinds"].items()) or "none")]
    out += ["", "Stem length (words)"]
    out += _table(
        ["type", "questions", "mean", "median", "min", "max"],
        [
            [t, v["questions"], v["mean"], v["median"], v["min"], v["max"]]
            for t, v in audit.stem_words.items()
        ],
    )
    cues = audit.cues
    if cues["keys"]:
        out += ["", f"Cue words in option text ({cues['keys']} keys, {cues['distractors']} distractors)"]
        out += _table(
            ["word", "kind", "in keys", "in distractors", "key/distractor rate ratio", ""],
            [
                [c["term"], c["kind"], c["keys"], c["distractors"], c["ratio"], "TELL" if c["tell"] else ""]
                for c in cues["listed_terms"]
                if c["keys"] + c["distractors"]
            ],
        )
        for label, found in (
            ("only in keys", cues["key_only"]),
            ("only in distractors", cues["distractor_only"]),
        ):
            shown = ", ".join(f"{t} ({n})" for t, n in found[:15]) or "none"
            out += [f"  terms {label} (review; not a gate): {shown}"]
    if pairs is not None:
        out += ["", f"Candidate same-concept pairs in different task statements (top {len(pairs)})"]
        out += _table(
            ["score", "question", "question", "shared terms"],
            [
                [f"{p.score:.3f}", f"{p.a.external_id}", f"{p.b.external_id}", ", ".join(p.shared)]
                for p in pairs
            ],
        )
    return out


def _pair_dict(pair) -> dict:
    return {
        "a": pair.a.external_id,
        "b": pair.b.external_id,
        "score": pair.score,
        "shared": list(pair.shared),
    }


class Command(BaseCommand):
    help = "Measure how gameable each guide's bank is (option length, key position, cue words, "
    "constraints); exit non-zero when a guide.yaml 'audit:' threshold is broken."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="bank folder (default: QUESTION_BANK_DIR)")
        parser.add_argument(
            "--pairs",
            type=int,
            default=0,
            metavar="N",
            help="also list the N most similar pairs across task statements",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="machine-readable output")

    def handle(self, *args, path=None, pairs=0, as_json=False, **options):
        root = Path(path or settings.QUESTION_BANK_DIR)
        bank, problems = read_bank(root)
        if problems:
            self.stderr.write(f"{len(problems)} validation problem(s) (see validate_bank); auditing the rest")
        if not bank.guides:
            raise CommandError(f"no guide found under {root}")
        audits, failures, report = [], [], []
        for guide in bank.guides:
            try:
                thresholds = Thresholds.for_guide_file(Path(guide.file))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{guide.file}: {exc}") from None
            audit = audit_guide(guide, bank.questions, thresholds)
            found = (
                similar_pairs([q for q in bank.questions if q.guide == guide.code], pairs) if pairs else None
            )
            audits.append((audit, found))
            failures += [f"{audit.guide}: {c.name} ({c.value}; limit {c.limit})" for c in audit.failures]
        if as_json:
            payload = [
                {**a.as_dict(), "pairs": [_pair_dict(p) for p in found] if found is not None else None}
                for a, found in audits
            ]
            self.stdout.write(json.dumps({"guides": payload}, indent=2, ensure_ascii=False, default=str))
        else:
            for audit, found in audits:
                report += [*render(audit, found), ""]
            self.stdout.write("\n".join(report))
        if failures:
            raise CommandError("the audit failed: " + "; ".join(failures))
        if not as_json:
            self.stdout.write(self.style.SUCCESS(f"{len(audits)} guide(s): every audit threshold met"))
