"""Verifying the chain of evidence: every entry recomputed from the stored rows.

For each enterprise's chain, in sequence order: the entry numbers follow each other, each
entry names the previous entry's hash, its own hash matches its fields, and the digest
matches the canonical form recomputed from the event's rows as they are now. Then: the
head row agrees with the last entry, every event of the enterprise has an entry, and every
daily root that names one of the chain's entries names it with its hash. The daily roots
themselves: the Merkle root recomputed from their leaves, the signed statement, the
Ed25519 signature with the key that was in use, each root naming the one before.

A problem names the enterprise, the entry's sequence number and the event: the first one
in a chain is where the chain was broken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from shilian.chain import canonical
from shilian.chain.models import TraceEvent
from shilian.core.ledger import GENESIS, entry_hash
from shilian.core.models import LedgerEntry, LedgerHead
from shilian.ledger import merkle
from shilian.ledger.actions import statement_text
from shilian.ledger.keys import verify_signature
from shilian.ledger.models import DailyRoot, RootLeaf

CHUNK = 2000
# kind of record → (ids → {id: (enterprise id, canonical bytes)}), recomputed from the rows
RECOMPUTE: dict[str, Callable[[Iterable[int]], dict[int, tuple[int, bytes]]]] = {
    canonical.KIND: canonical.stored_forms,
}
ENTRY_FIELDS = ("seq", "kind", "subject_id", "digest", "prev_hash", "entry_hash", "recorded_at")


@dataclass(frozen=True)
class Problem:
    """Something that does not verify: in a chain (enterprise, seq, event) or a daily root (day)."""

    message: str
    enterprise_id: int | None = None
    seq: int | None = None
    subject_id: int | None = None
    day: dt.date | None = None

    def where(self) -> str:
        if self.day is not None and self.enterprise_id is None:
            return f"daily root {self.day}"
        parts = [f"enterprise {self.enterprise_id}"]
        if self.seq is not None:
            parts.append(f"entry seq {self.seq}")
        if self.subject_id is not None:
            parts.append(f"event {self.subject_id}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclass
class Report:
    chains: int = 0
    entries: int = 0
    roots: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(enterprise_id: int | None = None) -> Report:
    """Verify every chain (or one enterprise's) and the daily roots."""
    report = Report()
    ids = [enterprise_id] if enterprise_id is not None else _enterprises()
    for eid in ids:
        count, problems = verify_chain(eid)
        report.chains += 1
        report.entries += count
        report.problems.extend(problems)
    roots, problems = verify_roots(enterprise_id)
    report.roots = roots
    report.problems.extend(problems)
    return report


def _enterprises() -> list[int]:
    found = set(LedgerHead.objects.values_list("enterprise_id", flat=True))
    found.update(LedgerEntry.objects.values_list("enterprise_id", flat=True).distinct().order_by())
    found.update(TraceEvent.objects.values_list("enterprise_id", flat=True).distinct().order_by())
    return sorted(found)


def verify_chain(enterprise_id: int) -> tuple[int, list[Problem]]:
    """(entries checked, problems in sequence order) for one enterprise's chain."""
    problems: list[Problem] = []
    committed: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for day, seq, leaf in RootLeaf.objects.filter(enterprise_id=enterprise_id).values_list(
        "root__day", "seq", "entry_hash"
    ):
        committed[seq].append((day, leaf))
    sealed: set[int] = set()
    prev, expected, count, after = GENESIS, 1, 0, 0
    entries = LedgerEntry.objects.filter(enterprise_id=enterprise_id).order_by("seq")
    while chunk := list(entries.filter(seq__gt=after).values_list(*ENTRY_FIELDS)[:CHUNK]):
        after = chunk[-1][0]
        forms: dict[int, tuple[int, bytes]] = {}
        for kind, recompute in RECOMPUTE.items():
            forms.update(recompute(row[2] for row in chunk if row[1] == kind))
        for seq, kind, subject, digest, prev_hash, stored_hash, recorded_at in chunk:
            count += 1
            message = _link_problem(seq, expected, prev_hash, prev)
            if message is None:
                recomputed = entry_hash(enterprise_id, seq, kind, subject, digest, prev_hash, recorded_at)
                if recomputed != stored_hash:
                    message = f"the entry was changed: its hash {stored_hash[:16]}… does not match its fields ({recomputed[:16]}…)"
                else:
                    message = _record_problem(enterprise_id, kind, subject, digest, forms)
            if message is not None:
                if seq > expected:  # the entry that should be here is gone: name the next one
                    problems.append(Problem(f"{message} (event {subject})", enterprise_id, expected))
                else:
                    problems.append(Problem(message, enterprise_id, seq, subject))
            for day, leaf in committed.pop(seq, []):
                if leaf != stored_hash:
                    problems.append(
                        Problem(
                            f"the daily root of {day} names this entry with hash {leaf[:16]}…, the chain has {stored_hash[:16]}…",
                            enterprise_id,
                            seq,
                            subject,
                            day,
                        )
                    )
            if kind == canonical.KIND:
                sealed.add(subject)
            prev, expected = stored_hash, seq + 1
    problems.extend(_head_problems(enterprise_id, expected - 1, prev))
    for seq, named in sorted(committed.items()):
        for day, _ in named:
            problems.append(Problem(f"the daily root of {day} names entry seq {seq}, which is gone", enterprise_id, seq, None, day))
    events = set(TraceEvent.objects.filter(enterprise_id=enterprise_id).values_list("pk", flat=True).order_by())
    for missing in sorted(events - sealed):
        problems.append(Problem("the event has no entry in the chain", enterprise_id, None, missing))
    problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return count, problems


def _link_problem(seq: int, expected: int, prev_hash: str, prev: str) -> str | None:
    if seq > expected:
        gone = f"seq {expected}" if seq == expected + 1 else f"seq {expected}–{seq - 1}"
        return f"entry {gone} is missing: the next stored entry is seq {seq}"
    if prev_hash != prev:
        return (
            f"the entry does not follow entry seq {seq - 1}: it names {prev_hash[:16]}… as the previous hash, "
            f"entry seq {seq - 1} has {prev[:16]}… (entries were removed, reordered or changed)"
        )
    return None


def _record_problem(
    enterprise_id: int, kind: str, subject: int, digest: str, forms: dict[int, tuple[int, bytes]]
) -> str | None:
    if kind not in RECOMPUTE:
        return f"unknown kind of record {kind!r}"
    if subject not in forms:
        return f"event {subject} no longer exists"
    owner, form = forms[subject]
    if owner != enterprise_id:
        return f"event {subject} now belongs to enterprise {owner}"
    now = hashlib.sha256(form).hexdigest()
    if now != digest:
        return f"event {subject} was changed after it was recorded: digest {digest[:16]}…, its rows now give {now[:16]}…"
    return None


def _head_problems(enterprise_id: int, last_seq: int, last_hash: str) -> list[Problem]:
    head = LedgerHead.objects.filter(pk=enterprise_id).first()
    if head is None:
        if last_seq:
            return [Problem("the chain has entries but no head row", enterprise_id, last_seq)]
        return []
    if head.seq > last_seq:
        gone = f"seq {last_seq + 1}" if head.seq == last_seq + 1 else f"seq {last_seq + 1}–{head.seq}"
        return [Problem(f"entry {gone} is missing: the chain's head is seq {head.seq}", enterprise_id, last_seq + 1)]
    if head.seq < last_seq or head.head_hash != last_hash:
        return [Problem(f"the head row (seq {head.seq}) does not match the last entry", enterprise_id, last_seq)]
    return []


def verify_roots(enterprise_id: int | None = None) -> tuple[int, list[Problem]]:
    """(roots checked, problems) for the daily roots (those naming the enterprise, if given)."""
    problems: list[Problem] = []
    roots = DailyRoot.objects.select_related("key").order_by("day")
    previous: DailyRoot | None = None
    count = 0
    for root in roots.iterator(chunk_size=200):
        leaves = list(root.leaves.order_by("position").values_list("position", "enterprise_id", "seq", "entry_hash"))
        if enterprise_id is None or any(leaf[1] == enterprise_id for leaf in leaves):
            count += 1
            problems.extend(Problem(message, day=root.day) for message in _root_problems(root, leaves, previous))
        previous = root
    return count, problems


def _root_problems(root: DailyRoot, leaves: list[tuple[int, int, int, str]], previous: DailyRoot | None) -> list[str]:
    out = []
    if [leaf[0] for leaf in leaves] != list(range(len(leaves))) or any(
        a[1] >= b[1] for a, b in zip(leaves, leaves[1:], strict=False)
    ):
        out.append("its leaves are not one per enterprise in enterprise order")
    recomputed = merkle.root([merkle.leaf_hash(merkle.leaf_text(e, seq, h)) for _, e, seq, h in leaves]).hex()
    if recomputed != root.root_hash or root.size != len(leaves):
        out.append(f"its leaves give the root {recomputed[:16]}…, the stored root is {root.root_hash[:16]}…")
    expected_previous = previous.root_hash if previous is not None else GENESIS
    if root.previous_hash != expected_previous:
        out.append(f"it names {root.previous_hash[:16]}… as the previous root, which is {expected_previous[:16]}…")
    if previous is not None and root.day != previous.day + dt.timedelta(days=1):
        out.append(f"it follows {previous.day}: a day is missing or out of order")
    statement = statement_text(
        day=root.day,
        root_hash=root.root_hash,
        size=root.size,
        entries=root.entries,
        previous=root.previous_hash,
        key_id=root.key.key_id,
        closed_at=root.closed_at,
    )
    if statement != root.statement:
        out.append("its signed statement does not match the stored root")
    if not verify_signature(root.key.public_key, root.signature, root.statement.encode()):
        out.append(f"the signature does not verify with key {root.key.key_id}")
    key = root.key
    if root.closed_at < key.activated_at or (key.retired_at is not None and root.closed_at > key.retired_at):
        out.append(f"key {key.key_id} was not in use at {root.closed_at:%Y-%m-%d %H:%M}")
    return out
