"""The floor: the least a logged-in request can do here, with the same middleware, session and
user lookup as the exam views. Benchmarks report every figure as a ratio to these."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from exams.models import Attempt


@login_required
@require_GET
def floor_read(request, attempt_id: int):
    """Read one row (the candidate's attempt) and answer with one field of it."""
    position = (
        Attempt.objects.filter(pk=attempt_id, user=request.user)
        .values_list("current_position", flat=True)
        .first()
    )
    if position is None:
        raise Http404
    return JsonResponse({"position": position})


@login_required
@require_POST
def floor_update(request, attempt_id: int):
    """Update one row (the candidate's attempt) in a transaction."""
    with transaction.atomic():
        updated = Attempt.objects.filter(pk=attempt_id, user=request.user).update(
            current_position=F("current_position") % 65 + 1
        )
    if not updated:
        raise Http404
    return JsonResponse({"ok": True})
