"""Merkle trees of chain heads, as in Certificate Transparency (RFC 9162 §2.1).

A leaf's hash is SHA-256(0x00 ‖ leaf text), a node's SHA-256(0x01 ‖ left ‖ right); the
empty tree's root is SHA-256 of nothing. Built level by level, an odd node at the end of
a level moves up unchanged, which gives RFC 9162's tree for any number of leaves.

The leaf text of an enterprise's head is ``shilian-ledger-head/1|{enterprise}|{seq}|{entry hash}``.
An inclusion proof is the list of sibling hashes from the leaf up, each with its side:
``left`` means parent = SHA-256(0x01 ‖ sibling ‖ hash), ``right`` parent = SHA-256(0x01 ‖ hash ‖ sibling).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

LEAF_VERSION = "shilian-ledger-head/1"


@dataclass(frozen=True)
class Step:
    """One step up the tree: the sibling's hash, on which side it is, and the parent made."""

    side: str  # "left" or "right": where the sibling sits
    sibling: str
    parent: str


def leaf_text(enterprise_id: int, seq: int, entry_hash: str) -> str:
    return f"{LEAF_VERSION}|{enterprise_id}|{seq}|{entry_hash}"


def leaf_hash(text: str) -> bytes:
    return hashlib.sha256(b"\x00" + text.encode()).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        level = levels[-1]
        up = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1])
        levels.append(up)
    return levels


def root(leaves: Sequence[bytes]) -> bytes:
    """The root over leaf hashes (in order)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _levels(leaves)[-1][0]


def path(leaves: Sequence[bytes], index: int) -> list[Step]:
    """The inclusion proof of leaf ``index``: the steps from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} of {len(leaves)}")
    steps = []
    current = leaves[index]
    for level in _levels(leaves)[:-1]:
        if index % 2:
            sibling, side = level[index - 1], "left"
            current = node_hash(sibling, current)
        elif index + 1 < len(level):
            sibling, side = level[index + 1], "right"
            current = node_hash(current, sibling)
        else:  # the odd node at the end of the level moves up unchanged
            index //= 2
            continue
        steps.append(Step(side, sibling.hex(), current.hex()))
        index //= 2
    return steps


def climb(leaf: bytes, steps: Sequence[Step]) -> bytes:
    """The root a proof leads to from ``leaf`` (recomputed; the steps' parents are not trusted)."""
    current = leaf
    for step in steps:
        sibling = bytes.fromhex(step.sibling)
        current = node_hash(sibling, current) if step.side == "left" else node_hash(current, sibling)
    return current
