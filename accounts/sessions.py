"""Django's database sessions, read with one written-out statement.

Every request of a signed-in candidate reads its session. Through the ORM that read cost more
Python than the database's work (building the query, then a model instance to take one column
from); here it is one parameterised SELECT of the same table with the same conditions (the key,
not expired). Everything else (writes, expiry, ``clearsessions``, rotation at login, deletion at
logout) is Django's own ``db`` backend, unchanged. Measured in docs/performance.md.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        data = self._session_data()
        return self.decode(data) if data is not None else {}

    def _session_data(self) -> str | None:
        """The stored (signed) data of this session if it exists and has not expired."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608  # nosec B608
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's backend: a new key if anything is saved
            return None
        return row[0]
