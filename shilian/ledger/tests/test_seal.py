"""Every chain action seals its events into the chain of evidence, in its own transaction."""

import datetime as dt
import hashlib
import importlib
import json
import threading
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from shilian.chain.actions import ShipLine, receive_lot, ship_lots
from shilian.chain.canonical import KIND, encode, stored_forms
from shilian.chain.models import TraceEvent
from shilian.core.errors import DomainError
from shilian.core.ledger import GENESIS, hash_of
from shilian.core.models import LedgerEntry, LedgerHead
from shilian.core.testing import factories as f
from shilian.ledger.tests.support import every_kind
from shilian.ledger.verify import verify

pytestmark = pytest.mark.django_db


def test_every_event_of_every_action_has_one_entry_and_everything_verifies():
    w = every_kind()
    events = w["events"]
    assert {e.event_type for e in events} == {"receive", "transform", "ship", "inspect", "void", "dispose", "recall"}
    entries = {e.subject_id: e for e in LedgerEntry.objects.filter(kind=KIND)}
    assert sorted(entries) == [e.pk for e in events]
    for event in events:
        assert entries[event.pk].enterprise_id == event.enterprise_id
    forms = stored_forms(e.pk for e in events)
    for event in events:
        assert entries[event.pk].digest == hashlib.sha256(forms[event.pk][1]).hexdigest()
    report = verify()
    assert report.problems == []
    assert (report.chains, report.entries) == (2, len(events))


def test_a_chain_links_its_entries_in_order_and_the_head_is_the_last():
    w = every_kind()
    for enterprise in (w["maker"], w["shop"]):
        chain = list(LedgerEntry.objects.filter(enterprise_id=enterprise.pk).order_by("seq"))
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == GENESIS
        for before, entry in zip(chain, chain[1:], strict=False):
            assert entry.prev_hash == before.entry_hash
        assert all(hash_of(e) == e.entry_hash for e in chain)
        head = LedgerHead.objects.get(pk=enterprise.pk)
        assert (head.seq, head.head_hash) == (chain[-1].seq, chain[-1].entry_hash)
        # recorded in sequence order: entries follow the events' ids within an enterprise
        assert [e.subject_id for e in chain] == sorted(e.subject_id for e in chain)


def test_the_canonical_form_holds_the_event_its_lines_lots_and_documents():
    w = every_kind()
    receipt = TraceEvent.objects.filter(enterprise=w["maker"], event_type="receive").order_by("pk").first()
    body = json.loads(stored_forms([receipt.pk])[receipt.pk][1])
    assert body["kind"] == "chain.event"
    assert body["v"] == 1
    assert (body["id"], body["type"], body["enterprise"], body["reference_no"]) == (receipt.pk, "receive", w["maker"].pk, "INV-1")
    assert body["occurred_at"].endswith("Z")
    assert len(body["occurred_at"]) == 27
    [line] = body["lines"]
    assert (line["lot"], line["quantity"], line["unit"], line["code"], line["product_name"]) == (
        w["flour"].pk, "50.000", "kg", "F1", "面粉"
    )
    [document] = body["documents"]
    assert (document["kind"], document["number"], len(document["sha256"])) == ("certificate", "QC-1", 64)
    raw = stored_forms([receipt.pk])[receipt.pk][1]
    assert raw == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def test_a_refused_action_appends_nothing():
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="2")
    before = (LedgerEntry.objects.count(), LedgerHead.objects.get(pk=shop.pk).seq)
    with pytest.raises(DomainError):
        ship_lots(shop, lines=[ShipLine(lot, "3", "kg")], occurred_at=f.now(), acting_user=None)
    assert (LedgerEntry.objects.count(), LedgerHead.objects.get(pk=shop.pk).seq) == before


def test_an_action_seals_its_event_with_three_statements_and_no_reads():
    shop = f.make_enterprise()
    supplier = f.make_partner(shop)
    f.receive(shop, supplier=supplier)

    def receipt():
        receive_lot(
            shop, acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", product_name="盐", lot_code="S1",
            supplier=supplier,
        )

    with CaptureQueriesContext(connection) as sealed:
        receipt()
    ledger = [q["sql"] for q in sealed.captured_queries if "ledger" in q["sql"]]
    reads = [q["sql"] for q in sealed.captured_queries if q["sql"].startswith("SELECT") and "chain_document" in q["sql"]]
    assert len(ledger) == 3  # lock the head (upsert), insert the entry, move the head
    assert reads == []  # the canonical form comes from the rows the action wrote


def test_events_recorded_before_the_ledger_are_sealed_once_by_the_migration():
    w = every_kind()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_ledgerentry")
        cursor.execute("DELETE FROM core_ledgerhead")
    assert {str(p) for p in verify().problems} == {
        f"enterprise {e.enterprise_id}, event {e.pk}: the event has no entry in the chain" for e in w["events"]
    }
    migration = importlib.import_module("shilian.ledger.migrations.0002_seal_recorded_events")
    migration.seal_recorded_events(django_apps, None)
    assert verify().problems == []
    migration.seal_recorded_events(django_apps, None)  # nothing left to seal: nothing changes
    assert LedgerEntry.objects.count() == len(w["events"])
    receive_lot(w["shop"], acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", product_name="盐", lot_code="S")
    assert verify().problems == []


def test_values_held_in_memory_encode_as_the_columns_give_them_back():
    """The seal encodes the rows an action holds; verification the rows read back."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    event = (7, "receive", 3, dt.datetime(2026, 1, 2, 0, 30, tzinfo=shanghai), "2026-01-02T00:00:00+00:00", None, "", None,
             None, None, None, None, "", {"b": (1, 2), 3: "x"})
    line = (9, 7, 3, 11, "output", "2.5", "kg", 3, None, "面", "L1", dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.UTC), "2026-02-01")
    stored = (7, "receive", 3, dt.datetime(2026, 1, 1, 16, 30, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, tzinfo=dt.UTC), None, "",
              None, None, None, None, None, "", {"3": "x", "b": [1, 2]})
    stored_line = (9, 7, 3, 11, "output", Decimal("2.500"), "kg", 3, None, "面", "L1", dt.date(2026, 1, 3), dt.date(2026, 2, 1))
    assert encode(event, [line], ()) == encode(stored, [stored_line], ())
    body = json.loads(encode(stored, [stored_line], ()))
    assert (body["occurred_at"], body["lines"][0]["produced_on"], body["lines"][0]["quantity"]) == (
        "2026-01-01T16:30:00.000000Z", "2026-01-03", "2.500"
    )


def _reference(event, lines, documents) -> bytes:
    """The canonical form as the docstring defines it: one JSON object, keys sorted."""
    (pk, kind, enterprise, occurred, recorded, by, room, partner, counterparty, shipment, voids, recall, ref, detail) = event
    body = {
        "v": 1, "kind": "chain.event", "id": pk, "type": kind, "enterprise": enterprise,
        "occurred_at": occurred.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "recorded_at": recorded.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "recorded_by": by, "room": room, "partner": partner, "counterparty": counterparty, "shipment": shipment,
        "voids": voids, "recall": recall, "reference_no": ref, "detail": detail,
        "lines": [
            {"id": r[0], "enterprise": r[2], "lot": r[3], "role": r[4], "quantity": f"{r[5]:.3f}", "unit": r[6],
             "lot_enterprise": r[7], "product": r[8], "product_name": r[9], "code": r[10],
             "produced_on": r[11].isoformat() if r[11] else None, "expires_on": r[12].isoformat() if r[12] else None}
            for r in sorted(lines)
        ],
        "documents": [
            {"id": d[0], "kind": d[2], "number": d[3], "sha256": d[4], "size": d[5], "content_type": d[6],
             "original_name": d[7], "file": d[8]}
            for d in sorted(documents)
        ],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    "text",
    ["", "plain", '引号"与\\反斜杠', "tab\tnew\nline\x00\x1f", "\u2028\u2029 emoji 🍜", "</script>&<"],
)
def test_the_encoder_writes_exactly_the_json_the_docstring_defines(text):
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)
    detail = {"z": [1, 2.5, None, True], "a": {"y": text, "b": -3}, text: "值"}
    event = (41, "receive", 3, when, when + dt.timedelta(seconds=1), None, text, 8, None, 12, None, 5, text, detail)
    lines = [
        (99, 41, 3, 7, "output", Decimal("12.5"), "kg", 3, None, text, "A/7", dt.date(2026, 1, 1), None),
        (98, 41, 3, 6, "input", Decimal("0.001"), "g", 3, 4, "面粉", text, None, dt.date(2027, 1, 1)),
    ]
    documents = [(5, 41, "certificate", text, "ab" * 32, 1234, "application/pdf", f"{text}.pdf", "documents/ab/x.pdf")]
    assert encode(event, lines, documents) == _reference(event, lines, documents)
    assert encode(event, [], []) == _reference(event, [], [])


@pytest.mark.django_db(transaction=True)
def test_two_operators_recording_at_once_leave_one_verifiable_chain():
    shop = f.make_enterprise()
    supplier = f.make_partner(shop)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def record(prefix: str) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(8):
                receive_lot(
                    shop, acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", product_name="盐",
                    lot_code=f"{prefix}{n}", supplier=supplier,
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(p,)) for p in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    report = verify()
    assert (report.problems, report.entries) == ([], 16)
    assert LedgerHead.objects.get(pk=shop.pk).seq == 16
