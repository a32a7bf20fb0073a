"""What Celery beat sends for accounts (config/settings/base.py, CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .sessions import SessionStore


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions (Django's ``clearsessions``): without it the table keeps every
    session a browser ever had, and grows with the site's age."""
    SessionStore.clear_expired()
