"""The user of a signed-in request, without a query of its own.

``ModelBackend.get_user`` runs on every signed-in request. The session store has already read
the user with the session (accounts/sessions.py), and ``accounts.middleware`` lends it to this
backend while Django's ``get_user`` runs for that request (``lent_user``); the backend uses it
when it is the user asked for, and reads the row itself otherwise (written out: through the ORM,
building that query cost more than the database's work). Logins, permissions and
``user_can_authenticate`` (inactive users are refused) are ModelBackend's own.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

_lent = ContextVar("lent_user", default=None)


@contextmanager
def lent_user(user):
    """``user`` (read by this request, or None) is the one ``UserBackend.get_user`` returns for
    its key until the block ends; nothing outlives the block."""
    token = _lent.set(user)
    try:
        yield
    finally:
        _lent.reset(token)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session naming no valid key: a signed-out request
            return None
        lent = _lent.get()
        user = lent if lent is not None and lent.pk == pk else _user_by_pk(model, pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_by_pk(model, pk):
    """The user with key ``pk`` (every concrete field, converted as the ORM converts them), or None."""
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"SELECT {columns} FROM {table} WHERE {key} = %s"  # noqa: S608  # nosec B608 (names from the model)
    return next(iter(model._default_manager.raw(sql, [pk])), None)
