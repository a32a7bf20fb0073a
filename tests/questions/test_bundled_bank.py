"""The bundled MLS-C01 bank: valid, big enough, and every rule enforced on it."""

import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from questions.bankfile import read_bank
from questions.models import Question


def test_the_bundled_bank_validates(capsys):
    call_command("validate_bank")
    assert "no problems" in capsys.readouterr().out


@pytest.fixture
def bank_copy(tmp_path):
    target = tmp_path / "bank"
    shutil.copytree(settings.QUESTION_BANK_DIR, target)
    return target / "mls-c01"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("correct: true", "correct: false", 1), "correct option"),
        (lambda t: t.replace("    references:\n", "    references: []\n    old_refs:\n", 1), "reference"),
        (lambda t: t.replace("MLS-3.2-002", "MLS-3.2-001", 1), "duplicate id"),
    ],
)
def test_one_broken_rule_fails_the_copy(bank_copy, edit, message):
    path = bank_copy / "3.2-select-models.yaml"
    path.write_text(edit(path.read_text()))
    problems = [str(p) for p in read_bank(bank_copy.parent)[1]]
    assert any(message in p for p in problems), problems
    with pytest.raises(CommandError):
        call_command("validate_bank", str(bank_copy.parent))


def test_removing_questions_breaks_the_coverage_rule(bank_copy):
    path = bank_copy / "4.3-security.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - id: MLS-4.3-012")])
    problems = [str(p) for p in read_bank(bank_copy.parent)[1]]
    assert "guide.yaml: task statement 4.3 holds 11 published questions, needs 12" in "\n".join(problems)


def test_too_few_multiple_response_breaks_the_share_rule(bank_copy):
    guide = bank_copy / "guide.yaml"
    guide.write_text(guide.read_text().replace("min_multiple_share: 0.20", "min_multiple_share: 0.40"))
    problems = [str(p) for p in read_bank(bank_copy.parent)[1]]
    assert any("are multiple response, needs 40%" in p for p in problems), problems


@pytest.mark.django_db
def test_counts_hold_in_a_freshly_loaded_database():
    call_command("load_bank", verbosity=0)
    published = Question.objects.filter(status="published")
    assert published.count() >= 260
    per_domain = dict(published.values_list("sub_domain__domain__number").annotate(n=Count("pk")))
    assert per_domain[1] >= 52 and per_domain[2] >= 64 and per_domain[3] >= 92 and per_domain[4] >= 52
    per_task = published.values("sub_domain").annotate(n=Count("pk"))
    assert len(per_task) == 15 and min(row["n"] for row in per_task) >= 12
    assert published.filter(type="multiple").count() >= 0.2 * published.count()
    assert not published.filter(current_version__isnull=True).exists()
