"""Checking parsed ledger rows against the enterprise's records, and turning them into the
batch operations ``record_batch`` applies.

Every row is checked and every problem reported (row, column, message), not just the first:
products by name and specification, partners by name (new ones are listed, to be added on
import), dates in order, units convertible, and for shipping the lot found, not recalled, and
enough in stock, counting the earlier rows of the same file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shilian.catalog.access import products_for
from shilian.catalog.models import Product
from shilian.chain.access import lots_for
from shilian.chain.actions import ReceiveOp, ShipLine, ShipOp
from shilian.chain.actions.batch import Operation
from shilian.chain.choices import LotStatus
from shilian.chain.models import Lot
from shilian.core.access import Perm
from shilian.core.units import convert
from shilian.interop.ledgers.columns import FIELDS, LedgerKind, RowError
from shilian.interop.ledgers.reader import LedgerRow, ParsedLedger
from shilian.registry.access import partners_for
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise, Partner

QUANTUM = Decimal("0.001")
DATE_ONLY_TIME = dt.time(12, 0)  # a ledger row with a date and no time: noon, or now if that is later
_BATCH_FIELD = re.compile(r"^operations\[(\d+)\](?:\.(?:lines|inputs|outputs)\[(\d+)\])?(?:\.(\w+))?")
_ERROR_COLUMNS = {
    "quantity": "quantity",
    "unit": "unit",
    "lot": "lot_code",
    "lot_code": "lot_code",
    "source_lot": "lot_code",
    "product_name": "product_name",
    "expires_on": "expires_on",
    "produced_on": "produced_on",
    "customer": "partner_name",
    "supplier": "partner_name",
}


@dataclass(frozen=True)
class NewPartner:
    """A supplier or customer named in the file and not yet in the enterprise's list."""

    name: str
    kind: str
    uscc: str = ""
    contact: str = ""
    first_row: int = 0


@dataclass
class PlannedRow:
    row: LedgerRow
    occurred_at: dt.datetime
    partner_name: str  # "" for a sale at retail
    product: Product | None = None  # receiving
    lot: Lot | None = None  # shipping
    amount: Decimal = Decimal(0)  # shipping: in the lot's unit


@dataclass
class Plan:
    kind: LedgerKind
    enterprise: Enterprise
    columns: dict[str, str]
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    partners: dict[str, Partner] = field(default_factory=dict)  # existing ones the rows name
    new_partners: list[NewPartner] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: LedgerRow | int | None, key: str, message: str) -> None:
        number = row.number if isinstance(row, LedgerRow) else row
        self.errors.append(RowError(number, self.column(key), message))

    def column(self, key: str) -> str:
        if not key:
            return ""
        default = next((spec.header for spec in FIELDS[self.kind] if spec.key == key), key)
        return self.columns.get(key, default)

    def operations(self, partners: Mapping[str, Partner]) -> tuple[list[Operation], list[list[int]]]:
        """The batch, with ``partners`` holding every partner named (new ones added by now);
        and for each operation the row numbers of its lines, to place the batch's errors."""
        if self.kind is LedgerKind.RECEIVING:
            return [self._receive(planned, partners) for planned in self.rows], [[p.row.number] for p in self.rows]
        groups: dict[tuple[Any, ...], list[PlannedRow]] = {}
        for planned in self.rows:
            reference = planned.row.values.get("reference_no") or ""
            key = (planned.occurred_at, planned.partner_name, reference) if reference else ("row", planned.row.number)
            groups.setdefault(key, []).append(planned)
        ops: list[Operation] = []
        numbers: list[list[int]] = []
        for rows in groups.values():
            first = rows[0]
            ops.append(
                ShipOp(
                    occurred_at=first.occurred_at,
                    lines=[ShipLine(p.lot, p.row.values["quantity"], p.row.values["unit"]) for p in rows if p.lot],
                    customer=partners[first.partner_name] if first.partner_name else None,
                    reference_no=first.row.values.get("reference_no") or "",
                )
            )
            numbers.append([p.row.number for p in rows])
        return ops, numbers

    def _receive(self, planned: PlannedRow, partners: Mapping[str, Partner]) -> ReceiveOp:
        values = planned.row.values
        return ReceiveOp(
            occurred_at=planned.occurred_at,
            quantity=values["quantity"],
            unit=values["unit"],
            lot_code=values["lot_code"],
            product=planned.product,
            product_name=values["product_name"],
            supplier=partners[planned.partner_name],
            produced_on=values.get("produced_on"),
            expires_on=values.get("expires_on"),
            reference_no=values.get("reference_no") or "",
        )

    def batch_error(self, field_path: str | None, message: str, numbers: list[list[int]]) -> RowError:
        """A ``record_batch`` error (``operations[3].lines[0].quantity``) on its row and column."""
        match = _BATCH_FIELD.match(field_path or "")
        if not match:
            return RowError(None, "", message)
        op, line, name = int(match[1]), int(match[2] or 0), match[3] or ""
        rows = numbers[op] if op < len(numbers) else []
        number = rows[line] if line < len(rows) else (rows[0] if rows else None)
        return RowError(number, self.column(_ERROR_COLUMNS.get(name, "")), message)


def plan_ledger(enterprise: Enterprise, parsed: ParsedLedger, *, user: Any) -> Plan:
    """Check every row; the plan lists the errors (none: it can be imported)."""
    plan = Plan(parsed.kind, enterprise, parsed.columns, errors=list(parsed.errors))
    bad_rows = {error.row for error in parsed.errors}
    rows = [row for row in parsed.rows if row.number not in bad_rows]
    _plan_partners(plan, rows, user)
    if parsed.kind is LedgerKind.RECEIVING:
        _plan_receiving(plan, rows, user)
    else:
        _plan_shipping(plan, rows, user)
    plan.errors.sort(key=lambda e: (e.row or 0, e.column))
    return plan


def event_time(value: dt.date | dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a row's event happened: its own time, or for a date alone noon of that day, or `now` if that is
    earlier (today's row in the morning). `now` is the plan's one clock reading, so today is never "future"."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    return min(timezone.make_aware(dt.datetime.combine(value, DATE_ONLY_TIME)), now)


def _plan_partners(plan: Plan, rows: list[LedgerRow], user: Any) -> None:
    names = sorted({row.values["partner_name"] for row in rows if row.values.get("partner_name")})
    existing = partners_for(user, Perm.OPERATE).filter(enterprise=plan.enterprise, name__in=names)
    plan.partners = {partner.name: partner for partner in existing}
    kind = PartnerKind.SUPPLIER if plan.kind is LedgerKind.RECEIVING else PartnerKind.CUSTOMER
    new: dict[str, NewPartner] = {}
    for row in rows:
        name, uscc = row.values.get("partner_name") or "", row.values.get("partner_uscc") or ""
        if not name:
            if uscc:
                plan.error(row, "partner_name", "填写了信用代码，请同时填写名称 / name the partner of this credit code")
            continue
        known = plan.partners.get(name)
        if known is not None:
            if uscc and known.uscc and uscc != known.uscc:
                plan.error(
                    row,
                    "partner_uscc",
                    f"与已登记的“{name}”信用代码 {known.uscc} 不一致 / differs from the one on file",
                )
            continue
        first = new.get(name)
        if first is None:
            new[name] = NewPartner(name, kind, uscc, row.values.get("partner_contact") or "", row.number)
        elif uscc and first.uscc and uscc != first.uscc:
            plan.error(
                row,
                "partner_uscc",
                f"与第 {first.first_row} 行“{name}”的信用代码不一致 / differs from row {first.first_row}",
            )
    plan.new_partners = list(new.values())


def _plan_receiving(plan: Plan, rows: list[LedgerRow], user: Any) -> None:
    names = sorted({row.values["product_name"] for row in rows})
    products: dict[str, list[Product]] = defaultdict(list)
    for product in products_for(user, Perm.OPERATE).filter(enterprise=plan.enterprise, name__in=names).order_by("pk"):
        products[product.name].append(product)
    now = timezone.now()
    for row in rows:
        values = row.values
        occurred_at = event_time(values["occurred_at"], now)
        day = timezone.localtime(occurred_at).date()
        errors_before = len(plan.errors)
        if occurred_at > now:
            plan.error(row, "occurred_at", "进货时间在未来 / time is in the future")
        produced_on, expires_on = values.get("produced_on"), values.get("expires_on")
        if produced_on and expires_on and expires_on < produced_on:
            plan.error(row, "expires_on", "保质期截止日早于生产日期 / expiry is before production")
        elif expires_on and expires_on < day:
            plan.error(row, "expires_on", "进货时已过保质期 / expired when it was received")
        if produced_on and produced_on > day:
            plan.error(row, "produced_on", "生产日期晚于进货日期 / produced after it was received")
        product = _product(plan, row, products.get(values["product_name"], []))
        if product is not None and not _convertible(values["unit"], product.unit):
            plan.error(
                row,
                "unit",
                f"不能换算为产品“{product.name}”的单位 {product.unit} / incompatible with the product's unit",
            )
        if len(plan.errors) == errors_before:
            plan.rows.append(PlannedRow(row, occurred_at, values["partner_name"], product=product))


def _product(plan: Plan, row: LedgerRow, candidates: list[Product]) -> Product | None:
    """The catalog product the row names (name and specification), or None for a free name."""
    specification = row.values.get("specification") or ""
    if specification:
        return next((p for p in candidates if p.specification == specification), None)
    if len(candidates) > 1:
        specs = "、".join(p.specification or "—" for p in candidates)
        plan.error(
            row,
            "specification",
            f"产品“{row.values['product_name']}”有多个规格（{specs}），请填写规格 / which specification?",
        )
        return None
    return candidates[0] if candidates else None


def _plan_shipping(plan: Plan, rows: list[LedgerRow], user: Any) -> None:
    codes = sorted({row.values["lot_code"] for row in rows})
    lots: dict[tuple[str, str], list[Lot]] = defaultdict(list)
    for lot in lots_for(user, Perm.OPERATE).filter(enterprise=plan.enterprise, code__in=codes).order_by("pk"):
        lots[(lot.product_name, lot.code)].append(lot)
    left: dict[int, Decimal] = {}
    now = timezone.now()
    for row in rows:
        values = row.values
        occurred_at = event_time(values["occurred_at"], now)
        errors_before = len(plan.errors)
        if occurred_at > now:
            plan.error(row, "occurred_at", "销售时间在未来 / time is in the future")
        found = lots.get((values["product_name"], values["lot_code"]), [])
        if not found:
            plan.error(
                row,
                "lot_code",
                f"没有品名“{values['product_name']}”批号“{values['lot_code']}”的批次 / no such lot in your records",
            )
            continue
        if len(found) > 1:
            plan.error(
                row,
                "lot_code",
                f"有 {len(found)} 个同名同批号的批次（来自不同供货者），请在出库页面记录 / several lots match",
            )
            continue
        lot = found[0]
        if lot.status == LotStatus.RECALLED:
            plan.error(row, "lot_code", f"{lot} 已召回，不能销售 / the lot is recalled")
            continue
        partner = plan.partners.get(values.get("partner_name") or "")
        returned = partner is not None and partner.pk == lot.supplier_id  # back to its supplier it may go
        if lot.expires_on and lot.expires_on < timezone.localtime(occurred_at).date() and not returned:
            plan.error(row, "lot_code", f"{lot} 已过保质期（至 {lot.expires_on}），不能销售 / expired: it cannot be sold")
            continue
        try:
            amount = convert(values["quantity"], values["unit"], lot.unit).quantize(QUANTUM)
        except ValueError:
            plan.error(row, "unit", f"不能换算为批次的单位 {lot.unit} / incompatible with the lot's unit")
            continue
        remaining = left.setdefault(lot.pk, lot.quantity_on_hand)
        if amount <= 0:
            plan.error(row, "quantity", "数量太小 / quantity too small")
        elif amount > remaining:
            taken = lot.quantity_on_hand - remaining
            earlier = f"，本文件前面的行已出 {_plain(taken)} {lot.unit}" if taken else ""
            plan.error(
                row,
                "quantity",
                f"库存不足：{lot} 现有 {_plain(lot.quantity_on_hand)} {lot.unit}{earlier}"
                f" / only {_plain(remaining)} {lot.unit} left",
            )
        else:
            left[lot.pk] = remaining - amount
        if len(plan.errors) == errors_before:
            plan.rows.append(PlannedRow(row, occurred_at, values.get("partner_name") or "", lot=lot, amount=amount))


def _plain(quantity: Decimal) -> str:
    """50.000 → "50", 0.500 → "0.5" (no exponent)."""
    return format(quantity.normalize(), "f")


def _convertible(unit: str, target: str) -> bool:
    try:
        convert(Decimal(1), unit, target)
    except (ValueError, KeyError):
        return False
    return True
