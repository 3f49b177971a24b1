"""The capture of one document's events, inside one transaction: their IDs, duplicates,
the chain operations they are (``interop.mapping``), and the store rows.

``capture`` returns what it stored and a problem per refused event. With the rollback
behaviour any problem undoes everything (the caller's transaction is rolled back by
``CaptureRefused``); with proceed, refused events are left out and the others go on
(the plan is made again without them, so that no chain operation depends on them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shilian.chain.models import TraceEvent
from shilian.core.epcis.hashing import EpcisContext, event_hash, ignore_fields
from shilian.interop.access import may_capture_for
from shilian.interop.capture.document import Document
from shilian.interop.mapping import MappingError, apply, plan
from shilian.interop.mapping import ids as mapping_ids
from shilian.interop.models import EpcisEvent
from shilian.interop.problems import EpcisProblem, Exc, event_pointer
from shilian.interop.store import StoreRow, link, row_for, write
from shilian.registry.access import scope_for
from shilian.registry.models import Enterprise

CHUNK = 400


class CaptureRefused(Exception):
    """Raised inside the capture transaction to undo it (rollback behaviour)."""

    def __init__(self, errors: list[EpcisProblem]) -> None:
        super().__init__(f"{len(errors)} event(s) refused")
        self.errors = errors


@dataclass
class Captured:
    """What a capture stored (the ids of the ``EpcisEvent`` rows), and why the other events were not."""

    events: list[int] = field(default_factory=list)
    errors: list[EpcisProblem] = field(default_factory=list)
    chain_count: int = 0
    stored_only: dict[int, str] = field(default_factory=dict)  # event index → why it has no chain effect


@dataclass
class Candidate:
    index: int  # in the document's event list
    event: dict[str, Any]
    event_id: str
    event_hash: str
    declaration: bool


def _problem(
    doc: Document, c: Candidate | int, exc: Exc, status: int, detail: str, pointer: str = "", code: str = ""
) -> EpcisProblem:
    index = c if isinstance(c, int) else c.index
    event_id = "" if isinstance(c, int) else c.event_id
    return EpcisProblem(
        exc,
        status,
        detail,
        event_index=index,
        pointer=event_pointer(index, pointer, list_path=doc.list_pointer),
        event_id=event_id,
        code=code,
    )


def prepare(doc: Document, skip: Iterable[int] = ()) -> list[Candidate]:
    """Each event's ID (its own ``eventID``, else its hash) and hash, computed once, except
    for the events in ``skip`` (refused earlier). Pure: call it before the transaction."""
    ctx = EpcisContext.of(doc.context)
    ignore = ignore_fields(doc.raw)
    skipped = set(skip)
    out = []
    for index, event in enumerate(doc.events):
        if index in skipped or not isinstance(event, dict):
            continue
        digest = event_hash(event, ctx, ignore=ignore)
        own = event.get("eventID")
        out.append(
            Candidate(
                index, event, own if isinstance(own, str) and own else digest, digest, "errorDeclaration" in event
            )
        )
    return out


def capture(
    doc: Document, candidates: list[Candidate], *, user: Any, rollback: bool, job_id: int | None = None
) -> Captured:
    """Capture the ``prepare``d events of ``doc``. Call inside a transaction; raises
    ``CaptureRefused`` when ``rollback`` and any event is refused."""
    out = Captured()
    out.errors.extend(_duplicates(doc, candidates))
    out.errors.extend(_forbidden_locations(doc, candidates, user))
    if rollback and out.errors:
        raise CaptureRefused(out.errors)
    refused = {p.event_index for p in out.errors}
    candidates = [c for c in candidates if c.index not in refused]
    pairs, planned, candidates = _map(doc, candidates, user, out, rollback=rollback)
    enterprises = _enterprises(doc, candidates, pairs, planned, user, out)  # events refused here are stored only
    if rollback and out.errors:
        raise CaptureRefused(out.errors)
    candidates = [c for c in candidates if c.index in enterprises]
    record_time = timezone.now()
    rows = _rows(doc, candidates, pairs, enterprises, record_time, job_id)
    out.events = write(rows)
    link(
        [
            (chain.pk, pk)
            for pk, c in zip(out.events, candidates, strict=True)
            if c.index in pairs
            for chain in pairs[c.index]
        ]
    )
    out.chain_count = sum(1 for c in candidates if c.index in pairs)
    out.errors.sort(key=lambda p: p.event_index if p.event_index is not None else -1)
    return out


def _duplicates(doc: Document, candidates: Sequence[Candidate]) -> list[EpcisProblem]:
    """A 409 for each event already stored (same ID or same hash), or repeated in the document."""
    ids = sorted({c.event_id for c in candidates} | {c.event_hash for c in candidates})
    stored: set[tuple[str, bool]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = EpcisEvent.objects.filter(Q(event_id__in=chunk) | Q(event_hash__in=chunk))
        for event_id, digest, declared in rows.values_list("event_id", "event_hash", "has_error_declaration"):
            stored.add((event_id, declared))
            stored.add((digest, declared))
    problems = []
    seen: set[tuple[str, bool]] = set()
    for c in candidates:
        keys = {(c.event_id, c.declaration), (c.event_hash, c.declaration)}
        if keys & stored:
            problems.append(
                _problem(
                    doc, c, Exc.ALREADY_EXISTS, 409, f"事件已存在 / event {c.event_id} is already stored", "/eventID"
                )
            )
        elif keys & seen:
            problems.append(
                _problem(
                    doc,
                    c,
                    Exc.ALREADY_EXISTS,
                    409,
                    f"文档中重复的事件 / event {c.event_id} appears twice in the document",
                    "/eventID",
                )
            )
        seen |= keys
    return problems


def _map(
    doc: Document, candidates: list[Candidate], user: Any, out: Captured, *, rollback: bool
) -> tuple[dict[int, list[TraceEvent]], dict[int, int], list[Candidate]]:
    """The chain events each event recorded (document index → events), applied here, and
    the enterprise the mapping found for each event (document index → enterprise id).

    With proceed, an event the mapping refuses is left out and the plan made again.
    """
    while True:
        the_plan = plan([c.event for c in candidates], doc.context, user=user, header=doc.header)
        failures = list(the_plan.errors)
        if not failures:
            try:
                with transaction.atomic():
                    applied = apply(the_plan, acting_user=user)
            except MappingError as refused:
                failures = [refused]
            else:
                out.stored_only = {candidates[i].index: why for i, why in the_plan.stored_only.items()}
                pairs: dict[int, list[TraceEvent]] = {}
                for i, event in applied:
                    pairs.setdefault(candidates[i].index, []).append(event)
                planned = {candidates[i].index: enterprise.pk for i, enterprise in the_plan.enterprises.items()}
                return pairs, planned, candidates
        for failure in failures:
            c = candidates[failure.event_index]
            out.errors.append(
                _problem(doc, c, Exc.VALIDATION, 422, failure.message, failure.pointer, code="chain_refused")
            )
        if rollback:
            raise CaptureRefused(out.errors)
        dropped = {failure.event_index for failure in failures}
        candidates = [c for i, c in enumerate(candidates) if i not in dropped]


def _forbidden_locations(doc: Document, candidates: Sequence[Candidate], user: Any) -> list[EpcisProblem]:
    """A 403 for each event whose location (bizLocation, readPoint: a GLN or a
    ``urn:shilian:uscc:`` id) is an enterprise the user may not record events for."""
    places: dict[int, list[tuple[str, str]]] = {}
    glns: set[str] = set()
    usccs: set[str] = set()
    for c in candidates:
        places[c.index] = []
        for name in ("bizLocation", "readPoint"):
            place = c.event.get(name)
            value = place.get("id") if isinstance(place, dict) else None
            if isinstance(value, str):
                places[c.index].append((value, f"/{name}/id"))
                if (gln := mapping_ids.gln_of(value)) is not None:
                    glns.add(gln)
                elif (uscc := mapping_ids.uscc_of(value)) is not None:
                    usccs.add(uscc)
    if not glns and not usccs:
        return []
    by_gln: dict[str, list[Enterprise]] = {}
    by_uscc: dict[str, Enterprise] = {}
    for enterprise in Enterprise.objects.filter(Q(gln__in=sorted(glns)) | Q(uscc__in=sorted(usccs))).order_by("pk"):
        if enterprise.gln:
            by_gln.setdefault(enterprise.gln, []).append(enterprise)
        by_uscc[enterprise.uscc] = enterprise
    problems = []
    for c in candidates:
        for value, pointer in places[c.index]:
            gln = mapping_ids.gln_of(value)
            uscc = mapping_ids.uscc_of(value) if gln is None else None
            matches = by_gln.get(gln, []) if gln else ([by_uscc[uscc]] if uscc in by_uscc else [])
            if len(matches) != 1:
                continue
            if not may_capture_for(user, matches[0].pk):
                name = matches[0].name
                problems.append(
                    _problem(
                        doc,
                        c,
                        Exc.SECURITY,
                        403,
                        f"您不能为 {name} 记录事件 / you may not record events for {name}",
                        pointer,
                    )
                )
            break
    return problems


def _enterprises(
    doc: Document,
    candidates: Sequence[Candidate],
    pairs: dict[int, list[TraceEvent]],
    planned: dict[int, int],
    user: Any,
    out: Captured,
) -> dict[int, int | None]:
    """The enterprise each event is stored for: its chain event's, else the one the mapping
    found (its location's, else the capturing operator's), else none: admins only. An
    operator of several enterprises must name one (422)."""
    found: dict[int, int | None] = {}
    is_admin = scope_for(user).is_admin
    for c in candidates:
        if c.index in pairs:
            found[c.index] = pairs[c.index][0].enterprise_id
        elif c.index in planned:
            found[c.index] = planned[c.index]
        elif is_admin:
            found[c.index] = None
        else:
            out.errors.append(
                _problem(
                    doc,
                    c,
                    Exc.VALIDATION,
                    422,
                    "您经营多个主体，请用 bizLocation 指明 / you operate several enterprises: name one in bizLocation",
                    "/bizLocation",
                )
            )
    return found


def _rows(
    doc: Document,
    candidates: Sequence[Candidate],
    pairs: dict[int, list[TraceEvent]],
    enterprises: dict[int, int | None],
    record_time: dt.datetime,
    job_id: int | None,
) -> list[StoreRow]:
    context = doc.extra_context()
    stamp = record_time.isoformat().replace("+00:00", "Z")
    rows = []
    for c in candidates:
        body = dict(c.event)
        body["eventID"] = c.event_id
        body["recordTime"] = stamp
        chain = pairs.get(c.index)
        rows.append(
            row_for(
                body,
                event_id=c.event_id,
                event_hash=c.event_hash,
                record_time=record_time,
                context=context,
                enterprise_id=enterprises[c.index],
                trace_event_id=chain[0].pk if chain else None,
                capture_job_id=job_id,
            )
        )
    return rows
