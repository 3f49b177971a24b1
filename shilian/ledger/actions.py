"""Closing a day: the heads of the chains that grew that day, in one signed Merkle root."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.core.ledger import GENESIS, utc_text
from shilian.core.models import LedgerEntry
from shilian.ledger import merkle
from shilian.ledger.errors import LedgerErrorCode
from shilian.ledger.keys import signing_key
from shilian.ledger.models import DailyRoot, RootLeaf

STATEMENT_VERSION = "shilian-ledger-root/1"


def today() -> dt.date:
    """The platform's current day (a seam for tests)."""
    return timezone.localdate()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day's start and end (exclusive) in the platform's time zone."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


def statement_text(
    *, day: dt.date, root_hash: str, size: int, entries: int, previous: str, key_id: str, closed_at: dt.datetime
) -> str:
    """The exact text a daily root's signature covers: JSON, keys sorted, no spaces."""
    body = {
        "v": STATEMENT_VERSION,
        "day": day.isoformat(),
        "root": root_hash,
        "size": size,
        "entries": entries,
        "previous": previous,
        "key": key_id,
        "closed_at": utc_text(closed_at),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def day_heads(day: dt.date) -> tuple[list[tuple[int, int, str]], int]:
    """(enterprise, seq, entry hash) of the last entry each chain got that day, by enterprise;
    and how many entries the day had."""
    start, end = day_bounds(day)
    heads: dict[int, tuple[int, str]] = {}
    count = 0
    rows = (
        LedgerEntry.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .values_list("enterprise_id", "seq", "entry_hash")
        .order_by()
    )
    for enterprise_id, seq, entry_hash in rows.iterator(chunk_size=5000):
        count += 1
        if enterprise_id not in heads or seq > heads[enterprise_id][0]:
            heads[enterprise_id] = (seq, entry_hash)
    return [(e, seq, h) for e, (seq, h) in sorted(heads.items())], count


@transaction.atomic
def close_day(day: dt.date, *, acting_user: Any = None) -> DailyRoot:
    """Close ``day``: its Merkle root over the chain heads, signed. Idempotent: a closed day
    answers with its root. Days close in order, without gaps, once they are over."""
    if day >= today():
        raise DomainError(LedgerErrorCode.DAY_NOT_OVER, f"{day} is not over yet", field="date")
    last = DailyRoot.objects.select_for_update().order_by("-day").first()
    existing = DailyRoot.objects.filter(day=day).first()
    if existing is not None:
        return existing
    if last is not None and day != last.day + dt.timedelta(days=1):
        raise DomainError(
            LedgerErrorCode.OUT_OF_ORDER,
            f"days close in order: the last closed day is {last.day}, the next is {last.day + dt.timedelta(days=1)}",
            field="date",
        )
    heads, count = day_heads(day)
    leaves = [merkle.leaf_hash(merkle.leaf_text(*head)) for head in heads]
    root_hash = merkle.root(leaves).hex()
    private, key = signing_key()
    closed_at = timezone.now()
    previous = last.root_hash if last is not None else GENESIS
    statement = statement_text(
        day=day,
        root_hash=root_hash,
        size=len(heads),
        entries=count,
        previous=previous,
        key_id=key.key_id,
        closed_at=closed_at,
    )
    root = DailyRoot.objects.create(
        day=day,
        root_hash=root_hash,
        size=len(heads),
        entries=count,
        previous_hash=previous,
        statement=statement,
        signature=base64.b64encode(private.sign(statement.encode())).decode(),
        key=key,
        closed_at=closed_at,
    )
    RootLeaf.objects.bulk_create(
        (
            RootLeaf(root=root, position=i, enterprise_id=e, seq=seq, entry_hash=h)
            for i, (e, seq, h) in enumerate(heads)
        ),
        batch_size=2000,
    )
    record("ledger.close", root, acting_user=acting_user, day=day.isoformat(), root=root_hash, size=len(heads))
    return root


def due_days(on: dt.date | None = None) -> list[dt.date]:
    """The days to close: from the day after the last closed one (else the first day with an
    entry, else yesterday) up to yesterday."""
    yesterday = (on or today()) - dt.timedelta(days=1)
    last = DailyRoot.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None:
        first = last + dt.timedelta(days=1)
    else:
        earliest = LedgerEntry.objects.order_by("recorded_at").values_list("recorded_at", flat=True).first()
        first = timezone.localtime(earliest).date() if earliest is not None else yesterday
    return [first + dt.timedelta(days=n) for n in range((yesterday - first).days + 1)]


def close_due_days(*, acting_user: Any = None) -> list[DailyRoot]:
    """Close every day that is over and not closed yet, oldest first (one transaction each)."""
    return [close_day(day, acting_user=acting_user) for day in due_days()]
