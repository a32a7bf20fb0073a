"""Site-wide views: the health check, and the answers to a request that cannot be read or whose
CSRF token is refused."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache

# A page with no template: the request could not even be read, so nothing that depends on it
# (the session, the user) is rendered.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bad request · MockExam</title></head>
<body><main><h1>This request could not be read</h1><p>{message}</p></main></body></html>
"""


@never_cache
def healthz(request):
    """For load balancers and compose health checks: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    """handler400: a body Django itself cannot read (too large, too many fields, a broken
    multipart form, whichever view it was for) is a 4xx that says what is wrong, as JSON for a
    client that prefers it (the exam script), as a short page otherwise."""
    if isinstance(exception, RequestDataTooBig):
        status, message = 413, "The request is too large."
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        status, message = 400, "The request has too many fields."
    elif isinstance(exception, MultiPartParserError):
        status, message = 400, "The request's form data could not be read."
    else:
        status, message = 400, "The request could not be read."
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"error": message}, status=status)
    return HttpResponse(PAGE.format(message=escape(message)), status=status)


CSRF_MESSAGE = (
    "This page's security token is out of date (you signed in again, or the page is old): "
    "reload the page to go on. Nothing was changed."
)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a refused token is a 403 in JSON, with ``code`` "csrf", for a client
    that prefers it (the exam script keeps the answer and asks for a reload instead of retrying
    a request that cannot succeed), Django's own page otherwise."""
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"error": CSRF_MESSAGE, "code": "csrf"}, status=403)
    return django_csrf_failure(request, reason=reason)
