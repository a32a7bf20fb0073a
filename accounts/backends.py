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
from functools import lru_cache

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
        pk = user_pk(user_id)
        if pk is None:  # a session naming no valid key: a signed-out request
            return None
        lent = _lent.get()
        user = lent if lent is not None and lent.pk == pk else _user_by_pk(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def user_pk(value):
    """The user's primary key as a session's data holds it, or None (none, or not a valid key)."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


class UserColumns:
    """The user's concrete columns under the alias ``u``, and the instance made from a row of
    them with the ORM's own converters (a raw cursor gives SQLite's datetimes as text, for one):
    every field read, nothing deferred. Made once per database connection (``user_columns``)."""

    def __init__(self, connection):
        model = get_user_model()
        self.model = model
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        quote = connection.ops.quote_name
        self.table, self.pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        self.sql = ", ".join(f"u.{quote(f.column)}" for f in self.fields)
        self.converters = []
        for field in self.fields:
            col = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((col, converters))

    def build(self, values, connection):
        converted = []
        for value, (col, converters) in zip(values, self.converters, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)


@lru_cache(maxsize=32)
def user_columns(connection) -> UserColumns:
    return UserColumns(connection)


def _user_by_pk(pk):
    """The user with key ``pk``, or None (read when no user was lent: a session another store
    made, or a caller outside a request)."""
    connection = connections[router.db_for_read(get_user_model())]
    user = user_columns(connection)
    sql = f"SELECT {user.sql} FROM {user.table} u WHERE u.{user.pk} = %s"  # noqa: S608  # nosec B608 (names from the model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return user.build(row, connection) if row is not None else None
