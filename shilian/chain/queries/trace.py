"""One-click trace: the lot graph walked by one recursive query, in either direction.

Forward reaches every lot made from or shipped as the roots, the enterprises holding
them, and every shipment out of them (customers off the platform, retail, goods in
transit). Backward reaches every input lot and the suppliers at the platform's edge.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

QUANTUM = Decimal("0.001")


def dec(value: Any) -> Decimal:
    """A quantity from a raw row (SQLite hands back floats or ints)."""
    if isinstance(value, Decimal):
        return value.quantize(QUANTUM)
    return Decimal(str(value)).quantize(QUANTUM)


def as_datetime(value: Any) -> Any:
    """An aware datetime from a raw row: SQLite hands back UTC as text or as a naive datetime."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def as_date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class Direction(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"


_STEP = {
    Direction.FORWARD: "SELECT e.dst_id FROM chain_lotedge e JOIN reach r ON e.src_id = r.id",
    Direction.BACKWARD: "SELECT e.src_id FROM chain_lotedge e JOIN reach r ON e.dst_id = r.id",
}


def reach_cte(direction: Direction, n_roots: int) -> str:
    placeholders = ", ".join(["%s"] * n_roots)
    return (
        "WITH RECURSIVE reach(id) AS ("
        f"SELECT id FROM chain_lot WHERE id IN ({placeholders}) UNION {_STEP[direction]})"
    )


@dataclass
class TraceLot:
    id: int
    enterprise_id: int
    product_id: int | None
    product_name: str
    code: str
    unit: str
    quantity_on_hand: Decimal
    status: str
    origin: str
    produced_on: Any
    expires_on: Any
    supplier_id: int | None
    gtin: str | None = None  # filled in by the report, with the two names a GTIN gives the lot:
    epc_class: str | None = None  # urn:epc:class:lgtin:…
    digital_link: str | None = None  # https://id.gs1.org/01/…/10/…


@dataclass
class TraceShipment:
    event_id: int
    enterprise_id: int
    lot_id: int
    quantity: Decimal
    unit: str
    occurred_at: Any
    partner_id: int | None
    counterparty_id: int | None
    retail: bool
    received: Decimal = Decimal(0)

    @property
    def in_transit(self) -> Decimal:
        return self.quantity - self.received if self.counterparty_id else Decimal(0).quantize(QUANTUM)


@dataclass
class TraceResult:
    direction: Direction
    root_ids: list[int]
    lots: dict[int, TraceLot] = field(default_factory=dict)
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # (from lot, to lot, kind)
    shipments: list[TraceShipment] = field(default_factory=list)

    @property
    def enterprise_ids(self) -> set[int]:
        ids = {lot.enterprise_id for lot in self.lots.values()}
        ids.update(s.counterparty_id for s in self.shipments if s.counterparty_id)
        return ids

    def holders(self) -> dict[int, dict[str, Decimal]]:
        """enterprise id → unit → quantity on hand, over the reached lots (roots included)."""
        out: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for lot in self.lots.values():
            if lot.quantity_on_hand > 0:
                out[lot.enterprise_id][lot.unit] += lot.quantity_on_hand
        return out

    def children(self) -> dict[int, list[int]]:
        """For drawing a tree: parent lot → next lots in the trace direction."""
        out: dict[int, list[int]] = defaultdict(list)
        for src, dst, _kind in self.edges:
            a, b = (src, dst) if self.direction is Direction.FORWARD else (dst, src)
            if b not in out[a]:
                out[a].append(b)
        return out


# One statement returns the reached lots, the edges among them and the shipments out of
# them, each aggregated to a JSON array in the database: the walk runs once (a CTE used
# three times is materialised once by both engines) and Python parses three strings.
_LOT_COLUMNS = (
    "l.id, l.enterprise_id, l.product_id, l.product_name, l.code, l.unit, l.quantity_on_hand, "
    "l.status, l.origin, l.produced_on, l.expires_on, l.supplier_id"
)
_EDGE_COLUMNS = "e.src_id, e.dst_id, e.kind"
_SHIPMENT_COLUMNS = (
    "s.event_id, s.enterprise_id, s.lot_id, s.quantity, s.unit, s.occurred_at, s.partner_id, s.counterparty_id, s.received"
)
_AGGREGATE = {
    "postgresql": "COALESCE(json_agg(json_build_array({})), '[]')",
    "sqlite": "json_group_array(json_array({}))",
}


def _trace_sql(vendor: str, direction: Direction, n_roots: int, *, with_edges: bool) -> str:
    agg = _AGGREGATE["postgresql" if vendor == "postgresql" else "sqlite"]
    edge_join = "e.src_id" if direction is Direction.FORWARD else "e.dst_id"
    parts = [f"(SELECT {agg.format(_LOT_COLUMNS)} FROM chain_lot l JOIN reach r ON r.id = l.id)"]
    parts.append(
        f"(SELECT {agg.format(_EDGE_COLUMNS)} FROM chain_lotedge e JOIN reach r ON {edge_join} = r.id)"
        if with_edges
        else "NULL"
    )
    parts.append(
        f"(SELECT {agg.format(_SHIPMENT_COLUMNS)} FROM chain_lotshipment s JOIN reach r ON s.lot_id = r.id)"
        if direction is Direction.FORWARD
        else "NULL"
    )
    return f"{reach_cte(direction, n_roots)} SELECT {', '.join(parts)}"


def _rows(raw: Any) -> list[list[Any]]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else json.loads(raw, parse_float=Decimal)


def trace(root_ids: Sequence[int], direction: Direction, *, with_edges: bool = True) -> TraceResult:
    """Walk the lot graph from ``root_ids``: one statement whatever the size."""
    roots = [int(i) for i in root_ids]
    result = TraceResult(direction=direction, root_ids=roots)
    if not roots:
        return result
    with connection.cursor() as cursor:
        cursor.execute(_trace_sql(connection.vendor, direction, len(roots), with_edges=with_edges), roots)
        lots, edges, shipments = cursor.fetchone()
    for row in _rows(lots):
        lot = TraceLot(*row)
        lot.quantity_on_hand = dec(lot.quantity_on_hand)
        lot.produced_on, lot.expires_on = as_date(lot.produced_on), as_date(lot.expires_on)
        result.lots[lot.id] = lot
    result.edges = [(s, d, k) for s, d, k in _rows(edges)]
    result.shipments = [
        TraceShipment(
            event_id=event_id,
            enterprise_id=enterprise_id,
            lot_id=lot_id,
            quantity=dec(qty),
            unit=unit,
            occurred_at=as_datetime(occurred_at),
            partner_id=partner_id,
            counterparty_id=counterparty_id,
            retail=partner_id is None and counterparty_id is None,
            received=dec(received),
        )
        for event_id, enterprise_id, lot_id, qty, unit, occurred_at, partner_id, counterparty_id, received in _rows(shipments)
    ]
    return result
