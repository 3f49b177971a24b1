"""Plain-row inserts (``core.bulk``): values stored exactly as the ORM stores them, and the
collector pause of bulk jobs."""

import datetime as dt
import gc
import uuid
import warnings
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, models

from shilian.core.bulk import _adapter, collection_paused, insert_objects, insert_rows
from shilian.core.models import HistoryEntry

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def _plain(value: Any) -> Any:
    """A driver value comparable with ``==`` (PostgreSQL's JSON wrapper holds the object)."""
    return (type(value).__name__, value.obj) if hasattr(value, "obj") else value


def _orm(field: Any, value: Any) -> Any:
    conn = connections[DEFAULT_DB_ALIAS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # naive datetimes: the ORM warns, and so do we
        return _plain(field.get_db_prep_save(value, conn))


def _ours(field: Any, value: Any) -> Any:
    adapt = _adapter(field, connections[DEFAULT_DB_ALIAS])
    if adapt is None:
        return value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _plain(adapt(value))


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2024, 1, 1, 8, 0, tzinfo=CST),
        dt.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 1, 8, 0),  # naive: the ORM's whole path (a warning, the default zone)
        None,
    ],
)
def test_datetimes_are_adapted_as_the_orm_adapts_them(value):
    field = HistoryEntry._meta.get_field("created_at")
    assert _ours(field, value) == _orm(field, value)


def test_equal_instants_in_other_zones_are_stored_alike():
    field = HistoryEntry._meta.get_field("created_at")
    adapt = _adapter(field, connections[DEFAULT_DB_ALIAS])
    assert adapt is not None
    here, utc = dt.datetime(2024, 1, 1, 8, 0, tzinfo=CST), dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert _plain(adapt(here)) == _orm(field, here)
    assert _plain(adapt(utc)) == _orm(field, utc)  # the remembered value of ``here``: the same instant
    assert _orm(field, here) == _orm(field, utc)


@pytest.mark.parametrize(
    "value", [dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 23, 0, tzinfo=CST), "2024-02-29", None]
)
def test_dates_are_adapted_as_the_orm_adapts_them(value):
    field = models.DateField(null=True)  # as a lot's production date (core's own models have no date)
    assert _ours(field, value) == _orm(field, value)


@pytest.mark.parametrize("value", [{"a": [1, "二"], "b": None}, [1, 2], "text", 3, True, None])
def test_json_is_adapted_as_the_orm_adapts_it(value):
    field = HistoryEntry._meta.get_field("detail")
    ours, orm = _ours(field, value), _orm(field, value)
    assert ours == orm


def _stored(pk: int) -> tuple[Any, ...]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute("SELECT action, created_at, operation_id, detail FROM core_historyentry WHERE id = %s", [pk])
        return tuple(cur.fetchone())


def test_rows_and_objects_are_stored_as_the_orm_stores_them():
    when, op = dt.datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=CST), uuid.uuid4()
    detail = {"lot": "L1", "quantity": "1.500", "名": ["一", 2]}
    orm = HistoryEntry.objects.create(action="x", subject_type="t", subject_id="1", operation_id=op, detail=detail)
    HistoryEntry.objects.filter(pk=orm.pk).update(created_at=when)
    (pk,) = insert_rows(
        HistoryEntry,
        ("action", "subject_type", "subject_id", "jurisdiction_code", "created_at", "operation_id", "detail"),
        [("x", "t", "1", "", when, op, detail)],
        returning=True,
    )
    made = HistoryEntry(action="x", subject_type="t", subject_id="1", operation_id=op, detail=detail)
    insert_objects([made])
    assert made.pk is not None
    assert not made._state.adding
    assert _stored(pk) == _stored(orm.pk)
    assert made.created_at is not None  # auto_now_add filled in, as the ORM does
    assert HistoryEntry.objects.get(pk=made.pk).created_at == made.created_at
    assert _stored(made.pk)[2:] == _stored(orm.pk)[2:]


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="rows of 3 values"):
        insert_rows(HistoryEntry, ("action", "subject_type", "subject_id"), [("x", "t")])
    assert not HistoryEntry.objects.exists()


def test_the_collector_is_paused_inside_and_left_as_found():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one leaves it to the outer one
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failed job")
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # paused by someone else before: still paused
    finally:
        gc.enable()


def test_many_rows_go_in_several_statements_with_their_ids_in_order():
    columns = ("action", "subject_type", "subject_id", "jurisdiction_code", "created_at", "operation_id", "detail")
    op, when = uuid.uuid4(), dt.datetime(2024, 5, 1, 8, tzinfo=CST)
    rows = [("x", "t", str(i), "", when, op, {"i": i}) for i in range(1203)]
    ids = insert_rows(HistoryEntry, columns, rows, returning=True)
    assert len(ids) == 1203
    assert list(HistoryEntry.objects.filter(pk__in=ids).order_by("pk").values_list("subject_id", flat=True)) == [
        str(i) for i in range(1203)
    ]
    assert dict(HistoryEntry.objects.filter(pk=ids[7]).values_list("subject_id", "detail")) == {"7": {"i": 7}}
    assert insert_rows(HistoryEntry, columns, rows) == []
    assert HistoryEntry.objects.count() == 2 * 1203
