"""Production (生产加工): input lots consumed, output lots made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from shilian.catalog.models import Product
from shilian.chain.actions.ledger import seal
from shilian.chain.actions.receiving import check_dates
from shilian.chain.actions.stock import (
    add_line,
    check_not_expired,
    check_not_recalled,
    check_produced_by,
    check_same_enterprise,
    new_event,
    put,
    take,
    to_lot_unit,
)
from shilian.chain.choices import EdgeKind, EventType, LineRole, LotOrigin
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import Lot, LotEdge, TraceEvent
from shilian.chain.projections import sync_arrows
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.identifiers import check_lot_code
from shilian.registry.models import Enterprise


@dataclass(frozen=True)
class InputSpec:
    lot: Lot
    quantity: Any
    unit: str


@dataclass(frozen=True)
class OutputSpec:
    product: Product
    quantity: Any
    unit: str
    lot_code: str = ""
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None


def next_lot_code(enterprise_id: int, product_name: str, day: dt.date) -> str:
    """``YYYYMMDD`` + a two-digit sequence, the first free one for the product that day."""
    stem = day.strftime("%Y%m%d")
    taken = set(
        Lot.objects.filter(enterprise_id=enterprise_id, product_name=product_name, source_key="", code__startswith=stem).values_list(
            "code", flat=True
        )
    )
    n = 1
    while f"{stem}{n:02d}" in taken:
        n += 1
    return f"{stem}{n:02d}"


@transaction.atomic
def record_transformation(
    enterprise: Enterprise,
    *,
    inputs: Sequence[InputSpec],
    outputs: Sequence[OutputSpec],
    occurred_at: dt.datetime,
    acting_user: Any,
    room: str = "",
    note: str = "",
) -> TraceEvent:
    """Consume the input lots and create one new lot per output; expiry from shelf life."""
    if not inputs:
        raise DomainError(ChainErrorCode.NO_INPUTS, "请至少选择一个原料批次 / pick at least one input lot", field="inputs")
    if not outputs:
        raise DomainError(ChainErrorCode.NO_OUTPUTS, "请填写产出 / add at least one output", field="outputs")
    event = new_event(
        EventType.TRANSFORM, enterprise.pk, acting_user=acting_user, occurred_at=occurred_at, room=room,
        detail={"note": note} if note else {},
    )
    local_day = timezone.localtime(occurred_at).date()
    consumed: list[tuple[Lot, Any]] = []
    for i, spec in enumerate(inputs):
        field = f"inputs[{i}].quantity"
        check_same_enterprise(spec.lot, enterprise.pk, field=f"inputs[{i}].lot")
        check_not_recalled(spec.lot, field=f"inputs[{i}].lot")
        check_not_expired(spec.lot, local_day, field=f"inputs[{i}].lot")
        amount = to_lot_unit(spec.lot, spec.quantity, spec.unit, field=field)
        take(spec.lot, amount, field=field)
        add_line(event, spec.lot, LineRole.INPUT, amount)
        consumed.append((spec.lot, amount))
    made: list[Lot] = []
    for i, out in enumerate(outputs):
        if out.product.enterprise_id != enterprise.pk:
            raise DomainError(ChainErrorCode.WRONG_ENTERPRISE, "产品不属于本主体 / not your product", field=f"outputs[{i}].product")
        produced_on = out.produced_on or local_day
        check_produced_by(produced_on, local_day, field=f"outputs[{i}].produced_on")
        expires_on = out.expires_on
        if expires_on is None and out.product.shelf_life_days:
            expires_on = produced_on + dt.timedelta(days=out.product.shelf_life_days)
        try:
            check_dates(produced_on, expires_on)
        except DomainError as exc:
            exc.field = f"outputs[{i}].expires_on"
            raise
        if out.lot_code:
            try:
                code = check_lot_code(out.lot_code)
            except ValueError as exc:
                raise DomainError(ChainErrorCode.INVALID_LOT_CODE, str(exc), field=f"outputs[{i}].lot_code") from None
            if Lot.objects.filter(enterprise=enterprise, product_name=out.product.name, code=code, source_key="").exists():
                raise DomainError(
                    ChainErrorCode.DUPLICATE_LOT_CODE, "批号已被使用 / lot code already used", field=f"outputs[{i}].lot_code"
                )
        else:
            code = next_lot_code(enterprise.pk, out.product.name, produced_on)
        lot = Lot.objects.create(
            enterprise=enterprise,
            product=out.product,
            product_name=out.product.name,
            code=code,
            unit=out.product.unit,
            origin=LotOrigin.PRODUCED,
            produced_on=produced_on,
            expires_on=expires_on,
        )
        amount = to_lot_unit(lot, out.quantity, out.unit, field=f"outputs[{i}].quantity")
        put(lot, amount)
        add_line(event, lot, LineRole.OUTPUT, amount)
        made.append(lot)
    LotEdge.objects.bulk_create(
        [
            LotEdge(src=src, dst=dst, kind=EdgeKind.TRANSFORM, event=event, quantity=amount)
            for src, amount in consumed
            for dst in made
        ]
    )
    sync_arrows([lot.pk for lot in made])
    record(
        "chain.transform",
        event,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        inputs=[lot.pk for lot, _ in consumed],
        outputs=[lot.pk for lot in made],
    )
    seal(event)
    return event
