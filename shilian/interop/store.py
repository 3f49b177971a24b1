"""Writing the store: an EPCIS event (a dict) → its ``EpcisEvent`` row and index rows,
written in bulk (a handful of statements for any number of events).

Rows are plain tuples written with multi-row ``INSERT`` statements: building a model
instance per row and letting ``bulk_create`` prepare every field costs several times the
insert itself, and capture writes four rows per event. Values are adapted by the fields'
own ``get_db_prep_save`` where the database needs it (times, decimals, JSON), so the rows
are exactly what the ORM would write. Called by the capture and sync actions, inside their
transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from shilian.core.bulk import insert_rows
from shilian.core.epcis.cbv import BIZ_STEP, BIZ_TRANSACTION_TYPE, DISPOSITION, ERROR_REASON, SOURCE_DEST_TYPE
from shilian.interop.choices import IdentifierRole as R
from shilian.interop.choices import SourceDestKind
from shilian.interop.identifiers import canonical
from shilian.interop.models import ChainLink, EpcisBizTransaction, EpcisEvent, EpcisIdentifier, EpcisSourceDest

EVENT_COLUMNS = (
    "event_id", "event_hash", "event_type", "event_time", "event_time_zone_offset", "record_time", "action",
    "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "has_error_declaration",
    "error_declared_at", "error_reason", "enterprise_id", "trace_event_id", "capture_job_id", "body", "context",
)  # fmt: skip
_EPC_LISTS = (("epcList", R.EPC), ("childEPCs", R.CHILD), ("inputEPCList", R.INPUT), ("outputEPCList", R.OUTPUT))
_QUANTITY_LISTS = (
    ("quantityList", R.QUANTITY),
    ("childQuantityList", R.CHILD_QUANTITY),
    ("inputQuantityList", R.INPUT_QUANTITY),
    ("outputQuantityList", R.OUTPUT_QUANTITY),
)


@dataclass
class StoreRow:
    """One event to store: its ``EpcisEvent`` values (in ``EVENT_COLUMNS`` order) and its
    index rows — identifiers (role, value, quantity, uom), business transactions (type,
    value), sources and destinations (kind, type, value)."""

    values: tuple[Any, ...]
    identifiers: list[tuple[str, str, Decimal | None, str]] = field(default_factory=list)
    biz_transactions: list[tuple[str, str]] = field(default_factory=list)
    sources_dests: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def trace_event_id(self) -> int | None:
        value: int | None = self.values[EVENT_COLUMNS.index("trace_event_id")]
        return value


def parse_time(value: Any) -> dt.datetime:
    """An EPCIS time (validated upstream: RFC 3339 with an offset)."""
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("z", "+00:00"))


def _word(vocabulary: Any, value: Any) -> str:
    text = str(value or "")
    return str(vocabulary.word(text) or text)


def _id_of(value: Any) -> str:
    """``readPoint`` / ``bizLocation`` are ``{"id": …}`` objects."""
    if isinstance(value, dict):
        return canonical(str(value.get("id", "")))
    return ""


def _quantity(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def row_for(
    body: dict[str, Any],
    *,
    event_id: str,
    event_hash: str,
    record_time: dt.datetime,
    context: list[Any],
    enterprise_id: int | None,
    trace_event_id: int | None = None,
    capture_job_id: int | None = None,
) -> StoreRow:
    """The rows for one event. ``body`` is stored as given: put ``eventID`` and
    ``recordTime`` in it first."""
    declaration = body.get("errorDeclaration") if isinstance(body.get("errorDeclaration"), dict) else None
    declared_at = None
    if declaration is not None and "declarationTime" in declaration:
        declared_at = parse_time(declaration["declarationTime"])
    row = StoreRow(
        (
            event_id,
            event_hash,
            str(body.get("type", "")),
            parse_time(body["eventTime"]),
            str(body.get("eventTimeZoneOffset", ""))[:6],
            record_time,
            str(body.get("action", "")),
            _word(BIZ_STEP, body.get("bizStep")),
            _word(DISPOSITION, body.get("disposition")),
            _id_of(body.get("readPoint")),
            _id_of(body.get("bizLocation")),
            str(body.get("transformationID", "")),
            declaration is not None,
            declared_at,
            _word(ERROR_REASON, declaration.get("reason")) if declaration else "",
            enterprise_id,
            trace_event_id,
            capture_job_id,
            body,
            context,
        )
    )
    seen: set[tuple[str, str]] = set()
    for key, role in _EPC_LISTS:
        for value in body.get(key) or ():
            _add_identifier(row, seen, role, value)
    if body.get("parentID"):
        _add_identifier(row, seen, R.PARENT, body["parentID"])
    for key, role in _QUANTITY_LISTS:
        for element in body.get(key) or ():
            if isinstance(element, dict) and element.get("epcClass"):
                quantity = _quantity(element.get("quantity"))
                row.identifiers.append(
                    (role, canonical(str(element["epcClass"])), quantity, str(element.get("uom", ""))[:3])
                )
    for item in body.get("bizTransactionList") or ():
        if isinstance(item, dict) and item.get("bizTransaction"):
            row.biz_transactions.append(
                (_word(BIZ_TRANSACTION_TYPE, item.get("type")), canonical(str(item["bizTransaction"])))
            )
    for key, kind in (("sourceList", SourceDestKind.SOURCE), ("destinationList", SourceDestKind.DESTINATION)):
        for item in body.get(key) or ():
            if isinstance(item, dict) and item.get(kind):
                row.sources_dests.append((kind, _word(SOURCE_DEST_TYPE, item.get("type")), canonical(str(item[kind]))))
    return row


def _add_identifier(row: StoreRow, seen: set[tuple[str, str]], role: str, value: Any) -> None:
    text = canonical(str(value))
    if (role, text) not in seen:
        seen.add((role, text))
        row.identifiers.append((role, text, None, ""))


def insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (values in ``columns`` order) as plain rows (``core.bulk``); their new
    ids in order when ``returning``."""
    return insert_rows(model, columns, rows, returning=returning)


def write(rows: Sequence[StoreRow]) -> list[int]:
    """Insert the events (their ids come back, in order), then each index table."""
    ids = insert(EpcisEvent, EVENT_COLUMNS, [row.values for row in rows], returning=True)
    insert(
        EpcisIdentifier,
        ("event_id", "role", "value", "quantity", "uom"),
        [(pk, *item) for pk, row in zip(ids, rows, strict=True) for item in row.identifiers],
    )
    insert(
        EpcisBizTransaction,
        ("event_id", "type", "value"),
        [(pk, *item) for pk, row in zip(ids, rows, strict=True) for item in row.biz_transactions],
    )
    insert(
        EpcisSourceDest,
        ("event_id", "kind", "type", "value"),
        [(pk, *item) for pk, row in zip(ids, rows, strict=True) for item in row.sources_dests],
    )
    return ids


def link(pairs: Sequence[tuple[int, int]]) -> None:
    """``ChainLink`` rows: (chain event id, stored EPCIS event id)."""
    insert(ChainLink, ("trace_event_id", "event_id"), pairs)
