"""Sealing events into the chain of evidence (一链存证): the last write of every action.

Each event's canonical form (``shilian.chain.canonical``) is appended to its enterprise's
hash chain in the transaction that records the event, so no event exists without its entry.

The form is built from the rows the action wrote, held in memory: ``add_line`` and
``attach`` note each line (with its lot) and document on the event as they write it, and
``record_batch`` hands its lines over. An event without notes (the recall's lines are
bulk-inserted) is read back from the database. Both give the same bytes as verification,
which always reads the stored rows (tests check every action on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from shilian.chain.canonical import KIND, document_row, encode, event_row, line_row, stored_forms
from shilian.chain.models import Document, EventLine, Lot, TraceEvent
from shilian.core.ledger import Record, append_many

_LINES = "_ledger_lines"
_DOCUMENTS = "_ledger_documents"


def note_line(event: TraceEvent, line: EventLine, lot: Lot) -> None:
    """Remember a line written for ``event`` (for its seal)."""
    event.__dict__.setdefault(_LINES, []).append((line, lot))


def note_documents(event: TraceEvent, documents: Iterable[Document]) -> None:
    """Remember documents attached to ``event`` (for its seal)."""
    event.__dict__.setdefault(_DOCUMENTS, []).extend(documents)


def seal(event: TraceEvent) -> None:
    """Append one event to its enterprise's chain."""
    lines = event.__dict__.get(_LINES)
    if lines is None:
        seal_many([event])
    else:
        seal_many([event], lines=lines, documents=event.__dict__.get(_DOCUMENTS, ()))


def seal_many(
    events: Sequence[TraceEvent],
    *,
    lines: Sequence[tuple[EventLine, Lot]] | None = None,
    documents: Sequence[Document] = (),
) -> None:
    """Append events, in order, to their enterprises' chains (heads locked in enterprise order).

    With ``lines`` (every line of these events, with its lot) and ``documents`` (every
    document attached to them) the canonical forms are built from those rows; without,
    the events' rows are read back.
    """
    if lines is None:
        forms = {pk: canonical for pk, (_, canonical) in stored_forms(e.pk for e in events).items()}
    else:
        by_event: dict[int, list[tuple]] = defaultdict(list)
        for line, lot in lines:
            by_event[line.event_id].append(line_row(line, lot))
        attached: dict[int, list[tuple]] = defaultdict(list)
        for document in documents:
            attached[document.event_id].append(document_row(document))
        forms = {e.pk: encode(event_row(e), by_event[e.pk], attached[e.pk]) for e in events}
    chains: dict[int, list[Record]] = defaultdict(list)
    for event in events:
        chains[event.enterprise_id].append(Record(KIND, event.pk, forms[event.pk]))
    for enterprise_id in sorted(chains):
        append_many(enterprise_id, chains[enterprise_id])
