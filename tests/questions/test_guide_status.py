"""Several exams side by side: a guide's status, the order exams are listed in, and each exam's
results kept to itself (MLS-C01 retired beside the current MLA-C01 and AIF-C01)."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from exams.models import CandidateReadiness, CandidateStanding, ExamBlueprint
from questions.models import ExamGuide
from tests.exams.test_dashboards import sit
from tests.factories import build_guide, write_bank

pytestmark = pytest.mark.django_db

RETIRED = "status: retired\nretired_on: 2026-03-31\nsuccessor: NEW-01\n"


def with_life(folder, text):
    guide = folder / "guide.yaml"
    guide.write_text(guide.read_text().replace('version: "1"\n', f'version: "1"\n{text}', 1))


def test_a_retired_guide_loads_with_its_date_and_successor(tmp_path):
    with_life(write_bank(tmp_path, code="OLD-01"), RETIRED)
    write_bank(tmp_path, code="NEW-01", seed=99)
    call_command("load_bank", str(tmp_path))
    old, new = ExamGuide.objects.get(code="OLD-01"), ExamGuide.objects.get(code="NEW-01")
    assert (old.status, old.retired_on, old.successor) == ("retired", datetime.date(2026, 3, 31), "NEW-01")
    assert new.status == "current" and new.retired_on is None
    # The exams candidates can book come first, though "NEW" sorts after "OLD".
    assert list(ExamGuide.objects.values_list("code", flat=True)) == ["NEW-01", "OLD-01"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("status: retired\n", "a retired guide needs retired_on"),
        ("status: archived\n", "status must be one of current, retired"),
        ("retired_on: 2026-03-31\n", "retired_on is only for a guide whose status is retired"),
        ("status: retired\nretired_on: soon\n", "retired_on must be a date"),
        ("guide_url: docs.aws.amazon.com\n", "guide_url must be an http(s) address"),
    ],
)
def test_a_wrong_life_is_refused_with_file_and_line(tmp_path, capsys, text, message):
    with_life(write_bank(tmp_path), text)
    with pytest.raises(CommandError):
        call_command("load_bank", str(tmp_path))
    err = capsys.readouterr().err
    assert "guide.yaml:" in err and message in err
    assert not ExamGuide.objects.exists()


@pytest.fixture
def two_exams(db):
    """A retired exam whose code sorts first, and a current one."""
    old = build_guide(code="AAA-C01", per_sub=4, blueprint=("full", 20, 60))
    ExamGuide.objects.filter(pk=old.pk).update(
        status="retired", retired_on=datetime.date(2026, 3, 31), successor="ZZZ-C01"
    )
    new = build_guide(code="ZZZ-C01", per_sub=4, blueprint=("full", 20, 60))
    return ExamGuide.objects.get(pk=old.pk), new


def test_exam_list_groups_blueprints_by_exam_current_first_retired_marked(client_a, two_exams):
    old, _new = two_exams
    body = client_a.get(reverse("exams:list")).content.decode()
    assert body.index("ZZZ-C01 · ") < body.index("AAA-C01 · ")
    retired = body[body.index('id="exam-aaa-c01"') :]
    assert "Retired 31 Mar 2026" in retired and "its successor is ZZZ-C01" in retired
    current = body[body.index('id="exam-zzz-c01"') : body.index('id="exam-aaa-c01"')]
    assert "Current" in current and "Retired" not in current
    for blueprint in ExamBlueprint.objects.all():  # each Start (its instructions) under its own exam
        section = retired if blueprint.guide_id == old.pk else current
        assert f'href="{reverse("exams:instructions", args=[blueprint.pk])}"' in section


def test_home_page_marks_the_retired_exam(client, two_exams):
    body = client.get(reverse("home")).content.decode()
    assert body.index("ZZZ-C01 · ") < body.index("AAA-C01 · ")
    assert body.count('data-testid="retired-note"') == 1


def test_each_exam_keeps_its_own_results(client_a, candidate, two_exams, django_capture_on_commit_callbacks):
    """Mocks of one exam never move the other's readiness, standings or trend."""
    old, new = two_exams
    old_mock, new_mock = (ExamBlueprint.objects.get(guide=g) for g in (old, new))
    sit(candidate, new_mock, 0.9, django_capture_on_commit_callbacks, seed=1)
    readiness = CandidateReadiness.objects.get(user=candidate)
    assert readiness.guide_id == new.pk
    assert set(CandidateStanding.objects.filter(user=candidate).values_list("guide_id", flat=True)) == {
        new.pk
    }
    sit(candidate, old_mock, 0.1, django_capture_on_commit_callbacks, seed=2)
    assert CandidateReadiness.objects.get(user=candidate, guide=new).pk == readiness.pk
    after = CandidateReadiness.objects.get(user=candidate, guide=new)
    assert (after.probability, after.expected_scaled) == (readiness.probability, readiness.expected_scaled)
    sections = client_a.get(reverse("exams:dashboard")).context["guides"]
    assert [s["guide"].code for s in sections] == ["ZZZ-C01", "AAA-C01"]  # current first
    assert [len(s["trend"]) for s in sections] == [1, 1]
    assert [s["trend"][0].blueprint.guide_id for s in sections] == [new.pk, old.pk]
