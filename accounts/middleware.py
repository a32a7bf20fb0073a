"""Django's AuthenticationMiddleware, with the user the session read lent to the backend.

``request.user`` is still Django's ``auth.get_user(request)``, lazily, once per request: the
backend the session names, the password-hash check (and its rotation to a new secret), an active
account. The only difference: while it runs, ``accounts.backends.UserBackend`` may return the
user row that ``accounts.sessions.SessionStore`` read with the session (one statement, not two).
"""

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as django_auth
from django.utils.functional import SimpleLazyObject

from .backends import lent_user


def get_user(request):
    if not hasattr(request, "_cached_user"):
        signed_in = SESSION_KEY in request.session  # reads the session (and with ours, its user)
        with lent_user(getattr(request.session, "signed_in_user", None) if signed_in else None):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(django_auth.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
