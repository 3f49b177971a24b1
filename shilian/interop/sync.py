"""Bringing the store up to date with the chain: every chain event that is not in the store
yet (recorded by the pages, the API or imports; captured events are linked already) is
rendered as EPCIS 2.0 (``render``) and stored, with a ``ChainLink``.

Called at the start of each query: two index lookups when nothing is new. The chain never
calls this (it may not import interop).

Which ids can still appear. Every chain event up to ``ChainSync.watermark`` is stored or
never will be; a sync looks at the ids above it only. On SQLite one transaction writes at a
time, so ids commit in order and the watermark moves to the highest id at once. PostgreSQL
hands out ids before commit: a transaction that took an id may commit after a later one's
was stored (a ledger import of minutes, say). So the highest id seen is kept as ``pending``
and settled in two steps: after ``GRACE`` seconds, any transaction that took an id below it
has written its row (the id and the row are one statement) and so has a transaction id; the
transactions of this database that have one then are noted (``waiting_for``), and once all
of them have ended the watermark moves up to ``pending``. Until then every sync looks again
at the ids above the watermark and stores what has appeared, so a late commit is stored by
the next query, whether or not a newer event came after it.

``recordTime`` is when the store took the event in (EPCIS: "recorded by an EPCIS repository"),
read once per sync after its lock is taken, so syncs stamp in the order they commit: a client
that polls with ``GE_recordTime`` set to the newest time it has seen also gets an event that
committed late. When the workshop recorded it is the chain event's own ``recorded_at``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from shilian.chain.choices import EventType
from shilian.chain.models import EventLine, TraceEvent
from shilian.core.epcis.hashing import event_hash
from shilian.interop.models import ChainLink, ChainSync, EpcisEvent
from shilian.interop.render import CONTEXT, DOCUMENT_CONTEXT, render, render_void
from shilian.interop.store import StoreRow, link, row_for, write

logger = logging.getLogger(__name__)

NAME = "chain"
BATCH = 1000
GRACE = 30  # seconds; far longer than taking an id and writing its row


def sync_chain_events() -> int:
    """Store the chain events the store lacks; returns how many EPCIS events were stored."""
    latest = TraceEvent.objects.aggregate(latest=Max("pk"))["latest"] or 0
    watermark, pending = ChainSync.objects.filter(pk=NAME).values_list("watermark", "pending").first() or (0, None)
    if latest <= watermark and pending is None:
        return 0
    stored = 0
    with transaction.atomic():
        state, _ = ChainSync.objects.select_for_update().get_or_create(pk=NAME)
        settled = _settled(state)  # decided before the look, so that what it waited for is seen by it
        stored_at = timezone.now()  # under the lock: later syncs stamp later
        start = state.watermark
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
            stored += _store(batch, stored_at)
            start = batch[-1].pk
        _advance(state, settled, latest)
    return stored


def _settled(state: ChainSync) -> int | None:
    """``state.pending`` when no transaction can still commit an id at or below it; else None."""
    if state.pending is None or connection.vendor != "postgresql":
        return state.pending
    if state.waiting_for is None:
        if state.pending_since is None or timezone.now() - state.pending_since < dt.timedelta(seconds=GRACE):
            return None
        state.waiting_for = _writing()
    return None if _still_writing(state.waiting_for) else state.pending


def _advance(state: ChainSync, settled: int | None, latest: int) -> None:
    if connection.vendor != "postgresql":  # one writer at a time: ids commit in order
        state.watermark = max(state.watermark, latest)
        state.pending = state.pending_since = state.waiting_for = None
    else:
        if settled is not None:
            state.watermark = max(state.watermark, settled)
            state.pending = state.pending_since = state.waiting_for = None
        if state.pending is None and latest > state.watermark:
            state.pending, state.pending_since, state.waiting_for = latest, timezone.now(), None
    state.save()


def _writing() -> list[list[Any]]:
    """The other sessions of this database in a transaction that has written: [pid, xid]."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is otherwise read once per transaction
        cursor.execute(
            "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
        return [[pid, xid] for pid, xid in cursor.fetchall()]


def _still_writing(sessions: list[list[Any]]) -> bool:
    if not sessions:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN unnest(%s::int[], %s::text[]) w(pid, xid) "
            "ON a.pid = w.pid AND a.backend_xid::text = w.xid)",
            [[int(pid) for pid, _ in sessions], [str(xid) for _, xid in sessions]],
        )
        return bool(cursor.fetchone()[0])


def _voided_bodies(batch: list[TraceEvent]) -> dict[int, EpcisEvent]:
    """The stored EPCIS events of the chain events the batch's voids void."""
    ids = [event.voids_id for event in batch if event.voids_id is not None]
    if not ids:
        return {}
    links = ChainLink.objects.filter(trace_event_id__in=ids).select_related("event")
    return {link.trace_event_id: link.event for link in links}


def _store(batch: list[TraceEvent], stored_at: dt.datetime) -> int:
    voided = _voided_bodies(batch)
    rows: list[StoreRow] = []
    made: dict[
        int, tuple[dict[str, Any], str, str, list[Any]]
    ] = {}  # chain id → (body, eventID, hash, context) rendered here
    for event in batch:
        try:
            row = _row(event, voided, made, stored_at)
        except Exception:  # one unreadable event must not stop every query: logged, retried by a later sync
            logger.exception("chain event %s could not be rendered as EPCIS", event.pk)
            continue
        if row is not None:
            rows.append(row)
    ids = write(rows)
    link([(row.trace_event_id, pk) for row, pk in zip(rows, ids, strict=True) if row.trace_event_id is not None])
    return len(ids)


def _row(
    event: TraceEvent,
    voided: dict[int, EpcisEvent],
    made: dict[int, tuple[dict[str, Any], str, str, list[Any]]],
    record_time: dt.datetime,
) -> StoreRow | None:
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
