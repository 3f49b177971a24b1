"""Shipping (销售出库) and disposal: quantity leaves a lot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from shilian.chain.actions.documents import Attachment, attach
from shilian.chain.actions.ledger import seal
from shilian.chain.actions.stock import (
    add_line,
    check_not_expired,
    check_not_recalled,
    check_same_enterprise,
    new_event,
    take,
    to_lot_unit,
)
from shilian.chain.choices import EventType, LineRole
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import Lot, LotShipment, TraceEvent
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.registry.models import Enterprise, Partner


@dataclass(frozen=True)
class ShipLine:
    lot: Lot
    quantity: Any
    unit: str


@transaction.atomic
def ship_lots(
    enterprise: Enterprise,
    *,
    lines: Sequence[ShipLine],
    occurred_at: dt.datetime,
    acting_user: Any,
    customer: Partner | None = None,
    reference_no: str = "",
    attachments: Sequence[Attachment] = (),
) -> TraceEvent:
    """Ship lots to a customer (on the platform or off it), or sell at retail when no customer."""
    if not lines:
        raise DomainError(ChainErrorCode.NO_INPUTS, "请选择要出库的批次 / pick at least one lot", field="lines")
    if customer is not None and customer.enterprise_id != enterprise.pk:
        raise DomainError(ChainErrorCode.WRONG_ENTERPRISE, "不是本主体的客户 / not your customer", field="customer")
    event = new_event(
        EventType.SHIP,
        enterprise.pk,
        acting_user=acting_user,
        occurred_at=occurred_at,
        partner=customer,
        counterparty_id=customer.linked_enterprise_id if customer is not None else None,
        reference_no=reference_no,
        detail={"retail": customer is None},
    )
    day = timezone.localtime(occurred_at).date()
    for i, spec in enumerate(lines):
        field = f"lines[{i}].quantity"
        check_same_enterprise(spec.lot, enterprise.pk, field=f"lines[{i}].lot")
        check_not_recalled(spec.lot, field=f"lines[{i}].lot")
        check_not_expired(spec.lot, day, field=f"lines[{i}].lot", returning_to=customer.pk if customer else None)
        amount = to_lot_unit(spec.lot, spec.quantity, spec.unit, field=field)
        # the shipment row first: taking the stock copies the lot onto its arrows, shipped now
        LotShipment.objects.create(
            event=event,
            lot=spec.lot,
            enterprise=enterprise,
            partner=customer,
            counterparty_id=event.counterparty_id,
            occurred_at=occurred_at,
            quantity=amount,
            unit=spec.lot.unit,
        )
        take(spec.lot, amount, field=field)
        add_line(event, spec.lot, LineRole.INPUT, amount)
    attach(event, attachments)
    record(
        "chain.ship",
        event,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        customer=customer.pk if customer is not None else None,
    )
    seal(event)
    return event


@transaction.atomic
def dispose_lot(
    lot: Lot, *, quantity: Any, unit: str, reason: str, occurred_at: dt.datetime, acting_user: Any
) -> TraceEvent:
    """Destroy or discard part or all of a lot (expired, damaged, recalled)."""
    if not reason.strip():
        raise DomainError(ChainErrorCode.MISSING_FIELD, "请填写处置原因 / a reason is required", field="reason")
    amount = to_lot_unit(lot, quantity, unit, field="quantity")
    event = new_event(
        EventType.DISPOSE, lot.enterprise_id, acting_user=acting_user, occurred_at=occurred_at, detail={"reason": reason}
    )
    take(lot, amount, field="quantity")
    add_line(event, lot, LineRole.INPUT, amount)
    record(
        "chain.dispose",
        event,
        acting_user=acting_user,
        jurisdiction_code=lot.enterprise.jurisdiction_id,
        lot=lot.pk,
        quantity=str(amount),
        reason=reason,
    )
    seal(event)
    return event
