"""Shipments sent on the platform to the operated enterprise, not yet fully received."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from shilian.chain.access import incoming_shipments_for
from shilian.chain.choices import EdgeKind, LineRole
from shilian.chain.models import EventLine, LotEdge
from shilian.registry.models import Enterprise

LIMIT = 100


@dataclass
class IncomingLine:
    line: EventLine
    remaining: Decimal


def incoming_lines(user: Any, enterprise: Enterprise) -> list[IncomingLine]:
    """Lines of the shipments ``incoming_shipments_for`` gives, with the quantity still to book in.

    A shipment still open may have lines already booked in in full: those are left out.
    """
    lines = list(
        EventLine.objects.filter(event__in=incoming_shipments_for(user, enterprise), role=LineRole.INPUT)
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
