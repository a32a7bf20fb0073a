"""A small world for the security suites: a guide, candidates A and B with attempts in every state,
an author, plain staff and a superuser, and helpers that fingerprint what must not change."""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from exams.models import Attempt, AttemptItem, ExamBlueprint
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from questions.models import Choice, ExamGuide, Question, QuestionVersion
from tests.factories import UserFactory, build_guide


@dataclass
class World:
    guide: ExamGuide
    a: object
    b: object
    open: Attempt  # A, exam conditions, timed, in progress
    overdue: Attempt  # A, timed, still "in progress" but past deadline and grace
    submitted: Attempt  # A, submitted
    study: Attempt  # A, study mode, in progress
    study_done: Attempt  # A, study mode, submitted
    b_open: Attempt  # B, exam conditions, in progress
    b_study: Attempt  # B, study mode, in progress

    @property
    def attempts(self) -> list[Attempt]:
        mine = [self.open, self.overdue, self.submitted, self.study, self.study_done]
        return [*mine, self.b_open, self.b_study]


def _blueprint(guide, slug, *, minutes=30, mode=ExamBlueprint.Mode.EXAM):
    return ExamBlueprint.objects.create(
        guide=guide, slug=slug, name=slug.title(), question_count=10, duration_minutes=minutes,
        score_min=100, score_max=1000, passing_score=750, mode=mode,
    )  # fmt: skip


def build_world() -> World:
    """Two questions per task statement (every other one multiple response); 10-question sets."""
    guide = build_guide(per_sub=2, multiple_every=2)
    a, b = UserFactory(username="cand-a"), UserFactory(username="cand-b")
    exam, late, done = (_blueprint(guide, s) for s in ("mini", "late", "done"))
    study_bp = _blueprint(guide, "study", minutes=0, mode=ExamBlueprint.Mode.STUDY)
    long_ago = timezone.now() - timedelta(hours=4)
    submitted = attempt_start(user=a, blueprint=done, seed=2)
    attempt_save_answer(
        user=a, attempt_id=submitted.pk, position=1, selected=[0], flagged=False, base_revision=0
    )
    submitted = attempt_submit(user=a, attempt_id=submitted.pk)
    study_done = attempt_start(user=a, blueprint=study_bp, seed=4)
    study_done = attempt_submit(user=a, attempt_id=study_done.pk)
    return World(
        guide=guide,
        a=a,
        b=b,
        open=attempt_start(user=a, blueprint=exam, seed=1),
        overdue=attempt_start(user=a, blueprint=late, seed=3, now=long_ago),
        submitted=submitted,
        study=attempt_start(user=a, blueprint=study_bp, seed=5),
        study_done=study_done,
        b_open=attempt_start(user=b, blueprint=exam, seed=6),
        b_study=attempt_start(user=b, blueprint=study_bp, seed=7),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def quiet_requests():
    """Thousands of refused requests would each log a warning; errors (5xx) still log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def rows(queryset) -> list[dict]:
    """Every concrete column of every row, in primary-key order, through the ORM."""
    names = [f.attname for f in queryset.model._meta.concrete_fields]
    return list(queryset.order_by("pk").values(*names))


def restore(before: tuple, after: tuple) -> None:
    """Write back every Attempt or AttemptItem row that differs (a valid write, undone cheaply);
    ``before`` and ``after`` as ``rows`` gives them, Attempt rows first."""
    for model, old_rows, new_rows in zip((Attempt, AttemptItem), before, after, strict=True):
        for old, new in zip(old_rows, new_rows, strict=True):
            if old != new:
                model.objects.filter(pk=old["id"]).update(**{k: v for k, v in old.items() if k != "id"})


def raw_rows(model, column: str, ids: list[int]) -> list[dict]:
    """Every column of the rows whose ``column`` is in ``ids``, as the database returns them (no
    field conversion: thousands of snapshots stay cheap, and the comparison is byte for byte)."""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE {column} IN ({marks}) ORDER BY id", ids)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def decoded(value):
    """A JSON column's value from ``raw_rows`` (SQLite returns the text, PostgreSQL the object)."""
    return json.loads(value) if isinstance(value, str) else value


def attempts_state(world: World) -> tuple:
    """Every Attempt and AttemptItem row of the world: what a refused request must leave alone."""
    ids = [a.pk for a in world.attempts]
    return raw_rows(Attempt, "id", ids), raw_rows(AttemptItem, "attempt_id", ids)


def bank_state() -> tuple:
    """Every Question, Choice and QuestionVersion row: what a refused import must leave alone."""
    tables = [m._meta.db_table for m in (Question, Choice, QuestionVersion)]
    with connection.cursor() as cursor:
        state = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            state.append(cursor.fetchall())
    return tuple(state)
