"""Corrections (更正): a new event voids an old one and undoes its effect on the projections."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from shilian.chain.actions.inspection import test_status_of
from shilian.chain.actions.ledger import seal
from shilian.chain.actions.stock import add_line, new_event, put, take
from shilian.chain.choices import EdgeKind, EventType, LineRole
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import Lot, LotEdge, LotShipment, TraceEvent
from shilian.core.errors import DomainError
from shilian.core.history import record

_NOT_VOIDABLE = {EventType.VOID, EventType.RECALL}


@transaction.atomic
def void_event(event: TraceEvent, *, reason: str, acting_user: Any) -> TraceEvent:
    """Void ``event``: stock moves back, its lot-graph edges go, a void event records why."""
    if not reason.strip():
        raise DomainError(ChainErrorCode.MISSING_FIELD, "请填写更正原因 / a reason is required", field="reason")
    event = TraceEvent.objects.select_for_update().get(pk=event.pk)
    if TraceEvent.objects.filter(voids=event).exists():
        raise DomainError(ChainErrorCode.ALREADY_VOIDED, "该记录已作废 / already voided", field="event")
    if event.event_type in _NOT_VOIDABLE:
        raise DomainError(ChainErrorCode.CANNOT_VOID, "此类记录不能作废 / this kind of event cannot be voided", field="event")
    if event.receipts.filter(voided_by__isnull=True).exists():
        raise DomainError(
            ChainErrorCode.CANNOT_VOID, "对方已收货，请先作废收货记录 / the receiver booked it in; void that first",
            field="event",
        )
    void = new_event(
        EventType.VOID,
        event.enterprise_id,
        acting_user=acting_user,
        occurred_at=timezone.now(),
        voids=event,
        detail={"reason": reason},
    )
    # a voided shipment's rows go first: putting its lots back copies them onto their arrows,
    # which then say whether the lots still have shipments out
    LotShipment.objects.filter(event=event).delete()
    for line in event.lines.select_related("lot"):
        lot = line.lot
        if line.role == LineRole.INPUT:
            put(lot, line.quantity, count_in=False)
            add_line(void, lot, LineRole.OUTPUT, line.quantity)
        elif line.role == LineRole.OUTPUT:
            try:
                take(lot, line.quantity, field="event", count_in=True)
            except DomainError:
                raise DomainError(
                    ChainErrorCode.CANNOT_VOID,
                    f"{lot} 已被使用，不能作废 / its quantity was used since; void those events first",
                    field="event",
                ) from None
            add_line(void, lot, LineRole.INPUT, line.quantity)
        else:
            add_line(void, lot, LineRole.OBJECT, line.quantity)
    if event.shipment_id is not None:  # a receipt of an on-platform shipment: reopen what it booked in
        for edge in event.edges.filter(kind=EdgeKind.SHIP):
            LotShipment.objects.filter(event_id=event.shipment_id, lot_id=edge.src_id).update(
                received=Round(F("received") - edge.quantity, 3)
            )
    LotEdge.objects.filter(event=event).delete()
    if event.event_type == EventType.INSPECT:
        for lot in Lot.objects.filter(event_lines__event=event):
            Lot.objects.filter(pk=lot.pk).update(test_status=test_status_of(lot))
    record(
        "chain.void",
        void,
        acting_user=acting_user,
        jurisdiction_code=event.enterprise.jurisdiction_id,
        voided=event.pk,
        reason=reason,
    )
    seal(void)
    return void
