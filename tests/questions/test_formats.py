"""The import formats, parsed without a database: what each accepts, and every error with its line."""

import pytest

from questions.formats import parse
from questions.formats.common import stable_id
from questions.formats.gift import escape, unescape
from questions.rules import PLACEHOLDER
from tests.factories import dedent

REF = "https://docs.aws.amazon.com/sagemaker/"


def gift(text, **kw):
    return parse("gift", dedent(text), filename="bank.gift", **kw)


def messages(result):
    return [str(p) for p in result.problems]


# ---- GIFT ---------------------------------------------------------------------------------


def test_gift_multiple_choice_with_feedback_and_general_feedback():
    specs, problems = gift(f"""
        // a comment, ignored
        $CATEGORY: MLS-C01/3.2

        // difficulty: hard
        // reference: {REF}
        ::MLS-3.2-900::[markdown]Which algorithm suits **tabular** data? {{
          =XGBoost#Boosted trees suit tabular data.
          ~K-means#Clustering, not prediction.
          ~DeepAR#Forecasting time series.
          ~BlazingText#Text classification.
          ####Tree ensembles are strong on tabular data.
        }}
    """)
    assert problems == []
    (q,) = specs
    assert (q.external_id, q.guide, q.sub_domain, q.type, q.select, q.difficulty) == (
        "MLS-3.2-900", "MLS-C01", "3.2", "single", 1, "hard",
    )  # fmt: skip
    assert q.stem == "Which algorithm suits **tabular** data?"
    assert [(c.text, c.correct, c.why) for c in q.choices][:2] == [
        ("XGBoost", True, "Boosted trees suit tabular data."),
        ("K-means", False, "Clustering, not prediction."),
    ]
    assert q.explanation == "Tree ensembles are strong on tabular data."
    assert q.references == [REF]
    assert (q.line, q.choices[0].line, q.choices[3].line) == (6, 7, 10)
    assert q.status == ""  # GIFT says nothing: the import decides (existing status, else draft)


def test_gift_multiple_response_from_percentage_weights():
    specs, problems = gift("""
        ::MR-1:: Which two reduce overfitting? {
          ~%50%Dropout#Yes.
          ~%50%L2 regularisation#Yes.
          ~%-100%More epochs#No.
          ~%-100%A larger model#No.
          ~%0%Less data#No.
          ####Regularisation.
        }
    """)
    assert problems == []
    (q,) = specs
    assert (q.type, q.select, [c.correct for c in q.choices]) == (
        "multiple",
        2,
        [True, True, False, False, False],
    )


def test_gift_three_way_weights_are_fine():
    specs, problems = gift("""
        ::MR-3:: Pick three {~%33.33333%a#x ~%33.33333%b#x ~%33.33333%c#x ~%-100%d#x ~%-100%e#x ####E}
    """)
    assert problems == [] and specs[0].select == 3


def test_gift_escapes_and_line_breaks():
    specs, problems = gift(r"""
        ::ESC-1:: Is 1 \= 1 \{really\}\: yes \~ no \# maybe?\nSecond line {
          =Yes \= sure#It is \#1
          ~No#a
          ~Maybe#b
          ~Never#c
          ####C:\\path
        }
    """)
    assert problems == [], problems
    q = specs[0]
    assert q.stem == "Is 1 = 1 {really}: yes ~ no # maybe?\nSecond line"
    assert (q.choices[0].text, q.choices[0].why) == ("Yes = sure", "It is #1")
    assert q.explanation == "C:\\path"


def test_escape_and_unescape_are_inverse():
    text = "a = b ~ c # d { e } f: g \\ h\n\nnew paragraph // not a comment"
    assert unescape(escape(text)) == text
    assert "\n" not in escape(text)


@pytest.mark.parametrize(
    ("category", "guide", "code"),
    [
        ("MLS-C01/3.2", "MLS-C01", "3.2"),
        ("3.2", "", "3.2"),
        ("$course$/top/MLS-C01/3.2 Select models", "MLS-C01", "3.2"),
    ],
)
def test_gift_categories_name_the_task_statement(category, guide, code):
    specs, problems = gift(f"$CATEGORY: {category}\n\n::A:: Q {{=a#x ~b#x ~c#x ~d#x ####E}}\n")
    assert problems == []
    assert (specs[0].guide, specs[0].sub_domain) == (guide, code)


def test_gift_category_without_a_task_statement_is_an_error_on_its_line():
    result = gift("// x\n$CATEGORY: top/Biology\n\n::A:: Q {=a#x ~b#x ~c#x ~d#x ####E}\n")
    assert "bank.gift:2: category 'top/Biology' names no task statement" in messages(result)[0]


def test_gift_without_category_uses_the_import_task_statement():
    specs, _ = gift("::A:: Q {=a#x ~b#x ~c#x ~d#x ####E}", default_sub_domain="1.1")
    assert specs[0].sub_domain == "1.1"


def test_gift_ids_come_from_titles_or_a_stable_hash_of_the_stem():
    answers = "{=a#x ~b#x ~c#x ~d#x ####E}"
    specs, _ = gift(f"::Q 1 - photosynthesis:: Q {answers}\n\nNo title here {answers}\n")
    assert specs[0].external_id == "Q-1-photosynthesis"
    assert specs[1].external_id == stable_id("GIFT", "No title here") == stable_id("GIFT", "no  TITLE here")
    assert specs[1].external_id.startswith("GIFT-")


UNSUPPORTED = """\
    ::TF:: The sky is blue. {T}

    ::ESSAY:: Describe a data lake. {}

    ::NUM:: What is pi? {#3.14:0.01}

    ::MATCH:: Match them {=S3 -> objects =EBS -> blocks #x =EFS -> files}

    ::SHORT:: Two plus two? {=four =4}

    Amazon {~EFS =S3 ~EBS} stores objects.

    A description with no answers at all.

    ::GOOD:: A good one {=a#x ~b#x ~c#x ~d#x ####E}
"""


def test_gift_unsupported_types_are_listed_by_line_and_refused():
    result = gift(UNSUPPORTED)
    found = messages(result)
    expected = [
        "bank.gift:1 [TF]: true/false question",
        "bank.gift:3 [ESSAY]: essay question",
        "bank.gift:5 [NUM]: numerical question",
        "bank.gift:7 [MATCH]: a matching pair has no '#feedback' in GIFT",
        "bank.gift:9 [SHORT]: short answer question",
        "bank.gift:11: missing word",
        "bank.gift:13: description",
    ]
    assert len(found) == len(expected)
    for message, prefix in zip(found, expected, strict=True):
        assert message.startswith(prefix), message
        if "[MATCH]" not in message:  # a broken matching question: a problem, not a type
            assert "only multiple choice, multiple response and matching are supported" in message
            assert "--skip-unsupported" in message


def test_gift_unsupported_types_are_skipped_when_asked():
    result = gift(UNSUPPORTED.replace(" #x", ""), skip_unsupported=True, default_sub_domain="1.1")
    assert result.problems == []
    assert [s.external_id for s in result.specs] == ["MATCH", "GOOD"]
    assert [p.line for p in result.skipped] == [1, 3, 5, 9, 11, 13]
    assert str(result.skipped[0]) == "bank.gift:1 [TF]: skipped: true/false question"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{=a ~%50%b#x ~c#x ~d#x ####E}", "partial credit is not supported"),
        ("{~%50%a#x ~%40%b#x ~c#x ~d#x ~e#x ####E}", "partial credit is not supported"),
        ("{~%40%a#x ~%40%b#x ~c#x ~d#x ~e#x ####E}", "weights add up to 80%, not 100%"),
        ("{=a#x ~b#x ~c#x ####E}", "multiple choice needs at least 4 options, has 3"),
        ("{=a#x =b#x ~c#x ~d#x ####E}", "multiple choice needs exactly 1 correct option, has 2"),
        ("(Select TWO.) {=a#x ~b#x ~c#x ~d#x ####E}", "the stem says '(Select TWO.)' but the key has 1"),
        ("{=a -> b =c =e -> f ####E}", "write every pair of a matching question as '=prompt -> response'"),
        ("{=a#x ~b#x ~c#x ~d#x ####E", "the answer block is not closed with '}'"),
        ("{junk =a#x ~b#x ~c#x ~d#x ####E}", "text before the first answer"),
    ],
)
def test_gift_errors_name_the_line(body, message):
    result = gift(f"// first\n\n::X:: Stem\n{body}\n")
    found = messages(result)
    assert any(message in m for m in found), found
    assert all(m.startswith(("bank.gift:3", "bank.gift:4")) for m in found), found


def test_gift_html_text_becomes_plain_text():
    specs, problems = gift("::H::[html]<p>Which <b>one</b>?</p><p>Really?</p> {=a#x ~b#x ~c#x ~d#x ####E}")
    assert problems == []
    assert specs[0].stem == "Which one?\n\nReally?"


MATCHING = """\
    $CATEGORY: MLA-T/1.1

    // difficulty: easy
    ::MLA-T-1.1-906::[markdown]Match each task with the service that does it. {
      =Extract printed fields from scanned forms -> Amazon Textract
      // why: Textract reads printed and handwritten text.
      =Turn call recordings into text -> Amazon Transcribe
      // why: Transcribe is speech to text.
      =Translate product descriptions -> Amazon Translate
      // why: Translate converts between languages.
      ####Each managed AI service does one job.
    }
"""


def test_gift_matching_pairs_take_their_why_from_the_line_under_them():
    result = gift(MATCHING)
    assert (result.problems, result.notices) == ([], [])
    (q,) = result.specs
    assert (q.external_id, q.guide, q.sub_domain, q.type, q.select, q.difficulty) == (
        "MLA-T-1.1-906", "MLA-T", "1.1", "matching", 3, "easy",
    )  # fmt: skip
    assert [(c.prompt, c.text, c.why, c.line) for c in q.choices] == [
        ("Extract printed fields from scanned forms", "Amazon Textract",
         "Textract reads printed and handwritten text.", 5),
        ("Turn call recordings into text", "Amazon Transcribe", "Transcribe is speech to text.", 7),
        ("Translate product descriptions", "Amazon Translate", "Translate converts between languages.", 9),
    ]  # fmt: skip
    assert q.explanation == "Each managed AI service does one job."


def test_gift_matching_as_moodle_writes_it_imports_as_a_draft_marked_for_the_author():
    """Moodle's own matching syntax has no feedback per pair and often no general feedback."""
    result = gift("::M:: Match them {=S3 -> objects =EBS -> blocks =EFS -> files}", default_sub_domain="1.1")
    assert result.problems == []
    (q,) = result.specs
    assert [(c.prompt, c.text) for c in q.choices] == [("S3", "objects"), ("EBS", "blocks"), ("EFS", "files")]
    assert all(c.why.startswith(PLACEHOLDER) for c in q.choices)
    assert q.explanation.startswith(PLACEHOLDER)
    assert [str(n) for n in result.notices] == [
        "bank.gift:1 [M]: the 'why' of pair 1, pair 2, pair 3 and the explanation (no general feedback) "
        f"marked {PLACEHOLDER}: a draft until an author writes them"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::M:: Q {=a -> b =c -> d =e -> f#why ####E}", "bank.gift:1 [M]: a matching pair has no '#feed"),
        ("::M:: Q {\n// why: early\n=a -> b\n=c -> d\n=e -> f\n####E}", "bank.gift:2 [M]: a '// why:' line"),
        (
            "::M:: Q {\n=a -> b\n// why: one\n// why: two\n=c -> d\n=e -> f\n####E}",
            "bank.gift:4 [M]: pair 1 has a second '// why:' line",
        ),
        ("::M:: Q {=a -> b =a -> c =e -> f ####E}", "bank.gift:1 [M]: two pairs have the same prompt"),
        ("::M:: Q {=a -> b =c -> d ####E}", "bank.gift:1 [M]: matching needs 3 to 7 pairs, has 2"),
    ],
)
def test_gift_matching_errors_name_the_line(text, message):
    found = messages(gift(text, default_sub_domain="1.1"))
    assert any(m.startswith(message) for m in found), found


# Files as people write them: accepted by Moodle, refused whole before (issue 15).
AS_PEOPLE_WRITE_THEM = """\
    $CATEGORY: MLS-C01/3.2

    ::NO-GENERAL:: Which algorithm suits tabular data? {
      =XGBoost#Boosted trees suit tabular data.
      ~K-means#Clustering, not prediction.
      ~DeepAR#Forecasting.
      ~BlazingText
    }

    ::HINT-WEIGHTS:: Which changes reduce overfitting? (Select TWO.) {
      ~%50%Dropout#Yes.
      ~%50%L2 regularisation#Yes.
      ~%-100%More epochs#No.
      ~%-100%A larger model#No.
      ~%-100%Less data#No.
      ####Regularisation.
    }

    ::HINT-EQUALS:: (Select TWO.) Which services store objects or files? {
      =Amazon S3#Objects.
      =Amazon EFS#Files.
      ~Amazon SQS#Messages.
      ~Amazon SNS#Notifications.
      ~AWS Lambda#Functions.
      ####Storage services.
    }
"""


def test_gift_as_people_write_it_imports_with_placeholders_and_notices():
    result = gift(AS_PEOPLE_WRITE_THEM)
    assert result.problems == []
    no_general, weights, equals = result.specs
    assert no_general.explanation.startswith(PLACEHOLDER)
    assert no_general.choices[3].why.startswith(PLACEHOLDER)
    assert no_general.choices[0].why == "Boosted trees suit tabular data."
    assert weights.stem == "Which changes reduce overfitting?"
    assert (weights.type, weights.select) == ("multiple", 2)
    # two "=" answers and "(Select TWO.)": multiple response, not a broken multiple choice
    assert equals.stem == "Which services store objects or files?"
    assert (equals.type, equals.select) == ("multiple", 2)
    assert [str(n) for n in result.notices] == [
        "bank.gift:3 [NO-GENERAL]: the 'why' of option D and the explanation (no general feedback) "
        f"marked {PLACEHOLDER}: a draft until an author writes them",
        "bank.gift:10 [HINT-WEIGHTS]: '(Select TWO.)' taken out of the stem: the exam screen says it "
        "from the answer key",
        "bank.gift:19 [HINT-EQUALS]: '(Select TWO.)' taken out of the stem: the exam screen says it "
        "from the answer key",
    ]


def test_gift_what_is_really_broken_is_still_refused_with_its_line():
    broken = AS_PEOPLE_WRITE_THEM.replace("~%50%L2", "~%-100%L2").replace("~DeepAR#Forecasting.\n", "")
    assert messages(gift(broken)) == [
        "bank.gift:3 [NO-GENERAL]: multiple choice needs at least 4 options, has 3",
        "bank.gift:9 [HINT-WEIGHTS]: the right options' weights add up to 50%, not 100%",
    ]


# ---- Aiken --------------------------------------------------------------------------------

AIKEN = """\
Which service stores objects durably?
A. Amazon S3
B) Amazon EBS
C. Instance store
D. Amazon EFS
ANSWER: A

Which service runs training jobs?
A. Amazon SageMaker AI
B. AWS Glue
C. Amazon Athena
D. Amazon QuickSight
ANSWER: a
"""


def test_aiken_imports_single_answer_questions_with_placeholders():
    specs, problems = parse("aiken", AIKEN, filename="a.txt", default_sub_domain="1.1")
    assert problems == []
    assert [s.stem for s in specs] == [
        "Which service stores objects durably?",
        "Which service runs training jobs?",
    ]
    first = specs[0]
    assert [c.correct for c in first.choices] == [True, False, False, False]
    assert first.choices[1].text == "Amazon EBS"
    assert all(c.why.startswith(PLACEHOLDER) for c in first.choices)
    assert first.explanation.startswith(PLACEHOLDER)
    assert (first.type, first.sub_domain, first.status, first.line) == ("single", "1.1", "", 1)
    assert first.external_id == stable_id("AIKEN", first.stem)


def test_aiken_needs_a_task_statement_from_the_import():
    result = parse("aiken", AIKEN, filename="a.txt")
    assert "a.txt: Aiken files name no task statement" in messages(result)[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Q?\nA. a\nB. b\nC. c\nD. d\nANSWER: E\n",
            "a.txt:6: ANSWER: 'E' does not name one of the options A–D",
        ),
        ("Q?\nA. a\nC. c\nD. d\nE. e\nANSWER: A\n", "a.txt:3: expected option 'B', found 'C'"),
        ("Q?\nA. a\nB. b\nC. c\nD. d\n", "a.txt:1: the question has no 'ANSWER:' line"),
        (
            "Q?\nA. a\nB. b\nC. c\nD. d\n\nANSWER: A\n",
            "a.txt:1: the question has no 'ANSWER:' line after its options",
        ),
        ("Q?\nA. a\nB. b\nANSWER: A\n", "a.txt:1 [AIKEN-"),
        ("Q?\nA. a\nB. b\nsome words\n", "a.txt:4: expected the next option or 'ANSWER: X'"),
    ],
)
def test_aiken_errors_name_the_line(text, message):
    found = messages(parse("aiken", text, filename="a.txt", default_sub_domain="1.1"))
    assert any(m.startswith(message) for m in found), found


# ---- CSV ----------------------------------------------------------------------------------

CSV = f"""\
id,sub_domain,stem,explanation,references,correct,option_a,why_a,option_b,why_b,option_c,why_c,option_d,why_d,option_e,why_e
C-1,3.2,"A stem, with a comma
and a second line",The concept.,{REF},B,a,x,b,x,c,x,d,x,,
C-2,3.2,Pick two,The concept.,{REF},"A, C",a,x,b,x,c,x,d,x,e,x
"""


def test_csv_rows_become_questions_with_their_first_line():
    specs, problems = parse("csv", CSV, filename="q.csv")
    assert problems == []
    one, two = specs
    assert (one.external_id, one.type, one.line, len(one.choices)) == ("C-1", "single", 2, 4)
    assert one.stem == "A stem, with a comma\nand a second line"
    assert [c.correct for c in one.choices] == [False, True, False, False]
    assert (two.type, two.select, two.line) == ("multiple", 2, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stem,correct,option_a,colour\n", "q.csv:1: unknown column(s): 'colour'"),
        ("stem,option_a\n", "q.csv:1: missing column(s): correct"),
        ("stem,correct,option_a,option_c\n", "q.csv:1: option columns must run option_a, option_b"),
        (CSV.replace(",B,a,", ",F,a,"), "q.csv:2 [C-1]: 'correct' names option F"),
        (CSV.replace("C-2,3.2,Pick two", "C-2,3.2,"), "q.csv:4 [C-2]: missing stem"),
        (CSV.replace(",B,a,x,", ",B,a,,"), "q.csv:2 [C-1]: option A has no 'why'"),
        # The id column holds 64 characters (PostgreSQL refused a longer one mid-import; found by
        # tests/security/test_fuzz_imports.py).
        (CSV.replace("C-1,", "C" * 65 + ","), f"q.csv:2 [{'C' * 65}]: the id is longer than 64 characters"),
    ],
)
def test_csv_errors_name_the_line(text, message):
    found = messages(parse("csv", text, filename="q.csv"))
    assert any(m.startswith(message) for m in found), found


# ---- native -------------------------------------------------------------------------------

NATIVE = f"""\
sub_domain: "3.2"
questions:
  - id: N-1
    type: single
    stem: Which one?
    choices:
      - {{text: a, correct: true, why: x}}
      - {{text: b, correct: false, why: x}}
      - {{text: c, correct: false, why: x}}
      - {{text: d, correct: false, why: x}}
    explanation: E.
    references: [{REF}]
"""


def test_native_reads_bank_files_and_streams_of_them():
    specs, problems = parse(
        "native", NATIVE + "---\n" + NATIVE.replace("N-1", "N-2").replace('"3.2"', '"1.1"'), filename="n.yaml"
    )
    assert problems == []
    assert [(s.external_id, s.sub_domain, s.line) for s in specs] == [("N-1", "3.2", 3), ("N-2", "1.1", 16)]
    assert specs[0].status == "published"  # the bank format's default


def test_native_errors_name_the_line():
    broken = NATIVE.replace("correct: true", "correct: false")
    assert messages(parse("native", broken, filename="n.yaml")) == [
        "n.yaml:3 [N-1]: multiple choice needs exactly 1 correct option, has 0"
    ]
    assert messages(parse("native", "sub_domain: [unclosed\n", filename="n.yaml"))[0].startswith(
        "n.yaml:2: YAML error"
    )


# ---- the examples in docs/authoring.md ---------------------------------------------------------


def test_every_example_in_the_authoring_guide_parses():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text()
    blocks = re.findall(r"^```(yaml|gift|csv|aiken|xml)\n(.*?)^```", text, flags=re.M | re.S)
    kinds = {"yaml": "native", "gift": "gift", "csv": "csv", "aiken": "aiken", "xml": "moodlexml"}
    assert sorted({k for k, _ in blocks}) == ["aiken", "csv", "gift", "xml", "yaml"]
    parsed = {}
    for kind, body in blocks:
        specs, problems = parse(kinds[kind], body, filename=f"authoring.{kind}", default_sub_domain="3.4")
        assert problems == [], (kind, [str(p) for p in problems])
        parsed.setdefault(kind, []).extend(specs)
    gift_types = {q.external_id: q.type for q in parsed["gift"]}
    gift_q = next(q for q in parsed["gift"] if q.external_id == "MLS-3.4-901")
    native, csv_q, xml_q = parsed["yaml"][0], parsed["csv"][0], parsed["xml"][0]

    def same(spec):  # the native example wraps its Markdown lines; Markdown joins them again
        words = " ".join
        return (
            spec.external_id, spec.sub_domain, words(spec.stem.split()), words(spec.explanation.split()),
            [(c.text, c.correct, words(c.why.split())) for c in spec.choices], spec.references,
        )  # fmt: skip

    assert same(gift_q) == same(native) == same(csv_q) == same(xml_q)
    assert (xml_q.difficulty, xml_q.status) == ("medium", "draft")
    assert gift_types == {"MLS-3.4-901": "single", "MLS-3.4-902": "multiple", "MLS-3.4-903": "matching"}
