"""Batch recording (批量记录): many receipts, transformations and shipments of one
enterprise in one transaction, with a handful of statements for the whole batch.

``record_batch`` applies its operations in order with the rules of ``receive_lot``,
``record_transformation`` and ``ship_lots`` and writes exactly the rows they would write
one by one: events, lines, lots, lot-graph edges, shipment rows, stock and one history
row per event. It reads what it needs first (a few queries; the lots it touches locked
in one), checks and moves stock in Python, in order, and then writes with bulk
statements, so the number of statements follows the number of tables, not of events.

An operation may use a lot received or made earlier in the same batch: put a
``BatchRef`` where ``InputSpec.lot`` or ``ShipLine.lot`` takes a lot. Any error rolls the
whole batch back; its field is prefixed with the operation: ``operations[3].inputs[0].quantity``.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shilian.catalog.models import Product
from shilian.chain.actions.ledger import seal_many
from shilian.chain.actions.production import InputSpec, OutputSpec
from shilian.chain.actions.receiving import check_dates, check_receipt_dates, source_key_of, to_unit_or_default
from shilian.chain.actions.shipping import ShipLine
from shilian.chain.actions.stock import (
    QUANTUM,
    check_not_expired,
    check_not_recalled,
    check_occurred_at,
    check_produced_by,
    check_same_enterprise,
    to_lot_unit,
)
from shilian.chain.choices import EdgeKind, EventType, LineRole, LotOrigin, LotStatus
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import EventLine, Lot, LotEdge, LotShipment, TraceEvent
from shilian.chain.projections import sync_arrows
from shilian.core.bulk import insert_objects, insert_rows
from shilian.core.errors import DomainError
from shilian.core.history import current_operation
from shilian.core.identifiers import check_lot_code
from shilian.core.models import HistoryEntry
from shilian.registry.models import Enterprise, Partner

# Values per IN list and pairs per OR: each query stays under SQLite's 999 parameters.
CHUNK = 400
PAIRS = 100
ZERO = Decimal("0.000")
T = TypeVar("T")


@dataclass(frozen=True)
class BatchRef:
    """The lot that operation ``index`` of the same batch received, or made as output ``line``."""

    index: int
    line: int = 0


@dataclass(frozen=True)
class ReceiveOp:
    """Goods received: the arguments of ``receive_lot``, without attachments."""

    occurred_at: dt.datetime
    quantity: Any
    unit: str
    lot_code: str = ""
    product: Product | None = None
    product_name: str = ""
    supplier: Partner | None = None
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None
    shipment: TraceEvent | None = None
    source_lot: Lot | None = None
    reference_no: str = ""
    room: str = ""
    acceptance: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class TransformOp:
    """Input lots consumed into new output lots: the arguments of ``record_transformation``.

    An input's ``lot`` may be a ``BatchRef``.
    """

    occurred_at: dt.datetime
    inputs: Sequence[InputSpec] = ()
    outputs: Sequence[OutputSpec] = ()
    room: str = ""
    note: str = ""


@dataclass(frozen=True)
class ShipOp:
    """Lots shipped or sold: the arguments of ``ship_lots``, without attachments.

    A line's ``lot`` may be a ``BatchRef``.
    """

    occurred_at: dt.datetime
    lines: Sequence[ShipLine] = ()
    customer: Partner | None = None
    reference_no: str = ""


Operation = ReceiveOp | TransformOp | ShipOp


@transaction.atomic
def record_batch(enterprise: Enterprise, operations: Sequence[Operation], *, acting_user: Any) -> list[TraceEvent]:
    """Record ``operations`` in order, all or nothing; returns their events, in order."""
    batch = _Batch(enterprise, operations, acting_user)
    batch.prefetch()
    for i, op in enumerate(operations):
        try:
            batch.apply(op)
        except DomainError as exc:
            exc.field = f"operations[{i}].{exc.field}" if exc.field else f"operations[{i}]"
            raise
    return batch.write()


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Batch:
    """The batch's plan: what it read, and the rows it will write."""

    def __init__(self, enterprise: Enterprise, operations: Sequence[Operation], acting_user: Any) -> None:
        self.enterprise = enterprise
        self.operations = operations
        self.user = acting_user if acting_user is not None and acting_user.is_authenticated else None
        self.now = timezone.now()
        # read up front
        self.locked: dict[int, Lot] = {}  # lots referenced by id or found by code, locked
        self.by_key: dict[tuple[str, str, str], Lot] = {}  # (product name, code, source key) → lot, new ones too
        self.made_codes: dict[str, set[str]] = defaultdict(set)  # product name → YYYYMMDDnn codes made here
        self.next_seq: dict[tuple[str, str], int] = {}  # (product name, YYYYMMDD) → first sequence maybe free
        self.voided: set[int] = set()
        self.shipment_lines: dict[int, list[EventLine]] = defaultdict(list)
        self.shipped: dict[tuple[int, int], LotShipment] = {}
        self.linked_partners: dict[int, Partner] = {}
        # to write
        self.made: list[list[Lot]] = []  # per operation, the lots it received or made
        self.new_lots: list[Lot] = []
        self.touched: dict[int, Lot] = {}
        self.events: list[TraceEvent] = []
        # rows that need ids not given out yet: instances are made in ``write``
        self.lines: list[tuple[TraceEvent, Lot, str, Decimal]] = []
        self.edges: list[tuple[TraceEvent, Lot, Lot, str, Decimal]] = []  # event, source, destination, kind, quantity
        self.shipments: list[tuple[TraceEvent, Lot, Decimal]] = []
        self.received: dict[int, LotShipment] = {}
        self.history: list[tuple[str, TraceEvent, Callable[[], dict[str, Any]]]] = []

    # -- reading ----------------------------------------------------------------------

    def prefetch(self) -> None:
        receipts = [op for op in self.operations if isinstance(op, ReceiveOp)]
        shipment_ids = sorted({op.shipment.pk for op in receipts if op.shipment is not None})
        for ids in _chunks(shipment_ids):
            self.voided.update(TraceEvent.objects.filter(voids_id__in=ids).values_list("voids_id", flat=True))
            for line in EventLine.objects.filter(event_id__in=ids).select_related("lot__product").order_by("pk"):
                self.shipment_lines[line.event_id].append(line)
            for row in LotShipment.objects.select_for_update().filter(event_id__in=ids).order_by("pk"):
                self.shipped.setdefault((row.event_id, row.lot_id), row)
        linked = sorted(
            {
                line.lot.enterprise_id
                for op in receipts
                if op.shipment is not None and op.supplier is None
                for line in self.shipment_lines[op.shipment.pk]
            }
        )
        for ids in _chunks(linked):
            for partner in Partner.objects.filter(enterprise=self.enterprise, linked_enterprise_id__in=ids):
                self.linked_partners.setdefault(partner.linked_enterprise_id or 0, partner)  # ordered by name: .first()
        self._lock_lots()
        self._read_made_codes()

    def _lock_lots(self) -> None:
        """Lock, in one query per chunk, the lots named by id and those a code may find."""
        ids: set[int] = set()
        codes: set[str] = set()
        for op in self.operations:
            if isinstance(op, ReceiveOp):
                codes.add(op.lot_code.strip())
                if op.shipment is not None:
                    codes.update(line.lot.code.strip() for line in self.shipment_lines[op.shipment.pk])
            elif isinstance(op, TransformOp):
                ids.update(spec.lot.pk for spec in op.inputs if isinstance(spec.lot, Lot) and spec.lot.pk is not None)
                codes.update(out.lot_code.strip() for out in op.outputs if out.lot_code)
            elif isinstance(op, ShipOp):
                ids.update(spec.lot.pk for spec in op.lines if isinstance(spec.lot, Lot) and spec.lot.pk is not None)
        codes.discard("")
        id_chunks, code_chunks = list(_chunks(sorted(ids))), list(_chunks(sorted(codes)))
        for k in range(max(len(id_chunks), len(code_chunks))):
            parts = [Q(pk__in=id_chunks[k])] if k < len(id_chunks) else []
            if k < len(code_chunks):
                parts.append(Q(enterprise_id=self.enterprise.pk, code__in=code_chunks[k]))
            where = functools.reduce(operator.or_, parts)
            for lot in Lot.objects.select_for_update().filter(where).order_by("pk"):
                self.locked[lot.pk] = lot
                if lot.enterprise_id == self.enterprise.pk:
                    self.by_key[(lot.product_name, lot.code, lot.source_key)] = lot

    def _read_made_codes(self) -> None:
        """The codes ``next_lot_code`` would see for the outputs that get a generated code."""
        pairs = sorted(
            {
                (out.product.name, _produced_on(out, op).strftime("%Y%m%d"))
                for op in self.operations
                if isinstance(op, TransformOp)
                for out in op.outputs
                if not out.lot_code
            }
        )
        for chunk in _chunks(pairs, PAIRS):
            where = functools.reduce(
                operator.or_, (Q(product_name=name, code__startswith=stem) for name, stem in chunk)
            )
            rows = Lot.objects.filter(where, enterprise_id=self.enterprise.pk, source_key="")
            for name, code in rows.values_list("product_name", "code"):
                self.made_codes[name].add(code)

    # -- planning -----------------------------------------------------------------------

    def apply(self, op: Operation) -> None:
        if isinstance(op, ReceiveOp):
            self.made.append(self._receive(op))
        elif isinstance(op, TransformOp):
            self.made.append(self._transform(op))
        elif isinstance(op, ShipOp):
            self.made.append(self._ship(op))
        else:
            raise TypeError(f"not a batch operation: {op!r}")

    def _receive(self, op: ReceiveOp) -> list[Lot]:
        product, product_name, lot_code, supplier = op.product, op.product_name, op.lot_code, op.supplier
        produced_on, expires_on = op.produced_on, op.expires_on
        source = self._shipment_source(op.shipment, op.source_lot) if op.shipment is not None else None
        if source is not None:
            shipped_lot = source.lot
            product, product_name, lot_code = shipped_lot.product, shipped_lot.product_name, shipped_lot.code
            produced_on, expires_on = shipped_lot.produced_on, shipped_lot.expires_on
            if supplier is None:
                supplier = self.linked_partners.get(shipped_lot.enterprise_id)
        if product is not None:
            product_name = product.name
        if not product_name:
            raise DomainError(
                ChainErrorCode.MISSING_FIELD, "请填写品名 / product name is required", field="product_name"
            )
        try:
            lot_code = check_lot_code(lot_code)
        except ValueError as exc:
            raise DomainError(ChainErrorCode.INVALID_LOT_CODE, str(exc), field="lot_code") from None
        check_receipt_dates(produced_on, expires_on, timezone.localtime(op.occurred_at).date(), purchased=source is None)
        unit = to_unit_or_default(product.unit if product is not None else op.unit, op.unit)
        source_key = source_key_of(source.lot if source is not None else None, supplier)
        lot = self.by_key.get((product_name, lot_code, source_key))
        if lot is None:
            lot = self._new_lot(
                product=product,
                product_name=product_name,
                code=lot_code,
                unit=unit,
                origin=LotOrigin.RECEIVED,
                produced_on=produced_on,
                expires_on=expires_on,
                supplier=supplier,
                source_key=source_key,
            )
        amount = to_lot_unit(lot, op.quantity, op.unit, field="quantity")
        if source is not None and op.shipment is not None:
            shipped = self.shipped.get((op.shipment.pk, source.lot_id))
            if shipped is None:
                raise LotShipment.DoesNotExist(f"no shipment row for event {op.shipment.pk}, lot {source.lot_id}")
            if amount + shipped.received > shipped.quantity:
                raise DomainError(
                    ChainErrorCode.OVER_SHIPPED,
                    f"收货数量超过发货数量 {shipped.quantity} {shipped.unit}（已收 {shipped.received}） / more than was shipped",
                    field="quantity",
                )
            shipped.received += amount
            self.received[shipped.pk] = shipped
        event = self._event(
            EventType.RECEIVE,
            op.occurred_at,
            partner=supplier,
            counterparty_id=op.shipment.enterprise_id if op.shipment is not None else None,
            shipment=op.shipment,
            reference_no=op.reference_no,
            room=op.room,
            detail={"acceptance": dict(op.acceptance or {})},
        )
        self._line(event, lot, LineRole.OUTPUT, amount)
        self._put(lot, amount)
        if source is not None:
            self.edges.append((event, source.lot, lot, EdgeKind.SHIP, amount))
        self.history.append(
            ("chain.receive", event, lambda: {"lot": lot.pk, "quantity": str(amount), "unit": lot.unit})
        )
        return [lot]

    def _shipment_source(self, shipment: TraceEvent, source_lot: Lot | None) -> EventLine:
        """``receiving._shipment_source`` on the lines read up front."""
        if shipment.event_type != EventType.SHIP or shipment.counterparty_id != self.enterprise.pk:
            raise DomainError(
                ChainErrorCode.SHIPMENT_NOT_FOR_YOU, "这批货不是发给本主体的 / not shipped to you", field="shipment"
            )
        if shipment.pk in self.voided:
            raise DomainError(
                ChainErrorCode.ALREADY_VOIDED, "该出库记录已作废 / that shipment was voided", field="shipment"
            )
        lines = self.shipment_lines[shipment.pk]
        if source_lot is not None:
            lines = [line for line in lines if line.lot_id == source_lot.pk]
        if len(lines) != 1:
            raise DomainError(
                ChainErrorCode.MISSING_FIELD, "请选择出库单中的批次 / pick the lot of the shipment", field="source_lot"
            )
        return lines[0]

    def _transform(self, op: TransformOp) -> list[Lot]:
        if not op.inputs:
            raise DomainError(
                ChainErrorCode.NO_INPUTS, "请至少选择一个原料批次 / pick at least one input lot", field="inputs"
            )
        if not op.outputs:
            raise DomainError(ChainErrorCode.NO_OUTPUTS, "请填写产出 / add at least one output", field="outputs")
        event = self._event(
            EventType.TRANSFORM, op.occurred_at, room=op.room, detail={"note": op.note} if op.note else {}
        )
        day = timezone.localtime(op.occurred_at).date()
        consumed = [self._take_line(event, spec, f"inputs[{i}]", day) for i, spec in enumerate(op.inputs)]
        made: list[Lot] = []
        for i, out in enumerate(op.outputs):
            if out.product.enterprise_id != self.enterprise.pk:
                raise DomainError(
                    ChainErrorCode.WRONG_ENTERPRISE,
                    "产品不属于本主体 / not your product",
                    field=f"outputs[{i}].product",
                )
            produced_on = _produced_on(out, op)
            check_produced_by(produced_on, day, field=f"outputs[{i}].produced_on")
            expires_on = out.expires_on
            if expires_on is None and out.product.shelf_life_days:
                expires_on = produced_on + dt.timedelta(days=out.product.shelf_life_days)
            try:
                check_dates(produced_on, expires_on)
            except DomainError as exc:
                exc.field = f"outputs[{i}].expires_on"
                raise
            lot = self._new_lot(
                product=out.product,
                product_name=out.product.name,
                code=self._output_code(out, produced_on, field=f"outputs[{i}].lot_code"),
                unit=out.product.unit,
                origin=LotOrigin.PRODUCED,
                produced_on=produced_on,
                expires_on=expires_on,
            )
            amount = to_lot_unit(lot, out.quantity, out.unit, field=f"outputs[{i}].quantity")
            self._put(lot, amount)
            self._line(event, lot, LineRole.OUTPUT, amount)
            made.append(lot)
        self.edges.extend((event, src, dst, EdgeKind.TRANSFORM, amount) for src, amount in consumed for dst in made)
        self.history.append(
            (
                "chain.transform",
                event,
                lambda: {"inputs": [lot.pk for lot, _ in consumed], "outputs": [lot.pk for lot in made]},
            )
        )
        return made

    def _output_code(self, out: OutputSpec, produced_on: dt.date, *, field: str) -> str:
        """The given code, checked and unused; else ``next_lot_code``'s, counting this batch's codes."""
        name = out.product.name
        if out.lot_code:
            try:
                code = check_lot_code(out.lot_code)
            except ValueError as exc:
                raise DomainError(ChainErrorCode.INVALID_LOT_CODE, str(exc), field=field) from None
            if (name, code, "") in self.by_key:
                raise DomainError(
                    ChainErrorCode.DUPLICATE_LOT_CODE, "批号已被使用 / lot code already used", field=field
                )
            return code
        stem = produced_on.strftime("%Y%m%d")
        n = self.next_seq.get((name, stem), 1)  # codes are only added: no earlier one comes free
        while f"{stem}{n:02d}" in self.made_codes[name] or (name, f"{stem}{n:02d}", "") in self.by_key:
            n += 1
        self.next_seq[(name, stem)] = n
        return f"{stem}{n:02d}"

    def _ship(self, op: ShipOp) -> list[Lot]:
        if not op.lines:
            raise DomainError(ChainErrorCode.NO_INPUTS, "请选择要出库的批次 / pick at least one lot", field="lines")
        customer = op.customer
        if customer is not None and customer.enterprise_id != self.enterprise.pk:
            raise DomainError(ChainErrorCode.WRONG_ENTERPRISE, "不是本主体的客户 / not your customer", field="customer")
        event = self._event(
            EventType.SHIP,
            op.occurred_at,
            partner=customer,
            counterparty_id=customer.linked_enterprise_id if customer is not None else None,
            reference_no=op.reference_no,
            detail={"retail": customer is None},
        )
        day = timezone.localtime(op.occurred_at).date()
        for i, spec in enumerate(op.lines):
            lot, amount = self._take_line(
                event, spec, f"lines[{i}]", day, returning_to=customer.pk if customer is not None else None
            )
            self.shipments.append((event, lot, amount))
        self.history.append(("chain.ship", event, lambda: {"customer": customer.pk if customer is not None else None}))
        return []

    # -- stock --------------------------------------------------------------------------

    def _take_line(
        self, event: TraceEvent, spec: InputSpec | ShipLine, field: str, day: dt.date, *, returning_to: int | None = None
    ) -> tuple[Lot, Decimal]:
        """An input or ship line: the lot's checks, the take, the event line."""
        lot = self._lot(spec.lot, field=f"{field}.lot")
        check_same_enterprise(lot, self.enterprise.pk, field=f"{field}.lot")
        if lot.status == LotStatus.RECALLED:  # the locked row's status; this re-reads it and raises
            check_not_recalled(lot, field=f"{field}.lot")
        check_not_expired(lot, day, field=f"{field}.lot", returning_to=returning_to)
        amount = to_lot_unit(lot, spec.quantity, spec.unit, field=f"{field}.quantity")
        if lot.quantity_on_hand < amount:
            on_hand = lot.quantity_on_hand.quantize(QUANTUM)
            raise DomainError(
                ChainErrorCode.INSUFFICIENT_STOCK,
                f"库存不足：{lot} 现有 {on_hand} {lot.unit} / only {on_hand} {lot.unit} in stock",
                field=f"{field}.quantity",
            )
        lot.quantity_on_hand -= amount
        self._touch(lot)
        self._line(event, lot, LineRole.INPUT, amount)
        return lot, amount

    def _lot(self, ref: Lot | BatchRef, *, field: str) -> Lot:
        if isinstance(ref, BatchRef):
            made = self.made[ref.index] if 0 <= ref.index < len(self.made) else []
            if not 0 <= ref.line < len(made):
                raise DomainError(
                    ChainErrorCode.MISSING_FIELD,
                    f"本批第{ref.index}项之前没有产出批次{ref.line} / no lot {ref.line} made by an earlier operation {ref.index}",
                    field=field,
                )
            return made[ref.line]
        lot = self.locked.get(ref.pk) if ref.pk is not None else None
        if lot is None:
            raise DomainError(ChainErrorCode.MISSING_FIELD, "批次不存在 / no such lot", field=field)
        return lot

    def _put(self, lot: Lot, amount: Decimal) -> None:
        lot.quantity_on_hand += amount
        lot.quantity_in += amount
        self._touch(lot)

    def _touch(self, lot: Lot) -> None:
        if lot.pk is not None:
            self.touched[lot.pk] = lot

    def _new_lot(self, *, product: Product | None, supplier: Partner | None = None, **fields: Any) -> Lot:
        lot = Lot(
            enterprise_id=self.enterprise.pk,
            product_id=product.pk if product is not None else None,
            supplier_id=supplier.pk if supplier is not None else None,
            quantity_on_hand=ZERO,
            quantity_in=ZERO,
            **fields,
        )
        self.by_key[(lot.product_name, lot.code, lot.source_key)] = lot
        self.new_lots.append(lot)
        return lot

    def _event(
        self,
        event_type: str,
        occurred_at: dt.datetime,
        *,
        partner: Partner | None = None,
        shipment: TraceEvent | None = None,
        **fields: Any,
    ) -> TraceEvent:
        check_occurred_at(occurred_at, now=self.now)
        event = TraceEvent(
            event_type=event_type,
            enterprise_id=self.enterprise.pk,
            recorded_by_id=self.user.pk if self.user is not None else None,
            occurred_at=occurred_at,
            partner_id=partner.pk if partner is not None else None,
            shipment_id=shipment.pk if shipment is not None else None,
            **fields,
        )
        self.events.append(event)
        return event

    def _line(self, event: TraceEvent, lot: Lot, role: LineRole, amount: Decimal) -> None:
        self.lines.append((event, lot, role, amount))

    # -- writing ------------------------------------------------------------------------

    def write(self) -> list[TraceEvent]:
        """Bulk statements, in foreign-key order; stored quantities on the 0.001 grid."""
        for lot in [*self.new_lots, *self.touched.values()]:
            lot.quantity_on_hand = lot.quantity_on_hand.quantize(QUANTUM)
            lot.quantity_in = lot.quantity_in.quantize(QUANTUM)
        insert_objects(self.new_lots)
        insert_objects(self.events)
        enterprise_id = self.enterprise.pk
        lines = [
            (
                EventLine(
                    event_id=event.pk, enterprise_id=enterprise_id, lot_id=lot.pk, role=role, quantity=amount, unit=lot.unit
                ),
                lot,
            )
            for event, lot, role, amount in self.lines
        ]
        insert_objects([line for line, _ in lines])
        # rows whose ids nothing reads back go as plain rows (core.bulk): no model per row
        insert_rows(
            LotEdge,
            ("src", "dst", "kind", "event", "quantity"),
            ((src.pk, dst.pk, kind, event.pk, amount) for event, src, dst, kind, amount in self.edges),
        )
        insert_rows(
            LotShipment,
            ("event", "lot", "enterprise", "partner", "counterparty", "occurred_at", "quantity", "unit", "received"),
            (
                (event.pk, lot.pk, enterprise_id, event.partner_id, event.counterparty_id, event.occurred_at, amount,
                 lot.unit, ZERO)
                for event, lot, amount in self.shipments
            ),
        )
        Lot.objects.bulk_update(
            sorted(self.touched.values(), key=lambda lot: lot.pk), ["quantity_on_hand", "quantity_in"]
        )
        sync_arrows([*self.touched, *(dst.pk for _event, _src, dst, _kind, _amount in self.edges)])
        for row in self.received.values():
            row.received = row.received.quantize(QUANTUM)
        LotShipment.objects.bulk_update(sorted(self.received.values(), key=lambda row: row.pk), ["received"])
        operation = current_operation()  # one batch, one operation: its rows group together
        user_id, now = (self.user.pk if self.user is not None else None), timezone.now()
        insert_rows(
            HistoryEntry,
            ("acting_user", "action", "subject_type", "subject_id", "jurisdiction_code", "created_at", "operation_id", "detail"),
            (
                (user_id, action, event._meta.label_lower, str(event.pk), self.enterprise.jurisdiction_id, now, operation,
                 detail())
                for action, event, detail in self.history
            ),
        )
        seal_many(self.events, lines=lines)
        return self.events


def _produced_on(out: OutputSpec, op: TransformOp) -> dt.date:
    return out.produced_on or timezone.localtime(op.occurred_at).date()
