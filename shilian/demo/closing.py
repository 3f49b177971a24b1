"""The scripted events at the end of the demo's run.

A workshop corrects a shipment it recorded with the wrong quantity (a void and the
right record); official sampling finds a 鱿鱼丝 batch from 石塘 over the sorbic-acid
limit, the township inspector recalls it across every holder, and the workshop
destroys what it still has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shilian.chain.actions import ShipLine, dispose_lot, record_inspection, ship_lots, start_recall, void_event
from shilian.chain.choices import DocumentKind, InspectionKind
from shilian.chain.models import Lot, Recall, TraceEvent
from shilian.chain.queries.trace import Direction, trace
from shilian.demo.activity import LAB, Activity, document, rounded

FAILING_WORKSHOP = "st6"  # 温岭市石塘东海鱿鱼丝作坊


@dataclass
class Closing:
    voided: TraceEvent | None
    failed_lot: Lot | None
    recall: Recall | None


def correct_a_shipment(activity: Activity) -> TraceEvent | None:
    """Void the latest off-platform shipment of a long-keeping product and record it right."""
    for shipment in reversed(activity.shipments):
        lot = shipment.lot
        correct = rounded(shipment.quantity * 4 / 5, lot.unit)
        keeps = lot.expires_on is None or lot.expires_on > activity.end + dt.timedelta(days=30)
        if shipment.on_platform or not shipment.actor.products or not keeps or correct <= 0:
            continue
        actor, event = shipment.actor, shipment.event
        void_event(
            event,
            reason=f"出库数量录入错误：实发 {correct} {lot.unit}，误录为 {shipment.quantity} {lot.unit}",
            acting_user=actor.user,
        )
        ship_lots(
            actor.enterprise, lines=[ShipLine(lot, correct, lot.unit)], customer=event.partner,
            occurred_at=event.occurred_at, acting_user=actor.user, reference_no=event.reference_no,
        )
        return event
    return None


def fail_a_sample(activity: Activity) -> tuple[Lot | None, Recall | None]:
    """Of the last three weeks' 鱿鱼丝 batches that reached other enterprises and still have
    stock, the one that travelled furthest fails."""
    actor = activity.world.actors[FAILING_WORKSHOP]
    shipped = {s.lot.pk for s in activity.shipments if s.actor is actor and s.on_platform}
    recent = Lot.objects.filter(
        pk__in=shipped, quantity_on_hand__gt=0, produced_on__gte=activity.end - dt.timedelta(days=21)
    ).order_by("pk")
    reach = {candidate: len(trace([candidate.pk], Direction.FORWARD, with_edges=False).lots) for candidate in recent}
    if not reach:
        return None, None
    lot = max(reach, key=lambda candidate: (reach[candidate], candidate.pk))
    inspector = activity.world.users["insp_st"]
    number = f"WJ{activity.end:%Y%m%d}99"
    record_inspection(
        lot,
        kind=InspectionKind.OFFICIAL,
        passed=False,
        occurred_at=timezone.make_aware(dt.datetime.combine(activity.end, dt.time(9, 30))),
        acting_user=inspector,
        items=[
            {"item": "山梨酸及其钾盐（以山梨酸计）", "result": "1.35 g/kg", "limit": "≤ 1.0 g/kg", "pass": False},
            {"item": "菌落总数", "result": "2300 CFU/g", "limit": "≤ 10⁵ CFU/g", "pass": True},
        ],
        lab=LAB,
        report_no=number,
        report=document(DocumentKind.TEST_REPORT, number, "Official sampling test report",
                        [f"Lot: {lot.code}", "Sorbic acid: 1.35 g/kg (limit 1.0 g/kg)", "Conclusion: does not conform"]),
    )
    recall = start_recall(
        lot,
        reason="监督抽检不合格：山梨酸及其钾盐超标（1.35 g/kg，标准 ≤ 1.0 g/kg），召回该批次及其流向",
        acting_user=inspector,
    )
    lot.refresh_from_db()
    dispose_lot(
        lot, quantity=lot.quantity_on_hand, unit=lot.unit, reason="抽检不合格，召回批次在监管人员见证下销毁",
        occurred_at=timezone.now(), acting_user=actor.user,
    )
    return lot, recall


def close(activity: Activity) -> Closing:
    voided = correct_a_shipment(activity)
    lot, recall = fail_a_sample(activity)
    return Closing(voided=voided, failed_lot=lot, recall=recall)
