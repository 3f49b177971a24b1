"""Chain events recorded by the pages are read back as valid EPCIS 2.0 (render + sync)."""

import io

import pytest
from django.core.management import call_command

from shilian.chain.actions import dispose_lot, record_inspection, start_recall, void_event
from shilian.chain.models import TraceEvent
from shilian.core.epcis.validation import validate_document
from shilian.core.testing import factories as f
from shilian.interop import sync
from shilian.interop.models import ChainLink, ChainSync, EpcisEvent
from shilian.interop.render import DOCUMENT_CONTEXT
from shilian.interop.sync import sync_chain_events
from shilian.interop.tests.epcis_support import get, results

pytestmark = pytest.mark.django_db


@pytest.fixture(name="chain")
def chain_fixture():
    """A workshop (no GLN) buys flour, makes noodles (GTIN), sells some at retail, ships some
    to a shop on the platform (its partner), tests, disposes, recalls, voids a receipt."""
    shop = f.make_enterprise(name="面馆", kind="retailer")
    workshop = f.make_enterprise(name="面条作坊")
    workshop.gln = "6901234000016"
    workshop.save(update_fields=["gln"])
    customer = f.make_partner(workshop, linked=shop)
    noodles = f.make_product(workshop, name="鲜面条", gtin="6901234567892", unit="kg")
    flour = f.receive(workshop, quantity="100", product_name="面粉", lot_code="M1")
    made = f.produce(workshop, [(flour, "50")], noodles, "60")
    f.ship(workshop, made, "5")  # retail
    f.ship(workshop, made, "10", customer=customer)
    record_inspection(
        made,
        kind="self",
        passed=True,
        occurred_at=f.now(),
        acting_user=None,
        items=[{"name": "水分", "result": "合格"}],
        lab="自检室",
        report_no="R-1",
    )
    dispose_lot(flour, quantity="5", unit="kg", reason="受潮", occurred_at=f.now(), acting_user=None)
    wrong = f.receive(workshop, quantity="3", product_name="盐", lot_code="Y1")
    void_event(wrong.event_lines.get().event, reason="录错了", acting_user=None)
    start_recall(made, reason="抽检不合格", acting_user=f.make_inspector())
    return {"workshop": workshop, "shop": shop, "made": made, "flour": flour, "admin": f.make_admin()}


def _by_type():
    out = {}
    for event in EpcisEvent.objects.select_related("trace_event").order_by("pk"):
        out.setdefault(event.trace_event.event_type, []).append(event)
    return out


def test_every_chain_event_is_stored_once_as_valid_epcis(chain):
    chain_events = TraceEvent.objects.count()
    stored = sync_chain_events()
    assert stored == chain_events == EpcisEvent.objects.count() == ChainLink.objects.count()
    for event in EpcisEvent.objects.all():
        doc = {
            "@context": DOCUMENT_CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-01T08:00:00+08:00",
            "epcisBody": {"eventList": [event.body]},
        }
        assert validate_document(doc) == [], event.body
    assert sync_chain_events() == 0
    state = ChainSync.objects.get()  # the highest id seen: settled (SQLite), or pending a while (PostgreSQL)
    assert (state.pending or state.watermark) == TraceEvent.objects.latest("pk").pk


def test_each_kind_of_chain_event_renders_as_the_standard_says(chain):
    sync_chain_events()
    kinds = _by_type()
    receive = kinds["receive"][0].body
    assert (receive["type"], receive["action"], receive["bizStep"], receive["disposition"]) == (
        "ObjectEvent",
        "OBSERVE",
        "receiving",
        "in_progress",
    )
    assert receive["quantityList"] == [
        {"epcClass": f"urn:shilian:lot:{chain['flour'].pk}", "quantity": 100, "uom": "KGM"}
    ]
    assert receive["readPoint"] == receive["bizLocation"] == {"id": "urn:epc:id:sgln:6901234.00001.0"}
    assert receive["destinationList"] == [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00001"}]
    assert receive["sourceList"][0]["source"].startswith("urn:shilian:partner:")
    transform = kinds["transform"][0].body
    lgtin = f"urn:epc:class:lgtin:6901234.056789.{chain['made'].code}"
    assert transform["type"] == "TransformationEvent"
    assert transform["inputQuantityList"][0]["quantity"] == 50
    assert transform["outputQuantityList"] == [{"epcClass": lgtin, "quantity": 60, "uom": "KGM"}]
    assert transform["ilmd"]["cbvmda:itemExpirationDate"] == chain["made"].expires_on.isoformat()
    retail, shipped = kinds["ship"][0].body, kinds["ship"][1].body
    assert (retail["bizStep"], retail["disposition"], "destinationList" in retail) == (
        "retail_selling",
        "retail_sold",
        False,
    )
    assert (shipped["bizStep"], shipped["disposition"]) == ("shipping", "in_transit")
    assert shipped["destinationList"] == [
        {"type": "owning_party", "destination": f"urn:shilian:uscc:{chain['shop'].uscc}"}
    ]
    inspect = kinds["inspect"][0].body
    assert (inspect["bizStep"], inspect["disposition"]) == ("inspecting", "conformant")
    assert inspect["shilian:inspection"]["shilian:passed"] is True
    assert inspect["shilian:inspection"]["shilian:items"] == [{"shilian:name": "水分", "shilian:result": "合格"}]
    dispose = kinds["dispose"][0].body
    assert (dispose["bizStep"], dispose["disposition"], dispose["shilian:reason"]) == (
        "destroying",
        "destroyed",
        "受潮",
    )
    recall = kinds["recall"][0].body
    assert recall["persistentDisposition"] == {"set": ["recalled"]}
    assert recall["shilian:reason"] == "抽检不合格"
    for events in kinds.values():
        for event in events:
            assert event.event_id == event.body["eventID"]
            assert event.body["shilian:traceEvent"] == event.trace_event_id or event.trace_event.event_type == "void"


def test_a_void_is_an_error_declaration_on_the_voided_event(chain):
    sync_chain_events()
    [void] = _by_type()["void"]
    voided = EpcisEvent.objects.get(trace_event=void.trace_event.voids)
    assert void.event_id == voided.event_id
    assert void.has_error_declaration
    assert not voided.has_error_declaration
    declaration = void.body["errorDeclaration"]
    assert (declaration["reason"], declaration["shilian:reason"]) == ("incorrect_data", "录错了")
    assert {k: v for k, v in void.body.items() if k not in ("errorDeclaration", "recordTime")} == {
        k: v for k, v in voided.body.items() if k != "recordTime"
    }
    answer = results(get("/epcis/events/" + voided.event_id.replace("?", "%3F"), chain["admin"]))
    assert [("errorDeclaration" in e) for e in answer] == [False, True]


def test_queries_sync_first_and_cheaply(chain, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(sync, "GRACE", 0)
    admin = chain["admin"]
    assert len(results(get("/epcis/events", admin, {"perPage": 100}))) == TraceEvent.objects.count()
    f.receive(chain["workshop"], quantity="1", product_name="糖", lot_code="T1")
    assert len(results(get("/epcis/events", admin, {"perPage": 100}))) == TraceEvent.objects.count()
    # PostgreSQL settles the highest id seen once no other transaction is writing (SQLite at once)
    assert sync_chain_events() == sync_chain_events() == 0
    assert ChainSync.objects.get().watermark == TraceEvent.objects.latest("pk").pk
    with django_assert_max_num_queries(2):
        assert sync_chain_events() == 0


def test_the_sync_command_catches_up(chain):
    out = io.StringIO()
    call_command("epcis", "sync", stdout=out)
    assert f"stored {TraceEvent.objects.count()} chain events" in out.getvalue()
    out = io.StringIO()
    call_command("epcis", "sync", stdout=out)
    assert "stored 0 chain events" in out.getvalue()


def test_an_off_platform_partner_with_a_gln_is_named_by_it():
    workshop = f.make_enterprise(name="米粉作坊")
    farm = f.make_partner(workshop, name="远方农场")
    farm.gln = "6901234000016"
    farm.save(update_fields=["gln"])
    f.receive(workshop, quantity="5", product_name="大米", lot_code="R1", supplier=farm)
    sync_chain_events()
    body = EpcisEvent.objects.get().body
    assert body["sourceList"] == [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00001"}]
