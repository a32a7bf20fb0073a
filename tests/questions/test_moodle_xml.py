"""Moodle XML and the new item types in every format: round trips of every type, a broken file
imports nothing and names its line, a file written by Moodle imports, unsafe XML is refused."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from questions.formats import EXPORTERS, ExportRefused, parse
from questions.models import Choice, ExamGuide, Question
from questions.rules import PLACEHOLDER
from questions.selectors import questions_for_export
from questions.services import ImportInvalid, questions_import_text

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MOODLE_WRITTEN = FIXTURES / "moodle" / "written-by-moodle.xml"

TRICKY = {
    "stem": "A team's data:\n\n- has `a = b` & <tags> ~tilde~ #hash {braces} C:\\path\n- // not a comment\n\n"
    "```python\nx = {'k': 1} ]]> -->\n```\n\nWhich option, with a \"quote\", fits?",
    "explanation": "Line one.  \nLine two: **bold** and a [link](https://docs.aws.amazon.com/).",
    "why": "Because: 100% = ~all~ of it, #1 <b>.",
}


@pytest.fixture
def every_type(db):
    """The fixture bank with every item type, one question of each made tricky."""
    call_command("load_bank", str(FIXTURES / "every-type"), verbosity=0)
    for qtype in ("single", "multiple", "ordering", "matching"):
        question = Question.objects.filter(type=qtype).order_by("external_id").first()
        Question.objects.filter(pk=question.pk).update(
            stem=TRICKY["stem"], explanation=TRICKY["explanation"], difficulty="hard", status="draft"
        )
        Choice.objects.filter(question=question, position=1).update(why=TRICKY["why"])
    Question.objects.filter(type="matching").update(status="retired")
    return ExamGuide.objects.get(code="MLA-T")


def dump():
    return [
        (
            q.external_id,
            q.sub_domain.code,
            q.type,
            q.select_count,
            q.difficulty,
            q.status,
            q.stem,
            q.explanation,
            q.references,
            [(c.prompt, c.text, c.is_correct, c.why) for c in q.choices.order_by("position")],
        )
        for q in Question.objects.select_related("sub_domain").order_by("external_id")
    ]


def placement():
    """Each question's case study (code and order) and enemies."""
    return [
        (
            q.external_id,
            q.case_study.code if q.case_study else None,
            q.case_order,
            sorted(e.external_id for e in q.enemies.all()),
        )
        for q in Question.objects.select_related("case_study")
        .prefetch_related("enemies")
        .order_by("external_id")
    ]


def reimport(text: str, fmt: str, guide, **kw):
    Question.objects.update(current_version=None)
    Question.objects.all().delete()
    return questions_import_text(
        text=text, filename=f"export.{fmt}", format=fmt, guide=guide, user=None, **kw
    )


@pytest.mark.parametrize("fmt", ["moodlexml", "native"])
def test_every_type_exported_imports_back_unchanged(every_type, fmt):
    before = dump()
    assert {row[2] for row in before} == {"single", "multiple", "ordering", "matching"}
    text = EXPORTERS[fmt](questions_for_export())
    parsed = parse(fmt, text, filename=f"export.{fmt}")
    assert (parsed.problems, parsed.notices) == ([], [])
    links = placement()
    report = reimport(text, fmt, every_type)
    assert len(report.created) == len(before)
    assert dump() == before
    if fmt == "native":  # the bank's own format also carries case studies and enemies
        assert placement() == links
        assert any(case for _, case, _, _ in links) and any(enemies for *_, enemies in links)
    again = questions_import_text(text=text, filename="x", format=fmt, guide=every_type, user=None)
    assert len(again.unchanged) == len(before)


def test_gift_round_trips_matching_and_refuses_ordering_by_name(every_type):
    with pytest.raises(ExportRefused) as exc:
        EXPORTERS["gift"](questions_for_export())
    ordering = sorted(Question.objects.filter(type="ordering").values_list("external_id", flat=True))
    assert f"GIFT has no syntax for ordering questions ({len(ordering)}: {', '.join(ordering)})" in str(
        exc.value
    )
    Question.objects.filter(type="ordering").delete()
    before = dump()
    text = EXPORTERS["gift"](questions_for_export())
    assert "// why: " in text and " -> " in text
    reimport(text, "gift", every_type, status="published")  # GIFT has no status: give it
    assert dump() == [(*row[:5], "published", *row[6:]) for row in before]


def test_csv_export_refuses_matching_by_name(every_type):
    with pytest.raises(ExportRefused, match="CSV has no syntax for matching questions"):
        EXPORTERS["csv"](questions_for_export())


# ---- Moodle XML as Moodle writes it ----------------------------------------------------------------


def test_a_file_written_by_moodle_imports_as_drafts_marked_for_the_author(small_guide):
    report = questions_import_text(
        text=MOODLE_WRITTEN.read_text(),
        filename="moodle.xml",
        format="moodlexml",
        guide=small_guide,
        user=None,
        skip_unsupported=True,
    )
    assert sorted(report.created) == [
        "AI-services", "Leakage-free-preparation", "MLS-3.2-MR-1", "Tabular-algorithm",
    ]  # fmt: skip
    assert [str(p) for p in report.skipped] == [
        "moodle.xml:146 [S3-durability]: skipped: true/false question",
        "moodle.xml:267 [Explain-bias]: skipped: essay question",
    ]
    by_id = {q.external_id: q for q in Question.objects.filter(external_id__in=report.created)}
    assert {q.status for q in by_id.values()} == {"draft"}
    assert {q.sub_domain.code for q in by_id.values()} == {"3.2"}
    single = by_id["Tabular-algorithm"]
    assert (
        single.stem == "A retailer predicts churn from tabular customer data.\n\nWhich algorithm fits best?"
    )
    assert [(c.text, c.is_correct, c.why) for c in single.choices.order_by("position")][3] == (
        "BlazingText", False, "Text classification & word vectors.",
    )  # fmt: skip
    assert single.explanation == "Gradient-boosted trees are strong on tabular data."
    multiple = by_id["MLS-3.2-MR-1"]
    assert (multiple.type, multiple.select_count, multiple.stem) == (
        "multiple", 2, "Which changes reduce overfitting in a deep network?",
    )  # fmt: skip
    assert multiple.explanation.startswith(PLACEHOLDER)
    matching = by_id["AI-services"]
    assert [(c.prompt, c.text) for c in matching.choices.order_by("position")] == [
        ("Extract printed fields from scanned forms", "Amazon Textract"),
        ("Turn call recordings into text", "Amazon Transcribe"),
        ("Translate product descriptions", "Amazon Translate"),
    ]
    ordering = by_id["Leakage-free-preparation"]
    assert (ordering.type, ordering.select_count) == ("ordering", 3)
    first_step = ordering.choices.order_by("position").first()
    assert first_step.text == "Split the data into training and test sets"
    notices = [str(n) for n in report.notices]
    assert len(notices) == 4
    assert notices[0].startswith("moodle.xml:81 [MLS-3.2-MR-1]: '(Select TWO.)' taken out of the stem")
    assert notices[2].startswith("moodle.xml:175 [AI-services]: the 'why' of pair 1, pair 2, pair 3 marked")


def test_unsupported_moodle_types_are_refused_by_name_with_their_line(small_guide):
    with pytest.raises(ImportInvalid) as exc:
        questions_import_text(
            text=MOODLE_WRITTEN.read_text(),
            filename="m.xml",
            format="moodlexml",
            guide=small_guide,
            user=None,
        )
    found = [str(p) for p in exc.value.problems]
    assert len(found) == 2
    assert found[0].startswith("m.xml:146 [S3-durability]: true/false question (type 'truefalse'): only")
    assert found[1].startswith("m.xml:267 [Explain-bias]: essay question (type 'essay'): only")
    assert "--skip-unsupported" in str(exc.value.problems[0])
    assert not Question.objects.filter(external_id="Tabular-algorithm").exists()


# ---- broken and unsafe files ----------------------------------------------------------------------


def exported(every_type) -> str:
    return EXPORTERS["moodlexml"](questions_for_export())


def test_a_broken_question_imports_nothing_and_names_its_line(every_type):
    text = exported(every_type)
    before = dump()
    # the third ordering step loses its text: the rule names the step and its line
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "<selecttype>" in line)
    answer = next(i for i, line in enumerate(lines) if i > at and '<answer fraction="3"' in line)
    lines[answer + 1] = "      <text></text>"
    qid = next(line for line in reversed(lines[:at]) if "<idnumber>" in line).strip()[10:-11]
    with pytest.raises(ImportInvalid) as exc:
        questions_import_text(
            text="\n".join(lines), filename="bad.xml", format="moodlexml", guide=every_type, user=None
        )
    assert [str(p) for p in exc.value.problems] == [f"bad.xml:{answer + 1} [{qid}]: step 3 has no text"]
    assert dump() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<quiz>\n<question type='multichoice'>\n<name><text>A</text></name>\n</quiz>",
            "m.xml:4: XML error: mismatched tag",
        ),
        ("<quiz></quiz>", "m.xml: the file holds no questions"),
        ("<questions/>", "m.xml:1: a Moodle XML file holds one <quiz> element"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>',
            "m.xml:2: a DOCTYPE or entity declaration is not allowed",
        ),
        ('<!DOCTYPE quiz SYSTEM "file:///etc/passwd">\n<quiz/>', "m.xml:1: a DOCTYPE or entity declaration"),
        ("<quiz>&nbsp;</quiz>", "m.xml:1: XML error: undefined entity"),
        (
            "<quiz>\n<question type='numerical'><name><text>N</text></name></question></quiz>",
            "m.xml:2 [N]: numerical question (type 'numerical')",
        ),
        (
            "<quiz>\n<question type='cloze'><name><text>C</text></name></question></quiz>",
            "m.xml:2 [C]: embedded answers (cloze) question",
        ),
        (
            "<quiz>\n<question type='category'><category><text>$course$/top/Biology</text>"
            "</category></question>\n"
            "<question type='multichoice'><name><text>Q</text></name>"
            "<questiontext><text>Q?</text></questiontext>"
            "<answer fraction='100'><text>a</text><feedback><text>x</text></feedback></answer>"
            "<answer fraction='0'><text>b</text><feedback><text>x</text></feedback></answer>"
            "<answer fraction='0'><text>c</text><feedback><text>x</text></feedback></answer>"
            "<answer fraction='0'><text>d</text><feedback><text>x</text></feedback></answer>"
            "</question></quiz>",
            "m.xml:3 [Q]: category '$course$/top/Biology' (line 2) names no task statement",
        ),
        (
            "<quiz><question type='multichoice'><name><text>P</text></name><single>true</single>"
            "<questiontext><text>Q?</text></questiontext><answer fraction='50'><text>a</text></answer>"
            "<answer fraction='100'><text>b</text></answer></question></quiz>",
            "m.xml:1 [P]: partial credit is not supported",
        ),
        (
            "<quiz><question type='matching'><name><text>M</text></name>"
            "<questiontext><text>Q?</text></questiontext>"
            "<subquestion><text>a</text><answer><text>1</text></answer></subquestion>"
            "<subquestion><text>b</text><answer><text>2</text></answer></subquestion>"
            "<subquestion><text>c</text><answer><text>3</text></answer></subquestion>"
            "<subquestion><text></text><answer><text>extra</text></answer></subquestion></question></quiz>",
            "m.xml:1 [M]: response 'extra' has no prompt (an extra wrong answer in Moodle): not supported",
        ),
    ],
)
def test_broken_or_unsafe_xml_is_refused_with_its_line(text, message):
    found = [str(p) for p in parse("moodlexml", text, filename="m.xml", default_sub_domain="").problems]
    assert any(m.startswith(message) for m in found), found


def test_a_file_past_the_size_limit_is_refused(monkeypatch):
    from questions.formats import moodlexml

    monkeypatch.setattr(moodlexml, "MAX_CHARS", 1_000_000)
    found = parse("moodlexml", "<quiz>" + " " * 1_000_000 + "</quiz>", filename="m.xml").problems
    assert [str(p) for p in found] == ["m.xml: the file is larger than 1 million characters"]


# ---- the commands and the admin ---------------------------------------------------------------------


def test_the_commands_take_moodle_xml_and_refuse_what_a_format_cannot_carry(every_type, tmp_path, capsys):
    target = tmp_path / "bank.xml"
    call_command("export_questions", "--format", "moodlexml", "--output", str(target))
    assert target.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    Question.objects.update(current_version=None)
    Question.objects.all().delete()
    call_command("import_questions", str(target), "--guide", "MLA-T")  # .xml: Moodle XML
    assert "question(s):" in capsys.readouterr().out
    assert Question.objects.filter(type="ordering").exists()
    with pytest.raises(CommandError, match="nothing was exported: GIFT has no syntax for ordering questions"):
        call_command("export_questions", "--format", "gift")


def test_the_import_command_prints_the_notices(small_guide, tmp_path, capsys):
    path = tmp_path / "people.gift"
    path.write_text("$CATEGORY: MLS-C01/3.2\n\n::P-1:: Which one? {=a#x ~b#x ~c#x ~d#x}\n")
    call_command("import_questions", str(path))
    out = capsys.readouterr().out
    assert f"{path}:3 [P-1]: the explanation (no general feedback) marked {PLACEHOLDER}" in out
    assert "1 notice(s) for the author" in out
    assert Question.objects.get(external_id="P-1").status == "draft"
    with pytest.raises(CommandError):  # published needs the explanation written
        call_command("import_questions", str(path), "--status", "published")


def test_the_admin_imports_and_exports_moodle_xml(small_guide, author_client):
    url = reverse("admin:questions_question_import")
    page = author_client.get(url).content.decode()
    assert '<option value="moodlexml">Moodle XML</option>' in page
    upload = io.BytesIO(MOODLE_WRITTEN.read_bytes())
    upload.name = "moodle.xml"
    page = author_client.post(
        url, {"file": upload, "format": "moodlexml", "guide": small_guide.pk, "skip_unsupported": "on"}
    ).content.decode()
    assert "4 question(s): 4 were created" in page
    assert "For the author:" in page and "taken out of the stem" in page
    ids = list(Question.objects.values_list("pk", flat=True))
    response = author_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "export_moodlexml", "_selected_action": ids},
    )
    assert response["Content-Disposition"] == 'attachment; filename="questions.xml"'
    assert response.content.decode().count('<question type="ordering">') == 1
    response = author_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "export_gift", "_selected_action": ids},
        follow=True,
    )
    assert (
        "Nothing was exported: GIFT has no syntax for ordering questions (1: Leakage-free-preparation)"
        in (response.content.decode())
    )
