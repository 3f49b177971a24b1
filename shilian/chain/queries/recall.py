"""Recall impact: how far a recall reaches, aggregated in the database in one statement.

The recursive walk runs once; holders (lots and quantity on hand per enterprise) and
customers (quantity shipped out of reached lots, per shipper and destination) are both
grouped in SQL, so the answer stays small however many lots are reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from shilian.chain.queries.trace import Direction, dec, reach_cte


@dataclass
class HolderRow:
    enterprise_id: int
    unit: str
    lots: int
    quantity_on_hand: Decimal


@dataclass
class CustomerRow:
    """Everything one enterprise shipped out of reached lots to one destination, in one unit."""

    enterprise_id: int
    partner_id: int | None
    counterparty_id: int | None
    unit: str
    shipments: int
    quantity: Decimal
    received: Decimal

    @property
    def retail(self) -> bool:
        return self.partner_id is None and self.counterparty_id is None

    @property
    def in_transit(self) -> Decimal:
        return self.quantity - self.received if self.counterparty_id else Decimal(0)


@dataclass
class RecallImpact:
    root_ids: list[int]
    lot_count: int = 0
    holders: list[HolderRow] = field(default_factory=list)
    customers: list[CustomerRow] = field(default_factory=list)
    lot_ids: list[int] = field(default_factory=list)

    @property
    def shipment_count(self) -> int:
        return sum(c.shipments for c in self.customers)


_IMPACT = (
    "SELECT 'h', l.enterprise_id, NULL, NULL, l.unit, COUNT(*), SUM(l.quantity_on_hand), NULL "
    "FROM chain_lot l JOIN reach r ON r.id = l.id GROUP BY l.enterprise_id, l.unit "
    "UNION ALL "
    "SELECT 's', s.enterprise_id, s.partner_id, s.counterparty_id, s.unit, COUNT(*), SUM(s.quantity), SUM(s.received) "
    "FROM chain_lotshipment s JOIN reach r ON s.lot_id = r.id "
    "GROUP BY s.enterprise_id, s.partner_id, s.counterparty_id, s.unit"
)


def recall_impact(root_ids: Sequence[int], *, with_lot_ids: bool = False) -> RecallImpact:
    """Every lot downstream of the roots, who holds how much of it, and where it was shipped."""
    roots = [int(i) for i in root_ids]
    impact = RecallImpact(root_ids=roots)
    if not roots:
        return impact
    cte = reach_cte(Direction.FORWARD, len(roots))
    with connection.cursor() as cursor:
        cursor.execute(f"{cte} {_IMPACT}", roots)
        for kind, enterprise_id, partner_id, counterparty_id, unit, n, quantity, received in cursor.fetchall():
            if kind == "h":
                impact.lot_count += n
                impact.holders.append(HolderRow(enterprise_id, unit, n, dec(quantity or 0)))
            else:
                impact.customers.append(
                    CustomerRow(enterprise_id, partner_id, counterparty_id, unit, n, dec(quantity), dec(received or 0))
                )
        if with_lot_ids:
            cursor.execute(f"{cte} SELECT id FROM reach", roots)
            impact.lot_ids = [row[0] for row in cursor.fetchall()]
    impact.holders.sort(key=lambda h: (h.enterprise_id, h.unit))
    impact.customers.sort(key=lambda c: (c.enterprise_id, c.counterparty_id or 0, c.partner_id or 0, c.unit))
    return impact
