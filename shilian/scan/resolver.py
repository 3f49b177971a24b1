"""From a scanned code to the lot whose page it opens, remembered per process.

A code names the same lot for ever (a lot keeps its GTIN + lot number or its short code,
and issued serials are never withdrawn), so a found answer is kept in a bounded
per-process table and the next scan of the same code skips the lookup. Unknown codes are
looked up every time: a lot may be recorded after its code was first tried. The one way a
remembered lot disappears is ``shilian demo --reset`` (another process wipes the data):
a page that finds its lot gone asks again (``resolve_and_read``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from shilian.chain.models import Lot
from shilian.codes.digital_link import CodeKey, DigitalLinkError
from shilian.codes.queries import lot_for_key, serial_issued

MEMO_SIZE = 50_000
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """The lot a code opens, with what the scan log copies from it."""

    lot_id: int
    product_id: int | None
    enterprise_id: int
    jurisdiction_code: str


_memo: dict[tuple[str | None, ...], Target] = {}
_lock = threading.Lock()


def _remember(key: tuple[str | None, ...], target: Target) -> None:
    with _lock:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = target


def forget() -> None:
    """Empty the table (tests)."""
    with _lock:
        _memo.clear()


def memo_key(key: CodeKey) -> tuple[str | None, ...]:
    return (key.gtin, key.lot, key.short, key.serial)


def remembered(key: CodeKey) -> Target | None:
    return _memo.get(memo_key(key))


def resolve_key(key: CodeKey) -> Target:
    """The lot a lot- or item-level code opens; ``DigitalLinkError`` (404) when unknown."""
    target = _memo.get(memo_key(key))
    if target is not None:
        return target
    lot_level = CodeKey(gtin=key.gtin, lot=key.lot, short=key.short)
    target = _memo.get(memo_key(lot_level))
    if target is None:
        lot = lot_for_key(lot_level)
        target = Target(lot.pk, lot.product_id, lot.enterprise_id, str(lot.enterprise.jurisdiction_id))
        _remember(memo_key(lot_level), target)
    if key.serial is not None:
        if not serial_issued(Lot(pk=target.lot_id), key.serial):
            raise DigitalLinkError(
                f"该批次未签发序列号 {key.serial} / serial {key.serial} was not issued for this lot", status=404
            )
        _remember(memo_key(key), target)
    return target


def resolve_and_read(key: CodeKey, read: Callable[[int], T | None]) -> tuple[Target, T | None]:
    """The lot a code opens and ``read`` of it (its page, say). When the remembered lot is
    gone (``read`` gives None), the code is looked up again: it may name a new lot now."""
    target = resolve_key(key)
    found = read(target.lot_id)
    if found is None:
        with _lock:
            _memo.pop(memo_key(key), None)
            _memo.pop(memo_key(CodeKey(gtin=key.gtin, lot=key.lot, short=key.short)), None)
        target = resolve_key(key)
        found = read(target.lot_id)
    return target, found
