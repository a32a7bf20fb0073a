"""Writes for attempts: start, visit, save an answer, record time on it, check it (study mode),
submit, expire."""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.services import profile_for

from .. import selectors, sql, tasks
from ..clock import grace, is_overdue, remaining_seconds
from ..errors import (
    AnswerChecked,
    AnswerInvalid,
    AttemptClosed,
    NotFound,
    NothingChosen,
    NotStudyMode,
    StaleRevision,
    TimeUp,
)
from ..models import Attempt, AttemptItem, ExamBlueprint
from ..scoring import AnswerShapeError, answer_correct, scaled_score, shown_answer, stored_answer
from .assembly import assemble
from .seen import seen_record_draw, seen_record_marks


@dataclass(frozen=True)
class SaveAck:
    revision: int
    saved_at: datetime
    remaining_seconds: int | None


def attempt_start(
    *, user, blueprint: ExamBlueprint, seed: int | None = None, now: datetime | None = None, question_ids=None
) -> Attempt:
    """Start an attempt, or resume the one in progress for this blueprint.

    The deadline is fixed here: duration plus the candidate's extra time. Raises
    ``AssemblyError`` (and creates nothing) when the bank cannot fill the blueprint.
    """
    now = now or timezone.now()
    open_attempt = Attempt.objects.filter(
        user=user, blueprint=blueprint, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        if not is_overdue(open_attempt, now):
            return open_attempt
        _submit(Attempt.objects.filter(pk=open_attempt.pk), now=now)
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)  # noqa: S311 (a reproducible shuffle, not a secret)
    draws = assemble(blueprint=blueprint, user=user, rng=rng, question_ids=question_ids)
    deadline = None
    if blueprint.is_timed:
        extra = profile_for(user=user).extra_time_minutes
        deadline = now + timedelta(minutes=blueprint.duration_minutes + extra)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                blueprint=blueprint,
                seed=seed,
                started_at=now,
                deadline=deadline,
                question_count=len(draws),
            )
            AttemptItem.objects.bulk_create(
                AttemptItem(attempt=attempt, position=i, **draw.item_fields())
                for i, draw in enumerate(draws, start=1)
            )
            seen_record_draw(
                user_id=user.pk,
                guide_id=blueprint.guide_id,
                question_ids=[d.question_id for d in draws],
                now=now,
            )
    except IntegrityError:
        # one_open_attempt_per_blueprint: a second request (double click, second tab) started
        # the same blueprint first. A plain create, so Django does not catch this for us.
        return Attempt.objects.get(user=user, blueprint=blueprint, state=Attempt.State.IN_PROGRESS)
    return attempt


_VISIT_SQL = (
    f'UPDATE "{Attempt._meta.db_table}" SET current_position = %s '  # noqa: S608  # nosec B608
    "WHERE id = %s AND state = %s"
)


def attempt_visit(*, attempt: Attempt, position: int) -> None:
    """Remember the question on screen, so that a resume on any device returns to it.

    A convenience, not an answer: committed without waiting for the disk (``sql.execute``),
    which takes a tenth of a millisecond off every question page (docs/performance.md).
    """
    if attempt.is_open and attempt.current_position != position:
        params = [position, attempt.pk, Attempt.State.IN_PROGRESS.value]
        sql.execute(Attempt, _VISIT_SQL, params, wait_for_disk=False)
        attempt.current_position = position


SUBMITTED = "This attempt has been submitted; answers can no longer change."
LATE = "Time is up: this answer arrived after the exam ended."
STALE = "This question was changed in another tab or device."
# Lost races in a row before a save gives up and says so (each is a save that landed in between).
_TRIES = 3


def attempt_save_answer(
    *,
    user,
    attempt_id: int,
    position: int,
    selected: list[int],
    flagged: bool,
    base_revision: int,
    request: str = "",
    active: int | None = None,
    now: datetime | None = None,
) -> SaveAck:
    """Save one question's answer and flag; acknowledged only once committed.

    ``selected`` is the answer as the page shows it (``scoring.stored_answer``): displayed
    option positions (0-based, in the attempt's shuffled order), or for ordering and matching one
    entry per displayed step or prompt. The write is a single conditional UPDATE: it lands only
    if the attempt is still open, the deadline plus grace has not passed, and the item is still
    at the revision this decision was made on.

    Idempotent: ``request`` names the save as ``"<tab>:<sequence>"`` (exams/answers.py), the
    same for every retry of one change. A base revision that is no longer current is a
    conflict (``StaleRevision``) unless

    - this very request has landed (its reply was lost, or the retry raced its original):
      acknowledged again, unchanged;
    - the item already holds this answer and flag (a client that does not name its saves):
      acknowledged again;
    - every save since the base revision was this tab's own (an earlier change whose reply was
      lost): the change builds on it. The item's last save came from the same tab with a lower
      sequence, and that save was itself accepted only on these terms, so no other tab's answer
      lies in between.

    Every refusal that follows from what is saved (a conflict, a checked answer, a submitted
    attempt) carries the item's revision, answer (as the page shows it) and flag, so that the
    page can show what the server holds. ``active``: the seconds the question has been on
    screen (``_ACTIVE_SQL``).
    """
    now = now or timezone.now()
    for _ in range(_TRIES):
        item = _item_for_save(user, attempt_id, position)
        attempt = item.attempt
        stored = answer_to_store(item, selected)
        if not attempt.is_open:
            raise AttemptClosed(SUBMITTED, **saved_state(item))
        if is_overdue(attempt, now):
            raise TimeUp(LATE)
        if item.checked_at is not None and stored != item.selected:
            raise AnswerChecked("This answer has been checked; it can no longer change.", **saved_state(item))
        if request and item.save_request == request:
            return SaveAck(item.revision, item.saved_at or now, remaining_seconds(attempt, now))
        if item.revision != base_revision:
            if item.selected == stored and item.flagged == flagged:
                return SaveAck(item.revision, item.saved_at or now, remaining_seconds(attempt, now))
            if base_revision > item.revision or not _same_tab_later(request, item.save_request):
                raise StaleRevision(STALE, **saved_state(item))
        # One UPDATE in autocommit: it is committed when it returns, so the reply is an honest ack.
        updated = _update_if_current(
            item=item, selected=stored, flagged=flagged, request=request, active=active, now=now
        )
        if updated == 1:
            return SaveAck(item.revision + 1, now, remaining_seconds(attempt, now))
        # Something changed between the read and the write (a submit, another tab, or this
        # request's own original landing): decide again on what is there now.
    raise StaleRevision(STALE, **saved_state(_item_for_save(user, attempt_id, position)))


def answer_to_store(item: AttemptItem, shown) -> list:
    """The answer to store for ``item`` from ``shown``, the answer as its page shows it (the
    options in their shuffled order); a malformed one is ``AnswerInvalid``."""
    try:
        return stored_answer(
            item.type,
            shown,
            option_order=item.shown_order,
            response_order=item.response_order,
            choice_count=item.choice_count,
            select_count=item.select_count,
        )
    except AnswerShapeError as exc:
        raise AnswerInvalid(str(exc)) from None


def _item_for_save(user, attempt_id: int, position: int) -> AttemptItem:
    """The candidate's item with its attempt, as a save reads it; ``NotFound`` for another's
    attempt or none, ``AnswerInvalid`` for a position the attempt does not have."""
    find = selectors.attempt_item_find
    item = find(user_id=user.pk, attempt_id=attempt_id, position=position, for_save=True)
    if item is None:
        attempt = Attempt.objects.filter(pk=attempt_id, user=user).only("question_count").first()
        if attempt is None:
            raise NotFound("No such attempt.")
        count = attempt.question_count
        raise AnswerInvalid(f"Question {position} is not part of this attempt (it has questions 1–{count}).")
    return item


def saved_state(item: AttemptItem) -> dict:
    """What the server holds for an item, as the exam page shows it: the revision, the answer
    in displayed positions (never the version's indexes), the flag."""
    shown = shown_answer(
        item.type, item.selected, option_order=item.shown_order, response_order=item.response_order
    )
    return {
        "revision": item.revision,
        "selected": shown if any(s is not None for s in shown) else [],
        "flagged": item.flagged,
    }


def _same_tab_later(request: str, last: str) -> bool:
    """Whether ``request`` ("<tab>:<sequence>") is a later change of the tab that made ``last``."""
    tab, _, sequence = request.rpartition(":")
    last_tab, _, last_sequence = last.rpartition(":")
    return bool(tab) and tab == last_tab and int(last_sequence) < int(sequence)


def attempt_record_time(
    *, user, attempt_id: int, position: int, active: int, now: datetime | None = None
) -> int:
    """Record how long a question has been on screen (visible and focused), as the browser
    measured it: ``active`` seconds in all, its running total for this question.

    Never a conflict (time is not an answer): the stored total only grows, and it is bounded
    by the attempt's elapsed time less the time recorded on its other questions
    (``_ACTIVE_SQL``). Returns the total now stored.
    """
    now = now or timezone.now()
    item = _item_for_save(user, attempt_id, position)
    if not item.attempt.is_open:
        raise AttemptClosed(SUBMITTED, **saved_state(item))
    if is_overdue(item.attempt, now):
        raise TimeUp(LATE)
    params = [*_active_params(item.attempt, active, now), item.pk, *_open_params(now)]
    if sql.execute(AttemptItem, _TIME_SQL, params) != 1:
        fresh = Attempt.objects.only("state", "deadline").get(pk=attempt_id)
        if not fresh.is_open:
            raise AttemptClosed(SUBMITTED, **saved_state(item))
        raise TimeUp(LATE)
    return AttemptItem.objects.values_list("active_seconds", flat=True).get(pk=item.pk)


_ITEMS, _ATTEMPTS = AttemptItem._meta.db_table, Attempt._meta.db_table
# The item's attempt is open and within deadline plus grace, checked by the database.
_OPEN = (
    f'EXISTS (SELECT 1 FROM "{_ATTEMPTS}" a WHERE a.id = "{_ITEMS}".attempt_id '  # noqa: S608  # nosec B608
    "AND a.state = %s AND (a.deadline IS NULL OR a.deadline >= %s))"
)
# The time on the attempt's other questions.
_OTHERS = (
    f'(SELECT COALESCE(SUM(o.active_seconds), 0) FROM "{_ITEMS}" o '  # noqa: S608  # nosec B608
    f'WHERE o.attempt_id = "{_ITEMS}".attempt_id AND o.id <> "{_ITEMS}".id)'
)
# A question's active time: the larger of what is stored and what is reported, the reported
# value bounded by the attempt's elapsed seconds less the other questions' time, so that no
# value a browser sends (or forges) makes the attempt's questions add up to more than the time
# it has been open. Parameters: reported, elapsed, reported, elapsed, reported, elapsed.
_ACTIVE_SQL = (
    f"active_seconds = CASE WHEN %s <= active_seconds OR %s - {_OTHERS} <= active_seconds "
    f"THEN active_seconds WHEN %s <= %s - {_OTHERS} THEN %s ELSE %s - {_OTHERS} END"
)
_SAVE_SQL = (
    f'UPDATE "{_ITEMS}" SET selected = %s, flagged = %s, revision = revision + 1, saved_at = %s, '  # noqa: S608  # nosec B608
    f"save_request = %s WHERE id = %s AND revision = %s AND {_OPEN}"
)
_SAVE_ACTIVE_SQL = _SAVE_SQL.replace(" WHERE id = ", f", {_ACTIVE_SQL} WHERE id = ", 1)
_TIME_SQL = f'UPDATE "{_ITEMS}" SET {_ACTIVE_SQL} WHERE id = %s AND {_OPEN}'  # noqa: S608  # nosec B608


def _open_params(now: datetime) -> list:
    return [Attempt.State.IN_PROGRESS.value, sql.prep(Attempt, "deadline", now - grace())]


def _active_params(attempt: Attempt, active: int, now: datetime) -> list:
    elapsed = max(0, math.ceil((now - attempt.started_at).total_seconds()))
    return [active, elapsed] * 3


def _update_if_current(
    *, item: AttemptItem, selected: list, flagged: bool, request: str, active: int | None, now
) -> int:
    """The save's conditional UPDATE; the number of rows it changed (1, or 0 when refused).

    It lands only if the item is still at the revision read and its attempt is open and within
    deadline plus grace, all checked by the database in the statement itself. Written out
    (exams/sql.py): this is the busiest write of an exam, and the ORM builds an UPDATE through
    a join (``attempt__state=…``) as ``id IN (subquery)``, which cost a fifth of the whole
    request in Python (docs/performance.md).
    """
    params = [
        sql.prep(AttemptItem, "selected", selected),
        flagged,
        sql.prep(AttemptItem, "saved_at", now),
        request,
    ]
    if active is not None:
        params += _active_params(item.attempt, active, now)
    params += [item.pk, item.revision, *_open_params(now)]
    return sql.execute(AttemptItem, _SAVE_SQL if active is None else _SAVE_ACTIVE_SQL, params)


def attempt_submit(*, user, attempt_id: int, now: datetime | None = None) -> Attempt:
    """The candidate ends their attempt: score and close it. Idempotent: submitting a submitted
    attempt returns it as it is. Another's attempt is ``NotFound``."""
    return _submit(Attempt.objects.filter(pk=attempt_id, user=user), now=now or timezone.now())


def _submit(attempts: QuerySet[Attempt], *, now: datetime) -> Attempt:
    """Score and close the attempt ``attempts`` selects (one at most).

    Scoring happens in this transaction (1 or 0 per question, all or nothing, unanswered
    wrong); the per-domain breakdown is computed by a task sent after commit.
    """
    with transaction.atomic():
        attempt = attempts.select_for_update().select_related("blueprint").order_by().first()
        if attempt is None:
            raise NotFound("No such attempt.")
        if not attempt.is_open:
            return attempt
        bp = attempt.blueprint
        timed_out = attempt.deadline is not None and now >= attempt.deadline
        finished_at = min(now, attempt.deadline) if timed_out else now
        # "attempt" among the loaded fields: the related manager checks each row's attempt_id,
        # and a deferred one would cost a query per question.
        items = list(
            attempt.items.select_related("version").only(
                "pk", "attempt", "question", "selected", "checked_at", "version__content"
            )
        )
        for item in items:
            item.is_correct = _marked(item)
            # A mock marks every question (unanswered is wrong); practice marks only what was answered.
            if item.checked_at is None and (bp.is_mock or item.selected):
                item.checked_at = finished_at
        AttemptItem.objects.bulk_update(items, ["is_correct", "checked_at"])
        seen_record_marks(
            user_id=attempt.user_id,
            guide_id=bp.guide_id,
            marks=[(item.question_id, item.is_correct) for item in items if item.checked_at is not None],
            now=finished_at,
        )
        right = sum(item.is_correct for item in items)
        percent = round(100 * right / len(items), 2) if items else 0.0
        attempt.correct_count = right
        attempt.percent = percent
        attempt.scaled_score = scaled_score(
            percent,
            score_min=bp.score_min,
            score_max=bp.score_max,
            passing=bp.passing_score,
            cut_percent=bp.estimated_cut_percent,
        )
        attempt.passed = attempt.scaled_score >= bp.passing_score
        attempt.finish = Attempt.Finish.TIMEOUT if timed_out else Attempt.Finish.CANDIDATE
        attempt.submitted_at = finished_at
        attempt.state = Attempt.State.SUBMITTED
        attempt.save(update_fields=SCORED_FIELDS)
        transaction.on_commit(lambda: tasks.send_attempt_analysis(attempt.pk))
    return attempt


# What scoring a submitted attempt writes.
SCORED_FIELDS = ["correct_count", "percent", "scaled_score", "passed", "finish", "submitted_at", "state"]


def _marked(item: AttemptItem) -> bool:
    """The item's point, by the rule of its version's type (all or nothing for every type)."""
    content = item.version.content
    return answer_correct(content["type"], item.selected, content["choices"])


def attempt_check_answer(*, user, attempt_id: int, position: int, now: datetime | None = None) -> AttemptItem:
    """Study mode: mark one answered question now, so its answer and explanation can be shown.

    Idempotent; refused for exam-conditions attempts, which never reveal anything before submit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        item = (
            AttemptItem.objects.select_for_update()
            .select_related("attempt__blueprint", "version")
            .filter(attempt_id=attempt_id, attempt__user=user, position=position)
            .first()
        )
        if item is None:
            raise NotFound("No such question in this attempt.")
        if item.attempt.blueprint.mode != ExamBlueprint.Mode.STUDY:
            raise NotStudyMode("Answers are shown only after the exam is submitted.")
        if not item.attempt.is_open:
            raise AttemptClosed("This practice session has ended.")
        if not item.selected:
            raise NothingChosen("Choose an answer first.")
        if item.checked_at is None:
            item.is_correct = _marked(item)
            item.checked_at = now
            item.save(update_fields=["is_correct", "checked_at"])
    return item


def _submit_due(due: QuerySet[Attempt], *, now: datetime) -> list[Attempt]:
    """Submit the open attempts of ``due`` whose deadline and grace have passed, each as timed
    out at its deadline (``_submit``)."""
    overdue = due.filter(state=Attempt.State.IN_PROGRESS, deadline__lt=now - grace())
    return [_submit(Attempt.objects.filter(pk=pk), now=now) for pk in overdue.values_list("pk", flat=True)]


def attempts_submit_expired(*, now: datetime | None = None) -> int:
    """Submit every open attempt whose deadline and grace have passed (run by Celery beat)."""
    return len(_submit_due(Attempt.objects.all(), now=now or timezone.now()))


def attempts_submit_overdue(*, user, now: datetime | None = None) -> list[Attempt]:
    """Submit the candidate's attempts whose time ran out while nobody was looking, and return
    them. Every page that lists a candidate's attempts calls it first, so that none shows an
    expired attempt as in progress, whether or not Celery beat runs (the embedded default has
    no worker). One indexed query when there is nothing to do."""
    return _submit_due(Attempt.objects.filter(user=user), now=now or timezone.now())


def attempt_submit_if_overdue(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Close an attempt whose time ran out while nobody was looking (when beat is not running).
    ``attempt`` was read for its candidate (``selectors.attempt_get``)."""
    now = now or timezone.now()
    if attempt.is_open and is_overdue(attempt, now):
        return _submit(Attempt.objects.filter(pk=attempt.pk), now=now)
    return attempt
