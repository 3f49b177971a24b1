"""Daily roots: the day's chain heads in a signed Merkle tree; the signing key and its rotation."""

import base64
import datetime as dt
import json
import os
import stat
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.db import connection

from shilian.core.errors import DomainError
from shilian.core.ledger import GENESIS
from shilian.core.models import HistoryEntry, LedgerEntry
from shilian.core.testing import factories as f
from shilian.ledger import actions, keys, merkle
from shilian.ledger.actions import close_day, close_due_days, due_days
from shilian.ledger.keys import encode_private, rotate_key
from shilian.ledger.models import DailyRoot, SigningKey
from shilian.ledger.verify import verify

pytestmark = pytest.mark.django_db


def _heads(enterprises):
    out = []
    for enterprise in sorted(enterprises, key=lambda e: e.pk):
        last = LedgerEntry.objects.filter(enterprise_id=enterprise.pk).order_by("-seq").first()
        out.append((enterprise.pk, last.seq, last.entry_hash))
    return out


def test_a_day_closes_into_a_signed_root_over_the_heads_of_the_chains_that_grew(tomorrow):
    shop, maker = f.make_enterprise(), f.make_enterprise()
    f.receive(shop)
    f.receive(maker)
    f.receive(shop)
    root = close_day(tomorrow)
    heads = _heads([shop, maker])
    assert list(root.leaves.order_by("position").values_list("enterprise_id", "seq", "entry_hash")) == heads
    assert root.root_hash == merkle.root([merkle.leaf_hash(merkle.leaf_text(*h)) for h in heads]).hex()
    assert (root.size, root.entries, root.previous_hash) == (2, 3, GENESIS)
    statement = json.loads(root.statement)
    assert statement == {
        "v": "shilian-ledger-root/1",
        "day": tomorrow.isoformat(),
        "root": root.root_hash,
        "size": 2,
        "entries": 3,
        "previous": GENESIS,
        "key": root.key.key_id,
        "closed_at": root.closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(root.key.public_key))
    public.verify(base64.b64decode(root.signature), root.statement.encode())  # raises when wrong
    assert HistoryEntry.objects.filter(action="ledger.close", subject_id=str(root.pk)).exists()
    assert verify().problems == []


def test_closing_is_idempotent_in_order_and_only_for_days_that_are_over(tomorrow):
    f.receive(f.make_enterprise())
    with pytest.raises(DomainError) as exc:
        close_day(tomorrow + dt.timedelta(days=1))
    assert exc.value.code == "day_not_over"
    first = close_day(tomorrow - dt.timedelta(days=2))  # an empty day: the hash of nothing
    assert (first.size, first.root_hash) == (0, merkle.root([]).hex())
    with pytest.raises(DomainError) as exc:
        close_day(tomorrow)  # the day between is not closed yet
    assert exc.value.code == "out_of_order"
    second = close_day(tomorrow - dt.timedelta(days=1))
    third = close_day(tomorrow)
    assert close_day(tomorrow).pk == third.pk
    assert (second.previous_hash, third.previous_hash) == (first.root_hash, second.root_hash)
    with pytest.raises(DomainError) as exc:
        close_day(tomorrow - dt.timedelta(days=3))
    assert exc.value.code == "out_of_order"
    assert DailyRoot.objects.count() == 3
    assert verify().problems == []


def test_due_days_catch_up_from_the_first_entry_or_the_last_closed_day(tomorrow):
    assert due_days() == [tomorrow]  # nothing recorded: yesterday (the test's today)
    f.receive(f.make_enterprise())
    later = tomorrow + dt.timedelta(days=3)
    assert due_days(later) == [tomorrow + dt.timedelta(days=n) for n in range(3)]
    roots = close_due_days()
    assert [r.day for r in roots] == [tomorrow]
    assert close_due_days() == []


def test_the_key_file_is_generated_once_readable_by_its_owner_only(settings, tomorrow):
    f.receive(f.make_enterprise())
    root = close_day(tomorrow)
    path = settings.DATA_DIR / "ledger_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_text()))
    assert keys.public_b64(private) == root.key.public_key
    assert SigningKey.objects.get().key_id == keys.key_id_of(root.key.public_key)


def test_a_key_file_others_can_read_is_refused(settings, tomorrow):
    path = settings.DATA_DIR / "ledger_key"
    path.write_text(encode_private(Ed25519PrivateKey.generate()))
    os.chmod(path, 0o644)
    with pytest.raises(DomainError) as exc:
        close_day(tomorrow)
    assert exc.value.code == "bad_key"
    assert "chmod 600" in exc.value.message
    assert not DailyRoot.objects.exists()


def test_the_environment_key_is_used_and_a_bad_one_refused(monkeypatch, settings, tomorrow):
    private = Ed25519PrivateKey.generate()
    monkeypatch.setenv(keys.ENV, encode_private(private))
    root = close_day(tomorrow)
    assert root.key.public_key == keys.public_b64(private)
    assert not (settings.DATA_DIR / "ledger_key").exists()
    monkeypatch.setenv(keys.ENV, base64.b64encode(b"short").decode())
    with pytest.raises(DomainError) as exc:
        keys.private_key()
    assert exc.value.code == "bad_key"
    assert "32-byte" in exc.value.message


def test_rotation_keeps_the_history_and_every_old_root_still_verifies(monkeypatch, tomorrow):
    monkeypatch.setattr(actions, "today", lambda: tomorrow + dt.timedelta(days=2))
    f.receive(f.make_enterprise())
    old = close_day(tomorrow)
    new_key = rotate_key()
    newer = close_day(tomorrow + dt.timedelta(days=1))
    old_key = SigningKey.objects.get(pk=old.key_id)
    assert old_key.retired_at is not None
    assert new_key.retired_at is None
    assert newer.key_id == new_key.pk != old.key_id
    assert verify().problems == []
    # a private key that is not the registered current one is refused, not silently used
    monkeypatch.setenv(keys.ENV, encode_private(Ed25519PrivateKey.generate()))
    with pytest.raises(DomainError) as exc:
        keys.signing_key()
    assert exc.value.code == "key_not_current"


def test_rotating_to_the_environment_key(monkeypatch, tomorrow):
    first = Ed25519PrivateKey.generate()
    monkeypatch.setenv(keys.ENV, encode_private(first))
    keys.signing_key()
    with pytest.raises(DomainError) as exc:
        rotate_key()
    assert exc.value.code == "key_unchanged"
    second = Ed25519PrivateKey.generate()
    monkeypatch.setenv(keys.ENV, encode_private(second))
    assert rotate_key().public_key == keys.public_b64(second)
    monkeypatch.setenv(keys.ENV, encode_private(first))
    with pytest.raises(DomainError) as exc:
        rotate_key()
    assert "retired key is not used again" in exc.value.message
    assert SigningKey.objects.filter(retired_at__isnull=True).get().public_key == keys.public_b64(second)


def test_a_root_signed_with_a_key_outside_its_use_is_found(tomorrow):
    f.receive(f.make_enterprise())
    root = close_day(tomorrow)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_signingkey SET activated_at = %s", [root.closed_at + dt.timedelta(hours=1)])
    problems = verify().problems
    assert [str(p) for p in problems] == [f"daily root {tomorrow}: key {root.key.key_id} was not in use at {root.closed_at:%Y-%m-%d %H:%M}"]


def test_the_commands_close_list_and_rotate(tomorrow):
    f.receive(f.make_enterprise())
    out = StringIO()
    call_command("ledger", "close", stdout=out)
    root = DailyRoot.objects.get()
    assert out.getvalue().startswith(f"{tomorrow}: root {root.root_hash} over 1 chain heads (1 entries), signed by")
    out = StringIO()
    call_command("ledger", "close", stdout=out)
    assert out.getvalue() == "nothing to close\n"
    with pytest.raises(CommandError, match="is not over yet"):
        call_command("ledger", "close", "--date", (tomorrow + dt.timedelta(days=1)).isoformat(), stdout=StringIO())
    with pytest.raises(CommandError, match="is not a date"):
        call_command("ledger", "close", "--date", "yesterday", stdout=StringIO())
    out = StringIO()
    call_command("ledger", "key", "rotate", stdout=out)
    current = SigningKey.objects.get(retired_at__isnull=True)
    assert out.getvalue().startswith(f"signing key {current.key_id} in use from")
    out = StringIO()
    call_command("ledger", "key", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "retired" in lines[0]
    assert lines[1].startswith(f"* {current.key_id}")
