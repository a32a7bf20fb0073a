"""The debounced claims that keep a burst of submissions from queueing a rebuild (item
statistics) or a calibration per submission: one claim per guide per window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exams.services import analytics, calibration
from tests.factories import build_guide

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("due", "window"),
    [
        (analytics.item_statistics_due, analytics.DEBOUNCE),
        (calibration.calibration_due, calibration.DEBOUNCE),
    ],
)
def test_one_claim_per_guide_per_window(due, window):
    guide, other = build_guide(per_sub=1), build_guide(code="OTHER-T", per_sub=1)
    now = timezone.now()
    assert due(guide_id=guide.pk, now=now)  # the first submission queues the work
    assert not due(guide_id=guide.pk, now=now)  # the rest of the burst does not
    assert not due(guide_id=guide.pk, now=now + window - timedelta(seconds=1))
    assert due(guide_id=other.pk, now=now)  # another guide has a window of its own
    assert due(guide_id=guide.pk, now=now + window + timedelta(seconds=1))  # the next window
    assert not due(guide_id=guide.pk, now=now + window + timedelta(seconds=2))
