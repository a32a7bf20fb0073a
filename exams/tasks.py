"""Celery tasks: thin wrappers that take ids and call a service. All are safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task

from .services import analysis, analytics, attempts

log = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def analyse_attempt(attempt_id: int) -> bool:
    return analysis.attempt_analyse(attempt_id=attempt_id)


def send_attempt_analysis(attempt_id: int) -> None:
    """Queue an attempt's analysis; if the broker is down, the sweeper sends it later.

    The owed work is recorded durably by the attempt itself (submitted, ``analysed_at`` empty),
    so a lost message costs only a delay, never a result.
    """
    try:
        analyse_attempt.delay(attempt_id)
    except Exception:  # broker down or unreachable: never fail the submit that owes this
        log.warning("could not queue analysis of attempt %s; the sweeper will", attempt_id, exc_info=True)


@shared_task
def submit_expired_attempts() -> int:
    return attempts.attempts_submit_expired()


@shared_task
def sweep_pending_analytics(older_than_seconds: int = 30) -> int:
    """Resend the analysis of submitted attempts that still owe it (the broker was down)."""
    owed = analysis.attempts_owing_analysis(older_than=timedelta(seconds=older_than_seconds))
    for attempt_id in owed:
        analyse_attempt.delay(attempt_id)
    return len(owed)


@shared_task(acks_late=True, **RETRY)
def rebuild_analytics(guide_id: int | None = None) -> dict:
    """Item statistics, standings, percentiles and readiness, from the per-attempt tables."""
    return analytics.analytics_rebuild(guide_id=guide_id)
