"""Recall (召回): mark a lot and everything downstream recalled, and say who must act."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shilian.chain.actions.ledger import seal_many
from shilian.chain.actions.stock import new_event
from shilian.chain.choices import EventType, LineRole, LotStatus
from shilian.chain.errors import ChainErrorCode
from shilian.chain.models import EventLine, Lot, Recall, TraceEvent
from shilian.chain.queries.recall import recall_impact
from shilian.core.errors import DomainError
from shilian.core.history import record


def _reference() -> str:
    stem = timezone.localdate().strftime("RC%Y%m%d")
    count = Recall.objects.filter(reference__startswith=stem).count()
    return f"{stem}-{count + 1:04d}"


@transaction.atomic
def start_recall(lot: Lot, *, reason: str, acting_user: Any) -> Recall:
    """Recall ``lot`` and every lot made from it or shipped as it, on any enterprise.

    Records one recall event per enterprise reached, with the quantity each lot holds,
    and freezes the impact (holders and customers) on the recall for the notice list.
    """
    if not reason.strip():
        raise DomainError(ChainErrorCode.MISSING_FIELD, "请填写召回原因 / a reason is required", field="reason")
    lot.status = Lot.objects.select_for_update().values_list("status", flat=True).get(pk=lot.pk)
    if lot.status == LotStatus.RECALLED:
        raise DomainError(ChainErrorCode.ALREADY_RECALLED, "该批次已召回 / this lot is already recalled", field="lot")
    impact = recall_impact([lot.pk], with_lot_ids=True)
    recall = Recall.objects.create(
        reference=_reference(),
        root_lot=lot,
        reason=reason,
        started_by=acting_user,
        jurisdiction_code=lot.enterprise.jurisdiction_id,
    )
    # In a fixed order, the root first (its enterprise's event first, its line first): read
    # back as EPCIS and captured again, the recall starts from the same lot.
    lots = sorted(
        Lot.objects.filter(pk__in=impact.lot_ids, status=LotStatus.ACTIVE).only(
            "pk", "enterprise_id", "quantity_on_hand", "unit"
        ),
        key=lambda item: (item.pk != lot.pk, item.pk),
    )
    by_enterprise: dict[int, list[Lot]] = defaultdict(list)
    for item in lots:
        by_enterprise[item.enterprise_id].append(item)
    now = timezone.now()
    lines: list[EventLine] = []
    events: list[TraceEvent] = []
    for enterprise_id, held in sorted(by_enterprise.items(), key=lambda pair: (pair[0] != lot.enterprise_id, pair[0])):
        event = new_event(
            EventType.RECALL,
            enterprise_id,
            acting_user=acting_user,
            occurred_at=now,
            recall=recall,
            reference_no=recall.reference,
            detail={"reason": reason},
        )
        events.append(event)
        lines.extend(
            EventLine(
                event=event,
                enterprise_id=enterprise_id,
                lot=item,
                role=LineRole.OBJECT,
                quantity=item.quantity_on_hand,
                unit=item.unit,
            )
            for item in held
        )
    EventLine.objects.bulk_create(lines, batch_size=500)
    Lot.objects.filter(pk__in=[item.pk for item in lots]).update(status=LotStatus.RECALLED)
    recall.impact = {
        "lots": impact.lot_count,
        "holders": [
            {"enterprise": h.enterprise_id, "unit": h.unit, "lots": h.lots, "quantity": str(h.quantity_on_hand)}
            for h in impact.holders
            if h.quantity_on_hand > Decimal(0)
        ],
        "customers": [
            {
                "from": c.enterprise_id,
                "partner": c.partner_id,
                "counterparty": c.counterparty_id,
                "retail": c.retail,
                "shipments": c.shipments,
                "quantity": str(c.quantity),
                "in_transit": str(c.in_transit),
                "unit": c.unit,
            }
            for c in impact.customers
        ],
    }
    recall.save(update_fields=["impact"])
    record(
        "chain.recall.start",
        recall,
        acting_user=acting_user,
        jurisdiction_code=recall.jurisdiction_code,
        lot=lot.pk,
        lots=impact.lot_count,
        reason=reason,
    )
    seal_many(events)
    return recall
