"""Proofs that a lot's events are in the published daily roots (the public lot page).

For each event: its canonical form recomputed from the stored rows (SHA-256 = the digest
its chain entry holds); the entry's hash recomputed from its text; the entries after it,
each naming the one before, up to the head the daily root names; that head's leaf hash;
the Merkle path from the leaf to the root; and the root's Ed25519 signature. An event
recorded after the last closed day is *pending*: its entry is checked up to the chain's
current head, and the next daily root will include it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from shilian.chain import canonical
from shilian.chain.models import Lot, TraceEvent
from shilian.core.ledger import entry_preimage
from shilian.core.models import LedgerEntry, LedgerHead
from shilian.ledger import merkle
from shilian.ledger.keys import verify_signature
from shilian.ledger.models import DailyRoot, RootLeaf

EVENT_LIMIT = 100  # events shown for one lot (the most recent)
SHOWN_LINKS = 200  # chain entries listed on the page (all of them in the JSON)


class Status:
    VERIFIED = "verified"  # in a signed daily root, every step recomputed
    PENDING = "pending"  # in the chain, after the last closed day
    BROKEN = "broken"  # a step does not recompute


@dataclass(frozen=True)
class Link:
    """A chain entry, recomputed from its fields."""

    seq: int
    kind: str
    subject_id: int
    digest: str
    prev_hash: str
    recorded_at: dt.datetime
    preimage: str
    entry_hash: str  # as stored
    ok: bool  # SHA-256(preimage) equals the stored hash

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "subject": self.subject_id,
            "digest": self.digest,
            "prev_hash": self.prev_hash,
            "preimage": self.preimage,
            "entry_hash": self.entry_hash,
        }


@dataclass
class RootProof:
    """The part of a proof shared by a chain's events in one daily root (or pending)."""

    enterprise_id: int
    root: DailyRoot | None
    head_seq: int
    head_hash: str
    links: list[Link] = field(default_factory=list)  # from the first event's entry to the head
    leaf_position: int | None = None
    leaf_text: str = ""
    leaf_hash: str = ""
    steps: list[merkle.Step] = field(default_factory=list)
    root_recomputed: str = ""
    signature_ok: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def shown_links(self) -> list[Link]:
        return self.links[:SHOWN_LINKS]

    @property
    def hidden_links(self) -> int:
        return max(0, len(self.links) - SHOWN_LINKS)

    @property
    def public_key_hex(self) -> str:
        return base64.b64decode(self.root.key.public_key).hex() if self.root is not None else ""

    @property
    def signature_hex(self) -> str:
        return base64.b64decode(self.root.signature).hex() if self.root is not None else ""

    def as_dict(self) -> dict[str, Any]:
        root = self.root
        return {
            "enterprise": self.enterprise_id,
            "day": root.day.isoformat() if root is not None else None,
            "head": {"seq": self.head_seq, "entry_hash": self.head_hash},
            "entries": [link.as_dict() for link in self.links],
            "leaf": (
                {"position": self.leaf_position, "text": self.leaf_text, "hash": self.leaf_hash}
                if root is not None
                else None
            ),
            "path": [{"side": s.side, "sibling": s.sibling, "parent": s.parent} for s in self.steps],
            "root": (
                {
                    "hash": root.root_hash,
                    "recomputed": self.root_recomputed,
                    "size": root.size,
                    "statement": root.statement,
                    "signature": root.signature,
                    "key": root.key.key_id,
                    "public_key": root.key.public_key,
                    "signature_ok": self.signature_ok,
                }
                if root is not None
                else None
            ),
            "problem": self.problem,
        }


@dataclass
class EventProof:
    event: TraceEvent
    status: str
    problem: str | None = None
    canonical: bytes = b""
    recomputed_digest: str = ""
    entry: Link | None = None
    root: RootProof | None = None

    @property
    def canonical_text(self) -> str:
        return self.canonical.decode()

    def as_dict(self, *, with_canonical: bool) -> dict[str, Any]:
        event = self.event
        out: dict[str, Any] = {
            "event": event.pk,
            "type": event.event_type,
            "occurred_at": event.occurred_at.isoformat(),
            "enterprise": event.enterprise_id,
            "status": self.status,
            "problem": self.problem,
            "recomputed_digest": self.recomputed_digest,
            "entry": self.entry.as_dict() if self.entry is not None else None,
            "day": self.root.root.day.isoformat() if self.root is not None and self.root.root is not None else None,
        }
        if with_canonical:
            out["canonical"] = self.canonical.decode()
        return out


def lot_events(lot: Lot) -> list[TraceEvent]:
    """The lot's events, oldest first (the most recent ``EVENT_LIMIT``)."""
    recent = list(
        TraceEvent.objects.filter(lines__lot=lot).distinct().select_related("enterprise").order_by("-occurred_at", "-pk")[
            :EVENT_LIMIT
        ]
    )
    return recent[::-1]


def prove_events(events: Sequence[TraceEvent]) -> list[EventProof]:
    """The proof of each event, grouped internally by chain and daily root."""
    ids = [e.pk for e in events]
    entries = {
        e.subject_id: e for e in LedgerEntry.objects.filter(kind=canonical.KIND, subject_id__in=ids).order_by()
    }
    forms = canonical.stored_forms(ids)
    proofs: dict[int, EventProof] = {}
    by_chain: dict[int, list[tuple[EventProof, LedgerEntry]]] = defaultdict(list)
    for event in events:
        entry = entries.get(event.pk)
        form = forms[event.pk][1]
        proof = EventProof(event, Status.BROKEN, canonical=form, recomputed_digest=hashlib.sha256(form).hexdigest())
        proofs[event.pk] = proof
        if entry is None:
            proof.problem = "the event has no entry in the chain of evidence"
        elif entry.enterprise_id != event.enterprise_id:
            proof.problem = f"the entry is in enterprise {entry.enterprise_id}'s chain, the event is {event.enterprise_id}'s"
        elif entry.digest != proof.recomputed_digest:
            proof.problem = "the event's rows no longer give the digest its entry holds: the event was changed"
        else:
            by_chain[entry.enterprise_id].append((proof, entry))
    for enterprise_id, items in by_chain.items():
        _prove_chain(enterprise_id, items)
    return [proofs[e.pk] for e in events]


def _prove_chain(enterprise_id: int, items: list[tuple[EventProof, LedgerEntry]]) -> None:
    """Attach to each event its chain links and daily root: one walk per root."""
    seqs = sorted(entry.seq for _, entry in items)
    covering = _covering_leaves(enterprise_id, seqs[0], seqs[-1])
    groups: dict[int | None, list[tuple[EventProof, LedgerEntry]]] = defaultdict(list)
    leaf_at: dict[int, RootLeaf] = {}
    for proof, entry in items:
        leaf = next((leaf for leaf in covering if leaf.seq >= entry.seq), None)
        key = leaf.pk if leaf is not None else None
        if leaf is not None:
            leaf_at[leaf.pk] = leaf
        groups[key].append((proof, entry))
    head = LedgerHead.objects.filter(pk=enterprise_id).first()
    for key, group in groups.items():
        leaf = leaf_at.get(key) if key is not None else None
        if leaf is not None:
            top_seq, top_hash = leaf.seq, leaf.entry_hash
        elif head is not None:
            top_seq, top_hash = head.seq, head.head_hash
        else:  # pragma: no cover - an entry exists, so its head does
            top_seq, top_hash = 0, ""
        start = min(entry.seq for _, entry in group)
        part = RootProof(enterprise_id, leaf.root if leaf is not None else None, top_seq, top_hash)
        part.links = _links(enterprise_id, start, top_seq)
        part.problem = _walk_problem(part.links, start, top_seq, top_hash)
        if leaf is not None and part.problem is None:
            _prove_leaf(part, leaf)
        for proof, entry in group:
            proof.root = part
            proof.entry = next((link for link in part.links if link.seq == entry.seq), None)
            if part.problem is not None:
                proof.problem = part.problem
            else:
                proof.status = Status.VERIFIED if leaf is not None else Status.PENDING


def _covering_leaves(enterprise_id: int, first: int, last: int) -> list[RootLeaf]:
    """The chain's leaves from the first one at or after ``first`` to the first at or after ``last``."""
    leaves = RootLeaf.objects.filter(enterprise_id=enterprise_id, seq__gte=first).select_related("root__key")
    out = list(leaves.filter(seq__lt=last).order_by("seq", "root__day"))
    after = leaves.filter(seq__gte=last).order_by("seq", "root__day").first()
    if after is not None:
        out.append(after)
    return out


def _links(enterprise_id: int, start: int, top: int) -> list[Link]:
    rows = (
        LedgerEntry.objects.filter(enterprise_id=enterprise_id, seq__gte=start, seq__lte=top)
        .order_by("seq")
        .values_list("seq", "kind", "subject_id", "digest", "prev_hash", "entry_hash", "recorded_at")
    )
    links = []
    for seq, kind, subject, digest, prev_hash, stored, recorded_at in rows:
        text = entry_preimage(enterprise_id, seq, kind, subject, digest, prev_hash, recorded_at)
        ok = hashlib.sha256(text.encode()).hexdigest() == stored
        links.append(Link(seq, kind, subject, digest, prev_hash, recorded_at, text, stored, ok))
    return links


def _walk_problem(links: list[Link], start: int, top: int, top_hash: str) -> str | None:
    if [link.seq for link in links] != list(range(start, top + 1)):
        return f"entries between seq {start} and {top} are missing"
    for before, link in zip([None, *links], links, strict=False):
        if not link.ok:
            return f"entry seq {link.seq} does not match its hash"
        if before is not None and link.prev_hash != before.entry_hash:
            return f"entry seq {link.seq} does not name entry seq {before.seq} as the one before it"
    if links and links[-1].entry_hash != top_hash:
        return f"the chain's entry seq {top} is not the one the daily root names"
    return None


def leaf_hashes(root: DailyRoot) -> list[bytes]:
    """The root's leaf hashes, in order (cached: a closed root never changes)."""
    key = f"ledger:leaves:{root.day.isoformat()}:{root.root_hash}"
    found = cache.get(key)
    if found is None:
        rows = root.leaves.order_by("position").values_list("enterprise_id", "seq", "entry_hash")
        found = [merkle.leaf_hash(merkle.leaf_text(*row)) for row in rows]
        cache.set(key, found, 24 * 3600)
    return list(found)


def _prove_leaf(part: RootProof, leaf: RootLeaf) -> None:
    root = leaf.root
    leaves = leaf_hashes(root)
    part.leaf_position = leaf.position
    part.leaf_text = merkle.leaf_text(leaf.enterprise_id, leaf.seq, leaf.entry_hash)
    this = merkle.leaf_hash(part.leaf_text)
    part.leaf_hash = this.hex()
    if leaf.position >= len(leaves) or leaves[leaf.position] != this:
        part.problem = "the leaf is not at its position in the daily root"
        return
    part.steps = merkle.path(leaves, leaf.position)
    part.root_recomputed = merkle.climb(this, part.steps).hex()
    part.signature_ok = verify_signature(root.key.public_key, root.signature, root.statement.encode())
    if part.root_recomputed != root.root_hash:
        part.problem = "the Merkle path does not lead to the published root"
    elif not part.signature_ok:
        part.problem = f"the daily root's signature does not verify with key {root.key.key_id}"
