"""Reads of the published ledger: the daily roots and the platform's public keys, as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shilian.core.ledger import utc_text
from shilian.ledger.models import DailyRoot, SigningKey

ABOUT = (
    "Daily roots of shilian's chain of evidence (一链存证). Each enterprise's events form a hash chain; "
    "each day the heads of the chains that grew are the leaves of a Merkle tree (RFC 9162 hashing: "
    "leaf = SHA-256(0x00 || text), node = SHA-256(0x01 || left || right)); its root is signed with "
    "Ed25519. The signature covers the exact bytes of 'statement' (UTF-8)."
)


def key_dict(key: SigningKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "public_key": key.public_key,
        "activated_at": utc_text(key.activated_at),
        "retired_at": utc_text(key.retired_at) if key.retired_at is not None else None,
    }


def root_summary(root: DailyRoot) -> dict[str, Any]:
    return {
        "day": root.day.isoformat(),
        "root": root.root_hash,
        "size": root.size,
        "entries": root.entries,
        "previous": root.previous_hash,
        "key": root.key.key_id,
        "closed_at": utc_text(root.closed_at),
        "statement": root.statement,
        "signature": root.signature,
    }


def roots_index() -> dict[str, Any]:
    """Every daily root (newest first) and every signing key, current and retired."""
    roots = DailyRoot.objects.select_related("key").order_by("-day")
    return {
        "about": ABOUT,
        "keys": [key_dict(key) for key in SigningKey.objects.order_by("activated_at")],
        "roots": [root_summary(root) for root in roots],
    }


def root_document(day: dt.date) -> dict[str, Any] | None:
    """One day's root with its leaves (each an enterprise's chain head), or None."""
    root = DailyRoot.objects.select_related("key").filter(day=day).first()
    if root is None:
        return None
    leaves = root.leaves.order_by("position").values_list("position", "enterprise_id", "seq", "entry_hash")
    return {
        "about": ABOUT,
        **root_summary(root),
        "public_key": key_dict(root.key),
        "leaf_format": "shilian-ledger-head/1|{enterprise}|{seq}|{entry_hash}",
        "leaves": [
            {"position": position, "enterprise": enterprise, "seq": seq, "entry_hash": entry_hash}
            for position, enterprise, seq, entry_hash in leaves
        ],
    }
