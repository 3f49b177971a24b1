"""Appending to the chain of evidence (一链存证), inside the caller's transaction.

Each enterprise has one hash chain. Entry ``seq`` holds the SHA-256 of a record's canonical
form (``digest``) and ``entry_hash`` = SHA-256 of the UTF-8 text

    shilian-ledger/1|{enterprise_id}|{seq}|{kind}|{subject_id}|{digest}|{prev_hash}|{recorded_at}

where ``prev_hash`` is the previous entry's hash (64 zeros before the first) and
``recorded_at`` is UTC with microseconds (``2026-11-29T08:00:00.123456Z``). Changing,
removing or reordering any entry, or the record behind it, breaks the chain from there.

Appends are serialised per enterprise by the head row (``LedgerHead``), taken with one
upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``): PostgreSQL locks the row until
commit, and creates it once when two first appends race; SQLite transactions are
``IMMEDIATE`` (settings), so writers are serialised from their first statement.
Call these inside the transaction that writes the record, as the action's last step:
the head lock is then held only until that transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from shilian.core.models import LedgerEntry, LedgerHead

VERSION = "shilian-ledger/1"
GENESIS = "0" * 64
_UTC = dt.UTC


@dataclass(frozen=True)
class Record:
    """What to append: a kind of record, its id, and its canonical bytes."""

    kind: str
    subject_id: int
    canonical: bytes


def utc_text(value: dt.datetime) -> str:
    """A datetime as the chain writes it: UTC, microseconds, ``Z`` (``2026-11-29T08:00:00.123456Z``)."""
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entry_preimage(
    enterprise_id: int, seq: int, kind: str, subject_id: int, digest: str, prev_hash: str, recorded_at: dt.datetime
) -> str:
    """The text an entry's hash is the SHA-256 of (shown on the public proof page)."""
    return _text(enterprise_id, seq, kind, subject_id, digest, prev_hash, utc_text(recorded_at))


def _text(enterprise_id: int, seq: int, kind: str, subject_id: int, digest: str, prev_hash: str, stamp: str) -> str:
    return f"{VERSION}|{enterprise_id}|{seq}|{kind}|{subject_id}|{digest}|{prev_hash}|{stamp}"


def entry_hash(
    enterprise_id: int, seq: int, kind: str, subject_id: int, digest: str, prev_hash: str, recorded_at: dt.datetime
) -> str:
    text = entry_preimage(enterprise_id, seq, kind, subject_id, digest, prev_hash, recorded_at)
    return hashlib.sha256(text.encode()).hexdigest()


def hash_of(entry: Any) -> str:
    """An entry's hash recomputed from its own fields."""
    return entry_hash(
        entry.enterprise_id, entry.seq, entry.kind, entry.subject_id, entry.digest, entry.prev_hash, entry.recorded_at
    )


class Entry(NamedTuple):
    """An entry as appended (the row ``LedgerEntry`` stores)."""

    enterprise_id: int
    seq: int
    kind: str
    subject_id: int
    digest: str
    prev_hash: str
    entry_hash: str
    recorded_at: dt.datetime


def append(enterprise_id: int, kind: str, subject_id: int, canonical: bytes) -> Entry:
    """Append one record to the enterprise's chain; returns the new entry."""
    return append_many(enterprise_id, [Record(kind, subject_id, canonical)])[0]


def append_many(enterprise_id: int, records: Sequence[Record]) -> list[Entry]:
    """Append ``records`` in order to the enterprise's chain: lock the head, insert the
    entries, move the head (three statements)."""
    if not records:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("ledger appends belong inside the transaction that writes the record")
    seq, prev = _lock_head(enterprise_id)
    now = timezone.now()  # taken after the lock: within a chain, times follow sequence numbers
    stamp = utc_text(now)
    entries = []
    for record in records:
        seq += 1
        digest = hashlib.sha256(record.canonical).hexdigest()
        text = _text(enterprise_id, seq, record.kind, record.subject_id, digest, prev, stamp)
        this = hashlib.sha256(text.encode()).hexdigest()
        entries.append(Entry(enterprise_id, seq, record.kind, record.subject_id, digest, prev, this, now))
        prev = this
    _write(entries)
    return entries


def _write(entries: list[Entry]) -> None:
    """Insert the entries and move the head: two plain statements (an action seals one event,
    and the ORM's statement building would cost more than the writes)."""
    quote = connection.ops.quote_name
    column = {field.name: str(field.column) for field in LedgerEntry._meta.concrete_fields}
    columns = [quote(column[name]) for name in Entry._fields]
    insert = (
        f"INSERT INTO {quote(LedgerEntry._meta.db_table)} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    when = connection.ops.adapt_datetimefield_value(entries[0].recorded_at)  # as the ORM stores it
    last = entries[-1]
    with connection.cursor() as cursor:
        cursor.executemany(insert, [(*entry[:-1], when) for entry in entries])
        cursor.execute(
            f"UPDATE {quote(LedgerHead._meta.db_table)} SET seq = %s, head_hash = %s WHERE enterprise_id = %s",
            [last.seq, last.entry_hash, last.enterprise_id],
        )


def _lock_head(enterprise_id: int) -> tuple[int, str]:
    """(seq, hash) of the chain's head, its row locked until commit; created when missing.

    One statement on both databases: an upsert whose no-op update takes the row lock on
    PostgreSQL (a concurrent append waits for the other's commit, then reads its head)."""
    table = connection.ops.quote_name(LedgerHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (enterprise_id, seq, head_hash) VALUES (%s, 0, %s) "
            f"ON CONFLICT (enterprise_id) DO UPDATE SET seq = {table}.seq RETURNING seq, head_hash",
            [enterprise_id, GENESIS],
        )
        seq, head_hash = cursor.fetchone()
    return int(seq), str(head_hash)
