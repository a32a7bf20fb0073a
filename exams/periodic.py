"""The tasks Celery beat sends (config/settings/base.py, CELERY_BEAT_SCHEDULE). Found by the
worker like ``tasks`` (config/celery.py); kept apart from them because they call services that
send those."""

from datetime import timedelta

from celery import shared_task

from . import selectors
from .services import attempts
from .tasks import analyse_attempt


@shared_task
def submit_expired_attempts() -> int:
    return attempts.attempts_submit_expired()


@shared_task
def sweep_pending_analytics(older_than_seconds: int = 30) -> int:
    """Resend the analysis of submitted attempts that still owe it (the broker was down)."""
    owed = selectors.attempts_owing_analysis(older_than=timedelta(seconds=older_than_seconds))
    for attempt_id in owed:
        analyse_attempt.delay(attempt_id)
    return len(owed)
