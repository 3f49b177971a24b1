"""The canonical form of a traceability event: the bytes the chain of evidence seals.

Deterministic JSON (UTF-8, keys sorted, no spaces) of the event row, its lines (each with
the identity of its lot: product, code, dates — lots never change those), and the
documents attached (with their SHA-256), e.g.::

    {"counterparty":null,"detail":{"retail":true},"documents":[],"enterprise":3,
     "id":41,"kind":"chain.event","lines":[{"code":"2026112901","enterprise":3,
     "expires_on":"2027-05-28","id":97,"lot":12,"lot_enterprise":3,"produced_on":"2026-11-29",
     "product":5,"product_name":"番薯粉丝","quantity":"2.000","role":"input","unit":"kg"}],
     "occurred_at":"2026-11-29T02:00:00.000000Z","partner":null,"recall":null,
     "recorded_at":"2026-11-29T02:00:01.123456Z","recorded_by":7,"reference_no":"",
     "room":"","shipment":null,"type":"ship","v":1,"voids":null}

It is recomputed from the stored rows at verification time, so the values are normalised
as the database gives them back: datetimes in UTC with microseconds, quantities with
three decimals, JSON detail re-encoded. A void is its own event (``voids`` names the
event it voids); voiding never changes the voided event's rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from json.encoder import encode_basestring as _s  # a JSON string, non-ASCII kept (C)
from typing import Any

from django.db import models
from django.utils import timezone

from shilian.chain.models import Document, EventLine, Lot, TraceEvent
from shilian.core.ledger import utc_text

KIND = "chain.event"
VERSION = 1
CHUNK = 400  # ids per IN list: under SQLite's 999 parameters
_MILLI = Decimal("0.001")
_DATETIME = models.DateTimeField()
_DATE = models.DateField()

EVENT_FIELDS = (
    "id",
    "event_type",
    "enterprise_id",
    "occurred_at",
    "recorded_at",
    "recorded_by_id",
    "room",
    "partner_id",
    "counterparty_id",
    "shipment_id",
    "voids_id",
    "recall_id",
    "reference_no",
    "detail",
)
LINE_FIELDS = (
    "id",
    "event_id",
    "enterprise_id",
    "lot_id",
    "role",
    "quantity",
    "unit",
    "lot__enterprise_id",
    "lot__product_id",
    "lot__product_name",
    "lot__code",
    "lot__produced_on",
    "lot__expires_on",
)
DOCUMENT_FIELDS = ("id", "event_id", "kind", "number", "sha256", "size", "content_type", "original_name", "file")


def _when(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        value = _DATETIME.to_python(value)  # what the column would store
    if timezone.is_naive(value):  # as Django stores a naive value: in the default time zone
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return utc_text(value)


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is not dt.date:
        value = _DATE.to_python(value)  # a datetime or a string, as the column would store it
    return value.isoformat()


def _quantity(value: Any) -> str:
    return format(Decimal(str(value)).quantize(_MILLI), "f")


def _plain(value: Any) -> bool:
    """Whether ``value`` encodes as it will read back: every key of every object a string."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return True


def _json(value: Any) -> Any:
    """As the JSON column gives it back (keys become strings; tuples encode as lists)."""
    if value is None:
        return {}
    return value if _plain(value) else json.loads(json.dumps(value))


def _id(value: Any) -> str:
    return "null" if value is None else str(int(value))


def _date_json(value: Any) -> str:
    day = _day(value)
    return "null" if day is None else f'"{day}"'


def _line(row: Sequence[Any]) -> tuple[int, str]:
    (pk, _event, enterprise, lot, role, quantity, unit, lot_enterprise, product, name, code, made, expires) = row
    return int(pk), (
        f'{{"code":{_s(str(code))},"enterprise":{int(enterprise)},"expires_on":{_date_json(expires)},'
        f'"id":{int(pk)},"lot":{int(lot)},"lot_enterprise":{int(lot_enterprise)},'
        f'"produced_on":{_date_json(made)},"product":{_id(product)},"product_name":{_s(str(name))},'
        f'"quantity":"{_quantity(quantity)}","role":{_s(str(role))},"unit":{_s(str(unit))}}}'
    )


def _document(row: Sequence[Any]) -> tuple[int, str]:
    pk, _event, kind, number, sha256, size, content_type, original_name, file = row
    return int(pk), (
        f'{{"content_type":{_s(str(content_type))},"file":{_s(str(file))},"id":{int(pk)},"kind":{_s(str(kind))},'
        f'"number":{_s(str(number))},"original_name":{_s(str(original_name))},"sha256":{_s(str(sha256))},'
        f'"size":{int(size)}}}'
    )


def encode(event: Sequence[Any], lines: Iterable[Sequence[Any]], documents: Iterable[Sequence[Any]]) -> bytes:
    """The canonical bytes from an event row, its line rows and document rows (tuples in
    the order of ``EVENT_FIELDS``, ``LINE_FIELDS``, ``DOCUMENT_FIELDS``).

    Written out field by field, keys in sorted order: the same bytes as
    ``json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` of the
    object in the module docstring, at half the cost (every recorded event is encoded)."""
    (pk, kind, enterprise, occurred, recorded, by, room, partner, counterparty, shipment, voids, recall, ref, detail) = (
        event
    )
    line_list = ",".join(text for _, text in sorted(_line(row) for row in lines))
    document_list = ",".join(text for _, text in sorted(_document(row) for row in documents))
    return (
        f'{{"counterparty":{_id(counterparty)},"detail":{_dumps(_json(detail))},"documents":[{document_list}],'
        f'"enterprise":{int(enterprise)},"id":{int(pk)},"kind":"{KIND}","lines":[{line_list}],'
        f'"occurred_at":"{_when(occurred)}","partner":{_id(partner)},"recall":{_id(recall)},'
        f'"recorded_at":"{_when(recorded)}","recorded_by":{_id(by)},"reference_no":{_s(str(ref))},'
        f'"room":{_s(str(room))},"shipment":{_id(shipment)},"type":{_s(str(kind))},"v":{VERSION},"voids":{_id(voids)}}}'
    ).encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def stored_forms(event_ids: Iterable[int]) -> dict[int, tuple[int, bytes]]:
    """Event id → (enterprise id, canonical bytes), read from the stored rows; events that
    do not exist are absent. Three queries per 400 events."""
    ids = sorted(set(event_ids))
    out: dict[int, tuple[int, bytes]] = {}
    for chunk in _chunks(ids):
        lines: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        documents: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in EventLine.objects.filter(event_id__in=chunk).values_list(*LINE_FIELDS).order_by():
            lines[row[1]].append(row)
        for row in Document.objects.filter(event_id__in=chunk).values_list(*DOCUMENT_FIELDS).order_by():
            documents[row[1]].append(row)
        for row in TraceEvent.objects.filter(pk__in=chunk).values_list(*EVENT_FIELDS).order_by():
            out[row[0]] = (row[2], encode(row, lines[row[0]], documents[row[0]]))
    return out


def event_row(event: TraceEvent) -> tuple[Any, ...]:
    """An event held in memory, as ``values_list(*EVENT_FIELDS)`` would read it."""
    return tuple(getattr(event, name) for name in EVENT_FIELDS)


def document_row(document: Document) -> tuple[Any, ...]:
    """A document held in memory, as ``values_list(*DOCUMENT_FIELDS)`` would read it."""
    return (
        document.pk,
        document.event_id,
        document.kind,
        document.number,
        document.sha256,
        document.size,
        document.content_type,
        document.original_name,
        document.file.name,
    )


def line_row(line: EventLine, lot: Lot) -> tuple[Any, ...]:
    """A line held in memory (with its lot), as ``values_list(*LINE_FIELDS)`` would read it."""
    return (
        line.pk,
        line.event_id,
        line.enterprise_id,
        lot.pk,
        line.role,
        line.quantity,
        line.unit,
        lot.enterprise_id,
        lot.product_id,
        lot.product_name,
        lot.code,
        lot.produced_on,
        lot.expires_on,
    )
