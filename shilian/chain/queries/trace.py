"""One-click trace: the lot graph walked by one recursive query, in either direction.

Forward reaches every lot made from or shipped as the roots, the enterprises holding
them, and every shipment out of them (customers off the platform, retail, goods in
transit). Backward reaches every input lot and the suppliers at the platform's edge.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from shilian.chain.choices import EventType

QUANTUM = Decimal("0.001")


def dec(value: Any) -> Decimal:
    """A quantity from a raw row (SQLite hands back floats or ints)."""
    return Decimal(str(value)).quantize(QUANTUM)


def as_datetime(value: Any) -> Any:
    """An aware datetime from a raw row: SQLite hands back UTC as text or as a naive datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def as_date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


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
        return self.quantity - self.received if self.counterparty_id else Decimal(0)


@dataclass
class TraceResult:
    direction: Direction
    root_ids: list[int]
    lots: dict[int, TraceLot] = field(default_factory=dict)
    edges: list[tuple[int, int, str, Decimal]] = field(default_factory=list)
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
        for src, dst, _kind, _qty in self.edges:
            a, b = (src, dst) if self.direction is Direction.FORWARD else (dst, src)
            if b not in out[a]:
                out[a].append(b)
        return out


def trace(root_ids: Sequence[int], direction: Direction, *, with_edges: bool = True) -> TraceResult:
    """Walk the lot graph from ``root_ids``; three statements whatever the size."""
    roots = [int(i) for i in root_ids]
    result = TraceResult(direction=direction, root_ids=roots)
    if not roots:
        return result
    cte = reach_cte(direction, len(roots))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{cte} SELECT l.id, l.enterprise_id, l.product_id, l.product_name, l.code, l.unit, "
            "l.quantity_on_hand, l.status, l.origin, l.produced_on, l.expires_on, l.supplier_id "
            "FROM chain_lot l JOIN reach r ON r.id = l.id",
            roots,
        )
        for row in cursor.fetchall():
            lot = TraceLot(*row)
            lot.quantity_on_hand = dec(lot.quantity_on_hand)
            lot.produced_on, lot.expires_on = as_date(lot.produced_on), as_date(lot.expires_on)
            result.lots[lot.id] = lot
        if with_edges:
            join = "e.src_id" if direction is Direction.FORWARD else "e.dst_id"
            cursor.execute(
                f"{cte} SELECT e.src_id, e.dst_id, e.kind, e.quantity FROM chain_lotedge e JOIN reach r ON {join} = r.id",
                roots,
            )
            result.edges = [(s, d, k, dec(q)) for s, d, k, q in cursor.fetchall()]
        if direction is Direction.FORWARD:
            result.shipments = live_shipments(cursor, cte, roots)
    return result


def live_shipments(cursor: Any, cte: str, roots: list[int]) -> list[TraceShipment]:
    """Every live shipment out of a reached lot, with what the receiver has booked in."""
    cursor.execute(
        f"{cte} SELECT ev.id, ev.enterprise_id, el.lot_id, el.quantity, el.unit, ev.occurred_at, "
        "ev.partner_id, ev.counterparty_id, "
        "(SELECT COALESCE(SUM(rl.quantity), 0) FROM chain_traceevent rv "
        " JOIN chain_eventline rl ON rl.event_id = rv.id "
        " WHERE rv.shipment_id = ev.id AND rv.event_type = %s "
        " AND NOT EXISTS (SELECT 1 FROM chain_traceevent x WHERE x.voids_id = rv.id)) "
        "FROM reach r JOIN chain_eventline el ON el.lot_id = r.id "
        "JOIN chain_traceevent ev ON ev.id = el.event_id "
        "WHERE ev.event_type = %s AND NOT EXISTS (SELECT 1 FROM chain_traceevent v WHERE v.voids_id = ev.id)",
        [*roots, EventType.RECEIVE.value, EventType.SHIP.value],
    )
    out = []
    for event_id, enterprise_id, lot_id, qty, unit, occurred_at, partner_id, counterparty_id, received in cursor.fetchall():
        out.append(
            TraceShipment(
                event_id=event_id,
                enterprise_id=enterprise_id,
                lot_id=lot_id,
                quantity=dec(qty),
                unit=unit,
                occurred_at=as_datetime(occurred_at),
                partner_id=partner_id,
                counterparty_id=counterparty_id,
                retail=partner_id is None,
                received=dec(received),
            )
        )
    return out
