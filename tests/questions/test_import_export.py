"""Import and export: all or nothing with file and line, idempotent, versioned; round trips."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from questions.formats import EXPORTERS, parse
from questions.models import Choice, Question, QuestionVersion
from questions.rules import PLACEHOLDER
from questions.selectors import questions_for_export
from questions.services import ImportInvalid, question_snapshot, questions_import_text
from tests.factories import dedent

pytestmark = pytest.mark.django_db

REF = "https://docs.aws.amazon.com/sagemaker/"

GIFT_OK = f"""\
$CATEGORY: MLS-C01/3.2

// reference: {REF}
::IMP-1:: Which algorithm suits tabular data? {{
  =XGBoost#Boosted trees suit tabular data.
  ~K-means#Clustering.
  ~DeepAR#Forecasting.
  ~BlazingText#Text.
  ####Trees are strong on tabular data.
}}

// reference: {REF}
::IMP-2:: Which two reduce overfitting? {{
  ~%50%Dropout#Yes.
  ~%50%L2 regularisation#Yes.
  ~%-100%More epochs#No.
  ~%-100%A larger model#No.
  ~%-100%Less data#No.
  ####Regularisation.
}}
"""


def run(text, fmt="gift", guide=None, **kw):
    from questions.models import ExamGuide

    return questions_import_text(
        text=text,
        filename=f"in.{fmt}",
        format=fmt,
        guide=guide or ExamGuide.objects.get(),
        user=kw.pop("user", None),
        **kw,
    )


def test_gift_import_writes_drafts_with_versions(small_guide, author):
    report = run(GIFT_OK, user=author)
    assert (report.created, report.updated) == (["IMP-1", "IMP-2"], [])
    question = Question.objects.get(external_id="IMP-2")
    assert (question.status, question.type, question.select_count, question.sub_domain.code) == (
        "draft",
        "multiple",
        2,
        "3.2",
    )
    assert question.current_version.created_by == author
    assert question.current_version.note == "imported from in.gift"


def test_importing_twice_changes_nothing_and_a_change_is_a_new_version(small_guide):
    run(GIFT_OK)
    before = list(QuestionVersion.objects.values_list("pk", flat=True))
    assert run(GIFT_OK).unchanged == ["IMP-1", "IMP-2"]
    assert list(QuestionVersion.objects.values_list("pk", flat=True)) == before
    report = run(GIFT_OK.replace("Clustering.", "Clustering, not prediction."))
    assert report.updated == ["IMP-1"]
    assert Question.objects.get(external_id="IMP-1").current_version.number == 2


def test_one_bad_question_writes_nothing_and_names_file_and_line(small_guide):
    bad = GIFT_OK.replace("~DeepAR#Forecasting.", "~All of the above#Forecasting.")
    count = Question.objects.count()
    with pytest.raises(ImportInvalid) as exc:
        run(bad)
    assert [str(p) for p in exc.value.problems] == [
        "in.gift:7 [IMP-1]: option C 'All of the above': options such as 'all of the above' are not allowed"
    ]
    assert Question.objects.count() == count


def test_problems_found_against_the_guide_also_write_nothing(small_guide):
    text = GIFT_OK.replace("MLS-C01/3.2", "MLS-C01/7.7")
    with pytest.raises(ImportInvalid) as exc:
        run(text)
    assert "in.gift:4 [IMP-1]: task statement '7.7' is not in guide MLS-C01" in [
        str(p) for p in exc.value.problems
    ]
    assert not Question.objects.filter(external_id__startswith="IMP").exists()
    with pytest.raises(ImportInvalid) as exc:
        run(GIFT_OK.replace("MLS-C01/3.2", "MLA-C01/3.2"))
    assert "the file puts this question in guide MLA-C01, but the import is into MLS-C01" in str(
        exc.value.problems[0]
    )
    with pytest.raises(ImportInvalid) as exc:
        run(GIFT_OK + GIFT_OK.replace("$CATEGORY: MLS-C01/3.2", ""))
    assert "duplicate id (also at in.gift:4)" in str(exc.value.problems[0])


def test_aiken_imports_drafts_that_cannot_be_published_until_written(small_guide, author_client):
    aiken = "Which service stores objects?\nA. S3\nB. EBS\nC. Instance store\nD. EFS\nANSWER: A\n"
    report = run(aiken, fmt="aiken", default_sub_domain="1.1")
    question = Question.objects.get(external_id=report.created[0])
    assert question.status == "draft"
    assert all(c.why.startswith(PLACEHOLDER) for c in question.choices.all())
    listed = author_client.get(reverse("admin:questions_question_changelist") + "?placeholders=yes")
    assert [q.pk for q in listed.context["cl"].result_list] == [question.pk]
    with pytest.raises(ImportInvalid) as exc:
        run(aiken, fmt="aiken", default_sub_domain="1.1", status="published")
    assert "still the import placeholder" in str(exc.value.problems[0])
    response = author_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "publish", "_selected_action": [question.pk]},
        follow=True,
    )
    assert "still the import placeholder" in response.content.decode()
    # The author writes the whys and the explanation; importing the file again keeps them.
    Choice.objects.filter(question=question).update(why="Written by the author.")
    Question.objects.filter(pk=question.pk).update(explanation="Written too.", references=[REF])
    question.refresh_from_db()
    question_snapshot(question=question)
    assert run(aiken, fmt="aiken", default_sub_domain="1.1").unchanged == [question.external_id]
    assert set(question.choices.values_list("why", flat=True)) == {"Written by the author."}


def test_status_is_the_files_else_the_existing_else_draft(small_guide):
    run(GIFT_OK, status="published")
    assert set(Question.objects.filter(external_id__startswith="IMP").values_list("status", flat=True)) == {
        "published"
    }
    run(GIFT_OK.replace("Clustering.", "Clustering!"))  # GIFT carries no status: keep it
    assert Question.objects.get(external_id="IMP-1").status == "published"
    with pytest.raises(ImportInvalid, match="problem"):
        run(GIFT_OK, status="draft")


def test_dry_run_reports_and_writes_nothing(small_guide):
    report = run(GIFT_OK, dry_run=True)
    assert report.created == ["IMP-1", "IMP-2"] and report.dry_run
    assert not Question.objects.filter(external_id__startswith="IMP").exists()


def test_import_command_prints_problems_and_fails(small_guide, tmp_path, capsys):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT_OK.replace("~K-means#Clustering.\n", "").replace("~%50%Dropout", "~%40%Dropout"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_questions", str(path), "--format", "gift")
    err = capsys.readouterr().err
    assert f"{path}:4 [IMP-1]: multiple choice needs at least 4 options, has 3" in err
    assert f"{path}:12 [IMP-2]: partial credit is not supported" in err
    assert not Question.objects.filter(external_id__startswith="IMP").exists()


def test_import_command_skips_unsupported_only_when_asked(small_guide, tmp_path, capsys):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT_OK + "\n::TF:: True? {T}\n")
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    assert f"{path}:22 [TF]: true/false question" in capsys.readouterr().err
    call_command("import_questions", str(path), "--skip-unsupported")
    out = capsys.readouterr().out
    assert f"{path}:22 [TF]: skipped: true/false question" in out and "2 were created" in out


def test_import_command_reads_a_bank_file_with_sub_domain_option(small_guide, tmp_path, capsys):
    path = tmp_path / "q.txt"
    path.write_text("Q?\nA. a\nB. b\nC. c\nD. d\nANSWER: B\n")
    call_command(
        "import_questions", str(path), "--format", "aiken", "--sub-domain", "2.1", "--guide", "MLS-C01"
    )
    assert Question.objects.get(external_id__startswith="AIKEN-").sub_domain.code == "2.1"


def test_the_admin_import_page_shows_problems_or_the_report(small_guide, author_client):
    url = reverse("admin:questions_question_import")
    bad = io.BytesIO(GIFT_OK.replace("~DeepAR#Forecasting.", "~All of the above#Forecasting.").encode())
    bad.name = "mine.gift"
    page = author_client.post(url, {"file": bad, "format": "gift", "guide": small_guide.pk}).content.decode()
    assert "1 problem; nothing was imported." in page
    assert "<td>mine.gift</td><td>7</td><td>IMP-1</td><td>option C &#x27;All of the above&#x27;" in page
    good = io.BytesIO(GIFT_OK.encode())
    good.name = "mine.gift"
    page = author_client.post(url, {"file": good, "format": "gift", "guide": small_guide.pk}).content.decode()
    assert "2 question(s): 2 were created" in page
    assert Question.objects.filter(external_id__in=["IMP-1", "IMP-2"]).count() == 2


def test_the_admin_import_page_refuses_a_file_that_is_not_utf8(small_guide, author_client):
    latin = io.BytesIO("Caf\xe9?".encode("latin-1"))
    latin.name = "x.txt"
    page = author_client.post(
        reverse("admin:questions_question_import"),
        {"file": latin, "format": "aiken", "guide": small_guide.pk},
    ).content.decode()
    assert "The file is not UTF-8 text" in page


# ---- round trips ----------------------------------------------------------------------------

TRICKY = {
    "stem": "A team's data:\n\n- has `a = b` and ~tilde~ #hash {braces} C:\\path\n- // not a comment\n\n"
    "```python\nx = {'k': 1}\n```\n\nWhich option, with a \"quote\", fits?",
    "explanation": "Line one.  \nLine two: **bold** and a [link](https://docs.aws.amazon.com/).",
    "why": "Because: 100% = ~all~ of it, #1.",
}


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
            [(c.text, c.is_correct, c.why) for c in q.choices.order_by("position")],
        )
        for q in Question.objects.select_related("sub_domain").order_by("external_id")
    ]


@pytest.mark.parametrize("fmt", ["native", "gift", "csv"])
def test_export_then_import_gives_back_the_same_questions(guide, fmt):
    tricky = Question.objects.filter(type="multiple").first()
    Question.objects.filter(pk=tricky.pk).update(
        stem=TRICKY["stem"], explanation=TRICKY["explanation"], difficulty="hard"
    )
    Choice.objects.filter(question=tricky, position=1).update(
        why=TRICKY["why"], text='Option, "quoted"\nacross lines'
    )
    Question.objects.filter(external_id__endswith="-001").update(status="retired")
    before = dump()
    text = EXPORTERS[fmt](questions_for_export())
    assert parse(fmt, text, filename=f"export.{fmt}").problems == []

    Question.objects.update(current_version=None)
    Question.objects.all().delete()
    report = questions_import_text(
        text=text, filename=f"export.{fmt}", format=fmt, guide=guide, user=None,
        status="published" if fmt == "gift" else None,  # GIFT has no status: give it
    )  # fmt: skip
    assert len(report.created) == len(before)
    after = dump()
    if fmt == "gift":
        before = [(*row[:5], "published", *row[6:]) for row in before]
    assert after == before
    again = questions_import_text(text=text, filename=f"export.{fmt}", format=fmt, guide=guide, user=None)
    assert len(again.unchanged) == len(before)


def test_export_command_writes_native_files_in_the_bank_layout(guide, tmp_path, capsys):
    call_command("export_questions", "--output-dir", str(tmp_path), "--status", "published")
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml"))
    assert files[0] == "mls-c01/1.1.yaml" and len(files) == 15
    call_command("export_questions", "--format", "csv", "--sub-domain", "3.2")
    out = capsys.readouterr().out
    assert out.startswith("id,guide,sub_domain,") and out.count("MLS-C01-3.2-") == 8


def test_the_bundled_bank_exports_to_files_that_validate(tmp_path):
    """The native export of the loaded bank is a valid bank: the same format, both ways."""
    from django.conf import settings

    from questions.bankfile import read_bank

    call_command("load_bank", verbosity=0)
    call_command("export_questions", "--output-dir", str(tmp_path))
    for guide_file in Path(str(settings.QUESTION_BANK_DIR)).glob("*/guide.yaml"):
        (tmp_path / guide_file.parent.name / "guide.yaml").write_text(guide_file.read_text())
    bank, problems = read_bank(tmp_path)
    assert problems == [] and len(bank.questions) == Question.objects.count()
    exported = {q.external_id: q for q in bank.questions}
    for question in Question.objects.prefetch_related("enemies").select_related("case_study"):
        spec = exported[question.external_id]
        assert set(spec.enemies) | {q.external_id for q in question.enemies.all()} == {
            q.external_id for q in question.enemies.all()
        }
        assert (spec.case_study or None) == (question.case_study.code if question.case_study else None)


def test_admin_export_action(small_guide, author_client):
    ids = list(Question.objects.values_list("pk", flat=True)[:3])
    response = author_client.post(
        reverse("admin:questions_question_changelist"), {"action": "export_gift", "_selected_action": ids}
    )
    assert response["Content-Disposition"] == 'attachment; filename="questions.gift"'
    assert response.content.decode().count("::MLS-C01-") == 3


def test_import_reads_what_dedent_gives(small_guide):
    assert run(dedent(GIFT_OK)).created == ["IMP-1", "IMP-2"]
