"""Property-based: the five importers (native YAML, GIFT, Moodle XML, Aiken, CSV) against mutated
valid files
(lines dropped, duplicated, swapped, truncated; format tokens and random text inserted) and
garbage, through the all-or-nothing import service and the ``import_questions`` command.

A file either imports whole (every question in the report exists, with a version) or is refused
with problems that each carry a message, and then the bank (every Question, Choice and
QuestionVersion row) is exactly as before. Any other exception fails the test.
"""

import csv
import io
import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from questions.models import ExamGuide, Question
from questions.services import ImportInvalid, questions_import_text
from tests.factories import build_guide

from .conftest import bank_state
from .fuzzing import BUDGET, fuzz_settings

pytestmark = pytest.mark.django_db

REF = "https://docs.aws.amazon.com/sagemaker/"
EXISTING = "MLS-C01-3.2-000"  # a published question of the bank: its row in a file is an update

NATIVE = f"""\
sub_domain: "3.2"
questions:
  - id: FZ-N-1
    type: single
    difficulty: medium
    stem: Which algorithm suits **tabular** data?
    choices:
      - {{text: XGBoost, correct: true, why: Boosted trees suit tabular data.}}
      - {{text: K-means, correct: false, why: Clustering.}}
      - {{text: DeepAR, correct: false, why: Forecasting.}}
      - {{text: BlazingText, correct: false, why: Text.}}
    explanation: Trees are strong on tabular data.
    references: ["{REF}"]
  - id: {EXISTING}
    type: multiple
    select: 2
    stem: Which two reduce overfitting?
    choices:
      - text: Dropout
        correct: true
        why: It regularises.
      - text: L2 regularisation
        correct: true
        why: It penalises large weights.
      - {{text: More epochs, correct: false, why: Overfits more.}}
      - {{text: A larger model, correct: false, why: More capacity.}}
      - {{text: Less data, correct: false, why: Worse.}}
    explanation: |
      Regularisation reduces variance.
    references:
      - {REF}
"""
GIFT = f"""\
$CATEGORY: MLS-C01/3.2

// reference: {REF}
::FZ-G-1:: Which algorithm suits tabular data? {{
  =XGBoost#Boosted trees suit tabular data.
  ~K-means#Clustering.
  ~DeepAR#Forecasting.
  ~BlazingText#Text.
  ####Trees are strong on tabular data.
}}

// difficulty: hard
// reference: {REF}
::{EXISTING}::[markdown]Which two reduce **overfitting**? {{
  ~%50%Dropout#Yes.
  ~%50%L2 regularisation#Yes.
  ~%-100%More epochs#No.
  ~%-100%A larger model#No.
  ~%-100%Less data#No.
  ####Regularisation.
}}
"""
AIKEN = """\
Which service stores objects?
A. Amazon S3
B) Amazon EBS
C. Amazon EFS
D. Amazon FSx
ANSWER: A

Which algorithm suits tabular data?
A. K-means
B. XGBoost
C. DeepAR
D. BlazingText
ANSWER: B
"""
CSV = (
    "id,stem,correct,select,option_a,why_a,option_b,why_b,option_c,why_c,option_d,why_d,option_e,why_e,"
    "explanation,references\n"
    f"FZ-C-1,Which algorithm suits tabular data?,A,,XGBoost,Trees.,K-means,Clustering.,DeepAR,"
    f"Forecasting.,BlazingText,Text.,,,Trees are strong.,{REF}\n"
    f'{EXISTING},"Which two reduce\noverfitting?","A,B",2,Dropout,Yes.,L2,Yes.,More epochs,No.,'
    f'"A larger model",No.,Less data,No.,Regularisation.,{REF}\n'
)
MOODLEXML = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/MLS-C01/3.2</text></category>
  </question>
  <question type="matching">
    <name><text>FZ-M-1</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Match each task with the service.</p>]]></text>
    </questiontext>
    <generalfeedback format="markdown"><text>Each service does one job.</text></generalfeedback>
    <subquestion format="html">
      <text><![CDATA[<p>Read scanned forms</p>]]></text>
      <answer><text>Amazon Textract</text></answer>
    </subquestion>
    <subquestion format="html">
      <text>Turn speech into text</text>
      <answer><text>Amazon Transcribe</text></answer>
    </subquestion>
    <subquestion format="html">
      <text>Translate text</text>
      <answer><text>Amazon Translate</text></answer>
    </subquestion>
  </question>
  <question type="multichoice">
    <name><text>{EXISTING}</text></name>
    <questiontext format="markdown">
      <text>Which two reduce **overfitting**? (Select TWO.)</text>
    </questiontext>
    <generalfeedback format="markdown"><text>Regularisation.</text></generalfeedback>
    <single>false</single>
    <answer fraction="50"><text>Dropout</text><feedback><text>Yes.</text></feedback></answer>
    <answer fraction="50"><text>L2 regularisation</text><feedback><text>Yes.</text></feedback></answer>
    <answer fraction="-100"><text>More epochs</text><feedback><text>No.</text></feedback></answer>
    <answer fraction="-100"><text>A larger model</text><feedback><text>No.</text></feedback></answer>
    <answer fraction="0"><text>Less data</text><feedback><text>No.</text></feedback></answer>
    <tags><tag><text>difficulty:hard</text></tag></tags>
    <!-- reference: {REF} -->
  </question>
</quiz>
"""
FILES = {"native": NATIVE, "gift": GIFT, "moodlexml": MOODLEXML, "aiken": AIKEN, "csv": CSV}
EXTENSIONS = {"native": "yaml", "gift": "gift", "moodlexml": "xml", "aiken": "txt", "csv": "csv"}
TOKENS = {
    "native": [
        "- ", ": ", "  ", "\t", "&a ", "*a", "!!set ", "!!binary x", "!!python/object:os.system ", "? ",
        "[", "]", "{", "}", "{[1]: 2}", "|", ">", "---\n", "...", "#", "'", '"', "~", "null", "2024-13-45",
        "<<: *a", "__line__: x", "id: FZ-N-1", "correct: yes", "select: 9", "type: multiple",
        "status: draft", "status: gone", "references: [1, {a: b}]", "sub_domain: 9.9",
    ],
    "gift": [
        "{", "}", "=", "~", "#", "####", "::", "::FZ-G-1::", "%50%", "%-100%", "%1e400%",
        "%9999999999999999999999%", "\\", "\\n", "//", "// reference: javascript:alert(1)",
        "// difficulty: extreme", "$CATEGORY: ", "$CATEGORY: MLS-C01/9.9", "$CATEGORY: OTHER-01/3.2",
        "[markdown]", "[html]", "->", "T", "TRUE", "\n\n",
    ],
    "moodlexml": [
        "<", ">", "</", "/>", "&", "&amp;", "&nbsp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "<!--", "-->",
        '<!DOCTYPE quiz [<!ENTITY a "b">]>', "<!ENTITY x SYSTEM 'file:///etc/passwd'>", "&x;", "<?pi x?>",
        '<question type="essay">', '<question type="ordering">', '<question type="category">',
        "<answer fraction='100'>", 'fraction="1e400"', 'fraction="nan"', "<single>true</single>",
        "<subquestion>", "<text>", "</text>", "<idnumber>FZ-M-1</idnumber>", "<tag><text>status:published",
        "difficulty:extreme", "$course$/top/MLS-C01/9.9", "(Select THREE.)", 'format="html"', "<p>", "\n\n",
    ],
    "aiken": [
        "A. ", "B) ", "Z. ", "ANSWER: ", "ANSWER: A", "ANSWER: Z", "ANSWER: ²", "ANSWER:", "\n\n", "\t",
    ],
    "csv": [
        ",", '"', '""', "\r", "\n", "\x00", "option_f", "why_z", "id", "select", "²", "A,B", "Z",
        "correct", " ", ";",
    ],
}  # fmt: skip
CELLS = ["", "²", "١", "-1", "0", "7", "Z", "A,B,C", "multiple", "single", "published", "x" * 70]
# Runs past the parsers' limits: 5,000 digits (int() refuses), 140,000 characters (csv's field
# limit), 600 brackets (nesting); built lazily so that a failure report stays readable.
LONG_RUNS = st.builds(lambda n, c: c * n, st.sampled_from([400, 600, 5000, 140_000]), st.sampled_from("9x[{"))
OPS = ("drop", "duplicate", "swap", "insert line", "insert text", "cut text", "replace word", "truncate")
WORDS = re.compile(r"([,:\s{}=~#]+)")  # a line split into words and the separators between them


@st.composite
def mutated(draw, fmt: str) -> tuple[str, int]:
    """The valid file with 0–6 edits; returns (text, number of edits)."""
    lines = FILES[fmt].splitlines(keepends=True)
    snippet = st.one_of(
        st.sampled_from(TOKENS[fmt]),
        st.text(max_size=30),
        st.lists(st.sampled_from(TOKENS[fmt]), max_size=5).map("".join),
        LONG_RUNS,
    )
    edits = draw(st.integers(0, 6), label="edits")
    for _ in range(edits):
        op = draw(st.sampled_from(OPS + (("replace cell",) if fmt == "csv" else ())), label="op")
        if op == "replace cell":  # CSV: one cell of the table, the quoting kept valid
            try:
                table = list(csv.reader(io.StringIO("".join(lines), newline="")))
            except csv.Error:  # an earlier edit broke the table (e.g. a cell over the size limit)
                continue
            row = draw(st.integers(0, len(table) - 1), label="row") if table else None
            if row is not None and table[row]:
                col = draw(st.integers(0, len(table[row]) - 1), label="column")
                table[row][col] = draw(st.one_of(st.sampled_from(CELLS), LONG_RUNS, snippet), label="cell")
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(table)
            lines = out.getvalue().splitlines(keepends=True)
            continue
        i = draw(st.integers(0, max(len(lines) - 1, 0)), label="line")
        if op == "insert line" or not lines:
            lines.insert(i, draw(snippet, label="new line") + "\n")
        elif op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1), label="with")
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace word":
            parts = WORDS.split(lines[i])
            k = draw(st.integers(0, len(parts) - 1), label="word")
            parts[k] = draw(snippet, label="replacement")
            lines[i] = "".join(parts)
        elif op in ("insert text", "cut text"):
            at = draw(st.integers(0, len(lines[i])), label="at")
            if op == "insert text":
                lines[i] = lines[i][:at] + draw(snippet, label="text") + lines[i][at:]
            else:
                lines[i] = lines[i][:at] + lines[i][at + draw(st.integers(1, 20), label="cut") :]
        else:
            lines = lines[:i]
    return "".join(lines), edits


def garbage(fmt: str):
    return st.one_of(
        st.text(max_size=400),
        st.binary(max_size=400).map(lambda b: b.decode("utf-8", "replace")),
        st.lists(st.sampled_from([*TOKENS[fmt], "\n", "x", "1.1"]), max_size=60).map("".join),
    ).map(lambda text: (text, -1))


@pytest.fixture
def bank(db):
    """The small bank (one published question per task statement) and the author importing."""
    from tests.factories import UserFactory

    return build_guide(per_sub=1, multiple_every=0), UserFactory(username="importer")


@pytest.mark.parametrize("fmt", list(FILES))
def test_every_valid_file_imports(bank, fmt):
    guide, user = bank
    report = questions_import_text(
        text=FILES[fmt], filename=f"ok.{EXTENSIONS[fmt]}", format=fmt, guide=guide, user=user,
        default_sub_domain="3.2",
    )  # fmt: skip
    assert report.total == 2


def _check_refused(problems, before) -> None:
    assert problems, "a refusal names at least one problem"
    for problem in problems:
        assert isinstance(problem.message, str) and problem.message.strip()
        assert str(problem)  # "file:line [id]: message", as authors read it
    assert bank_state() == before


def _check_imported(report, before_count: int) -> None:
    ids = [*report.created, *report.updated, *report.unchanged]
    assert len(set(ids)) == len(ids) == report.total > 0
    questions = Question.objects.filter(external_id__in=ids)
    assert questions.count() == len(ids)
    assert not questions.filter(current_version__isnull=True).exists()
    assert Question.objects.count() == before_count + len(report.created)


def _via_command(raw: bytes, fmt: str, folder: Path, user) -> str | None:
    """Run ``import_questions`` on the bytes; the refusal's message, or None when it imported."""
    path = folder / f"upload.{EXTENSIONS[fmt]}"
    path.write_bytes(raw)
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_questions", str(path), "--format", fmt, "--guide", "MLS-C01", "--sub-domain", "3.2",
            "--user", user.username, stdout=out, stderr=err,
        )  # fmt: skip
    except CommandError as exc:
        assert str(exc).strip()
        return str(exc)
    assert "question(s)" in out.getvalue()
    return None


@pytest.mark.parametrize("fmt", list(FILES))
def test_importers_take_mutated_files_and_garbage_all_or_nothing(bank, fmt, tmp_path):
    guide, user = bank
    ran = Counter()

    @fuzz_settings(f"import: {fmt}")
    @given(
        case=st.one_of(mutated(fmt), mutated(fmt), garbage(fmt)),
        via_command=st.booleans(),
        raw_bytes=st.binary(max_size=200),
    )
    def run(case, via_command, raw_bytes):
        ran["examples"] += 1
        text, edits = case
        with transaction.atomic():  # a savepoint: whatever imports is undone after the checks
            before, before_count = bank_state(), Question.objects.count()
            if via_command:
                # Bytes as a file would hold them: sometimes not UTF-8 at all.
                raw = text.encode("utf-8", "surrogatepass") + (raw_bytes if edits < 0 else b"")
                refusal = _via_command(raw, fmt, tmp_path, user)
                if refusal is not None:
                    assert bank_state() == before
                else:
                    ran["imported"] += 1
            else:
                try:
                    report = questions_import_text(
                        text=text, filename=f"fuzz.{EXTENSIONS[fmt]}", format=fmt, guide=guide, user=user,
                        default_sub_domain="3.2",
                    )  # fmt: skip
                except ImportInvalid as exc:
                    assert edits != 0, "the valid file must import"
                    _check_refused(exc.problems, before)
                else:
                    ran["imported"] += 1
                    _check_imported(report, before_count)
            transaction.set_rollback(True)

    assert ExamGuide.objects.count() == 1
    run()
    assert ran["examples"] >= BUDGET[f"import: {fmt}"]
    assert ran["imported"] > 0  # the mutations are not all fatal: both outcomes were exercised
