"""Bringing the store up to date with the chain: every chain event that is not in the store
yet (recorded by the pages, the API or imports; captured events are linked already) is
rendered as EPCIS 2.0 (``render``) and stored, with a ``ChainLink``.

Called at the start of each query: two index lookups when nothing is new. The watermark is
the highest chain event id seen; a sync looks again ``LAG`` ids behind it, for a chain event
whose transaction committed after a later one's (PostgreSQL hands out ids before commit),
and skips what is linked already. The chain never calls this (it may not import interop).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch

from shilian.chain.choices import EventType
from shilian.chain.models import EventLine, TraceEvent
from shilian.core.epcis.hashing import event_hash
from shilian.interop.models import ChainLink, ChainSync, EpcisEvent
from shilian.interop.render import CONTEXT, DOCUMENT_CONTEXT, render, render_void
from shilian.interop.store import StoreRow, link, row_for, write

logger = logging.getLogger(__name__)

NAME = "chain"
BATCH = 1000
LAG = 1000


def _watermark() -> int:
    return ChainSync.objects.filter(pk=NAME).values_list("watermark", flat=True).first() or 0


def sync_chain_events() -> int:
    """Store the chain events the store lacks; returns how many EPCIS events were stored."""
    latest = TraceEvent.objects.aggregate(latest=Max("pk"))["latest"] or 0
    if latest <= _watermark():
        return 0
    stored = 0
    with transaction.atomic():
        state, _ = ChainSync.objects.select_for_update().get_or_create(pk=NAME)
        start = max(state.watermark - LAG, 0)
        while True:
            batch = list(
                TraceEvent.objects.filter(pk__gt=start, pk__lte=latest, epcis_link__isnull=True)
                .select_related("enterprise", "partner__linked_enterprise", "counterparty")
                .prefetch_related(
                    Prefetch("lines", queryset=EventLine.objects.select_related("lot__product").order_by("pk"))
                )
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            stored += _store(batch)
            start = batch[-1].pk
        ChainSync.objects.filter(pk=NAME).update(watermark=max(latest, state.watermark))
    return stored


def _voided_bodies(batch: list[TraceEvent]) -> dict[int, EpcisEvent]:
    """The stored EPCIS events of the chain events the batch's voids void."""
    ids = [event.voids_id for event in batch if event.voids_id is not None]
    if not ids:
        return {}
    links = ChainLink.objects.filter(trace_event_id__in=ids).select_related("event")
    return {link.trace_event_id: link.event for link in links}


def _store(batch: list[TraceEvent]) -> int:
    voided = _voided_bodies(batch)
    rows: list[StoreRow] = []
    made: dict[
        int, tuple[dict[str, Any], str, str, list[Any]]
    ] = {}  # chain id → (body, eventID, hash, context) rendered here
    for event in batch:
        try:
            row = _row(event, voided, made)
        except Exception:  # one unreadable event must not stop every query: logged, retried by a later sync
            logger.exception("chain event %s could not be rendered as EPCIS", event.pk)
            continue
        if row is not None:
            rows.append(row)
    ids = write(rows)
    link([(row.trace_event_id, pk) for row, pk in zip(rows, ids, strict=True) if row.trace_event_id is not None])
    return len(ids)


def _row(
    event: TraceEvent, voided: dict[int, EpcisEvent], made: dict[int, tuple[dict[str, Any], str, str, list[Any]]]
) -> StoreRow | None:
    record_time = event.recorded_at
    stamp = record_time.isoformat().replace("+00:00", "Z")
    if event.event_type == EventType.VOID:
        if event.voids_id in made:
            body, event_id, digest, context = made[event.voids_id]
        elif event.voids_id in voided:
            original = voided[event.voids_id]
            body, event_id, digest, context = original.body, original.event_id, original.event_hash, original.context
        else:
            logger.warning("void %s: the voided chain event %s is not in the store", event.pk, event.voids_id)
            return None
        if not any(isinstance(c, dict) and c.get("shilian") == CONTEXT[0]["shilian"] for c in context):
            context = [*context, *CONTEXT]
        declared = render_void(event, body)
    else:
        context = CONTEXT
        declared = render(event, list(event.lines.all()))
        digest = event_hash(declared, DOCUMENT_CONTEXT)
        event_id = digest
    out = {**declared, "eventID": event_id, "recordTime": stamp}
    if event.event_type != EventType.VOID:
        made[event.pk] = (out, event_id, digest, context)
    return row_for(
        out,
        event_id=event_id,
        event_hash=digest,
        record_time=record_time,
        context=context,
        enterprise_id=event.enterprise_id,
        trace_event_id=event.pk,
    )
