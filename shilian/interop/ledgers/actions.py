"""Importing a ledger: all rows or none, in one transaction.

The rows are checked again inside the transaction (stock may have moved since the preview),
new partners are added, and the rows are recorded with ``record_batch``; any refusal rolls
everything back and comes out as ``LedgerImportError`` with the row and column. One history
row names the import (file hash, preview token, events), and the token makes a second
confirmation of the same preview a refusal instead of a second import.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shilian.chain.actions import record_batch
from shilian.chain.models import TraceEvent
from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.models import HistoryEntry
from shilian.interop.ledgers.columns import LedgerErrorCode, LedgerImportError, RowError
from shilian.interop.ledgers.plan import Plan, plan_ledger
from shilian.interop.ledgers.reader import ParsedLedger
from shilian.registry.actions import add_partner
from shilian.registry.models import Enterprise

HISTORY_ACTION = "interop.ledger.import"


def already_imported(enterprise: Enterprise, *, token: str = "", sha256: str = "") -> HistoryEntry | None:
    """The earlier import of this preview (``token``) or of the same file (``sha256``)."""
    entries = HistoryEntry.objects.filter(
        action=HISTORY_ACTION, subject_type=enterprise._meta.label_lower, subject_id=str(enterprise.pk)
    )
    if token:
        entries = entries.filter(detail__token=token)
    elif sha256:
        entries = entries.filter(detail__sha256=sha256)
    else:
        return None
    return entries.order_by("-created_at").first()


@transaction.atomic
def import_ledger(
    enterprise: Enterprise, parsed: ParsedLedger, *, acting_user: Any, token: str, sha256: str
) -> list[TraceEvent]:
    """Record every row of ``parsed`` for ``enterprise``, or nothing; returns the events."""
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # one import at a time per enterprise
    if already_imported(enterprise, token=token) is not None:
        raise LedgerImportError(
            LedgerErrorCode.ALREADY_IMPORTED,
            [RowError(None, "", "这份文件已经导入过了 / this file was imported already")],
        )
    plan = plan_ledger(enterprise, parsed, user=acting_user)
    if not plan.ok:
        raise LedgerImportError(LedgerErrorCode.BAD_ROWS, plan.errors)
    partners = dict(plan.partners)
    for new in plan.new_partners:
        try:
            partners[new.name] = add_partner(
                enterprise, name=new.name, kind=new.kind, uscc=new.uscc, contact=new.contact, acting_user=acting_user
            )
        except DomainError as exc:
            raise LedgerImportError(
                LedgerErrorCode.BAD_ROWS, [RowError(new.first_row, plan.column("partner_name"), exc.message)]
            ) from exc
    events = _record(plan, partners, acting_user)
    record(
        HISTORY_ACTION,
        enterprise,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        kind=str(plan.kind),
        token=token,
        sha256=sha256,
        rows=len(plan.rows),
        events=[event.pk for event in events],
        partners_added=[new.name for new in plan.new_partners],
    )
    return events


def _record(plan: Plan, partners: dict[str, Any], acting_user: Any) -> list[TraceEvent]:
    operations, numbers = plan.operations(partners)
    try:
        return record_batch(plan.enterprise, operations, acting_user=acting_user)
    except DomainError as exc:
        raise LedgerImportError(LedgerErrorCode.BAD_ROWS, [plan.batch_error(exc.field, exc.message, numbers)]) from exc
