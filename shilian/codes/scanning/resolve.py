"""What a scanned code means to the enterprise receiving goods.

The code names a lot publicly (``codes.queries.lot_for_key``); what this enterprise may
do with it comes only from the shipments sent *to it* (``chain.access.incoming_shipments_for``).
Nothing else about the named lot is read for the page beyond what its public consumer
page shows (product name, lot code, dates): never its stock or where else it went.

A lot travels: a distributor who receives the producer's lot books it in as a lot of
its own and ships that on. So the lines offered are those of the named lot or of any
lot it became through platform shipments (``ship`` edges), not through production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import F

from shilian.chain.access import incoming_shipments_for, lots_for
from shilian.chain.choices import EdgeKind
from shilian.chain.models import Lot, LotEdge, LotShipment
from shilian.codes.digital_link import CodeKey, DigitalLinkError
from shilian.codes.queries import lot_for_key, product_for_key
from shilian.core.access import Perm
from shilian.registry.access import partners_for
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise

MAX_HOPS = 12  # platform shipments a lot may pass through before it reaches the receiver
LINE_LIMIT = 50


class Outcome(StrEnum):
    OPEN = "open"  # shipments of it sent to this enterprise wait to be booked in
    RECEIVED = "received"  # it was shipped to this enterprise and is booked in already
    NOT_SHIPPED = "not_shipped"  # a lot on the platform, but not shipped here (or the shipment was voided)
    UNKNOWN = "unknown"  # no lot on the platform under this code: the supplier is off the platform
    PRODUCT_NOT_SHIPPED = "product_not_shipped"  # a product code (EAN) with no open shipment of it here


@dataclass
class OpenLine:
    line: LotShipment  # the shipped lot, its shipment event, what was booked in so far
    remaining: Decimal


@dataclass
class Resolution:
    key: CodeKey
    outcome: Outcome
    lines: list[OpenLine] = field(default_factory=list)
    received: list[Lot] = field(default_factory=list)  # this enterprise's lots booked in from it
    prefill: dict[str, str] = field(default_factory=dict)  # what the code tells, for the receive form


def _open_lines(user: Any, enterprise: Enterprise) -> Any:
    return (
        LotShipment.objects.filter(event__in=incoming_shipments_for(user, enterprise), quantity__gt=F("received"))
        .select_related("event", "event__enterprise", "lot")
        .order_by("-event__occurred_at", "pk")
    )


def shipped_onwards(lot_id: int) -> set[int]:
    """The lot and every lot it became by platform shipments (one query per hop)."""
    reached = {lot_id}
    frontier = {lot_id}
    for _ in range(MAX_HOPS):
        frontier = (
            set(LotEdge.objects.filter(src_id__in=frontier, kind=EdgeKind.SHIP).values_list("dst_id", flat=True))
            - reached
        )
        if not frontier:
            break
        reached |= frontier
    return reached


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _prefill(key: CodeKey, *, name: str = "", lot: Lot | None = None, supplier: int | None = None) -> dict[str, str]:
    data = {
        "product_name": name,
        "lot_code": key.lot or (lot.code if lot else ""),
        "produced_on": _iso(key.produced_on or (lot.produced_on if lot else None)),
        "expires_on": _iso(key.expires_on or (lot.expires_on if lot else None)),
        "supplier": str(supplier) if supplier else "",
    }
    return {k: v for k, v in data.items() if v}


def _supplier_partner(user: Any, enterprise: Enterprise, producer_id: int) -> int | None:
    """This enterprise's supplier entry for the producer, when it has one linked to it."""
    return (
        partners_for(user, Perm.OPERATE)
        .filter(
            enterprise=enterprise, linked_enterprise_id=producer_id, kind__in=[PartnerKind.SUPPLIER, PartnerKind.BOTH]
        )
        .values_list("pk", flat=True)
        .first()
    )


def _lines(query: Any) -> list[OpenLine]:
    return [OpenLine(line, line.quantity - line.received) for line in query[:LINE_LIMIT]]


def _product_level(user: Any, enterprise: Enterprise, key: CodeKey) -> Resolution:
    lines = _lines(_open_lines(user, enterprise).filter(lot__product__gtin=key.gtin))
    if lines:
        return Resolution(key, Outcome.OPEN, lines=lines)
    try:
        name = product_for_key(key).name
    except DigitalLinkError:
        name = ""
    return Resolution(key, Outcome.PRODUCT_NOT_SHIPPED, prefill=_prefill(key, name=name))


def resolve(user: Any, enterprise: Enterprise, key: CodeKey) -> Resolution:
    """What ``enterprise`` (operated by ``user``) can do with the goods the code names.

    Raises ``DigitalLinkError`` (400) only for a code ``lot_for_key`` finds malformed.
    """
    if key.lot is None and key.short is None:
        return _product_level(user, enterprise, key)
    try:
        lot = lot_for_key(key)
    except DigitalLinkError as exc:
        if exc.status != 404:
            raise
        return Resolution(key, Outcome.UNKNOWN, prefill=_prefill(key))
    reach = shipped_onwards(lot.pk)
    lines = _lines(_open_lines(user, enterprise).filter(lot_id__in=reach))
    if lines:
        return Resolution(key, Outcome.OPEN, lines=lines)
    received = list(
        lots_for(user, Perm.OPERATE)
        .filter(enterprise=enterprise, source_key__in=[f"lot:{pk}" for pk in sorted(reach)])
        .order_by("pk")
    )
    if received:
        return Resolution(key, Outcome.RECEIVED, received=received)
    supplier = _supplier_partner(user, enterprise, lot.enterprise_id)
    return Resolution(
        key, Outcome.NOT_SHIPPED, prefill=_prefill(key, name=lot.product_name, lot=lot, supplier=supplier)
    )
