"""Rows changed, deleted or reordered by hand (raw SQL) are found: ``shilian ledger verify``
exits 1 naming the first broken entry (enterprise, seq, event)."""

import hashlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from shilian.chain.canonical import stored_forms
from shilian.chain.models import EventLine, TraceEvent
from shilian.core.ledger import entry_hash
from shilian.core.models import LedgerEntry, LedgerHead
from shilian.core.testing import factories as f
from shilian.ledger.actions import close_day
from shilian.ledger.tests.support import every_kind

pytestmark = pytest.mark.django_db


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _entry(event) -> LedgerEntry:
    return LedgerEntry.objects.get(kind="chain.event", subject_id=event.pk)


def _verify(*args: str) -> str:
    """Run the command; the first broken entry it names (CommandError), or '' when it passes."""
    out = StringIO()
    failed: CommandError | None = None
    try:
        call_command("ledger", "verify", *args, stdout=out)
    except CommandError as exc:
        failed = exc
    if failed is None:
        assert "OK: every entry and root verifies" in out.getvalue()
        return ""
    assert failed.returncode == 1
    assert "BROKEN" in out.getvalue()
    return str(failed).split("first broken at ")[1]


def _shop(receipts: int = 4):
    shop = f.make_enterprise()
    lots = [f.receive(shop, quantity="10", lot_code=f"T{n}") for n in range(receipts)]
    events = [lot.event_lines.get().event for lot in lots]
    return shop, lots, events


def test_untouched_rows_verify():
    every_kind()
    assert _verify() == ""


def test_an_edited_event_row_is_the_first_broken_entry():
    shop, _, events = _shop()
    assert _verify() == ""
    _sql("UPDATE chain_traceevent SET reference_no = %s WHERE id = %s", ["FORGED", events[1].pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 2, event {events[1].pk}"


def test_an_edited_quantity_on_a_line_is_found():
    shop, _, events = _shop()
    line = EventLine.objects.get(event=events[2])
    _sql("UPDATE chain_eventline SET quantity = %s WHERE id = %s", [9.5, line.pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 3, event {events[2].pk}"
    assert _verify("--enterprise", str(shop.pk)) == f"enterprise {shop.pk}, entry seq 3, event {events[2].pk}"


def test_a_line_moved_to_another_lot_and_an_edited_lot_code_are_found():
    shop, lots, events = _shop()
    line = EventLine.objects.get(event=events[3])
    _sql("UPDATE chain_eventline SET lot_id = %s WHERE id = %s", [lots[0].pk, line.pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 4, event {events[3].pk}"
    _sql("UPDATE chain_lot SET code = %s WHERE id = %s", ["T9", lots[1].pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 2, event {events[1].pk}"


def test_a_changed_document_hash_is_found():
    w = every_kind()
    receipt = TraceEvent.objects.filter(enterprise=w["maker"], event_type="receive").order_by("pk").first()
    _sql("UPDATE chain_document SET sha256 = %s WHERE event_id = %s", ["0" * 64, receipt.pk])
    assert _verify() == f"enterprise {w['maker'].pk}, entry seq {_entry(receipt).seq}, event {receipt.pk}"


def test_a_deleted_event_is_found():
    shop, lots, events = _shop()
    _sql("DELETE FROM chain_eventline WHERE event_id = %s", [events[1].pk])
    _sql("DELETE FROM core_historyentry WHERE subject_type = 'chain.traceevent' AND subject_id = %s", [str(events[1].pk)])
    _sql("DELETE FROM chain_traceevent WHERE id = %s", [events[1].pk])
    _sql("DELETE FROM chain_lot WHERE id = %s", [lots[1].pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=out)
    assert f"enterprise {shop.pk}, entry seq 2, event {events[1].pk}: event {events[1].pk} no longer exists" in out.getvalue()


def test_two_entries_swapped_break_the_chain_at_the_first_of_them():
    shop, _, events = _shop()
    first, second = _entry(events[1]), _entry(events[3])
    _sql("UPDATE core_ledgerentry SET seq = %s WHERE id = %s", [10**9, first.pk])
    _sql("UPDATE core_ledgerentry SET seq = %s WHERE id = %s", [first.seq, second.pk])
    _sql("UPDATE core_ledgerentry SET seq = %s WHERE id = %s", [second.seq, first.pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 2, event {events[3].pk}"


def test_two_events_swapped_between_their_entries_are_found():
    shop, _, events = _shop()
    a, b = _entry(events[0]), _entry(events[2])
    _sql("UPDATE core_ledgerentry SET subject_id = %s WHERE id = %s", [-1, a.pk])
    _sql("UPDATE core_ledgerentry SET subject_id = %s WHERE id = %s", [events[0].pk, b.pk])
    _sql("UPDATE core_ledgerentry SET subject_id = %s WHERE id = %s", [events[2].pk, a.pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 1, event {events[2].pk}"


def test_a_deleted_entry_is_found_where_it_was():
    shop, _, events = _shop()
    _sql("DELETE FROM core_ledgerentry WHERE id = %s", [_entry(events[1]).pk])
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "verify", stdout=out)
    assert str(exc.value).endswith(f"first broken at enterprise {shop.pk}, entry seq 2")
    assert f"entry seq 2 is missing: the next stored entry is seq 3 (event {events[2].pk})" in out.getvalue()
    assert f"enterprise {shop.pk}, event {events[1].pk}: the event has no entry in the chain" in out.getvalue()


def test_the_last_entry_deleted_is_found_by_the_head():
    shop, _, events = _shop()
    _sql("DELETE FROM core_ledgerentry WHERE id = %s", [_entry(events[3]).pk])
    assert _verify() == f"enterprise {shop.pk}, entry seq 4"


def test_an_event_inserted_without_its_entry_is_found():
    shop, lots, events = _shop()
    _sql(
        "INSERT INTO chain_traceevent (event_type, enterprise_id, occurred_at, recorded_at, room, reference_no, detail) "
        "VALUES ('ship', %s, %s, %s, '', '', '{}')",
        [shop.pk, events[0].occurred_at, events[0].recorded_at],
    )
    fake = TraceEvent.objects.order_by("-pk").first()
    assert _verify() == f"enterprise {shop.pk}, event {fake.pk}"


def test_a_chain_rewritten_with_fresh_hashes_is_caught_by_the_signed_daily_root(tomorrow):
    """Whoever rewrites an event and every hash after it still cannot change the published root."""
    shop, _, events = _shop()
    close_day(tomorrow)
    _sql("UPDATE chain_eventline SET quantity = %s WHERE event_id = %s", [1, events[1].pk])

    prev = _entry(events[0]).entry_hash
    for entry in LedgerEntry.objects.filter(enterprise_id=shop.pk, seq__gte=2).order_by("seq"):
        digest = hashlib.sha256(stored_forms([entry.subject_id])[entry.subject_id][1]).hexdigest()
        new = entry_hash(shop.pk, entry.seq, entry.kind, entry.subject_id, digest, prev, entry.recorded_at)
        _sql("UPDATE core_ledgerentry SET digest = %s, prev_hash = %s, entry_hash = %s WHERE id = %s", [digest, prev, new, entry.pk])
        prev = new
    _sql("UPDATE core_ledgerhead SET head_hash = %s WHERE enterprise_id = %s", [prev, shop.pk])
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "verify", stdout=out)
    assert str(exc.value).endswith(f"first broken at enterprise {shop.pk}, entry seq 4, event {events[3].pk}")
    assert f"the daily root of {tomorrow} names this entry with hash" in out.getvalue()


def test_an_edited_daily_root_is_found(tomorrow):
    _shop()
    root = close_day(tomorrow)
    assert _verify() == ""
    _sql("UPDATE ledger_dailyroot SET root_hash = %s WHERE id = %s", ["f" * 64, root.pk])
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "verify", stdout=out)
    assert str(exc.value).endswith(f"first broken at daily root {tomorrow}")
    assert "its signed statement does not match the stored root" in out.getvalue()


def test_other_chains_still_verify_and_problems_name_their_enterprise():
    shop, _, events = _shop()
    other, _, _ = _shop()
    _sql("UPDATE chain_traceevent SET room = %s WHERE id = %s", ["x", events[0].pk])
    assert _verify("--enterprise", str(other.pk)) == ""
    assert _verify("--enterprise", str(shop.pk)) == f"enterprise {shop.pk}, entry seq 1, event {events[0].pk}"


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_1_on_a_broken_chain():
    shop, _, events = _shop(2)
    _sql("UPDATE chain_eventline SET quantity = %s WHERE event_id = %s", [3, events[1].pk])
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shilian.config.settings.test"}
    env["SHILIAN_DATA_DIR"] = str(settings.DATA_DIR)
    run = subprocess.run(
        [sys.executable, "-m", "shilian.cli", "ledger", "verify"],
        env=env, capture_output=True, text=True, timeout=120, cwd=Path(settings.BASE_DIR), check=False,
    )
    assert run.returncode == 1, run.stderr
    assert f"BROKEN enterprise {shop.pk}, entry seq 2, event {events[1].pk}: event {events[1].pk} was changed" in run.stdout
    _sql("UPDATE chain_eventline SET quantity = %s WHERE event_id = %s", [10, events[1].pk])
    run = subprocess.run(
        [sys.executable, "-m", "shilian.cli", "ledger", "verify"],
        env=env, capture_output=True, text=True, timeout=120, cwd=Path(settings.BASE_DIR), check=False,
    )
    assert (run.returncode, run.stdout.splitlines()[-1]) == (0, "OK: every entry and root verifies")
    assert LedgerHead.objects.get(pk=shop.pk).seq == 2
