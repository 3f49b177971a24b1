"""Plain-row inserts for the hot bulk paths (``record_batch``, EPCIS capture).

``bulk_create`` builds a model instance per row and runs the ORM's statement compiler over
every field of every object; for rows whose ids nobody reads back that costs more than the
write. :func:`insert_rows` sends the same rows with one ``executemany``, adapting only the
columns whose Python values the driver cannot take as they are (times, dates, UUIDs, JSON),
exactly as the ORM would store them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]


def _adapter(field: Any) -> Adapter | None:
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField | models.UUIDField | models.JSONField):

        def adapt(value: Any) -> Any:
            return field.get_db_prep_save(value, connection)

        return adapt
    return None  # ints, text, booleans, decimals (both drivers adapt Decimal) go as they are


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, returning: bool = False
) -> list[int]:
    """INSERT ``rows`` (tuples in the order of ``columns``: field names or foreign keys'
    ``…_id`` names) into ``model``'s table; with ``returning``, the new ids in row order.

    Without ``returning`` one ``executemany``; with it, multi-row ``INSERT … RETURNING id`` in
    chunks (ids taken in the order the rows were sent, as ``bulk_create`` takes them). Every NOT
    NULL column without a database default must be among ``columns``: nothing fills in
    ``default=`` or ``auto_now_add`` here.
    """
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    adapters = [_adapter(field) for field in fields]
    if any(adapters):
        data = [
            tuple(value if adapt is None else adapt(value) for adapt, value in zip(adapters, row, strict=True))
            for row in rows
        ]
    else:
        data = [tuple(row) for row in rows]
    if not data:
        return []
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(head + one, data)
            return []
        per = max(1, min(500, 30_000 // len(fields)))  # under SQLite's limit of bound variables
        ids: list[int] = []
        for start in range(0, len(data), per):
            part = data[start : start + per]
            pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
            cursor.execute(f"{head}{', '.join([one] * len(part))} RETURNING {pk}", [v for row in part for v in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def rows_per_insert(model: type[models.Model], chunk: int = 500) -> int:
    """How many rows :func:`insert_objects` sends in one statement (under SQLite's limit of
    bound variables)."""
    columns = len(model._meta.concrete_fields) - 1
    return max(1, min(chunk, 30_000 // columns))


def insert_objects(objects: Sequence[models.Model], *, chunk: int = 500) -> None:
    """INSERT unsaved model instances of one model and set their ids: ``bulk_create``'s rows
    without its per-value statement compiler.

    Multi-row ``INSERT … RETURNING id`` in chunks (SQLite ≥ 3.35 and PostgreSQL), ids taken in
    the order the rows were sent, as ``bulk_create`` takes them. ``auto_now_add`` and the
    other ``pre_save`` values are filled in as the ORM would.
    """
    if not objects:
        return
    model = type(objects[0])
    pk = model._meta.pk
    fields: list[Any] = [f for f in model._meta.concrete_fields if f is not pk]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row = f"({', '.join(['%s'] * len(fields))})"
    per = rows_per_insert(model, chunk)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per):
            part = objects[start : start + per]
            params: list[Any] = []
            for obj in part:
                for field, adapt in zip(fields, adapters, strict=True):
                    value = field.pre_save(obj, True)
                    params.append(value if adapt is None else adapt(value))
            cursor.execute(f"{head}{', '.join([row] * len(part))} RETURNING {quote(str(pk.column))}", params)
            for obj, (new_id,) in zip(part, cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias
