"""Recall impact: how far a recall reaches, aggregated in the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from shilian.chain.queries.trace import Direction, TraceShipment, dec, live_shipments, reach_cte


@dataclass
class HolderRow:
    enterprise_id: int
    unit: str
    lots: int
    quantity_on_hand: Decimal


@dataclass
class RecallImpact:
    root_ids: list[int]
    lot_count: int = 0
    holders: list[HolderRow] = field(default_factory=list)
    shipments: list[TraceShipment] = field(default_factory=list)
    lot_ids: list[int] = field(default_factory=list)


def recall_impact(root_ids: Sequence[int], *, with_lot_ids: bool = False) -> RecallImpact:
    """Every lot downstream of the roots, who holds how much of it, and where it was shipped."""
    roots = [int(i) for i in root_ids]
    impact = RecallImpact(root_ids=roots)
    if not roots:
        return impact
    cte = reach_cte(Direction.FORWARD, len(roots))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{cte} SELECT l.enterprise_id, l.unit, COUNT(*), SUM(l.quantity_on_hand) "
            "FROM chain_lot l JOIN reach r ON r.id = l.id GROUP BY l.enterprise_id, l.unit",
            roots,
        )
        for enterprise_id, unit, lots, quantity in cursor.fetchall():
            impact.lot_count += lots
            impact.holders.append(HolderRow(enterprise_id, unit, lots, dec(quantity or 0)))
        impact.shipments = live_shipments(cursor, cte, roots)
        if with_lot_ids:
            cursor.execute(f"{cte} SELECT id FROM reach", roots)
            impact.lot_ids = [row[0] for row in cursor.fetchall()]
    return impact
