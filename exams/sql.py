"""Statements written out for the exam's busiest requests: the question page and the autosave.

Through the ORM, building these statements cost more Python than the database spent running
them (docs/performance.md, "What we fixed"). They stay readable here, and return real model
instances: ``Columns`` selects a model's own columns and builds the instance with
``Model.from_db``, so a field that was not selected is deferred (read on first use), never a
silent default. Table and column names come from the models; every value is a parameter.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from functools import cached_property
from itertools import pairwise

from django.db import connections, models, router
from django.utils import timezone


def aware(value):
    """A datetime from a raw cursor: SQLite's driver gives naive UTC (or text), PostgreSQL aware."""
    if value is None or (isinstance(value, datetime) and timezone.is_aware(value)):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def _convert(field: models.Field, value):
    """What the ORM's converters do for the field types read here."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.loads(value) if isinstance(value, str | bytes) else value
    if isinstance(field, models.DateTimeField):
        return aware(value)
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


class Columns:
    """Some columns of a model under a table alias, and the instance made from them."""

    def __init__(self, model: type[models.Model], alias: str, *, only: tuple[str, ...] = (), exclude=()):
        self.model = model
        self.alias = alias
        fields = model._meta.concrete_fields
        self.fields = [f for f in fields if (f.name in only if only else f.name not in exclude)]
        if only and len(self.fields) != len(only):
            raise ValueError(
                f"{model.__name__} has no field among {sorted(set(only) - {f.name for f in fields})}"
            )
        self.attnames = [f.attname for f in self.fields]

    @cached_property
    def sql(self) -> str:
        return ", ".join(f'{self.alias}."{f.column}"' for f in self.fields)

    @property
    def table(self) -> str:
        return f'"{self.model._meta.db_table}" {self.alias}'

    def build(self, values, db: str) -> models.Model:
        converted = [_convert(f, v) for f, v in zip(self.fields, values, strict=True)]
        return self.model.from_db(db, self.attnames, converted)


def fetch(model: type[models.Model], sql: str, params: list) -> tuple[str, list[tuple]]:
    """The rows of a read, on the database the router reads ``model`` from, and that alias."""
    db = router.db_for_read(model)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return db, cursor.fetchall()


def execute(model: type[models.Model], sql: str, params: list, *, wait_for_disk: bool = True) -> int:
    """A write on the database the router writes ``model`` to: the number of rows it changed.

    ``wait_for_disk=False`` is for writes that a crash may lose without harm (never an answer):
    on PostgreSQL, outside a transaction, the statement commits asynchronously, so the request
    does not wait for the WAL flush. A crash can lose the last moments of such writes (up to
    three ``wal_writer_delay``s); the database stays consistent. The two statements go in one
    message, which PostgreSQL runs as one implicit transaction, so ``SET LOCAL`` covers only it.
    """
    connection = connections[router.db_for_write(model)]
    if not wait_for_disk and connection.vendor == "postgresql" and not connection.in_atomic_block:
        sql = f"SET LOCAL synchronous_commit TO OFF; {sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def prep(model: type[models.Model], field: str, value):
    """A value as the database wants it to write ``model.field`` (JSON encoded, datetimes adapted)."""
    return model._meta.get_field(field).get_db_prep_save(value, connections[router.db_for_write(model)])


class Chain:
    """One row read through foreign keys: ``Chain(item, attempt, blueprint)`` selects each
    model's columns, joins each to the one before it (``a.id = i.attempt_id``), and returns the
    first model's instance with the others attached (``item.attempt.blueprint``), or None."""

    def __init__(self, *parts: Columns, where: str):
        self.parts = parts
        self.links: list[str] = []  # the foreign key from each part to the next
        joins = []
        for child, parent in pairwise(parts):
            fk = next(f for f in child.model._meta.concrete_fields if f.related_model is parent.model)
            joins.append(f'JOIN {parent.table} ON {parent.alias}.id = {child.alias}."{fk.column}"')
            self.links.append(fk.name)
        columns = ", ".join(p.sql for p in parts)
        self.sql = f"SELECT {columns} FROM {parts[0].table} {' '.join(joins)} WHERE {where}"  # noqa: S608  # nosec B608

    def get(self, params: list):
        db, rows = fetch(self.parts[0].model, self.sql, params)
        if not rows:
            return None
        row, start, instances = rows[0], 0, []
        for part in self.parts:
            instances.append(part.build(row[start : start + len(part.fields)], db))
            start += len(part.fields)
        for child, parent, link in zip(instances, instances[1:], self.links, strict=False):
            setattr(child, link, parent)
        return instances[0]


def sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    """``connection_created``: let Django batch SQLite statements by the connection's real limit
    on parameters (``SQLITE_LIMIT_VARIABLE_NUMBER``: 32,766 by default since SQLite 3.32, read
    from the connection), not the 999 of older builds that Django 5.2 still assumes.

    A start inserts all of an attempt's items in one INSERT; at 999 parameters that held only
    for at most 15 columns, and one column more split a 65-question start in two statements.
    """
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(
            sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
        )
