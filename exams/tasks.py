"""The Celery tasks the web process sends: thin wrappers that take ids and call a service; all
are safe to run twice. Beat's periodic tasks are in ``exams.periodic`` (they call services that
send these, so they cannot live here without an import cycle)."""

import logging

from celery import shared_task

from .services import analysis, analytics, calibration

log = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def analyse_attempt(attempt_id: int) -> bool:
    result = analysis.attempt_analyse(attempt_id=attempt_id)
    if result.rebuild_guide_id is not None:
        send_rebuild(result.rebuild_guide_id)
    if result.calibrate_guide_id is not None:
        send_calibration(result.calibrate_guide_id)
    return result.done


def send_attempt_analysis(attempt_id: int) -> None:
    """Queue an attempt's analysis; if the broker is down, the sweeper sends it later.

    The owed work is recorded durably by the attempt itself (submitted, ``analysed_at`` empty),
    so a lost message costs only a delay, never a result.
    """
    try:
        analyse_attempt.delay(attempt_id)
    except Exception:  # broker down or unreachable: never fail the submit that owes this
        log.warning("could not queue analysis of attempt %s; the sweeper will", attempt_id, exc_info=True)


@shared_task(acks_late=True, **RETRY)
def rebuild_analytics(guide_id: int | None = None) -> dict:
    """Item statistics, standings, percentiles and readiness, from the per-attempt tables."""
    return analytics.analytics_rebuild(guide_id=guide_id)


def send_rebuild(guide_id: int) -> None:
    """Queue a guide's rebuild after the debounce window; the nightly rebuild covers a lost one."""
    _queue_for_guide(rebuild_analytics, guide_id, analytics.DEBOUNCE, "analytics rebuild")


@shared_task(acks_late=True, **RETRY)
def calibrate_guide(guide_id: int | None = None, full: bool = False) -> dict:
    """Item calibration (2PL) of one guide or all: incremental (new answers only), or in full."""
    return calibration.calibrate(guide_id=guide_id, full=full)


def send_calibration(guide_id: int) -> None:
    """Queue a guide's incremental calibration after the debounce; the nightly full run covers a lost one."""
    _queue_for_guide(calibrate_guide, guide_id, calibration.DEBOUNCE, "calibration")


def _queue_for_guide(task, guide_id: int, delay, what: str) -> None:
    """Queue ``task`` for a guide after ``delay``. With the broker down the work is not lost, only
    late: the nightly run covers it, so the failure is logged and the request goes on."""
    try:
        task.apply_async(kwargs={"guide_id": guide_id}, countdown=delay.total_seconds())
    except Exception:
        log.warning("could not queue the %s of guide %s", what, guide_id, exc_info=True)
