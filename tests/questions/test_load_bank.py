"""Loading the bank: all or nothing, idempotent, versioned; any guide is data."""

import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from exams.models import ExamBlueprint
from exams.services.assembly import assemble
from questions.models import Choice, Domain, ExamGuide, Question, QuestionVersion, SubDomain
from tests.factories import UserFactory, write_bank

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the loader writes, down to timestamps, to prove a reload changes nothing."""
    return {
        "guides": list(ExamGuide.objects.values()),
        "domains": list(Domain.objects.values()),
        "subs": list(SubDomain.objects.values()),
        "questions": list(Question.objects.values()),
        "choices": list(Choice.objects.values()),
        "versions": list(QuestionVersion.objects.values()),
        "blueprints": list(ExamBlueprint.objects.values()),
    }


def test_loading_twice_changes_nothing(tmp_path):
    folder = write_bank(tmp_path)
    call_command("load_bank", str(folder.parent))
    first = snapshot()
    assert len(first["questions"]) == 12 and len(first["versions"]) == 12 and len(first["blueprints"]) == 1
    call_command("load_bank", str(folder.parent))
    assert snapshot() == first
    call_command("load_bank", str(folder.parent), force=True)  # read and compared, not skipped
    assert snapshot() == first


def test_an_unchanged_bank_is_skipped_by_its_fingerprint(tmp_path, capsys):
    folder = write_bank(tmp_path)
    call_command("load_bank", str(folder.parent))
    assert "12 created" in capsys.readouterr().out
    call_command("load_bank", str(folder.parent))
    assert "skipped" in capsys.readouterr().out
    (folder / "notes.txt").write_text("any file of the bank counts")
    call_command("load_bank", str(folder.parent))
    assert "12 unchanged" in capsys.readouterr().out


def test_an_edit_in_the_admin_since_the_last_load_makes_the_next_one_run(tmp_path, capsys):
    folder = write_bank(tmp_path)
    call_command("load_bank", str(folder.parent))
    question = Question.objects.get(external_id="TST-01-2.1-000")
    stem = question.stem
    question.stem = "Edited in the admin"
    question.save()
    capsys.readouterr()
    call_command("load_bank", str(folder.parent))
    assert "1 updated" in capsys.readouterr().out
    question.refresh_from_db()
    assert question.stem == stem  # the files' content, as a load has always put back


def test_one_broken_file_loads_nothing(tmp_path, capsys):
    folder = write_bank(tmp_path)
    text = (folder / "3.1.yaml").read_text().replace("correct: true", "correct: false", 1)
    (folder / "3.1.yaml").write_text(text)
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_bank", str(folder.parent))
    err = capsys.readouterr().err
    assert "3.1.yaml:" in err and "exactly 1 correct option, has 0" in err
    assert not ExamGuide.objects.exists() and not Question.objects.exists()


def test_a_changed_question_gets_a_new_version_and_the_old_one_stays(tmp_path):
    folder = write_bank(tmp_path)
    call_command("load_bank", str(folder.parent))
    question = Question.objects.get(external_id="TST-01-2.1-000")
    old = question.current_version
    path = folder / "2.1.yaml"
    path.write_text(path.read_text().replace(question.stem, question.stem + " Which option fits best", 1))
    call_command("load_bank", str(folder.parent))
    question.refresh_from_db()
    assert question.current_version.number == 2
    assert question.stem.endswith("Which option fits best")
    assert QuestionVersion.objects.get(pk=old.pk).content["stem"] == old.content["stem"]
    assert QuestionVersion.objects.count() == 13


def test_a_second_exam_guide_is_data_alone(tmp_path):
    """MLA-C01 weighs its domains 28/26/22/24; nothing in the code knows that."""
    write_bank(tmp_path, code="MLS-T", weights=(20, 24, 36, 20), per_sub=20, count=65)
    write_bank(tmp_path, code="MLA-C01", weights=(28, 26, 22, 24), per_sub=20, count=65, seed=9)
    call_command("load_bank", str(tmp_path))
    mla = ExamGuide.objects.get(code="MLA-C01")
    assert [d.weight for d in mla.domains.order_by("number")] == [28, 26, 22, 24]
    assert mla.passing_score == 720
    blueprint = ExamBlueprint.objects.get(guide=mla, slug="full")
    draws = assemble(blueprint=blueprint, user=UserFactory(), rng=random.Random(3))
    per_domain = {}
    numbers = dict(Domain.objects.filter(guide=mla).values_list("pk", "number"))
    for d in draws:
        per_domain[numbers[d.domain_id]] = per_domain.get(numbers[d.domain_id], 0) + 1
    # 65 at 28/26/22/24: exact shares 18.2 / 16.9 / 14.3 / 15.6 -> 18 / 17 / 14 / 16
    assert per_domain == {1: 18, 2: 17, 3: 14, 4: 16}


def test_validate_bank_command_fails_naming_the_file(tmp_path, capsys):
    folder = write_bank(tmp_path)
    (folder / "4.1.yaml").write_text(
        'sub_domain: "4.1"\nquestions:\n  - id: BROKEN-1\n    stem: Lonely stem.\n'
    )
    with pytest.raises(CommandError, match="problem"):
        call_command("validate_bank", str(folder.parent))
    err = capsys.readouterr().err
    assert "4.1.yaml:3 [BROKEN-1]: missing explanation" in err
    assert "4.1.yaml:3 [BROKEN-1]: multiple choice needs at least 4 options, has 0" in err


def test_validate_bank_passes_on_a_valid_bank(tmp_path, capsys):
    folder = write_bank(tmp_path)
    call_command("validate_bank", str(folder.parent))
    assert "no problems" in capsys.readouterr().out


def test_validate_bank_files_only_skips_the_whole_bank_rules(tmp_path, capsys):
    folder = write_bank(tmp_path)
    with (folder / "guide.yaml").open("a") as guide:
        guide.write("bank_requirements:\n  min_total: 500\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("validate_bank", str(folder.parent))
    assert "holds 12 published questions, needs 500" in capsys.readouterr().err
    call_command("validate_bank", str(folder.parent), files_only=True)
    assert "no problems" in capsys.readouterr().out


def test_setup_dev_is_make_runs_preparation_and_skips_what_is_done(tmp_path, settings, capsys):
    settings.QUESTION_BANK_DIR = write_bank(tmp_path).parent
    call_command("setup_dev")
    assert Question.objects.count() == 12
    assert set(User.objects.values_list("username", flat=True)) >= {"candidate", "author", "admin"}
    capsys.readouterr()
    call_command("setup_dev")  # warm: nothing to migrate, the bank skipped, the accounts kept
    out = capsys.readouterr().out
    assert "No migrations to apply" in out and "skipped" in out
