"""The stock projection: moving quantity in and out of lots, race-safe.

A take is one conditional UPDATE (``… WHERE quantity_on_hand >= q``): of two concurrent
shipments of the last 10 kg, the second finds the row changed and gets no row back,
on SQLite (writers serialised) and PostgreSQL (the WHERE is re-checked after the row lock).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from shilian.chain.actions.ledger import note_line
from shilian.chain.choices import LineRole
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.chain.projections import sync_arrows
from shilian.core.errors import DomainError
from shilian.core.units import COUNTED, Unit, check_entry_unit, convert, stock_unit

QUANTUM = Decimal("0.001")
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's or an ERP's clock may run this far ahead of the server's


def to_lot_unit(lot: Lot | None, quantity: Any, unit: str, *, field: str, lot_unit: str | None = None) -> Decimal:
    """A positive quantity given in ``unit``, expressed in the lot's unit."""
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise DomainError(ChainErrorCode.INVALID_QUANTITY, "数量必须是数字 / quantity must be a number", field=field) from None
    if not value.is_finite() or value <= 0:
        raise DomainError(ChainErrorCode.INVALID_QUANTITY, "数量必须大于0 / quantity must be above zero", field=field)
    try:
        unit = check_entry_unit(unit)
    except ValueError as exc:
        raise DomainError(ChainErrorCode.UNKNOWN_UNIT, str(exc), field=field.replace("quantity", "unit")) from None
    target = lot.unit if lot is not None else (lot_unit or stock_unit(unit))
    try:
        converted = convert(value, unit, target)
    except ValueError as exc:
        raise DomainError(ChainErrorCode.INCOMPATIBLE_UNIT, str(exc), field=field.replace("quantity", "unit")) from None
    converted = converted.quantize(QUANTUM)
    if converted <= 0 or converted >= Decimal("1e11"):
        raise DomainError(ChainErrorCode.INVALID_QUANTITY, "数量超出范围 / quantity out of range", field=field)
    if target in COUNTED and converted != converted.to_integral_value():
        raise DomainError(
            ChainErrorCode.INVALID_QUANTITY, f"按{Unit(target).label}计数，须为整数 / a count of {target}: a whole number",
            field=field,
        )
    return converted


def _on_grid(expression: Any) -> Round:
    """SQLite keeps decimals as floats: round every stored sum to the field's 3 places, or
    1 − 0.9 leaves 0.0999…98 and the last 0.1 kg can no longer be taken."""
    return Round(expression, 3)


def take(lot: Lot, quantity: Decimal, *, field: str, count_in: bool = False) -> None:
    """Take ``quantity`` out of the lot; ``count_in`` also undoes it as received (a void)."""
    changes: dict[str, Any] = {"quantity_on_hand": _on_grid(F("quantity_on_hand") - quantity)}
    if count_in:
        changes["quantity_in"] = _on_grid(F("quantity_in") - quantity)
    enough = GreaterThanOrEqual(_on_grid(F("quantity_on_hand")), quantity)
    taken = Lot.objects.filter(enough, pk=lot.pk).update(**changes)
    if not taken:
        lot.refresh_from_db(fields=["quantity_on_hand"])
        raise DomainError(
            ChainErrorCode.INSUFFICIENT_STOCK,
            f"库存不足：{lot} 现有 {lot.quantity_on_hand} {lot.unit} / only {lot.quantity_on_hand} {lot.unit} in stock",
            field=field,
        )
    sync_arrows([lot.pk])
    lot.quantity_on_hand -= quantity
    if count_in:
        lot.quantity_in -= quantity


def put(lot: Lot, quantity: Decimal, *, count_in: bool = True) -> None:
    """Put ``quantity`` into the lot; ``count_in`` counts it as received or produced."""
    changes: dict[str, Any] = {"quantity_on_hand": _on_grid(F("quantity_on_hand") + quantity)}
    if count_in:
        changes["quantity_in"] = _on_grid(F("quantity_in") + quantity)
    Lot.objects.filter(pk=lot.pk).update(**changes)
    sync_arrows([lot.pk])
    lot.quantity_on_hand += quantity
    if count_in:
        lot.quantity_in += quantity


def add_line(event: TraceEvent, lot: Lot, role: LineRole, quantity: Decimal) -> EventLine:
    line = EventLine.objects.create(
        event=event, enterprise_id=event.enterprise_id, lot=lot, role=role, quantity=quantity, unit=lot.unit
    )
    note_line(event, line, lot)
    return line


def check_same_enterprise(lot: Lot, enterprise_id: int, *, field: str) -> None:
    if lot.enterprise_id != enterprise_id:
        raise DomainError(ChainErrorCode.WRONG_ENTERPRISE, "批次不属于本主体 / the lot belongs to another enterprise", field=field)


def check_not_recalled(lot: Lot, *, field: str) -> None:
    """Read the status inside the transaction: the caller's copy may predate a recall."""
    lot.status = Lot.objects.values_list("status", flat=True).get(pk=lot.pk)
    if lot.status == "recalled":
        raise DomainError(ChainErrorCode.LOT_RECALLED, f"{lot} 已召回，不能使用 / is recalled and cannot be used", field=field)


def check_occurred_at(occurred_at: dt.datetime, *, now: dt.datetime | None = None) -> None:
    """An event is recorded once it has happened: not later than now (and a clock's skew)."""
    if occurred_at > (now or timezone.now()) + CLOCK_SKEW:
        raise DomainError(
            ChainErrorCode.IN_THE_FUTURE, "发生时间晚于现在 / the time it happened is in the future", field="occurred_at"
        )


def check_not_expired(lot: Lot, day: dt.date, *, field: str, returning_to: int | None = None) -> None:
    """A lot past its expiry date (保质期至) on ``day`` may not be used or sold (食品安全法 第三十四条):
    it can go back to the supplier it came from (``returning_to``, the customer partner) or be disposed of."""
    if lot.expires_on is None or lot.expires_on >= day:
        return
    if returning_to is not None and lot.supplier_id == returning_to:
        return
    raise DomainError(
        ChainErrorCode.EXPIRED,
        f"{lot} 已过保质期（至 {lot.expires_on}），只能退回供货者或销毁 / expired on {lot.expires_on}: "
        "return it to its supplier or dispose of it",
        field=field,
    )


def check_produced_by(produced_on: dt.date | None, day: dt.date, *, field: str) -> None:
    """A lot's production date is not after the day it was received or made."""
    if produced_on is not None and produced_on > day:
        raise DomainError(
            ChainErrorCode.PRODUCED_LATER,
            f"生产日期 {produced_on} 晚于 {day} / the production date is after the day of this record",
            field=field,
        )


def new_event(event_type: str, enterprise_id: int, *, acting_user: Any, occurred_at: Any, **fields: Any) -> TraceEvent:
    check_occurred_at(occurred_at)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return TraceEvent.objects.create(
        event_type=event_type, enterprise_id=enterprise_id, recorded_by=user, occurred_at=occurred_at, **fields
    )
