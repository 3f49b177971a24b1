"""Database helpers the ORM does not give: a cursor that binds its parameters on the server.

Django's PostgreSQL backend binds parameters in Python (psycopg's ``ClientCursor``) and sends
each statement by the simple query protocol, planned at every call. For the few big read
statements of the trace and the recall impact (ADR 0011):

- the extended protocol (statement and parameters sent apart) answered 0.8 ms sooner on a
  leaf lot and ~1.5 ms sooner on a trace of 1,000 lots, on PostgreSQL 15 here;
- as a named prepared statement (psycopg keeps them per connection, and Django keeps the
  connection for ``CONN_MAX_AGE``), the ~2 ms plan is made once: after five runs PostgreSQL
  settles on a generic plan, of the same shape for these statements.

``SHILIAN_PG_PREPARE = False`` keeps the extended protocol but with unnamed statements, which
pass through any pooler (PgBouncer in transaction mode before 1.21).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection


@contextmanager
def bound_cursor(*, prepare: bool = False) -> Iterator[Any]:
    """A Django cursor (query logging, error wrapping) that binds on the server on PostgreSQL,
    as a named prepared statement if ``prepare`` (and the setting allows); the ordinary cursor
    elsewhere. Statements are written as for ``connection.cursor()``."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _cursor_class(prepare and settings.SHILIAN_PG_PREPARE)(connection.connection)
    cursor = _debug_wrapper()(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


@functools.cache
def _cursor_class(named: bool) -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor  # noqa: PLC0415 (psycopg 3 only)

    class Bound(ServerBindingCursor):  # type: ignore[misc,valid-type]
        """psycopg decides alone to prepare a statement run five times: here the caller does."""

        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
            return super().execute(query, params, prepare=named, binary=binary)  # type: ignore[misc]

    return Bound


@functools.cache
def _debug_wrapper() -> type:
    """Django's debug wrapper logs a statement as psycopg last sent it: after a prepared run
    psycopg keeps no text (``None`` in ``connection.queries``). Log it with its parameters
    written in instead."""
    from django.db.backends.postgresql.base import CursorDebugWrapper  # noqa: PLC0415
    from django.db.backends.utils import CursorWrapper  # noqa: PLC0415

    class Logged(CursorDebugWrapper):  # type: ignore[misc,valid-type]
        def execute(self, sql: Any, params: Any = None) -> Any:
            shown = self.db.ops.compose_sql(sql, params) if params is not None else sql
            with self.debug_sql(shown, params):
                return CursorWrapper.execute(self, sql, params)

    return Logged


def instance_from_row(model: Any, row: Sequence[Any]) -> Any:
    """A model instance from a raw row of its concrete fields in ``_meta.concrete_fields`` order,
    with the values converted as the ORM converts them (SQLite hands back naive datetimes,
    integers for booleans…)."""
    fields = model._meta.concrete_fields
    values = list(row)
    for i, converters, column in _converters(model, connection.vendor):
        for convert in converters:
            values[i] = convert(values[i], column, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


@functools.lru_cache(maxsize=32)
def _converters(model: Any, vendor: str) -> list[tuple[int, list[Any], Any]]:
    """What ``SQLCompiler.get_converters`` gives for each column of the model's table."""
    out = []
    for i, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            out.append((i, converters, column))
    return out
