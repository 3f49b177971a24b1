"""What a plan holds: the chain operations an EPCIS document maps to, before they are written.

A draft names lots, partners and shipments by *handle*: a row that already exists, or the
row an earlier draft of the same plan will write. ``apply`` turns handles into rows (or
``BatchRef``s within one ``record_batch``) as it goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shilian.catalog.models import Product
from shilian.chain.models import Lot, TraceEvent
from shilian.registry.models import Enterprise, Partner


@dataclass(eq=False)
class Step:
    """Drafts for one enterprise, run together: one ``record_batch`` (``batch``), or one action."""

    enterprise: Enterprise
    batch: bool
    drafts: list[Draft] = field(default_factory=list)


@dataclass(eq=False)
class LotHandle:
    """A lot: ``lot`` when it exists, else output ``line`` of draft ``op`` of ``step``."""

    lot: Lot | None = None
    step: Step | None = None
    op: int = 0
    line: int = 0


@dataclass(eq=False)
class EventHandle:
    """A chain event: ``event`` when it exists, else the one draft ``op`` of ``step`` writes."""

    event: TraceEvent | None = None
    step: Step | None = None
    op: int = 0


@dataclass(frozen=True)
class NewPartner:
    """A partner to add to ``enterprise``'s address book (registry ``add_partner``)."""

    enterprise: Enterprise
    name: str
    uscc: str = ""
    linked: Enterprise | None = None
    address: str = ""
    gln: str = ""


@dataclass(eq=False)
class PartnerHandle:
    partner: Partner | None = None
    new: NewPartner | None = None


@dataclass(frozen=True)
class Line:
    """A lot and a quantity of it; ``pointer`` is its ``quantityList`` element."""

    lot: LotHandle
    quantity: Decimal
    unit: str
    pointer: str


@dataclass(frozen=True)
class OutputDraft:
    product: Product
    quantity: Decimal
    unit: str
    lot_code: str
    produced_on: dt.date | None
    expires_on: dt.date | None
    pointer: str


@dataclass(eq=False)
class Draft:
    """One chain operation of event ``event_index``; ``pointers`` turn an action's field
    names (``inputs[0]``, ``quantity``) into JSON pointers into the event."""

    event_index: int
    occurred_at: dt.datetime
    pointers: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class ReceiveDraft(Draft):
    quantity: Decimal = Decimal(0)
    unit: str = ""
    product: Product | None = None
    lot_code: str = ""
    supplier: PartnerHandle | None = None
    shipment: EventHandle | None = None
    source_lot: LotHandle | None = None
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None
    reference_no: str = ""


@dataclass(eq=False)
class TransformDraft(Draft):
    inputs: list[Line] = field(default_factory=list)
    outputs: list[OutputDraft] = field(default_factory=list)


@dataclass(eq=False)
class ShipDraft(Draft):
    lines: list[Line] = field(default_factory=list)
    customer: PartnerHandle | None = None
    reference_no: str = ""


@dataclass(eq=False)
class InspectDraft(Draft):
    lot: LotHandle = field(default_factory=LotHandle)
    kind: str = "self"
    passed: bool = True
    items: list[dict[str, Any]] = field(default_factory=list)
    lab: str = ""
    report_no: str = ""


@dataclass(eq=False)
class RecallDraft(Draft):
    lot: LotHandle = field(default_factory=LotHandle)
    reason: str = ""


@dataclass(eq=False)
class DisposeDraft(Draft):
    line: Line | None = None
    reason: str = ""


@dataclass(eq=False)
class VoidDraft(Draft):
    """An error declaration about a stored event: void the chain event it recorded."""

    target: EventHandle = field(default_factory=EventHandle)
    reason: str = ""
