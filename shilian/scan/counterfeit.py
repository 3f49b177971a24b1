"""Suspected counterfeits: when an item code's scans stop looking like one real pack.

An item code (a serial, AI 21, or a short code's ``/21/``) is printed on one pack. The
buyer scans it once or twice, a curious shop assistant perhaps; a copied code printed on
many fake packs is scanned by many phones, often close together. Two rules, either of
which raises a ``CounterfeitFlag`` once per item and reason:

- ``ITEM_SCAN_LIMIT`` scans or more of one item within ``ITEM_SCAN_WINDOW`` (30 scans in
  30 days: a family scanning one pack every day for a month stays under it);
- ``ITEM_CLIENT_LIMIT`` distinct clients or more within ``ITEM_CLIENT_WINDOW`` (5 phones
  within an hour: one pack does not pass through five hands in an hour; a shelf of
  copies does).

A client is the scan log's hashed (network, user agent) key, so several phones behind one
shop's Wi-Fi with the same browser count as one: the rule errs towards not flagging.
The thresholds are constants, not settings: they are part of what a flag means, and a
change is a reviewed code change that the tests pin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Max, Q

from shilian.scan.choices import FlagReason
from shilian.scan.models import CounterfeitFlag, Scan

ITEM_SCAN_LIMIT = 30
ITEM_SCAN_WINDOW = dt.timedelta(days=30)
ITEM_CLIENT_LIMIT = 5
ITEM_CLIENT_WINDOW = dt.timedelta(hours=1)
# Items checked per statement (two parameters each).
_CHUNK = 200


def _count(items: Sequence[tuple[int, str]], now: dt.datetime) -> list[dict[str, Any]]:
    match = Q(pk__in=[])
    for lot_id, serial in items:
        match |= Q(lot_id=lot_id, serial=serial)
    recent = now - ITEM_CLIENT_WINDOW
    rows: Any = (
        Scan.objects.filter(match, scanned_at__gte=now - ITEM_SCAN_WINDOW, scanned_at__lte=now)
        .values("lot_id", "serial")
        .annotate(
            scans=Count("id"),
            clients=Count("client", distinct=True, filter=Q(scanned_at__gte=recent)),
            enterprise=Max("enterprise_id"),
            division=Max("jurisdiction_code"),
        )
    )
    return list(rows)


def check_items(items: Iterable[tuple[int, str]], now: dt.datetime) -> list[CounterfeitFlag]:
    """Raise the flags the scans of these items (lot id, serial) call for, as of ``now``.

    Call inside the transaction that wrote the scans; returns the flags newly raised.
    """
    wanted = sorted(set(items))
    flags: list[CounterfeitFlag] = []
    for start in range(0, len(wanted), _CHUNK):
        for row in _count(wanted[start : start + _CHUNK], now):
            reasons = []
            if row["scans"] >= ITEM_SCAN_LIMIT:
                reasons.append((FlagReason.TOO_MANY_SCANS, now - ITEM_SCAN_WINDOW))
            if row["clients"] >= ITEM_CLIENT_LIMIT:
                reasons.append((FlagReason.TOO_MANY_CLIENTS, now - ITEM_CLIENT_WINDOW))
            flags.extend(
                CounterfeitFlag(
                    lot_id=row["lot_id"],
                    enterprise_id=row["enterprise"],
                    jurisdiction_code=row["division"],
                    serial=row["serial"],
                    reason=reason,
                    scans=row["scans"],
                    clients=row["clients"],
                    window_start=since,
                    raised_at=now,
                )
                for reason, since in reasons
            )
    if not flags:
        return []
    existing = set(
        CounterfeitFlag.objects.filter(
            lot_id__in={f.lot_id for f in flags}, serial__in={f.serial for f in flags}
        ).values_list("lot_id", "serial", "reason")
    )
    new = [f for f in flags if (f.lot_id, f.serial, f.reason) not in existing]
    CounterfeitFlag.objects.bulk_create(new, ignore_conflicts=True)
    return new
