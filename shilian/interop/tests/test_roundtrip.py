"""The round trip: an EPCIS document from a processor's ERP (received from an off-platform
farm, made into sausage, shipped to a shop on the platform, received there) becomes the
chain, the trace from the farm's lot reaches the shop's lot, in either identifier form."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from shilian.chain.actions import (
    InputSpec,
    OutputSpec,
    ShipLine,
    dispose_lot,
    receive_lot,
    record_inspection,
    record_transformation,
    ship_lots,
    start_recall,
    void_event,
)
from shilian.chain.models import Lot, LotEdge, LotShipment, Recall, TraceEvent
from shilian.core.testing import factories as f
from shilian.core.testing.api import auth, call
from shilian.interop import mapping
from shilian.interop.models import EpcisEvent
from shilian.interop.render import DOCUMENT_CONTEXT
from shilian.interop.tests.epcis_support import capture, get, results
from shilian.interop.tests.test_mapping_support import (
    CONTEXT,
    FARM_GLN,
    chain_world,
    dl,
    farm_master_data,
    gln,
    lgtin,
    object_event,
    pgln,
    quantity,
    sgln,
    transformation,
)

pytestmark = pytest.mark.django_db


def erp_document(w):
    """What the processor's ERP sends: the farm named in the header's master data."""
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    events = [
        object_event(
            "receiving",
            [quantity(lgtin(pork, "F1"), 100)],
            location=sgln(gln(1)),
            source=pgln(FARM_GLN),
            destination=pgln(gln(1)),
            bizTransactionList=[{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{gln(1)}:PO-001"}],
        ),
        transformation(
            [quantity(dl(pork, "F1"), 60)],
            [quantity(lgtin(sausage, "S1"), 50)],
            location=sgln(gln(1)),
            ilmd={"cbvmda:itemExpirationDate": "2024-08-01"},
        ),
        object_event(
            "shipping",
            [quantity(lgtin(sausage, "S1"), 20)],
            location=sgln(gln(1)),
            source=pgln(gln(1)),
            destination=pgln(gln(2)),
            time="2024-05-01T15:00:00+08:00",
        ),
        object_event(
            "receiving",
            [quantity(dl(sausage, "S1"), 20)],
            location=sgln(gln(2)),
            source=pgln(gln(1)),
            destination=pgln(gln(2)),
            time="2024-05-02T09:00:00+08:00",
        ),
    ]
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-02T10:00:00+08:00",
        "epcisHeader": farm_master_data(),
        "epcisBody": {"eventList": events},
    }


def test_captured_chain_traces_from_the_farm_lot_to_the_shop_lot_by_urn_and_digital_link():
    w = chain_world()
    doc = erp_document(w)
    plan = mapping.plan(doc["epcisBody"]["eventList"], doc["@context"], user=w["admin"], header=doc["epcisHeader"])
    applied = mapping.apply(plan, acting_user=w["admin"])
    assert [(i, e.event_type) for i, e in applied] == [(0, "receive"), (1, "transform"), (2, "ship"), (3, "receive")]
    farm_lot = Lot.objects.get(enterprise=w["processor"], code="F1")
    sausage_lot = Lot.objects.get(enterprise=w["processor"], code="S1")
    shop_lot = Lot.objects.get(enterprise=w["shop"], code="S1")
    assert applied[0][1].reference_no == "PO-001"
    inspector = f.make_inspector("331081")
    for ref in (lgtin(w["pork"].gtin, "F1"), dl(w["pork"].gtin, "F1")):
        response = call("get", f"/api/v1/trace?lot={ref}&direction=forward", inspector)
        assert response.status_code == 200, response.content
        report = response.json()
        assert report["root"] == farm_lot.pk
        assert {lot["id"] for lot in report["lots"]} == {farm_lot.pk, sausage_lot.pk, shop_lot.pk}
        assert sorted((e["from"], e["to"]) for e in report["edges"]) == sorted(
            [(farm_lot.pk, sausage_lot.pk), (sausage_lot.pk, shop_lot.pk)]
        )
        assert {(h["enterprise"], h["quantity"]) for h in report["holders"]} == {
            (w["processor"].pk, "70.000"),
            (w["shop"].pk, "20.000"),
        }
    # backward from the shop's lot, named by the processor's GTIN: the supplier is the farm
    response = call("get", f"/api/v1/trace?lot={shop_lot.pk}&direction=backward", inspector)
    report = response.json()
    assert {lot["id"] for lot in report["lots"]} == {shop_lot.pk, sausage_lot.pk, farm_lot.pk}
    assert report["suppliers"] == [
        {"partner": "青山生态农场", "on_platform": False, "lot": farm_lot.pk, "enterprise": w["processor"].pk}
    ]
    assert (shop_lot.quantity_on_hand, farm_lot.quantity_on_hand) == (Decimal("20.000"), Decimal("40.000"))


def test_captured_over_http_traced_and_read_back_by_urn_and_digital_link(django_capture_on_commit_callbacks):
    """The processor's ERP captures its three events, the shop's till its receipt; the
    trace crosses from the farm's lot to the shop's, and /epcis/events finds the events of
    a lot whichever form names it."""
    w = chain_world()
    doc = erp_document(w)
    events = doc["epcisBody"]["eventList"]
    processor_doc = doc | {"epcisBody": {"eventList": events[:3]}}
    shop_doc = doc | {"epcisBody": {"eventList": events[3:]}, "epcisHeader": {}}
    for user, body, stored in ((w["operator"], processor_doc, 3), (w["shop_operator"], shop_doc, 1)):
        response, job = capture(user, body, django_capture_on_commit_callbacks)
        assert response.status_code == 202, response.content
        assert (job["success"], job["storedCount"], job["chainCount"], job["errors"]) == (True, stored, stored, [])
    farm_lot = Lot.objects.get(enterprise=w["processor"], code="F1")
    sausage_lot = Lot.objects.get(enterprise=w["processor"], code="S1")
    shop_lot = Lot.objects.get(enterprise=w["shop"], code="S1")
    inspector = f.make_inspector("331081")
    for ref in (lgtin(w["pork"].gtin, "F1"), dl(w["pork"].gtin, "F1")):
        report = call("get", f"/api/v1/trace?lot={ref}&direction=forward", inspector).json()
        assert report["root"] == farm_lot.pk
        # the trace names each lot in the identifiers it was captured with
        assert {lot["id"]: (lot["epc_class"], lot["digital_link"]) for lot in report["lots"]} == {
            farm_lot.pk: (lgtin(w["pork"].gtin, "F1"), dl(w["pork"].gtin, "F1")),
            sausage_lot.pk: (lgtin(w["sausage"].gtin, "S1"), dl(w["sausage"].gtin, "S1")),
            shop_lot.pk: (lgtin(w["sausage"].gtin, "S1"), dl(w["sausage"].gtin, "S1")),
        }
    sausage = w["sausage"].gtin
    for ref in (lgtin(sausage, "S1"), dl(sausage, "S1")):
        found = results(get("/epcis/events", w["admin"], {"MATCH_anyEPCClass": ref}))
        assert [(e["type"], e.get("bizStep")) for e in found] == [
            ("TransformationEvent", "commissioning"),
            ("ObjectEvent", "shipping"),
            ("ObjectEvent", "receiving"),
        ]
        mine = results(get("/epcis/events", w["shop_operator"], {"MATCH_anyEPCClass": ref}))
        assert [e["bizStep"] for e in mine] == ["receiving"]
    for ref in (lgtin(w["pork"].gtin, "F1"), dl(w["pork"].gtin, "F1")):
        found = results(get("/epcis/events", w["operator"], {"MATCH_anyEPCClass": ref}))
        assert [(e["type"], e.get("bizStep")) for e in found] == [
            ("ObjectEvent", "receiving"),
            ("TransformationEvent", "commissioning"),
        ]


def test_a_void_declared_in_epcis_undoes_the_captured_receipt(django_capture_on_commit_callbacks):
    w = chain_world()
    receipt = object_event(
        "receiving",
        [quantity(lgtin(w["pork"].gtin, "F1"), 100)],
        location=sgln(gln(1)),
        source=pgln(FARM_GLN),
        eventID="urn:uuid:3f1c2c55-7d0e-4a59-9d3c-1f1f7a1c0001",
    )
    doc = erp_document(w) | {"epcisBody": {"eventList": [receipt]}}
    _, job = capture(w["operator"], doc, django_capture_on_commit_callbacks)
    assert (job["success"], job["chainCount"]) == (True, 1)
    declaration = receipt | {
        "errorDeclaration": {
            "declarationTime": "2024-05-01T12:00:00+08:00",
            "reason": "incorrect_data",
            "shilian:reason": "录错了",
        }
    }
    _, job = capture(
        w["operator"], doc | {"epcisBody": {"eventList": [declaration]}}, django_capture_on_commit_callbacks
    )
    assert (job["success"], job["chainCount"], job["errors"]) == (True, 1, [])
    lot = Lot.objects.get()
    assert (lot.quantity_on_hand, lot.quantity_in) == (Decimal("0.000"), Decimal("0.000"))
    void = TraceEvent.objects.get(event_type="void")
    assert (void.voids.event_type, void.detail) == ("receive", {"reason": "录错了"})


def chain_state():
    """The chain's rows, by what they mean rather than their ids (lots by enterprise,
    product and code); times of recalls and voids (stamped when recorded) left out."""

    def key(lot):
        return (lot.enterprise.name, lot.product_name, lot.code)

    lots = Lot.objects.select_related("enterprise", "supplier")
    events = TraceEvent.objects.select_related("enterprise", "partner", "counterparty", "voids")
    return {
        "lots": sorted(
            repr(
                (
                    key(lot),
                    lot.unit,
                    lot.origin,
                    str(lot.produced_on),
                    str(lot.expires_on),
                    lot.supplier and lot.supplier.name,
                    lot.source_key.partition(":")[0],
                    lot.status,
                    lot.test_status,
                    lot.quantity_on_hand,
                    lot.quantity_in,
                )
            )
            for lot in lots
        ),
        "events": sorted(
            repr(
                (
                    e.event_type,
                    e.enterprise.name,
                    None if e.event_type in ("recall", "void") else e.occurred_at,
                    e.partner and e.partner.name,
                    e.counterparty and e.counterparty.name,
                    e.reference_no,
                    e.detail,
                    e.voids and e.voids.event_type,
                    e.shipment_id is not None,
                    sorted(
                        (line.role, key(line.lot), line.quantity, line.unit)
                        for line in e.lines.select_related("lot__enterprise")
                    ),
                )
            )
            for e in events
        ),
        "edges": sorted(
            (key(e.src), key(e.dst), e.kind, e.quantity)
            for e in LotEdge.objects.select_related("src__enterprise", "dst__enterprise")
        ),
        "shipments": sorted(
            repr(
                (
                    key(s.lot),
                    s.enterprise.name,
                    s.partner and s.partner.name,
                    s.counterparty and s.counterparty.name,
                    s.quantity,
                    s.received,
                )
            )
            for s in LotShipment.objects.select_related("lot__enterprise", "enterprise", "partner", "counterparty")
        ),
        "recalls": [
            (r.reference, key(r.root_lot), r.reason, r.impact)
            for r in Recall.objects.select_related("root_lot__enterprise")
        ],
    }


class _Undo(Exception):
    pass


def test_what_the_pages_record_read_back_and_captured_makes_the_same_chain(django_capture_on_commit_callbacks):
    """Every kind of chain event, recorded by the actions the pages call, read back as EPCIS
    and captured into the same registry (after undoing the original): the same lots, stock,
    edges, shipments, events and recall."""
    w = chain_world()
    processor, shop, pork, sausage = w["processor"], w["shop"], w["pork"], w["sausage"]
    farm = f.make_partner(processor, name="青山生态农场")
    to_shop = f.make_partner(processor, linked=shop)
    f.make_partner(shop, linked=processor)
    inspector = f.make_inspector("331081")
    auth(w["admin"])  # its token outlives the undone block
    at = [dt.datetime(2024, 5, 1, 8 + h, 0, tzinfo=ZoneInfo("Asia/Shanghai")) for h in range(10)]
    try:
        with transaction.atomic():
            first = receive_lot(
                processor,
                acting_user=None,
                occurred_at=at[0],
                quantity="100",
                unit="kg",
                product=pork,
                lot_code="F1",
                supplier=farm,
                reference_no="PO-1",
            )
            second = receive_lot(
                processor,
                acting_user=None,
                occurred_at=at[1],
                quantity="50000",
                unit="g",
                product=pork,
                lot_code="F2",
                supplier=farm,
            )
            f1, f2 = first.lines.get().lot, second.lines.get().lot
            making = record_transformation(
                processor,
                inputs=[InputSpec(f1, "60", "kg"), InputSpec(f2, "10", "kg")],
                outputs=[OutputSpec(sausage, "50", "kg")],
                occurred_at=at[2],
                acting_user=None,
            )
            made = making.lines.get(role="output").lot
            shipped = ship_lots(
                processor,
                lines=[ShipLine(made, "20", "kg")],
                customer=to_shop,
                occurred_at=at[3],
                acting_user=None,
                reference_no="DN-1",
            )
            ship_lots(processor, lines=[ShipLine(made, "2", "kg")], occurred_at=at[4], acting_user=None)
            receive_lot(shop, acting_user=None, occurred_at=at[5], quantity="20", unit="kg", shipment=shipped)
            record_inspection(
                made,
                kind="official",
                passed=False,
                occurred_at=at[6],
                acting_user=inspector,
                items=[{"name": "菌落总数", "result": "1.2e5", "passed": False}],
                lab="台州市食品检验所",
                report_no="TZ-1",
            )
            dispose_lot(f2, quantity="5", unit="kg", reason="受潮", occurred_at=at[7], acting_user=None)
            wrong = receive_lot(
                processor,
                acting_user=None,
                occurred_at=at[8],
                quantity="7",
                unit="kg",
                product=pork,
                lot_code="F3",
                supplier=farm,
            )
            void_event(wrong, reason="录错了", acting_user=None)
            start_recall(f1, reason="抽检不合格", acting_user=inspector)
            read_back = results(get("/epcis/events", w["admin"], {"perPage": "100"}))
            original = chain_state()
            raise _Undo
    except _Undo:
        pass
    assert (Lot.objects.count(), TraceEvent.objects.count(), EpcisEvent.objects.count()) == (0, 0, 0)
    assert len(read_back) == 12
    doc = {
        "@context": DOCUMENT_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-02T08:00:00+08:00",
        "epcisBody": {"eventList": [{k: v for k, v in e.items() if k != "recordTime"} for e in read_back]},
    }
    response, job = capture(w["admin"], doc, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    assert (job["success"], job["errors"], job["storedCount"]) == (True, [], 12)
    assert chain_state() == original
