"""Appending to the chain of evidence: hashes, links, the head, and concurrent writers."""

import datetime as dt
import hashlib
import threading

import pytest
from django.db import IntegrityError, connections, transaction

from shilian.core.ledger import GENESIS, Record, append, append_many, entry_hash, entry_preimage, hash_of
from shilian.core.models import LedgerEntry, LedgerHead

pytestmark = pytest.mark.django_db


def _chain(enterprise_id: int) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(enterprise_id=enterprise_id).order_by("seq"))


def _assert_linked(enterprise_id: int, length: int) -> None:
    chain = _chain(enterprise_id)
    assert [e.seq for e in chain] == list(range(1, length + 1))
    assert chain[0].prev_hash == GENESIS
    for before, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == before.entry_hash
        assert entry.recorded_at >= before.recorded_at
    assert all(hash_of(e) == e.entry_hash for e in chain)
    head = LedgerHead.objects.get(pk=enterprise_id)
    assert (head.seq, head.head_hash) == (length, chain[-1].entry_hash)


def test_the_entry_hash_is_the_sha256_of_the_documented_text():
    when = dt.datetime(2026, 11, 29, 8, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    text = entry_preimage(3, 17, "chain.event", 41, "d" * 64, "p" * 64, when)
    assert text == f"shilian-ledger/1|3|17|chain.event|41|{'d' * 64}|{'p' * 64}|2026-11-29T00:00:00.123456Z"
    assert entry_hash(3, 17, "chain.event", 41, "d" * 64, "p" * 64, when) == hashlib.sha256(text.encode()).hexdigest()


def test_appends_chain_each_entry_to_the_one_before():
    with transaction.atomic():
        first = append(5, "chain.event", 100, b"one")
        rest = append_many(5, [Record("chain.event", 101, b"two"), Record("chain.event", 102, b"three")])
    assert first.digest == hashlib.sha256(b"one").hexdigest()
    assert [e.subject_id for e in rest] == [101, 102]
    with transaction.atomic():
        append(6, "chain.event", 200, b"other enterprise")
        append(5, "chain.event", 103, b"four")
    _assert_linked(5, 4)
    _assert_linked(6, 1)


@pytest.mark.django_db(transaction=True)
def test_an_append_belongs_inside_the_records_transaction():
    with pytest.raises(RuntimeError):
        append(5, "chain.event", 1, b"x")
    assert not LedgerEntry.objects.exists()


def test_a_rolled_back_transaction_leaves_the_chain_as_it_was():
    with transaction.atomic():
        append(5, "chain.event", 1, b"kept")
    def append_then_fail() -> None:
        with transaction.atomic():
            append(5, "chain.event", 2, b"rolled back")
            raise RuntimeError("the record's write failed")

    with pytest.raises(RuntimeError, match="write failed"):
        append_then_fail()
    _assert_linked(5, 1)


def test_a_record_is_sealed_once():
    with transaction.atomic():
        append(5, "chain.event", 1, b"x")
    with pytest.raises(IntegrityError), transaction.atomic():
        append(6, "chain.event", 1, b"x again")


@pytest.mark.django_db(transaction=True)
def test_two_writers_appending_to_one_chain_never_fork_it():
    """Both threads start their first append together (no head row yet), then keep going:
    one chain, every seq once, each entry naming the one before."""
    per_thread = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(per_thread):
                with transaction.atomic():
                    append_many(9, [Record("chain.event", offset + n, f"{offset + n}".encode())])
                    if n % 3 == 0:
                        append(9, "chain.event", offset + 1000 + n, b"second in the same transaction")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k * 10_000,)) for k in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    total = 2 * (per_thread + len(range(0, per_thread, 3)))
    _assert_linked(9, total)
