"""``apply``: run a plan's steps through the chain's actions, in one transaction."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from shilian.chain.actions import (
    BatchRef,
    InputSpec,
    OutputSpec,
    ReceiveOp,
    ShipLine,
    ShipOp,
    TransformOp,
    dispose_lot,
    record_batch,
    record_inspection,
    start_recall,
    void_event,
)
from shilian.chain.choices import LineRole, LotStatus
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.core.errors import DomainError
from shilian.interop.mapping.drafts import (
    DisposeDraft,
    Draft,
    EventHandle,
    InspectDraft,
    LotHandle,
    PartnerHandle,
    RecallDraft,
    ReceiveDraft,
    ShipDraft,
    Step,
    TransformDraft,
    VoidDraft,
)
from shilian.interop.mapping.errors import MappingError
from shilian.interop.mapping.planner import Plan
from shilian.registry.actions import add_partner
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Partner

_OPERATION = re.compile(r"^operations\[(\d+)\]\.?(.*)$")
# The tail of an action's field name → the tail of a JSON pointer into a quantity element.
_TAILS = {
    "quantity": "/quantity",
    "unit": "/uom",
    "lot": "/epcClass",
    "product": "/epcClass",
    "lot_code": "/epcClass",
    "product_name": "/epcClass",
}


class Runner:
    def __init__(self, plan: Plan, acting_user: Any) -> None:
        self.plan = plan
        self.user = acting_user
        self.current: Step | None = None
        self.events: dict[int, list[TraceEvent]] = {}  # id(step) → its events, in draft order
        self.made: dict[int, dict[int, list[Lot]]] = {}  # id(step) → event pk → output lots
        self.partners: dict[int, Partner] = {}  # id(handle) → partner added here
        self.out: list[tuple[int, TraceEvent]] = []

    def run(self) -> list[tuple[int, TraceEvent]]:
        for step in self.plan.steps:
            self.current = step
            if step.batch:
                self._batch(step)
            else:
                self._single(step, step.drafts[0])
        return sorted(self.out, key=lambda pair: pair[0])

    # -- handles → rows ---------------------------------------------------------------------

    def lot(self, handle: LotHandle) -> Lot | BatchRef:
        if handle.lot is not None:
            return handle.lot
        assert handle.step is not None
        if handle.step is self.current:
            return BatchRef(handle.op, handle.line)
        event = self.events[id(handle.step)][handle.op]
        made = self.made.get(id(handle.step))
        if made is None:
            made = self.made[id(handle.step)] = {}
            rows = EventLine.objects.filter(
                event_id__in=[e.pk for e in self.events[id(handle.step)]], role=LineRole.OUTPUT
            ).select_related("lot")
            for line in rows.order_by("pk"):
                made.setdefault(line.event_id, []).append(line.lot)
        return made[event.pk][handle.line]

    def fresh_lot(self, handle: LotHandle) -> Lot:
        found = self.lot(handle)
        assert isinstance(found, Lot)
        return Lot.objects.select_related("enterprise").get(pk=found.pk)

    def event(self, handle: EventHandle) -> TraceEvent:
        if handle.event is not None:
            return handle.event
        assert handle.step is not None
        events = self.events.get(id(handle.step), [])
        if handle.op >= len(events):
            raise DomainError("nothing_to_void", "该事件没有链上记录 / the event recorded nothing on the chain")
        return events[handle.op]

    def partner(self, handle: PartnerHandle | None) -> Partner | None:
        if handle is None:
            return None
        if handle.partner is not None:
            return handle.partner
        assert handle.new is not None
        if id(handle) not in self.partners:
            new = handle.new
            self.partners[id(handle)] = add_partner(
                new.enterprise,
                name=new.name,
                kind=PartnerKind.BOTH,
                acting_user=self.user,
                uscc=new.uscc,
                linked_enterprise=new.linked,
                address=new.address,
                gln=new.gln,
            )
        return self.partners[id(handle)]

    # -- steps ------------------------------------------------------------------------------

    def _batch(self, step: Step) -> None:
        operations = []
        for draft in step.drafts:
            try:
                operations.append(self._operation(draft))
            except DomainError as exc:  # a partner the registry refused
                raise MappingError(
                    draft.event_index, draft.pointers.get("customer", draft.pointers.get("shipment", "")), exc.message
                ) from exc
        try:
            events = record_batch(step.enterprise, operations, acting_user=self.user)
        except DomainError as exc:
            raise self._error(step, exc) from exc
        self.events[id(step)] = events
        self.out.extend((draft.event_index, event) for draft, event in zip(step.drafts, events, strict=True))

    def _operation(self, draft: Draft) -> ReceiveOp | TransformOp | ShipOp:
        if isinstance(draft, ReceiveDraft):
            source = self.lot(draft.source_lot) if draft.source_lot is not None else None
            return ReceiveOp(
                occurred_at=draft.occurred_at,
                quantity=draft.quantity,
                unit=draft.unit,
                lot_code=draft.lot_code,
                product=draft.product,
                supplier=self.partner(draft.supplier),
                produced_on=draft.produced_on,
                expires_on=draft.expires_on,
                shipment=self.event(draft.shipment) if draft.shipment is not None else None,
                source_lot=source if isinstance(source, Lot) else None,
                reference_no=draft.reference_no,
            )
        if isinstance(draft, TransformDraft):
            return TransformOp(
                occurred_at=draft.occurred_at,
                inputs=[InputSpec(self.lot(line.lot), line.quantity, line.unit) for line in draft.inputs],  # type: ignore[arg-type]
                outputs=[
                    OutputSpec(out.product, out.quantity, out.unit, out.lot_code, out.produced_on, out.expires_on)
                    for out in draft.outputs
                ],
            )
        if isinstance(draft, ShipDraft):
            return ShipOp(
                occurred_at=draft.occurred_at,
                lines=[ShipLine(self.lot(line.lot), line.quantity, line.unit) for line in draft.lines],  # type: ignore[arg-type]
                customer=self.partner(draft.customer),
                reference_no=draft.reference_no,
            )
        raise TypeError(f"not a batch draft: {draft!r}")

    def _single(self, step: Step, draft: Draft) -> None:
        try:
            event = self._act(draft)
        except DomainError as exc:
            raise MappingError(draft.event_index, _pointer(draft, exc.field or ""), exc.message) from exc
        if event is not None:
            self.events[id(step)] = [event]
            self.out.append((draft.event_index, event))

    def _act(self, draft: Draft) -> TraceEvent | None:
        if isinstance(draft, InspectDraft):
            return record_inspection(
                self.fresh_lot(draft.lot),
                kind=draft.kind,
                passed=draft.passed,
                occurred_at=draft.occurred_at,
                acting_user=self.user,
                items=draft.items,
                lab=draft.lab,
                report_no=draft.report_no,
            )
        if isinstance(draft, DisposeDraft):
            assert draft.line is not None
            return dispose_lot(
                self.fresh_lot(draft.line.lot),
                quantity=draft.line.quantity,
                unit=draft.line.unit,
                reason=draft.reason,
                occurred_at=draft.occurred_at,
                acting_user=self.user,
            )
        if isinstance(draft, RecallDraft):
            lot = self.fresh_lot(draft.lot)
            if lot.status == LotStatus.RECALLED:  # an earlier recall of this document reached it
                return None
            recall = start_recall(lot, reason=draft.reason, acting_user=self.user)
            return recall.events.get(enterprise_id=lot.enterprise_id)
        if isinstance(draft, VoidDraft):
            return void_event(self.event(draft.target), reason=draft.reason, acting_user=self.user)
        raise TypeError(f"not a single draft: {draft!r}")

    def _error(self, step: Step, exc: DomainError) -> MappingError:
        match = _OPERATION.match(exc.field or "")
        if match is None:
            return MappingError(step.drafts[0].event_index, "", exc.message)
        draft = step.drafts[int(match.group(1))]
        return MappingError(draft.event_index, _pointer(draft, match.group(2)), exc.message)


def _pointer(draft: Draft, field: str) -> str:
    """``inputs[0].quantity`` of a draft → ``/inputQuantityList/2/quantity`` of its event."""
    head, _, tail = field.partition(".")
    if head == "occurred_at":
        return "/eventTime"
    if tail.endswith(("expires_on", "produced_on")):
        return "/ilmd"
    if head in draft.pointers and head in _TAILS and not tail:
        return draft.pointers[head] + _TAILS[head]
    base = draft.pointers.get(head)
    if base is None:
        return draft.pointers.get("", "")
    return base + _TAILS.get(tail.rsplit(".", 1)[-1], "") if tail else base


def apply(plan: Plan, *, acting_user: Any) -> list[tuple[int, TraceEvent]]:
    """Write the plan's chain operations, all or nothing; (event index, chain event) pairs in
    document order (an event of several lots gives several pairs). MappingError if one fails."""
    if plan.errors:
        raise plan.errors[0]
    with transaction.atomic():
        return Runner(plan, acting_user).run()
