"""Shipments sent on the platform to the operated enterprise, not yet fully received."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F

from shilian.chain.access import incoming_shipments_for
from shilian.chain.models import LotShipment
from shilian.registry.models import Enterprise

LIMIT = 100


@dataclass
class IncomingLine:
    line: LotShipment  # the shipped lot, its shipment event and what was booked in so far
    remaining: Decimal


def incoming_lines(user: Any, enterprise: Enterprise) -> list[IncomingLine]:
    """Lines of the shipments ``incoming_shipments_for`` gives, with the quantity still to book in.

    A shipment still open may have lines already booked in in full: those are left out.
    """
    lines = (
        LotShipment.objects.filter(event__in=incoming_shipments_for(user, enterprise), quantity__gt=F("received"))
        .select_related("event", "event__enterprise", "lot")
        .order_by("-event__occurred_at", "pk")[:LIMIT]
    )
    return [IncomingLine(line, line.quantity - line.received) for line in lines]
