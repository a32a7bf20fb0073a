"""The written-out statements of the exam's hot paths (exams/sql.py) behave like the ORM."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from exams import selectors, sql
from exams.models import Attempt, AttemptItem
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_visit

pytestmark = pytest.mark.django_db


def test_screen_read_matches_the_orm(candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=4, selected=[1], flagged=True, base_revision=0
    )
    orm = AttemptItem.objects.select_related("attempt__blueprint__guide").get(attempt=attempt, position=4)

    item = selectors.attempt_item_find(user_id=candidate.pk, attempt_id=attempt.pk, position=4)

    for name in ("pk", "position", "version_id", "option_order", "selected", "flagged", "revision"):
        assert getattr(item, name) == getattr(orm, name), name
    assert item.selected == orm.selected and isinstance(item.selected, list)
    assert item.flagged is True
    assert item.attempt.deadline == orm.attempt.deadline and timezone.is_aware(item.attempt.deadline)
    assert item.attempt.is_open and item.attempt.user_id == candidate.pk
    assert item.attempt.blueprint.name == blueprint.name
    assert item.attempt.blueprint.guide.code == blueprint.guide.code
    # What was not read is deferred: read from the database on first use, never a default.
    assert "saved_at" in item.get_deferred_fields()
    assert item.saved_at == orm.saved_at is not None
    assert "started_at" in item.attempt.get_deferred_fields()
    assert item.attempt.started_at == orm.attempt.started_at


def test_screen_read_is_scoped_to_the_owner_and_the_position(candidate, other_candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    assert selectors.attempt_item_find(user_id=other_candidate.pk, attempt_id=attempt.pk, position=1) is None
    assert selectors.attempt_item_find(user_id=candidate.pk, attempt_id=attempt.pk, position=66) is None
    save = selectors.attempt_item_find(user_id=candidate.pk, attempt_id=attempt.pk, position=1, for_save=True)
    assert save.attempt.state == Attempt.State.IN_PROGRESS
    assert "blueprint" not in save.attempt._state.fields_cache  # the save reads no blueprint


def test_columns_refuse_an_unknown_field():
    with pytest.raises(ValueError, match="no field among"):
        sql.Columns(Attempt, "a", only=("id", "no_such_field"))


def test_statuses_follow_saves(candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=2, selected=[0], flagged=False, base_revision=0
    )
    attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=3, selected=[], flagged=True, base_revision=0
    )
    statuses = selectors.attempt_statuses(attempt=attempt)
    assert [s["position"] for s in statuses] == list(range(1, 66))
    assert statuses[1] == {"position": 2, "answered": True, "flagged": False}
    assert statuses[2] == {"position": 3, "answered": False, "flagged": True}
    assert sum(s["answered"] for s in statuses) == 1


def test_visit_records_the_position_only_while_open(candidate, blueprint):
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    attempt_visit(attempt=attempt, position=9)
    assert Attempt.objects.get(pk=attempt.pk).current_position == 9
    Attempt.objects.filter(pk=attempt.pk).update(state=Attempt.State.SUBMITTED)
    attempt.current_position = 1  # a stale copy: the database refuses the write, not the copy
    attempt_visit(attempt=attempt, position=20)
    assert Attempt.objects.get(pk=attempt.pk).current_position == 9


def synchronous_commit() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_write_that_need_not_wait_for_the_disk_changes_nothing_else(candidate, blueprint):
    """On PostgreSQL the visit commits asynchronously; the setting must not outlive it, or every
    later commit on the connection (answers included) would stop waiting for the disk."""
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=3)
    before = synchronous_commit()
    attempt_visit(attempt=attempt, position=12)  # outside any transaction: the asynchronous path
    assert Attempt.objects.get(pk=attempt.pk).current_position == 12
    assert synchronous_commit() == before
    with transaction.atomic():  # inside a transaction the statement is sent as it is
        attempt_visit(attempt=attempt, position=13)
        assert synchronous_commit() == before
    assert Attempt.objects.get(pk=attempt.pk).current_position == 13
