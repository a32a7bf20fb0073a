"""What operations relies on, checked fast in `make test` (the outages themselves: tests/faults)."""

import logging
from importlib.metadata import version

import pytest
from django.conf import settings

from exams.services.attempts import attempt_start, attempt_submit
from exams.tasks import analyse_attempt
from tests.factories import UserFactory, build_guide

pytestmark = pytest.mark.django_db


def _analysed(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mockexam.analysis"]


def test_each_finished_analysis_logs_one_line_with_its_attempt(caplog, django_capture_on_commit_callbacks):
    """The count bench/scale_out.py reads to show every attempt is analysed exactly once."""
    caplog.set_level(logging.INFO, logger="mockexam.analysis")
    user = UserFactory()
    attempt = attempt_start(user=user, blueprint=build_guide().blueprints.get(), seed=2)
    analyse_attempt.delay(attempt.pk)  # not submitted yet: nothing done, nothing counted
    assert _analysed(caplog) == []
    with django_capture_on_commit_callbacks(execute=True):  # the analysis is sent after commit
        attempt_submit(user=user, attempt_id=attempt.pk)  # tasks run inline in tests: one analysis
    lines = _analysed(caplog)
    assert len(lines) == 1 and lines[0].startswith(f"analysed attempt={attempt.pk} task=")
    analyse_attempt.delay(attempt.pk)  # a rerun is a second line: that is what makes it visible
    assert len(_analysed(caplog)) == 2


def test_the_worker_and_beat_never_give_up_on_the_broker():
    assert settings.CELERY_BROKER_CONNECTION_RETRY is True
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None


def test_celery_is_not_the_release_whose_worker_dies_with_the_broker():
    """Celery 5.7.0's worker exits for good when Redis goes away with a task in flight
    (docs/operations.md); tests/faults/test_broker_outage.py is the real check, this one keeps a
    re-lock from bringing it back unnoticed in the ordinary suite."""
    assert version("celery") != "5.7.0"
