"""The user of a signed-in request, read with one written-out statement.

``ModelBackend.get_user`` runs on every signed-in request; through the ORM, building its query
cost more than the database's work. This reads the same row by primary key as a raw query
(every concrete field, so nothing is deferred; values converted as the ORM converts them).
Logins, permissions and ``user_can_authenticate`` (inactive users are refused) are
ModelBackend's own.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session naming no valid key: a signed-out request
            return None
        user = _user_by_pk(model, pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_by_pk(model, pk):
    """The user with key ``pk`` (every concrete field, converted as the ORM converts them), or None."""
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"SELECT {columns} FROM {table} WHERE {key} = %s"  # noqa: S608  # nosec B608 (names from the model)
    return next(iter(model._default_manager.raw(sql, [pk])), None)
