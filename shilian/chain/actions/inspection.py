"""Inspection (检验): a test result on a lot, the enterprise's own or official sampling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from shilian.chain.actions.documents import Attachment, attach
from shilian.chain.actions.ledger import seal
from shilian.chain.actions.stock import add_line, new_event
from shilian.chain.choices import EventType, InspectionKind, LineRole, TestStatus
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.core.history import record


def test_status_of(lot: Lot) -> str:
    """A failed result is sticky; otherwise passed once any live test passed."""
    results = [
        (line.event.detail or {}).get("passed")
        for line in EventLine.objects.filter(
            lot=lot, event__event_type=EventType.INSPECT, event__voided_by__isnull=True
        ).select_related("event")
    ]
    if any(result is False for result in results):
        return TestStatus.FAILED
    if any(result is True for result in results):
        return TestStatus.PASSED
    return TestStatus.UNTESTED


@transaction.atomic
def record_inspection(
    lot: Lot,
    *,
    kind: str,
    passed: bool,
    occurred_at: dt.datetime,
    acting_user: Any,
    items: list[dict[str, Any]] | None = None,
    lab: str = "",
    report_no: str = "",
    report: Attachment | None = None,
) -> TraceEvent:
    """Record a test result. ``kind`` is self-test or official sampling (监督抽检)."""
    event = new_event(
        EventType.INSPECT,
        lot.enterprise_id,
        acting_user=acting_user,
        occurred_at=occurred_at,
        reference_no=report_no,
        detail={"kind": InspectionKind(kind).value, "passed": passed, "items": items or [], "lab": lab},
    )
    add_line(event, lot, LineRole.OBJECT, lot.quantity_on_hand)
    if report is not None:
        attach(event, [report])
    lot.test_status = test_status_of(lot)
    Lot.objects.filter(pk=lot.pk).update(test_status=lot.test_status)
    record(
        "chain.inspect",
        event,
        acting_user=acting_user,
        jurisdiction_code=lot.enterprise.jurisdiction_id,
        lot=lot.pk,
        kind=kind,
        passed=passed,
    )
    seal(event)
    return event
