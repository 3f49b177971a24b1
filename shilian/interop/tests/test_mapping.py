"""Captured EPCIS events map to the chain: receipts, transformations, shipments, and the
events that cannot be applied (an error naming the event and field, nothing written)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shilian.chain.choices import EdgeKind, EventType, LotOrigin
from shilian.chain.models import Lot, LotEdge, LotShipment, TraceEvent
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.interop import mapping
from shilian.interop.tests.test_mapping_support import (
    CONTEXT,
    FARM_GLN,
    chain_world,
    counts,
    dl,
    farm_master_data,
    gln,
    gtin,
    lgtin,
    object_event,
    pgln,
    quantity,
    sgln,
    transformation,
)
from shilian.registry.models import Partner

pytestmark = pytest.mark.django_db

PROCESSOR, SHOP = sgln(gln(1)), sgln(gln(2))


def capture(events, user, header=None):
    plan = mapping.plan(events, CONTEXT, user=user, header=header)
    assert plan.errors == []
    return plan, mapping.apply(plan, acting_user=user)


def refused(events, user, header=None):
    """The first MappingError of planning or applying, and proof that nothing was written."""
    before = counts()
    plan = mapping.plan(events, CONTEXT, user=user, header=header)
    with pytest.raises(mapping.MappingError) as caught:
        mapping.apply(plan, acting_user=user)
    assert counts() == before
    return caught.value


def farm_receipt(w, lot="F1", amount=100, **kw):
    return object_event(
        "receiving", [quantity(lgtin(w["pork"].gtin, lot), amount)], location=PROCESSOR, source=pgln(FARM_GLN), **kw
    )


def test_receive_transform_ship_and_the_shop_receives_in_one_document():
    w = chain_world()
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    events = [
        farm_receipt(w),
        transformation(
            [quantity(dl(pork, "F1"), "60.5")],
            [quantity(lgtin(sausage, "S1"), 50)],
            location=PROCESSOR,
            ilmd={"cbvmda:itemExpirationDate": "2024-08-01"},
        ),
        object_event(
            "shipping",
            [quantity(lgtin(sausage, "S1"), 20)],
            location=PROCESSOR,
            destination=pgln(gln(2)),
            time="2024-05-01T15:00:00+08:00",
        ),
        object_event(
            "receiving",
            [quantity(dl(sausage, "S1"), 20)],
            location=SHOP,
            source=pgln(gln(1)),
            time="2024-05-02T09:00:00+08:00",
        ),
    ]
    plan, applied = capture(events, w["admin"], farm_master_data())
    assert [(i, e.event_type) for i, e in applied] == [
        (0, EventType.RECEIVE),
        (1, EventType.TRANSFORM),
        (2, EventType.SHIP),
        (3, EventType.RECEIVE),
    ]
    assert (plan.stored_only, {i: e.name for i, e in plan.enterprises.items()}) == (
        {},
        {0: "温岭肉制品厂", 1: "温岭肉制品厂", 2: "温岭肉制品厂", 3: "石塘超市"},
    )
    farm_lot = Lot.objects.get(enterprise=w["processor"], code="F1")
    made = Lot.objects.get(enterprise=w["processor"], code="S1")
    at_shop = Lot.objects.get(enterprise=w["shop"], code="S1")
    assert (farm_lot.product, farm_lot.origin, farm_lot.quantity_on_hand, farm_lot.supplier.name) == (
        w["pork"],
        LotOrigin.RECEIVED,
        Decimal("39.500"),
        "青山生态农场",
    )
    assert (made.origin, made.quantity_on_hand, str(made.produced_on), str(made.expires_on)) == (
        LotOrigin.PRODUCED,
        Decimal("30.000"),
        "2024-05-01",
        "2024-08-01",
    )
    assert (at_shop.product, at_shop.quantity_on_hand, at_shop.source_key, at_shop.expires_on) == (
        w["sausage"],
        Decimal("20.000"),
        f"lot:{made.pk}",
        made.expires_on,
    )
    assert set(LotEdge.objects.values_list("src_id", "dst_id", "kind")) == {
        (farm_lot.pk, made.pk, EdgeKind.TRANSFORM),
        (made.pk, at_shop.pk, EdgeKind.SHIP),
    }
    shipment = LotShipment.objects.get()
    assert (shipment.counterparty, shipment.quantity, shipment.received) == (
        w["shop"],
        Decimal("20.000"),
        Decimal("20.000"),
    )
    receipt = applied[3][1]
    # as on the pages: the shop has no partner for the processor, the shipment says who sent it
    assert (receipt.shipment_id, receipt.counterparty, receipt.partner) == (
        applied[2][1].pk,
        w["processor"],
        None,
    )
    assert sorted(Partner.objects.values_list("enterprise__name", "name", "linked_enterprise__name", "address")) == [
        ("温岭肉制品厂", "石塘超市", "石塘超市", ""),
        ("温岭肉制品厂", "青山生态农场", None, "温岭"),
    ]
    assert sorted(HistoryEntry.objects.filter(action__startswith="chain.").values_list("action", flat=True)) == [
        "chain.receive",
        "chain.receive",
        "chain.ship",
        "chain.transform",
    ]
    assert {e.recorded_by for e in TraceEvent.objects.all()} == {w["admin"]}


def test_a_shipment_captured_earlier_is_received_in_two_parts_and_the_trace_crosses():
    w = chain_world()
    sausage = w["sausage"].gtin
    capture(
        [
            farm_receipt(w),
            transformation(
                [quantity(lgtin(w["pork"].gtin, "F1"), 60)], [quantity(lgtin(sausage, "S1"), 50)], location=PROCESSOR
            ),
            object_event(
                "shipping",
                [quantity(lgtin(sausage, "S1"), 30)],
                location=PROCESSOR,
                destination=f"urn:shilian:uscc:{w['shop'].uscc}",
            ),
        ],
        w["operator"],
    )
    # the shop's own capture, without a source: the open shipment to the shop is found by lot
    capture(
        [
            object_event("receiving", [quantity(dl(sausage, "S1"), 10)]),
            object_event("receiving", [quantity(dl(sausage, "S1"), 20000, "GRM")], time="2024-05-03T09:00:00+08:00"),
        ],
        w["shop_operator"],
    )
    made = Lot.objects.get(enterprise=w["processor"], code="S1")
    at_shop = Lot.objects.get(enterprise=w["shop"])
    assert (at_shop.quantity_on_hand, at_shop.source_key) == (Decimal("30.000"), f"lot:{made.pk}")
    assert LotShipment.objects.get().received == Decimal("30.000")
    assert LotEdge.objects.filter(kind=EdgeKind.SHIP).count() == 2
    # with the shipment fully received, more is a receipt from the processor as a supplier (the trace does not cross)
    capture([object_event("receiving", [quantity(dl(sausage, "S1"), 1)], source=pgln(gln(1)))], w["shop_operator"])
    assert sorted(
        Lot.objects.filter(enterprise=w["shop"]).values_list(
            "source_key", "quantity_on_hand", "supplier__linked_enterprise"
        )
    ) == [
        (f"lot:{made.pk}", Decimal("30.000"), None),
        (f"partner:{Partner.objects.get(enterprise=w['shop']).pk}", Decimal("1.000"), w["processor"].pk),
    ]


def test_over_receipt_of_an_open_shipment_names_the_quantity():
    w = chain_world()
    sausage = w["sausage"].gtin
    capture(
        [
            farm_receipt(w),
            transformation(
                [quantity(lgtin(w["pork"].gtin, "F1"), 60)], [quantity(lgtin(sausage, "S1"), 50)], location=PROCESSOR
            ),
            object_event(
                "shipping", [quantity(lgtin(sausage, "S1"), 30)], location=PROCESSOR, destination=pgln(gln(2))
            ),
        ],
        w["operator"],
    )
    error = refused([object_event("receiving", [quantity(dl(sausage, "S1"), 31)], location=SHOP)], w["shop_operator"])
    assert (error.event_index, error.pointer) == (0, "/quantityList/0/quantity")
    assert "more than was shipped" in error.message


def test_the_operators_enterprise_when_no_location_and_partners_are_reused():
    w = chain_world()
    farm = f.make_partner(w["processor"], name="青山生态农场")
    capture([farm_receipt(w, "F1") | {"bizLocation": None}], w["operator"], farm_master_data())
    capture(
        [object_event("receiving", [quantity(lgtin(w["pork"].gtin, "F2"), 5)], source=pgln(FARM_GLN))],
        w["operator"],
        farm_master_data(),
    )
    assert sorted(Lot.objects.values_list("enterprise__name", "code", "supplier__name")) == [
        ("温岭肉制品厂", "F1", "青山生态农场"),
        ("温岭肉制品厂", "F2", "青山生态农场"),
    ]
    assert list(Partner.objects.all()) == [farm]


def test_a_party_without_master_data_is_named_by_its_id_and_a_clash_of_names_is_told_apart():
    w = chain_world()
    f.make_partner(w["processor"], name=w["shop"].name)  # an unlinked partner with the shop's name
    capture(
        [
            farm_receipt(w),
            object_event(
                "shipping", [quantity(lgtin(w["pork"].gtin, "F1"), 10)], location=PROCESSOR, destination=pgln(gln(2))
            ),
        ],
        w["admin"],
    )
    assert sorted(Partner.objects.values_list("name", "linked_enterprise__name", "gln")) == [
        (pgln(FARM_GLN), None, FARM_GLN),  # off the platform: the partner keeps the party's GLN
        ("石塘超市", None, ""),
        (f"石塘超市 ({pgln(gln(2))})", "石塘超市", ""),
    ]
    assert LotShipment.objects.get().counterparty == w["shop"]


def test_an_off_platform_party_is_the_partner_with_its_gln_whatever_its_name():
    w = chain_world()
    farm = f.make_partner(w["processor"], name="老王家猪场")
    farm.gln = FARM_GLN
    farm.save(update_fields=["gln"])
    capture([farm_receipt(w, "F1")], w["operator"], farm_master_data())  # master data names it 青山生态农场
    assert Lot.objects.get(code="F1").supplier == farm
    assert list(Partner.objects.all()) == [farm]


def test_retail_selling_and_a_shipment_with_no_destination_are_retail():
    w = chain_world()
    capture(
        [
            farm_receipt(w),
            object_event(
                "retail_selling",
                [quantity(lgtin(w["pork"].gtin, "F1"), 2)],
                location=PROCESSOR,
                destination=pgln(gln(2)),
            ),
            object_event(
                "https://ref.gs1.org/cbv/BizStep-shipping",
                [quantity(lgtin(w["pork"].gtin, "F1"), 3, "GRM")],
                location=PROCESSOR,
            ),
        ],
        w["admin"],
    )
    ships = TraceEvent.objects.filter(event_type=EventType.SHIP).order_by("pk")
    assert [(e.partner, e.counterparty, e.detail) for e in ships] == [(None, None, {"retail": True})] * 2
    assert Lot.objects.get().quantity_on_hand == Decimal("97.997")


def test_receipts_accumulate_in_one_lot_per_supplier_and_units_convert():
    w = chain_world()
    capture(
        [
            farm_receipt(w, amount=10),
            farm_receipt(w, amount=500, time="2024-05-02T08:00:00+08:00")
            | {"quantityList": [quantity(lgtin(w["pork"].gtin, "F1"), 500, "GRM")]},
        ],
        w["admin"],
    )
    lot = Lot.objects.get()
    assert (lot.quantity_on_hand, lot.quantity_in, lot.unit) == (Decimal("10.500"), Decimal("10.500"), "kg")


@pytest.mark.parametrize(
    ("event", "pointer", "words"),
    [
        ("unknown_gtin", "/quantityList/0/epcClass", "no product with GTIN"),
        ("not_a_lot", "/quantityList/0/epcClass", "not a lot class"),
        ("unknown_uom", "/quantityList/0/uom", "unsupported unit"),
        ("no_quantity", "/quantityList/0/quantity", "a quantity is required"),
        ("unknown_location", "/bizLocation/id", "no enterprise on the platform"),
        ("other_enterprise", "/bizLocation/id", "you may not record events for 石塘超市"),
        ("incompatible_unit", "/quantityList/0/uom", "cannot convert"),
        ("bad_time", "/eventTime", "invalid time"),
    ],
)
def test_a_receipt_that_cannot_be_applied_names_the_event_and_field(event, pointer, words):
    w = chain_world()
    good = farm_receipt(w, "F0")
    bad = {
        "unknown_gtin": farm_receipt(w) | {"quantityList": [quantity(lgtin(gtin(99), "F1"), 1)]},
        "not_a_lot": farm_receipt(w) | {"quantityList": [quantity("urn:epc:idpat:sgtin:6901234.000001.*", 1)]},
        "unknown_uom": farm_receipt(w) | {"quantityList": [quantity(lgtin(w["pork"].gtin, "F1"), 1, "CEL")]},
        "no_quantity": farm_receipt(w) | {"quantityList": [{"epcClass": lgtin(w["pork"].gtin, "F1")}]},
        "unknown_location": farm_receipt(w) | {"bizLocation": {"id": sgln(gln(77))}},
        "other_enterprise": farm_receipt(w) | {"bizLocation": {"id": SHOP}},
        "incompatible_unit": farm_receipt(w) | {"quantityList": [quantity(lgtin(w["pork"].gtin, "F1"), 1, "LTR")]},
        "bad_time": farm_receipt(w) | {"eventTime": "yesterday"},
    }[event]
    error = refused([good, bad], w["operator"], farm_master_data())
    assert (error.event_index, error.pointer) == (1, pointer)
    assert words in error.message


def test_shipping_more_than_stock_a_lot_of_another_enterprise_and_an_unknown_lot():
    w = chain_world()
    pork = w["pork"].gtin
    shop_lot = f.receive(w["shop"], product=w["pork"], lot_code="X1")
    assert shop_lot.product.gtin == pork
    cases = [
        ([quantity(lgtin(pork, "F1"), "100.001")], "/quantityList/0/quantity", "in stock"),
        (
            [quantity(lgtin(pork, "F1"), 1), quantity(lgtin(pork, "X1"), 1)],
            "/quantityList/1/epcClass",
            "belongs to another enterprise",
        ),
        ([quantity(lgtin(pork, "NOPE"), 1)], "/quantityList/0/epcClass", "no such lot"),
    ]
    for quantities, pointer, words in cases:
        error = refused(
            [farm_receipt(w), object_event("shipping", quantities, location=PROCESSOR)],
            w["operator"],
            farm_master_data(),
        )
        assert (error.event_index, error.pointer, words in error.message) == (1, pointer, True)


def test_transformations_that_cannot_be_applied():
    w = chain_world()
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    shop_product = f.make_product(w["shop"], name="面包", gtin=gtin(3))
    cases = [
        (
            transformation([quantity(lgtin(pork, "F1"), 1)], [quantity(lgtin(shop_product.gtin, "B1"), 1)]),
            "/outputQuantityList/0/epcClass",
            "belongs to another enterprise",
        ),
        (
            transformation([quantity(lgtin(pork, "F1"), 101)], [quantity(lgtin(sausage, "S1"), 1)]),
            "/inputQuantityList/0/quantity",
            "in stock",
        ),
        (transformation([], [quantity(lgtin(sausage, "S1"), 1)]), "/inputQuantityList", "needs input and output"),
        (
            transformation(
                [quantity(lgtin(pork, "F1"), 1)],
                [quantity(lgtin(sausage, "S1"), 1)],
                ilmd={"cbvmda:itemExpirationDate": "2020-01-01"},
            ),
            "/ilmd",
            "expiry is before production",
        ),
        (
            transformation(
                [quantity(lgtin(pork, "F1"), 1)],
                [quantity(lgtin(sausage, "S1"), 1)],
                ilmd={"cbvmda:itemExpirationDate": "soon"},
            ),
            "/ilmd",
            "invalid date",
        ),
    ]
    for event, pointer, words in cases:
        error = refused([farm_receipt(w), event], w["operator"], farm_master_data())
        assert (error.event_index, error.pointer, words in error.message) == (1, pointer, True), error


def test_a_lot_code_made_twice_is_refused_at_the_second_output():
    w = chain_world()
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    make = transformation([quantity(lgtin(pork, "F1"), 1)], [quantity(lgtin(sausage, "S1"), 1)])
    error = refused([farm_receipt(w), make, make], w["operator"], farm_master_data())
    assert (error.event_index, error.pointer) == (2, "/outputQuantityList/0/epcClass")
    assert "already used" in error.message


def test_plan_collects_every_bad_event_and_apply_refuses_it():
    w = chain_world()
    plan = mapping.plan(
        [
            farm_receipt(w) | {"bizLocation": {"id": sgln(gln(77))}},
            farm_receipt(w, "F2"),
            farm_receipt(w) | {"quantityList": [quantity(lgtin(gtin(99), "F1"), 1)]},
        ],
        CONTEXT,
        user=w["operator"],
    )
    assert [(e.event_index, e.pointer) for e in plan.errors] == [
        (0, "/bizLocation/id"),
        (2, "/quantityList/0/epcClass"),
    ]
    assert not plan.ok
    with pytest.raises(mapping.MappingError) as caught:
        mapping.apply(plan, acting_user=w["operator"])
    assert caught.value is plan.errors[0]
    assert Lot.objects.count() == 0


def test_events_without_chain_effect_are_stored_only():
    w = chain_world()
    pork = w["pork"].gtin
    events = [
        {
            "type": "AggregationEvent",
            "eventTime": "2024-05-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "parentID": "urn:epc:id:sscc:6901234.0000000001",
            "childQuantityList": [quantity(lgtin(pork, "F1"), 1)],
            "bizLocation": {"id": PROCESSOR},
        },
        object_event("storing", [quantity(lgtin(pork, "F1"), 1)], location=PROCESSOR),
        object_event("receiving", [], epcList=["urn:epc:id:sgtin:6901234.000012.1"], location=PROCESSOR),
        object_event("inspecting", [quantity(lgtin(pork, "F1"), 1)], location=PROCESSOR),
        farm_receipt(w)
        | {"errorDeclaration": {"declarationTime": "2024-05-02T08:00:00+08:00", "reason": "incorrect_data"}},
        transformation(
            [],
            [],
            inputEPCList=["urn:epc:id:sgtin:6901234.000012.1"],
            outputEPCList=["urn:epc:id:sgtin:6901234.000012.2"],
        ),
    ]
    plan, applied = capture(events, w["operator"])
    assert (applied, counts()["Lot"]) == ([], 0)
    assert plan.stored_only == {
        0: "AggregationEvent: no chain effect",
        1: "ObjectEvent bizStep storing: no chain effect",
        2: "no lot quantities (instance-level EPCs only): no chain effect",
        3: "inspecting without a result: no chain effect",
        4: "error declaration about an event with no chain effect here: no chain effect",
        5: "no lot quantities (instance-level EPCs only): no chain effect",
    }
    assert set(plan.enterprises) == set(range(6))
    # an admin's capture at a location off the platform: stored, for no enterprise
    plan = mapping.plan([farm_receipt(w) | {"bizLocation": {"id": sgln(gln(77))}}], CONTEXT, user=w["admin"])
    assert (plan.errors, plan.stored_only, plan.enterprises) == (
        [],
        {0: "no enterprise on the platform: no chain effect"},
        {},
    )


def test_a_stored_only_event_at_an_enterprise_the_user_may_not_operate_is_refused():
    w = chain_world()
    plan = mapping.plan([object_event("storing", [], location=SHOP)], CONTEXT, user=w["operator"])
    assert [(e.event_index, e.pointer) for e in plan.errors] == [(0, "/bizLocation/id")]


def test_planning_reads_a_fixed_number_of_queries():
    w = chain_world()
    capture([farm_receipt(w, f"F{i}") for i in range(3)], w["admin"], farm_master_data())

    def queries(n):
        events = [
            object_event(
                "shipping",
                [quantity(lgtin(w["pork"].gtin, f"F{i % 3}"), 1)],
                location=PROCESSOR,
                destination=pgln(gln(2)),
            )
            for i in range(n)
        ]
        events += [
            object_event("receiving", [quantity(lgtin(w["pork"].gtin, f"F{i % 3}"), 1)], location=SHOP)
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            plan = mapping.plan(events, CONTEXT, user=w["admin"])
        assert plan.errors == []
        return len(ctx.captured_queries)

    queries(1)  # the user's scope, read once per user object
    assert queries(3) == queries(60) == 5


def test_the_platforms_own_ids_for_partners_and_lots_without_gtin():
    """What render.py writes for things without GS1 keys: ``urn:shilian:partner:{id}`` (a
    partner of the enterprise), ``urn:shilian:lot:{id}`` (a lot whose product has no GTIN),
    ``urn:shilian:uscc:{code}`` (an enterprise without a GLN), ``shilian:referenceNo``."""
    w = chain_world()
    stall = f.make_partner(w["processor"], name="菜场摊位")
    salt = f.receive(w["processor"], product_name="盐", lot_code="Y1", quantity="10")
    shop_salt = f.receive(w["shop"], product_name="盐", lot_code="Y9", quantity="10")
    other = f.make_partner(w["shop"], name="别家的伙伴")
    _, applied = capture(
        [
            object_event(
                "shipping",
                [quantity(f"urn:shilian:lot:{salt.pk}", 2)],
                location=f"urn:shilian:uscc:{w['processor'].uscc}",
                destination=f"urn:shilian:partner:{stall.pk}",
                **{"shilian:referenceNo": "DN-7"},
            ),
            object_event(
                "shipping",
                [quantity(f"urn:shilian:lot:{salt.pk}", 3)],
                location=PROCESSOR,
                destination=f"urn:shilian:uscc:{w['shop'].uscc}",
            ),
        ],
        w["operator"],
    )
    assert [(e.partner, e.reference_no) for _, e in applied][0] == (stall, "DN-7")
    assert applied[1][1].counterparty == w["shop"]
    # the shop receives the processor's salt lot (no GTIN) named by its id: the shipment is found
    _, applied = capture(
        [object_event("receiving", [quantity(f"urn:shilian:lot:{salt.pk}", 3)], location=SHOP)], w["shop_operator"]
    )
    assert Lot.objects.get(enterprise=w["shop"], code="Y1").source_key == f"lot:{salt.pk}"
    cases = [
        (
            object_event("shipping", [quantity(f"urn:shilian:lot:{shop_salt.pk}", 1)], location=PROCESSOR),
            "/quantityList/0/epcClass",
            "belongs to another enterprise",
        ),
        (
            object_event("shipping", [quantity("urn:shilian:lot:999999", 1)], location=PROCESSOR),
            "/quantityList/0/epcClass",
            "no such lot",
        ),
        (
            object_event(
                "shipping",
                [quantity(f"urn:shilian:lot:{salt.pk}", 1)],
                location=PROCESSOR,
                destination=f"urn:shilian:partner:{other.pk}",
            ),
            "/destinationList/0/destination",
            "not a partner of",
        ),
        (
            object_event("receiving", [quantity(f"urn:shilian:lot:{salt.pk}", 1)], location=PROCESSOR),
            "/quantityList/0/epcClass",
            "received only from a shipment",
        ),
        (
            transformation(
                [quantity(f"urn:shilian:lot:{salt.pk}", 1)],
                [quantity(f"urn:shilian:lot:{salt.pk}", 1)],
                location=PROCESSOR,
            ),
            "/outputQuantityList/0/epcClass",
            "needs a product GTIN",
        ),
    ]
    for event, pointer, words in cases:
        error = refused([event], w["operator"])
        assert (error.event_index, error.pointer, words in error.message) == (0, pointer, True), error


def test_each_lots_own_dates_for_outputs_and_receipts():
    w = chain_world()
    ham = f.make_product(w["processor"], name="火腿", gtin=gtin(4), shelf_life_days=365)
    pork, sausage = w["pork"].gtin, w["sausage"].gtin

    def dates(epc_class, produced, expires):
        return {"shilian:epcClass": epc_class, "shilian:producedOn": produced, "shilian:expiresOn": expires}

    capture(
        [
            farm_receipt(w) | {"shilian:lots": [dates(dl(pork, "F1"), "2024-04-28", "2024-05-20")]},
            transformation(
                [quantity(lgtin(pork, "F1"), 10)],
                [quantity(lgtin(sausage, "S1"), 5), quantity(lgtin(ham.gtin, "H1"), 4)],
                location=PROCESSOR,
                ilmd={
                    "cbvmda:productionDate": "2024-05-01",
                    "shilian:lots": [dates(lgtin(ham.gtin, "H1"), "2024-04-30", "2025-04-30")],
                },
            ),
        ],
        w["operator"],
        farm_master_data(),
    )
    assert sorted(Lot.objects.values_list("code", "produced_on", "expires_on")) == [
        ("F1", dt.date(2024, 4, 28), dt.date(2024, 5, 20)),
        ("H1", dt.date(2024, 4, 30), dt.date(2025, 4, 30)),
        ("S1", dt.date(2024, 5, 1), dt.date(2024, 7, 30)),  # the product's 90 days of shelf life
    ]
    error = refused(
        [farm_receipt(w, "F2") | {"shilian:lots": [dates(lgtin(pork, "F2"), "2024-04-31", None)]}], w["operator"]
    )
    assert (error.event_index, error.pointer) == (0, "/shilian:lots/0")
