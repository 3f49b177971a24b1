"""Receiving (进货): goods come in from a supplier, with their certificates and invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from shilian.catalog.models import Product
from shilian.chain.actions.documents import Attachment, attach
from shilian.chain.actions.ledger import seal
from shilian.chain.actions.stock import add_line, check_produced_by, new_event, put, to_lot_unit
from shilian.chain.choices import EdgeKind, EventType, LineRole, LotOrigin
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import EventLine, Lot, LotEdge, LotShipment, TraceEvent
from shilian.chain.projections import sync_arrows
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.identifiers import check_lot_code
from shilian.core.units import check_entry_unit, stock_unit
from shilian.registry.models import Enterprise, Partner


def check_dates(produced_on: dt.date | None, expires_on: dt.date | None) -> None:
    if produced_on and expires_on and expires_on < produced_on:
        raise DomainError(
            ChainErrorCode.EXPIRY_BEFORE_PRODUCTION, "保质期截止日早于生产日期 / expiry is before production", field="expires_on"
        )


def check_receipt_dates(
    produced_on: dt.date | None, expires_on: dt.date | None, day: dt.date, *, purchased: bool
) -> None:
    """The dates of goods received on ``day``. Bought in (not a platform shipment's receipt, whose
    dates are the shipper's lot's): not produced later than that day, not already expired then
    (食品安全法 第三十四条). Goods of a shipment are received as they come: returned or gone past their
    date on the way, they are then disposed of."""
    check_dates(produced_on, expires_on)
    if not purchased:
        return
    check_produced_by(produced_on, day, field="produced_on")
    if expires_on is not None and expires_on < day:
        raise DomainError(
            ChainErrorCode.EXPIRED,
            f"已过保质期（至 {expires_on}），不能进货 / expired on {expires_on}: cannot be received",
            field="expires_on",
        )


def find_or_create_lot(
    enterprise_id: int,
    *,
    product: Product | None,
    product_name: str,
    code: str,
    unit: str,
    origin: str,
    produced_on: dt.date | None,
    expires_on: dt.date | None,
    supplier: Partner | None,
    source_key: str,
) -> Lot:
    lot = (
        Lot.objects.select_for_update()
        .filter(enterprise_id=enterprise_id, product_name=product_name, code=code, source_key=source_key)
        .first()
    )
    if lot is None:
        lot = Lot.objects.create(
            enterprise_id=enterprise_id,
            product=product,
            product_name=product_name,
            code=code,
            unit=unit,
            origin=origin,
            produced_on=produced_on,
            expires_on=expires_on,
            supplier=supplier,
            source_key=source_key,
        )
    return lot


def _shipment_source(shipment: TraceEvent, enterprise: Enterprise, source_lot: Lot | None) -> EventLine:
    if shipment.event_type != EventType.SHIP or shipment.counterparty_id != enterprise.pk:
        raise DomainError(ChainErrorCode.SHIPMENT_NOT_FOR_YOU, "这批货不是发给本主体的 / not shipped to you", field="shipment")
    if hasattr(shipment, "voided_by"):
        raise DomainError(ChainErrorCode.ALREADY_VOIDED, "该出库记录已作废 / that shipment was voided", field="shipment")
    lines = list(shipment.lines.select_related("lot"))
    if source_lot is not None:
        lines = [line for line in lines if line.lot_id == source_lot.pk]
    if len(lines) != 1:
        raise DomainError(ChainErrorCode.MISSING_FIELD, "请选择出库单中的批次 / pick the lot of the shipment", field="source_lot")
    return lines[0]


@transaction.atomic
def receive_lot(
    enterprise: Enterprise,
    *,
    acting_user: Any,
    occurred_at: dt.datetime,
    quantity: Any,
    unit: str,
    lot_code: str = "",
    product: Product | None = None,
    product_name: str = "",
    supplier: Partner | None = None,
    shipment: TraceEvent | None = None,
    source_lot: Lot | None = None,
    produced_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    attachments: Sequence[Attachment] = (),
    acceptance: dict[str, Any] | None = None,
    reference_no: str = "",
    room: str = "",
) -> TraceEvent:
    """Record goods received. With ``shipment`` (件件扫码) the lot is the shipper's lot,
    and the two events link so that the trace crosses from shipper to receiver."""
    source_line = _shipment_source(shipment, enterprise, source_lot) if shipment is not None else None
    if source_line is not None:
        source = source_line.lot
        product, product_name, lot_code = source.product, source.product_name, source.code
        produced_on, expires_on = source.produced_on, source.expires_on
        if supplier is None:
            supplier = Partner.objects.filter(enterprise=enterprise, linked_enterprise_id=source.enterprise_id).first()
    if product is not None:
        product_name = product.name
    if not product_name:
        raise DomainError(ChainErrorCode.MISSING_FIELD, "请填写品名 / product name is required", field="product_name")
    try:
        lot_code = check_lot_code(lot_code)
    except ValueError as exc:
        raise DomainError(ChainErrorCode.INVALID_LOT_CODE, str(exc), field="lot_code") from None
    check_receipt_dates(
        produced_on, expires_on, timezone.localtime(occurred_at).date(), purchased=source_line is None
    )
    lot_unit = product.unit if product is not None else unit
    lot = find_or_create_lot(
        enterprise.pk,
        product=product,
        product_name=product_name,
        code=lot_code,
        unit=to_unit_or_default(lot_unit, unit),
        origin=LotOrigin.RECEIVED,
        produced_on=produced_on,
        expires_on=expires_on,
        supplier=supplier,
        source_key=source_key_of(source_line.lot if source_line is not None else None, supplier),
    )
    amount = to_lot_unit(lot, quantity, unit, field="quantity")
    if source_line is not None:
        shipped = LotShipment.objects.select_for_update().get(event=shipment, lot_id=source_line.lot_id)
        if amount + shipped.received > shipped.quantity:
            raise DomainError(
                ChainErrorCode.OVER_SHIPPED,
                f"收货数量超过发货数量 {shipped.quantity} {shipped.unit}（已收 {shipped.received}） / more than was shipped",
                field="quantity",
            )
    event = new_event(
        EventType.RECEIVE,
        enterprise.pk,
        acting_user=acting_user,
        occurred_at=occurred_at,
        partner=supplier,
        counterparty_id=shipment.enterprise_id if shipment is not None else None,
        shipment=shipment,
        reference_no=reference_no,
        room=room,
        detail={"acceptance": acceptance or {}},
    )
    add_line(event, lot, LineRole.OUTPUT, amount)
    put(lot, amount)
    if source_line is not None:
        LotEdge.objects.create(src=source_line.lot, dst=lot, kind=EdgeKind.SHIP, event=event, quantity=amount)
        sync_arrows([lot.pk])
        LotShipment.objects.filter(pk=shipped.pk).update(received=Round(F("received") + amount, 3))
    attach(event, attachments)
    record(
        "chain.receive",
        event,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        lot=lot.pk,
        quantity=str(amount),
        unit=lot.unit,
    )
    seal(event)
    return event


def source_key_of(source_lot: Lot | None, supplier: Partner | None) -> str:
    if source_lot is not None:
        return f"lot:{source_lot.pk}"
    return f"partner:{supplier.pk}" if supplier is not None else ""


def to_unit_or_default(lot_unit: str, given: str) -> str:
    """The unit a new lot is kept in: the product's, else the one the quantity came in (斤 as kg)."""
    try:
        return stock_unit(check_entry_unit(lot_unit or given))
    except ValueError as exc:
        raise DomainError(ChainErrorCode.UNKNOWN_UNIT, str(exc), field="unit") from None
