"""A lost database is a 503 with Retry-After, not a 500.

PostgreSQL restarting (a deploy, a failover, a crash) makes every query in flight and every
query on a dropped persistent connection raise ``OperationalError`` or ``InterfaceError``. That
is not a bug in the request: the same request will succeed in a few seconds, and the client is
told so (``503`` + ``Retry-After``) in the form it asked for, JSON for the exam script's
autosave and submit, a short page for a browser.

Django then reconnects by itself: a connection that raised is checked at the end of the request
and closed if unusable, and with ``CONN_HEALTH_CHECKS`` a persistent connection is checked
before its first query in the next request (``config/settings/base.py``).
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import defaults

log = logging.getLogger(__name__)

LOST = (OperationalError, InterfaceError)
MESSAGE = "The database is briefly unavailable. Nothing you saved is lost; please try again in a few seconds."
# Plain HTML with no template: rendering the site's templates would touch the session and the
# user, which live in the database that has just gone away.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment · MockExam</title></head>
<body><main><h1>Back in a moment</h1><p>{message}</p></main></body></html>
"""


def database_unavailable(request) -> HttpResponse:
    seconds = settings.DATABASE_RETRY_AFTER_SECONDS
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse({"error": MESSAGE, "code": "unavailable", "retry_after": seconds}, status=503)
    else:
        response = HttpResponse(PAGE.format(message=MESSAGE), status=503)
        if request.method in ("GET", "HEAD"):
            # The browser reloads the page by itself once the wait is over (a POST is not
            # repeated this way: its form stays on the previous page for the candidate to resend).
            response["Refresh"] = str(seconds)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)  # a proxy must not serve the outage after it ends
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection raised by a view into :func:`database_unavailable`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, LOST):
            log.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        return None


def server_error(request):
    """handler500: the same 503 when the database was lost outside a view (in a middleware, such
    as the session being saved), Django's own 500 page otherwise."""
    if isinstance(sys.exc_info()[1], LOST):
        return database_unavailable(request)
    return defaults.server_error(request)
