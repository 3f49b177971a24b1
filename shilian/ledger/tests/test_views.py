"""The public ledger: daily roots as JSON, and a lot's proof page checked end to end."""

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shilian.chain.actions import record_inspection
from shilian.chain.lotref import lgtin_urn
from shilian.chain.models import TraceEvent
from shilian.core.models import LedgerEntry
from shilian.core.testing import factories as f
from shilian.ledger import actions, ratelimit
from shilian.ledger.actions import close_day
from shilian.ledger.tests.support import every_kind, gtin

pytestmark = pytest.mark.django_db


def _independent_check(proof: dict, event: dict, roots: dict) -> None:
    """What an outside auditor does with the JSON: hashlib and an Ed25519 library only."""
    entry = event["entry"]
    assert entry["digest"] == event["recomputed_digest"]
    assert hashlib.sha256(entry["preimage"].encode()).hexdigest() == entry["entry_hash"]
    assert entry["preimage"].split("|")[5] == entry["digest"]
    chain = proof["entries"]
    start = next(i for i, e in enumerate(chain) if e["seq"] == entry["seq"])
    for before, link in zip(chain[start:], chain[start + 1 :], strict=False):
        assert link["prev_hash"] == before["entry_hash"]
        assert hashlib.sha256(link["preimage"].encode()).hexdigest() == link["entry_hash"]
    assert chain[-1]["entry_hash"] == proof["head"]["entry_hash"]
    leaf = proof["leaf"]
    assert leaf["text"] == f"shilian-ledger-head/1|{proof['enterprise']}|{proof['head']['seq']}|{proof['head']['entry_hash']}"
    current = hashlib.sha256(b"\x00" + leaf["text"].encode()).digest()
    assert current.hex() == leaf["hash"]
    for step in proof["path"]:
        sibling = bytes.fromhex(step["sibling"])
        pair = sibling + current if step["side"] == "left" else current + sibling
        current = hashlib.sha256(b"\x01" + pair).digest()
    published = next(r for r in roots["roots"] if r["day"] == proof["day"])
    assert current.hex() == published["root"] == proof["root"]["hash"]
    key = next(k for k in roots["keys"] if k["key_id"] == published["key"])
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        base64.b64decode(published["signature"]), published["statement"].encode()
    )
    assert json.loads(published["statement"])["root"] == published["root"]


def _coded_world(tomorrow):
    w = every_kind()
    close_day(tomorrow)
    return w


def test_a_lot_named_by_its_digital_link_verifies_step_by_step_for_anyone(client, tomorrow):
    w = _coded_world(tomorrow)
    noodles = w["noodles"]
    uri = f"https://example.org/01/{gtin(1)}/10/{noodles.code}"
    page = client.get(f"/ledger/lots/{uri}")
    assert page.status_code == 200
    html = page.content.decode()
    events = TraceEvent.objects.filter(lines__lot=noodles).distinct()
    assert sorted(e.event_type for e in events) == ["inspect", "recall", "ship", "transform"]
    for event in events:
        assert f'id="event-{event.pk}"' in html
        assert LedgerEntry.objects.get(subject_id=event.pk).entry_hash in html
    assert "✗" not in html
    assert "规范形式（您有权查看" not in html  # the rows themselves only for those who may see the lot
    body = client.get(f"/ledger/lots/{uri}?format=json").json()
    roots = client.get("/ledger/roots/").json()
    assert [e["status"] for e in body["events"]] == ["verified"] * 4
    assert all("canonical" not in e for e in body["events"])
    [proof] = body["proofs"]
    for event in body["events"]:
        _independent_check(proof, event, roots)


def test_the_path_form_the_lgtin_urn_and_a_short_code_name_the_lot(client, tomorrow):
    w = _coded_world(tomorrow)
    noodles = w["noodles"]
    for ref in (f"01/{gtin(1)}/10/{noodles.code}", lgtin_urn(gtin(1), noodles.code)):
        body = client.get(f"/ledger/lots/{ref}", {"format": "json"}).json()
        assert body["lot"]["id"] == noodles.pk, ref
    shop_lot = w["shop_lot"]
    apps.get_model("codes", "ShortCode").objects.create(lot=shop_lot, enterprise=w["shop"], code="0123456789A")
    body = client.get("/ledger/lots/https://example.org/t/0123456789A", HTTP_ACCEPT="application/json").json()
    assert (body["lot"]["id"], [e["status"] for e in body["events"]]) == (shop_lot.pk, ["verified", "verified"])
    assert client.get("/ledger/lots/t/0123456789A").status_code == 200
    assert client.get(f"/ledger/lots/{shop_lot.pk}").status_code == 200  # coded: public by id too
    assert client.get(f"/ledger/lots/01/{gtin(2)}/10/X").status_code == 404
    assert client.get("/ledger/lots/nonsense").status_code == 404


def test_events_after_the_last_closed_day_are_pending_and_a_changed_event_is_broken(client, tomorrow):
    w = every_kind()
    noodles = w["noodles"]
    uri = f"/ledger/lots/01/{gtin(1)}/10/{noodles.code}?format=json"
    body = client.get(uri).json()
    assert [e["status"] for e in body["events"]] == ["pending"] * 4
    assert [p["day"] for p in body["proofs"]] == [None]
    inspection = TraceEvent.objects.get(event_type="inspect")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE chain_traceevent SET detail = %s WHERE id = %s", ['{"passed": true}', inspection.pk])
    body = client.get(uri).json()
    statuses = {e["event"]: (e["status"], e["problem"]) for e in body["events"]}
    assert statuses[inspection.pk] == ("broken", "the event's rows no longer give the digest its entry holds: the event was changed")
    page = client.get(uri.replace("?format=json", ""))
    assert "1 个事件未通过验证" in page.content.decode()


def test_a_lot_without_a_code_is_shown_by_id_only_to_those_who_may_see_it():
    """Permission matrix: GET only, nothing written either way."""
    shop, other = f.make_enterprise(), f.make_enterprise(jurisdiction="330106001")
    lot = f.receive(shop)
    actors = f.make_actors(shop, other)
    expected = {
        "anonymous": 404,
        "operator": 200,
        "other_operator": 404,
        "inspector_in": 200,
        "inspector_out": 404,
        "admin": 200,
    }
    before = (TraceEvent.objects.count(), LedgerEntry.objects.count())
    for name, user in actors.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        page = client.get(f"/ledger/lots/{lot.pk}")
        assert page.status_code == expected[name], name
        if page.status_code == 200:
            body = client.get(f"/ledger/lots/{lot.pk}", {"format": "json"}).json()
            [event] = body["events"]
            form = json.loads(event["canonical"])  # those who may see the lot get its rows
            assert hashlib.sha256(event["canonical"].encode()).hexdigest() == event["entry"]["digest"]
            assert form["lines"][0]["lot"] == lot.pk
            assert "规范形式（您有权查看" in page.content.decode()
    assert (TraceEvent.objects.count(), LedgerEntry.objects.count()) == before


def test_roots_are_public_json_with_a_constant_number_of_queries(client, tomorrow, monkeypatch):
    shop = f.make_enterprise()
    f.receive(shop)
    monkeypatch.setattr(actions, "today", lambda: tomorrow + dt.timedelta(days=4))
    roots = [close_day(tomorrow)]
    with CaptureQueriesContext(connection) as one:
        body = client.get("/ledger/roots/").json()
    for n in range(1, 4):
        roots.append(close_day(tomorrow + dt.timedelta(days=n)))
    with CaptureQueriesContext(connection) as four:
        response = client.get("/ledger/roots/")
    assert len(one) == len(four) == 2
    body = response.json()
    assert [r["day"] for r in body["roots"]] == [r.day.isoformat() for r in reversed(roots)]
    assert response["Access-Control-Allow-Origin"] == "*"
    [key] = body["keys"]
    assert key["retired_at"] is None
    assert key["algorithm"] == "Ed25519"
    day = client.get(f"/ledger/roots/{tomorrow}.json")
    assert day.status_code == 200
    assert "max-age=3600" in day["Cache-Control"]
    document = day.json()
    assert document["leaves"] == [
        {"position": 0, "enterprise": shop.pk, "seq": 1, "entry_hash": LedgerEntry.objects.get(enterprise_id=shop.pk).entry_hash}
    ]
    assert document["statement"] == roots[0].statement
    assert client.get("/ledger/roots/2001-01-01.json").status_code == 404
    assert client.get("/ledger/roots/someday.json").status_code == 400
    assert client.post("/ledger/roots/").status_code == 405


def test_public_pages_are_rate_limited_per_client(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "ROOTS_RATE", "2/m")
    monkeypatch.setattr("shilian.ledger.views.ROOTS_RATE", "2/m")
    assert [client.get("/ledger/roots/").status_code for _ in range(3)] == [200, 200, 429]
    other = client.get("/ledger/roots/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    monkeypatch.setattr("shilian.ledger.views.PROOF_RATE", "1/m")
    lot = f.receive(f.make_enterprise())
    admin = f.make_admin()
    client.force_login(admin)
    assert [client.get(f"/ledger/lots/{lot.pk}").status_code for _ in range(2)] == [200, 429]


def test_the_proof_page_reads_a_fixed_number_of_queries_per_daily_root(client, tomorrow):
    shop = f.make_enterprise()
    product = f.make_product(shop, gtin=gtin(7))
    lot = f.produce(shop, [(f.receive(shop), "1")], product, "10")
    uri = f"/ledger/lots/01/{gtin(7)}/10/{lot.code}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(uri).status_code == 200
        return len(captured)

    f.ship(shop, lot, "1")
    close_day(tomorrow)
    few = queries()
    for _ in range(5):
        record_inspection(lot, kind="self", passed=True, occurred_at=f.now(), acting_user=None)
    pending = queries()  # five more events, after the closed day: no more queries
    for _ in range(5):
        f.ship(shop, lot, "1")
    assert queries() == pending == few <= 12
