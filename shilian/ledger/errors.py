"""Error codes of the chain of evidence."""

from __future__ import annotations

from enum import StrEnum


class LedgerErrorCode(StrEnum):
    DAY_NOT_OVER = "day_not_over"  # a day is closed once it has ended
    OUT_OF_ORDER = "out_of_order"  # days are closed in order: not before the last closed day
    BAD_KEY = "bad_key"  # the private key given is unreadable or not 32 raw bytes
    KEY_NOT_CURRENT = "key_not_current"  # the private key found is not the registered current key
    KEY_UNCHANGED = "key_unchanged"  # rotating to the key already in use
