"""A candidate's "seen" bookkeeping: per question, how often it was drawn, when last, and whether
the latest marked answer was wrong (``SeenQuestion``). Written by the start and the submit of
every attempt, one statement each, so that assembly reads one small table instead of every item
of every past attempt (docs/scoring.md, docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .. import sql
from ..models import SeenQuestion

_T = SeenQuestion._meta.db_table
_KEY = "user_id, guide_id, question_id"
# An upsert, written out: the ORM's bulk_create(update_conflicts=True) can only copy the new
# values, not add one to the count. SQLite (3.24+) and PostgreSQL both speak ON CONFLICT.
_DRAWN_SQL = (
    f'INSERT INTO "{_T}" ({_KEY}, times, last_seen_at) VALUES {{rows}} '  # noqa: S608  # nosec B608
    f'ON CONFLICT ({_KEY}) DO UPDATE SET times = "{_T}".times + 1, last_seen_at = excluded.last_seen_at'
)
_MARKED_SQL = (
    f'INSERT INTO "{_T}" ({_KEY}, times, last_seen_at, last_wrong) VALUES {{rows}} '  # noqa: S608  # nosec B608
    f"ON CONFLICT ({_KEY}) DO UPDATE SET last_wrong = excluded.last_wrong"
)


def seen_record_draw(*, user_id: int, guide_id: int, question_ids: Iterable[int], now: datetime) -> None:
    """The candidate has been shown these questions (an attempt started): one more time each."""
    ids = list(question_ids)
    if not ids:
        return
    when = sql.prep(SeenQuestion, "last_seen_at", now)
    params = [value for pk in ids for value in (user_id, guide_id, pk, 1, when)]
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(ids))
    sql.execute(SeenQuestion, _DRAWN_SQL.format(rows=rows), params)


def seen_record_marks(
    *, user_id: int, guide_id: int, marks: Iterable[tuple[int, bool]], now: datetime
) -> None:
    """The candidate's answers were marked (an attempt submitted): ``marks`` holds (question id,
    right). A question drawn before this table existed gets its row here."""
    marks = list(marks)
    if not marks:
        return
    when = sql.prep(SeenQuestion, "last_seen_at", now)
    params = [value for pk, right in marks for value in (user_id, guide_id, pk, 1, when, not right)]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(marks))
    sql.execute(SeenQuestion, _MARKED_SQL.format(rows=rows), params)
