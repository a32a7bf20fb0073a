"""The bank audit (questions/audit.py, audit_bank): each statistic on small banks whose answers
are known by hand, the chi-square tail against published values, and the command's verdict on a
tell-laden bank (fails) and a balanced one (passes)."""

import json
import math
import random
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from questions.audit import (
    Thresholds,
    audit_guide,
    constraint_kinds,
    cue_stats,
    final_question,
    keys_among_longest,
    length_rank,
    multiple_response_stats,
    single_answer_stats,
)
from questions.bankfile import ChoiceSpec, GuideSpec, QuestionSpec, read_bank
from questions.chisquare import chi2_sf, uniformity
from questions.similarity import similar_pairs

TELL_LADEN = Path(__file__).parent / "fixtures" / "tell-laden"


def spec(options, *, type="single", stem="Which option fits?", qid="Q-1", sub="1.1", status="published"):
    """A parsed question: ``options`` are (text, correct) in display order."""
    return QuestionSpec(
        external_id=qid,
        guide="T",
        sub_domain=sub,
        type=type,
        select=sum(c for _, c in options),
        difficulty="medium",
        status=status,
        stem=stem,
        choices=[ChoiceSpec(text, correct, "why") for text, correct in options],
        explanation="x",
        references=[],
        file="f.yaml",
        line=1,
    )


def guide(code="T"):
    return GuideSpec(code, "Test", "1", 10, 10, 100, 1000, 700, 70, [], [], {}, "guide.yaml")


def sized(*lengths, key=0, keys=None):
    """Options of the given character lengths; ``key`` (or ``keys``) are the correct ones."""
    keys = {key} if keys is None else set(keys)
    return [(chr(97 + i) * n, i in keys) for i, n in enumerate(lengths)]


# --- the chi-square tail ----------------------------------------------------------------------


# Critical values from printed chi-square tables (x at which the upper tail is exactly p), and
# values of scipy.stats.chi2.sf (SciPy 1.17.1), which is not a dependency of this project.
@pytest.mark.parametrize(
    ("x", "df", "expected"),
    [
        (3.841458820694124, 1, 0.05),
        (6.634896601021214, 1, 0.01),
        (9.210340371976182, 2, 0.01),
        (7.814727903251178, 3, 0.05),
        (11.344866730144373, 3, 0.01),
        (18.307038053275146, 10, 0.05),
        (23.209251158954356, 10, 0.01),
        (1.0, 1, 0.31731050786291115),
        (0.299, 3, 0.960216443495751),
        (0.5, 5, 0.9921232932326296),
        (78.147, 3, 7.663819030894302e-17),
        (50.0, 7, 1.4444852779215397e-08),
        (30.0, 40, 0.8752187849674751),
        (200.0, 40, 3.764893576001532e-23),
        (1000.0, 3, 1.7994208765314067e-216),
    ],
)
def test_chi_square_tail_matches_published_values(x, df, expected):
    assert chi2_sf(x, df) == pytest.approx(expected, rel=1e-9)


def test_chi_square_tail_edges():
    assert chi2_sf(0, 3) == 1.0
    assert chi2_sf(4.0, 2) == pytest.approx(math.exp(-2.0))  # df 2: exactly e^(-x/2)
    with pytest.raises(ValueError):
        chi2_sf(1.0, 0)


def test_uniformity_groups_questions_by_their_number_of_outcomes():
    # 20 four-outcome questions all at outcome 0: (20-5)²/5 + 3·5²/5 = 60 on 3 df.
    result = uniformity([(0, 4)] * 20)
    assert (result["chi_square"], result["df"], result["table"][4]) == (60.0, 3, [20, 0, 0, 0])
    # Ten perfectly spread five-outcome questions add 0 on 4 df... but expect 2 < 5 per outcome,
    # so they are left out rather than trusted.
    mixed = uniformity([(0, 4)] * 20 + [(i % 5, 5) for i in range(10)])
    assert (mixed["chi_square"], mixed["df"], mixed["untested"]) == (60.0, 3, 10)
    # With 25 of them they count: 0 more chi-square, 4 more degrees of freedom.
    both = uniformity([(0, 4)] * 20 + [(i % 5, 5) for i in range(25)])
    assert (both["chi_square"], both["df"]) == (60.0, 7)
    assert both["p"] == pytest.approx(chi2_sf(60.0, 7))
    assert uniformity([(0, 4)] * 8)["p"] is None  # too few to test at all


# --- length and position ----------------------------------------------------------------------


def test_length_rank_counts_options_strictly_longer_and_ties_favour_the_key():
    assert length_rank(spec(sized(30, 20, 10, 5, key=0))) == 1
    assert length_rank(spec(sized(30, 20, 10, 5, key=3))) == 4
    assert length_rank(spec(sized(30, 30, 10, 5, key=1))) == 1  # tied for longest: rank 1
    assert length_rank(spec([("a  b", True), ("abcd", False), ("ab", False), ("a", False)])) == 2


def test_single_answer_shares_and_tests():
    singles = [spec(sized(40, 30, 20, 10, key=i % 2)) for i in range(20)]  # ranks 1,2 / A,B
    stats = single_answer_stats(singles)
    assert stats["length_rank_shares"] == {1: 0.5, 2: 0.5}
    assert stats["position_shares"] == {"A": 0.5, "B": 0.5}
    assert stats["length_rank_test"]["table"] == {4: [10, 10, 0, 0]}
    assert stats["length_rank_test"]["chi_square"] == 20.0  # 2·(10-5)²/5 + 2·5²/5


def test_multiple_response_against_the_longest_options():
    two_longest = spec(sized(50, 40, 30, 20, 10, keys=(0, 1)), type="multiple")
    three_shortest = spec(sized(60, 50, 40, 30, 20, 10, keys=(3, 4, 5)), type="multiple")
    tied = spec(sized(50, 40, 40, 20, 10, keys=(0, 2)), type="multiple")  # key ties a distractor
    assert keys_among_longest(two_longest) == 2
    assert keys_among_longest(three_shortest) == 0
    assert keys_among_longest(tied) == 2
    stats = multiple_response_stats([two_longest, three_shortest])
    assert stats["exactly_longest"] == 0.5
    assert stats["exactly_longest_chance"] == pytest.approx((1 / 10 + 1 / 20) / 2)
    assert stats["among_longest"] == 0.5
    assert stats["among_longest_chance"] == pytest.approx((2 / 5 + 3 / 6) / 2)


# --- constraints, stems and cue words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "kinds"),
    [
        (
            "Logs arrive.\n\nWhich solution meets these requirements with the LEAST operational overhead?",
            ["effort"],
        ),
        ("Which approach is the MOST cost-effective?", ["cost"]),
        ("Which solution requires the LEAST development effort?", ["effort"]),
        ("Which change needs the fewest changes to the code?", ["effort"]),
        ("Which design is MOST secure?", ["security"]),
        ("Which policy follows the principle of least privilege?", ["security"]),
        ("Which architecture is the most scalable?", ["scale"]),
        ("Which option gives the LEAST latency?", ["performance"]),
        ("Which option gives the lowest latency at the lowest cost?", ["cost", "performance"]),
        ("What is the MOST likely cause?", []),
        ("Which algorithm is MOST appropriate?", []),
        ("Which statistic BEST describes a typical trip?", []),
        # A constraint in the scenario but not in the final question does not count.
        ("The company wants the LEAST operational overhead. Which solution meets these requirements?", []),
    ],
)
def test_deciding_constraints_in_the_final_question(stem, kinds):
    assert constraint_kinds(stem) == kinds


def test_final_question_is_the_last_sentence_that_asks():
    assert final_question("Which is it? It must be cheap. Pick one.") == "Which is it?"
    assert final_question("Data arrives hourly.\n\nWhich service\nfits best?") == "Which service fits best?"
    assert final_question("Choose the service.") == "Choose the service."


def test_absolute_and_hedging_words_are_a_tell_only_with_enough_occurrences():
    questions = [
        spec(
            [
                ("Use a managed store", True),
                ("Always use disks", False),
                ("Use tape", False),
                ("Use paper", False),
            ],
            qid=f"Q-{i}",
        )
        for i in range(12)
    ]
    tells = {c["term"]: c for c in cue_stats(questions, Thresholds())["listed_terms"]}
    assert (tells["always"]["keys"], tells["always"]["distractors"], tells["always"]["tell"]) == (0, 12, True)
    few = cue_stats(questions[:9], Thresholds())  # 9 options: under cue_min_count (10)
    assert not any(c["tell"] for c in few["listed_terms"])
    assert not cue_stats(questions, Thresholds(cue_min_count=13))["listed_terms"][0]["tell"]
    # "managed store" is in every key and no distractor: listed for review, not a gate.
    assert ("managed store", 12) in cue_stats(questions, Thresholds())["key_only"]


def test_even_rates_in_keys_and_distractors_are_no_tell():
    questions = [
        spec(
            [
                ("Only S3 works", True),
                ("Only EBS works", False),
                ("Only EFS works", False),
                ("Only RDS works", False),
            ],
            qid=f"Q-{i}",
        )
        for i in range(12)
    ]
    only = next(c for c in cue_stats(questions, Thresholds())["listed_terms"] if c["term"] == "only")
    assert (only["keys"], only["distractors"], only["tell"]) == (12, 36, False)


def test_audit_skips_other_types_drafts_and_broken_questions():
    questions = [
        spec(sized(40, 30, 20, 10, key=0), qid="S-1"),
        spec(sized(40, 30, 20, 10, key=0), qid="S-2", status="draft"),
        spec(sized(40, 30, 20, 10, keys=()), qid="S-3"),  # no key: the validator's business
        spec([], type="ordering", qid="O-1", stem="Put these five steps in order. In which order?"),
    ]
    audit = audit_guide(guide(), questions)
    assert audit.questions == {"ordering": 1, "single": 2}
    assert audit.single["questions"] == 1
    assert audit.stem_words["ordering"] == {"questions": 1, "mean": 9, "median": 9, "min": 9, "max": 9}
    assert audit.constraints["questions"] == 2  # the gate counts choice questions only


# --- thresholds -------------------------------------------------------------------------------


def test_thresholds_default_override_and_refuse_nonsense(tmp_path):
    assert Thresholds.from_mapping(None) == Thresholds()
    assert Thresholds.from_mapping({"min_constraint_share": 0.5}).min_constraint_share == 0.5
    for raw, message in [
        ({"max_rank": 0.3}, "unknown audit threshold"),
        ({"min_chi_square_p": "low"}, "must be a number"),
        ({"max_length_rank_share": 1.5}, "share from 0 to 1"),
        ({"cue_ratio": 0.5}, "above 1"),
        ({"cue_min_count": 2.5}, "whole number"),
        ([0.3], "must be a mapping"),
    ]:
        with pytest.raises(ValueError, match=message):
            Thresholds.from_mapping(raw)
    path = tmp_path / "guide.yaml"
    path.write_text("code: X\naudit:\n  cue_ratio: 4\n")
    assert Thresholds.for_guide_file(path) == Thresholds(cue_ratio=4)


# --- same-concept pairs -----------------------------------------------------------------------


def test_similar_pairs_across_task_statements_without_enemies():
    def q(qid, sub, stem, key):
        return spec(
            [(key, True), ("Use tape", False), ("Use paper", False), ("Use disks", False)],
            qid=qid,
            sub=sub,
            stem=stem,
        )

    a = q(
        "A",
        "1.1",
        "Patients visit clinics several times; the split leaks patients.",
        "Group k-fold by patient",
    )
    b = q(
        "B", "3.3", "Visits of the same patients land in both sets after a random split.", "Split by patient"
    )
    c = q(
        "C", "1.1", "Patients visit clinics; rows of one patient leak across the split.", "Group by patient"
    )
    d = q("D", "2.2", "A retailer forecasts weekly demand for umbrellas.", "Use DeepAR")
    pairs = similar_pairs([a, b, c, d], top=10)
    found = {(p.a.external_id, p.b.external_id) for p in pairs}
    assert ("A", "B") in found and ("B", "C") in found
    assert ("A", "C") not in found  # same task statement: the 3-gram check's business
    assert pairs[0].score > 0.1 and "patient" in pairs[0].shared
    assert all(p.score < 0.05 for p in pairs if "D" in (p.a.external_id, p.b.external_id))
    b.enemies = ["A"]  # the upcoming `enemies:` field; declared on one side is enough
    assert ("A", "B") not in {(p.a.external_id, p.b.external_id) for p in similar_pairs([a, b, c, d])}


# --- the command ------------------------------------------------------------------------------


def test_the_tell_laden_fixture_is_a_valid_bank():
    bank, problems = read_bank(TELL_LADEN)
    assert problems == [] and len(bank.questions) == 32


def test_audit_bank_fails_on_a_tell_laden_bank(capsys):
    with pytest.raises(CommandError) as failed:
        call_command("audit_bank", str(TELL_LADEN))
    message = str(failed.value)
    for check in (
        "length_rank_share",
        "length_rank_uniform",
        "key_position_uniform",
        "multiple_exactly_longest",
        "multiple_among_longest",
        "constraint_share",
        "cue_terms",
    ):
        assert f"TELL-01: {check}" in message
    assert "'always' 0/64" in message and "'for example' 40/0" in message
    assert "FAIL  length_rank_share" in capsys.readouterr().out


def write_balanced_bank(root: Path, audit: dict | None = None) -> Path:
    """48 single-answer questions whose key sits at each length rank and each position equally
    often, 20 select-two questions whose key pair runs through all ten rank pairs twice, half
    the stems ending in a deciding constraint, and no cue word anywhere."""
    folder = root / "balanced"
    folder.mkdir()
    guide_yaml = (
        "code: BAL-01\ntitle: Balanced\nversion: '1'\nquestion_count: 10\nduration_minutes: 30\n"
        "score_min: 100\nscore_max: 1000\npassing_score: 700\ndomains:\n"
        "  - number: 1\n    title: D1\n    weight: 100\n    sub_domains:\n"
        "      - code: '1.1'\n        title: T1\n"
    )
    if audit:
        guide_yaml += yaml.safe_dump({"audit": audit})
    (folder / "guide.yaml").write_text(guide_yaml)
    rng = random.Random(5)
    nouns = re.findall(r"\w+", "alder birch cedar daphne elm fir ginkgo hazel ivy juniper kauri larch maple")
    pool = nouns + re.findall(
        r"\w+", "north south river hill stone field moss fern rain wind frost sun shade soil root seed leaf"
    )

    def text(n: int, length: int) -> str:
        # Lengths 15 characters apart: more than any difference in the words before them.
        return f"{nouns[n % 13]} {nouns[n // 13 % 13]} {n} {'x' * (15 * length)}"

    def stem(n: int) -> str:
        ask = "with the LEAST operational overhead?" if n % 2 else "for this workload?"
        return f"Plot {n}: {' '.join(rng.sample(pool, 12))}. Which plan fits {ask}"

    questions = []
    for n in range(48):
        rank, position = n % 4, (n // 4) % 4
        lengths = [4, 3, 2, 1]  # rank r (0 = longest) has length index 4 - r
        order = [r for r in range(4) if r != rank]
        layout = [*order[:position], rank, *order[position:]]
        choices = [
            {"text": text(n * 10 + i, lengths[r]), "correct": r == rank, "why": "Why."}
            for i, r in enumerate(layout)
        ]
        questions.append(
            {
                "id": f"BAL-S-{n:03d}",
                "type": "single",
                "stem": stem(n),
                "choices": choices,
                "explanation": "E.",
                "references": ["https://docs.aws.amazon.com/"],
            }
        )
    pairs = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    for n in range(20):
        keyed = pairs[n % 10]
        choices = [
            {"text": text(1000 + n * 10 + i, 5 - i), "correct": i in keyed, "why": "Why."} for i in range(5)
        ]
        questions.append(
            {
                "id": f"BAL-M-{n:03d}",
                "type": "multiple",
                "stem": stem(100 + n),
                "choices": choices,
                "explanation": "E.",
                "references": ["https://docs.aws.amazon.com/"],
            }
        )
    (folder / "1.1.yaml").write_text(yaml.safe_dump({"sub_domain": "1.1", "questions": questions}))
    return folder


def test_audit_bank_passes_on_a_balanced_bank(tmp_path, capsys):
    folder = write_balanced_bank(tmp_path)
    assert read_bank(folder)[1] == []
    call_command("audit_bank", str(folder))
    out = capsys.readouterr().out
    assert "every audit threshold met" in out and "FAIL" not in out
    assert "4        48         12 (25%)  12 (25%)  12 (25%)  12 (25%)" in out  # ranks and positions


def test_audit_bank_reads_thresholds_from_guide_yaml(tmp_path):
    folder = write_balanced_bank(tmp_path, audit={"min_constraint_share": 0.6})
    with pytest.raises(CommandError, match=r"BAL-01: constraint_share \(50.0% of stems; limit ≥ 60%\)"):
        call_command("audit_bank", str(folder))
    (folder / "guide.yaml").write_text((folder / "guide.yaml").read_text() + "  colour: blue\n")
    with pytest.raises(CommandError, match=r"guide\.yaml: unknown audit threshold 'colour'"):
        call_command("audit_bank", str(folder))


def test_audit_bank_json_and_pairs(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("audit_bank", str(TELL_LADEN), "--json", "--pairs", "3")
    data = json.loads(capsys.readouterr().out)
    (result,) = data["guides"]
    assert result["guide"] == "TELL-01"
    assert result["single"]["length_rank_shares"] == {"1": 1.0}
    assert next(c["name"] for c in result["checks"] if not c["passed"]) == "length_rank_share"
    assert len(result["pairs"]) == 3 and result["pairs"][0]["a"].startswith("TELL-1.1-")
    call_command("audit_bank", str(write_balanced_bank(tmp_path)), "--json")
    assert json.loads(capsys.readouterr().out)["guides"][0]["pairs"] is None
