"""The floors: the least a request can do here, in the same stack as the exam views.
Benchmarks report every figure as a ratio to these.

- ``bare``: no session, no user, no database: the middleware, the URL resolver and a response.
  The true floor of this stack.
- ``session``: reads the session and nothing else (what the session store costs).
- ``login``: ``login_required`` and nothing else: session and user lookups.
- ``read`` and ``update``: a logged-in request that reads or updates one row.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from exams.models import Attempt


@require_GET
def floor_bare(request):
    """Nothing: no session, no user, no query."""
    return HttpResponse(b'{"ok": true}', content_type="application/json")


@require_GET
def floor_session(request):
    """Load the session (its store's read) and answer; no user lookup."""
    return HttpResponse(b'{"ok": %d}' % len(request.session.keys()), content_type="application/json")


@login_required
@require_GET
def floor_login(request):
    """The login check (session and user lookups) and nothing else."""
    return HttpResponse(b'{"ok": true}', content_type="application/json")


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
