"""Sessions that bring their user: one statement per signed-in request instead of two.

Every request of a signed-in candidate reads its session and then its user. Here the session row
(``accounts.models.Session``: Django's session table with the signed-in user's id as a column,
filled on every save) is read with a left join to its user, and the user is kept on the store as
``signed_in_user``; ``accounts.middleware.AuthenticationMiddleware`` hands it to
``accounts.backends.UserBackend`` for that request only, so Django's own ``get_user`` still
verifies it (the backend the session names, the password hash, an active account). Nothing is
cached between requests: the user is as fresh as a separate read would have been.

Everything else (writes, expiry, ``clearsessions``, rotation at login, deletion at logout) is
Django's own ``db`` backend. Measured in docs/performance.md ("the session tax").
"""

from functools import lru_cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from .backends import UserColumns, user_columns, user_pk
from .models import Session


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.signed_in_user = None  # the user the session's row names, read with it (``load``)

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        """The row to save: Django's, with the user the data names (None when signed out)."""
        instance = super().create_model_instance(data)
        instance.user_id = user_pk(data.get(SESSION_KEY))
        return instance

    def load(self):
        connection = connections[router.db_for_read(Session)]
        sql, user = _statement(connection)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's backend: a new key if anything is saved
            return {}
        if row[1] is not None:
            self.signed_in_user = user.build(row[1:], connection)
        return self.decode(row[0])


@lru_cache(maxsize=32)
def _statement(connection) -> tuple[str, UserColumns]:
    """The session's read with its user, for one database connection (names from the models;
    the key and the time are parameters)."""
    user = user_columns(connection)
    quote = connection.ops.quote_name
    sessions, user_fk = quote(Session._meta.db_table), quote(Session._meta.get_field("user").column)
    sql = (
        f"SELECT s.session_data, {user.sql} FROM {sessions} s "  # noqa: S608  # nosec B608
        f"LEFT JOIN {user.table} u ON u.{user.pk} = s.{user_fk} "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )
    return sql, user
