"""Time is the server's: the grace after a deadline, the seconds left, whether a write is late.
Plain functions over an attempt's deadline, no ORM."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def grace() -> timedelta:
    """How long after the deadline a save in flight still lands (``EXAM_GRACE_SECONDS``)."""
    return timedelta(seconds=settings.EXAM_GRACE_SECONDS)


def remaining_seconds(attempt, now: datetime | None = None) -> int | None:
    """Seconds left before the deadline; ``None`` for an untimed attempt."""
    if attempt.deadline is None:
        return None
    now = now or timezone.now()
    # Rounded up, so that the browser's countdown never reaches zero before the server's does.
    return max(0, math.ceil((attempt.deadline - now).total_seconds()))


def is_overdue(attempt, now: datetime) -> bool:
    """Past the deadline and its grace: no answer lands any more, the attempt is due for submission."""
    return attempt.deadline is not None and now > attempt.deadline + grace()
