"""Shipments sent on the platform to the operated enterprise, not yet fully received."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from shilian.chain.choices import EdgeKind, EventType, LineRole
from shilian.chain.models import EventLine, LotEdge
from shilian.registry.models import Enterprise

LIMIT = 100


@dataclass
class IncomingLine:
    line: EventLine
    remaining: Decimal


def incoming_lines(enterprise: Enterprise) -> list[IncomingLine]:
    """Lines of live shipments addressed to ``enterprise`` with quantity still to book in.

    Scoped by construction: only shipments whose on-platform counterparty is the
    enterprise the caller already accessed. What was booked in is read from the
    shipping edges of live receipts (voiding a receipt removes its edges).
    """
    lines = list(
        EventLine.objects.filter(
            event__event_type=EventType.SHIP,
            event__counterparty=enterprise,
            event__voided_by__isnull=True,
            role=LineRole.INPUT,
        )
        .select_related("event", "event__enterprise", "lot")
        .order_by("-event__occurred_at", "pk")[:LIMIT]
    )
    if not lines:
        return []
    received = {
        (row["event__shipment_id"], row["src_id"]): row["total"]
        for row in LotEdge.objects.filter(
            kind=EdgeKind.SHIP, event__shipment_id__in={line.event_id for line in lines}, event__enterprise=enterprise
        )
        .values("event__shipment_id", "src_id")
        .annotate(total=Sum("quantity"))
    }
    out = []
    for line in lines:
        remaining = line.quantity - (received.get((line.event_id, line.lot_id)) or Decimal(0))
        if remaining > 0:
            out.append(IncomingLine(line, remaining))
    return out
