"""Captured EPCIS events map to the chain: test results, recalls and disposals."""

from decimal import Decimal

import pytest

from shilian.chain import choices
from shilian.chain.choices import EventType, LotStatus
from shilian.chain.models import EventLine, Lot, Recall, TraceEvent
from shilian.interop import mapping
from shilian.interop.tests.test_mapping import PROCESSOR, SHOP, capture, farm_receipt, refused
from shilian.interop.tests.test_mapping_support import (
    chain_world,
    dl,
    farm_master_data,
    gln,
    lgtin,
    object_event,
    pgln,
    quantity,
    transformation,
)

pytestmark = pytest.mark.django_db


def inspecting(w, lot="F1", **extra):
    return object_event(
        "inspecting",
        [quantity(lgtin(w["pork"].gtin, lot), 1)],
        location=PROCESSOR,
        time="2024-05-01T09:00:00+08:00",
        **extra,
    )


def test_a_test_result_in_the_disposition_and_in_our_extension():
    w = chain_world()
    items = [
        {"shilian:name": "菌落总数", "shilian:result": "1.2e5 CFU/g", "shilian:limit": "≤1e4", "shilian:passed": False}
    ]
    plan, applied = capture(
        [
            farm_receipt(w),
            inspecting(w, disposition="conformant"),
            inspecting(
                w,
                **{
                    "shilian:inspection": {
                        "shilian:kind": "official",
                        "shilian:passed": False,
                        "shilian:items": items,
                        "shilian:lab": "台州市食品检验所",
                        "shilian:reportNo": "TZ2024-001",
                    }
                },
            ),
        ],
        w["operator"],
        farm_master_data(),
    )
    assert [(i, e.event_type) for i, e in applied] == [
        (0, EventType.RECEIVE),
        (1, EventType.INSPECT),
        (2, EventType.INSPECT),
    ]
    first, second = applied[1][1], applied[2][1]
    assert (first.detail, first.reference_no) == ({"kind": "self", "passed": True, "items": [], "lab": ""}, "")
    assert second.detail == {
        "kind": "official",
        "passed": False,
        "items": [{"name": "菌落总数", "result": "1.2e5 CFU/g", "limit": "≤1e4", "passed": False}],
        "lab": "台州市食品检验所",
    }
    assert second.reference_no == "TZ2024-001"
    lot = Lot.objects.get()
    assert (lot.test_status, lot.quantity_on_hand) == (choices.TestStatus.FAILED, Decimal("100.000"))
    assert [(line.role, line.quantity) for line in EventLine.objects.filter(event=second)] == [
        ("object", Decimal("100.000"))
    ]


def test_a_lot_made_earlier_in_the_document_is_inspected_after_it_is_made():
    w = chain_world()
    sausage = w["sausage"].gtin
    _, applied = capture(
        [
            farm_receipt(w),
            transformation(
                [quantity(lgtin(w["pork"].gtin, "F1"), 10)], [quantity(dl(sausage, "S1"), 8)], location=PROCESSOR
            ),
            object_event(
                "inspecting",
                [quantity(lgtin(sausage, "S1"), 1)],
                location=PROCESSOR,
                disposition="https://ref.gs1.org/cbv/Disp-conformant",
            ),
            object_event("shipping", [quantity(lgtin(sausage, "S1"), 3)], location=PROCESSOR),
        ],
        w["operator"],
        farm_master_data(),
    )
    assert [e.event_type for _, e in applied] == ["receive", "transform", "inspect", "ship"]
    assert [e.pk for _, e in applied] == sorted(e.pk for _, e in applied)  # recorded in document order
    made = Lot.objects.get(code="S1")
    assert (made.test_status, made.quantity_on_hand) == (choices.TestStatus.PASSED, Decimal("5.000"))
    assert EventLine.objects.get(event=applied[2][1]).quantity == Decimal("8.000")


@pytest.mark.parametrize(
    ("extra", "pointer", "words"),
    [
        ({"disposition": "conformant", "shilian:inspection": {"shilian:passed": False}}, "/disposition", "contradicts"),
        ({"shilian:inspection": {"shilian:passed": "yes"}}, "/shilian:inspection/passed", "true or false"),
        ({"shilian:inspection": {"shilian:kind": "self"}}, "/shilian:inspection", "the result (passed) is missing"),
        (
            {"disposition": "conformant", "shilian:inspection": {"shilian:kind": "weekly"}},
            "/shilian:inspection/kind",
            "unknown kind",
        ),
        (
            {"disposition": "conformant", "shilian:inspection": {"shilian:items": "all fine"}},
            "/shilian:inspection/items",
            "a list of objects",
        ),
    ],
)
def test_a_bad_test_result_names_the_field(extra, pointer, words):
    w = chain_world()
    error = refused([farm_receipt(w), inspecting(w, **extra)], w["operator"], farm_master_data())
    assert (error.event_index, error.pointer) == (1, pointer)
    assert words in error.message


def test_recalled_persistent_disposition_recalls_the_lot_and_everything_downstream():
    w = chain_world()
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    recall_event = object_event(
        "holding",
        [quantity(lgtin(pork, "F1"), 1)],
        location=PROCESSOR,
        time="2024-05-03T08:00:00+08:00",
        persistentDisposition={"set": ["recalled"]},
        disposition="recalled",
        **{"shilian:reason": "沙门氏菌检出 / salmonella"},
    )
    _, applied = capture(
        [
            farm_receipt(w),
            transformation([quantity(lgtin(pork, "F1"), 10)], [quantity(lgtin(sausage, "S1"), 8)], location=PROCESSOR),
            object_event("shipping", [quantity(lgtin(sausage, "S1"), 3)], location=PROCESSOR, destination=pgln(gln(2))),
            object_event("receiving", [quantity(lgtin(sausage, "S1"), 3)], location=SHOP),
            recall_event,
        ],
        w["admin"],
        farm_master_data(),
    )
    assert [(i, e.event_type) for i, e in applied][-1] == (4, EventType.RECALL)
    recall = Recall.objects.get()
    assert (recall.root_lot.code, recall.reason) == ("F1", "沙门氏菌检出 / salmonella")
    assert sorted(Lot.objects.values_list("enterprise__name", "code", "status")) == [
        ("温岭肉制品厂", "F1", LotStatus.RECALLED),
        ("温岭肉制品厂", "S1", LotStatus.RECALLED),
        ("石塘超市", "S1", LotStatus.RECALLED),
    ]
    assert applied[-1][1].enterprise == w["processor"]
    assert TraceEvent.objects.filter(event_type=EventType.RECALL).count() == 2  # one per enterprise reached
    # the shop's rendering of the same recall reaches a lot already recalled: stored only
    plan, again = capture(
        [
            object_event(
                "holding",
                [quantity(lgtin(sausage, "S1"), 3)],
                location=SHOP,
                persistentDisposition={"set": ["recalled"]},
            )
        ],
        w["shop_operator"],
    )
    assert (again, plan.stored_only) == ([], {0: "lots already recalled: no chain effect"})
    # a recalled lot cannot be shipped any more
    error = refused([object_event("shipping", [quantity(lgtin(sausage, "S1"), 1)], location=SHOP)], w["shop_operator"])
    assert (error.event_index, error.pointer, "recalled" in error.message) == (0, "/quantityList/0/epcClass", True)


def test_a_recall_in_a_document_comes_after_the_shipments_before_it_and_before_those_after():
    w = chain_world()
    pork = w["pork"].gtin
    recall_event = object_event(
        "holding", [quantity(lgtin(pork, "F1"), 1)], location=PROCESSOR, persistentDisposition={"set": ["recalled"]}
    )
    error = refused(
        [
            farm_receipt(w),
            object_event("shipping", [quantity(lgtin(pork, "F1"), 3)], location=PROCESSOR),
            recall_event,
            object_event("shipping", [quantity(lgtin(pork, "F1"), 3)], location=PROCESSOR),
        ],
        w["admin"],
        farm_master_data(),
    )
    assert (error.event_index, error.pointer) == (3, "/quantityList/0/epcClass")
    assert Recall.objects.count() == 0


def test_destroying_disposes_of_the_quantity():
    w = chain_world()
    _, applied = capture(
        [
            farm_receipt(w),
            object_event(
                "destroying",
                [quantity(lgtin(w["pork"].gtin, "F1"), 2500, "GRM")],
                location=PROCESSOR,
                action="DELETE",
                **{"shilian:reason": "过期 / expired"},
            ),
        ],
        w["operator"],
        farm_master_data(),
    )
    disposal = applied[1][1]
    assert (disposal.event_type, disposal.detail) == (EventType.DISPOSE, {"reason": "过期 / expired"})
    assert Lot.objects.get().quantity_on_hand == Decimal("97.500")
    error = refused(
        [object_event("destroying", [quantity(lgtin(w["pork"].gtin, "F1"), 98)], location=PROCESSOR)], w["operator"]
    )
    assert (error.event_index, error.pointer, "in stock" in error.message) == (0, "/quantityList/0/quantity", True)
    plan = mapping.plan(
        [object_event("destroying", [{"epcClass": lgtin(w["pork"].gtin, "F1")}], location=PROCESSOR)],
        [],
        user=w["operator"],
    )
    assert [(e.event_index, e.pointer) for e in plan.errors] == [(0, "/quantityList/0/quantity")]


def test_our_extension_fields_under_any_prefix_bound_to_our_namespace():
    w = chain_world()
    context = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"sl": "https://shilian.org/epcis/"}]
    events = [
        farm_receipt(w),
        object_event(
            "destroying", [quantity(lgtin(w["pork"].gtin, "F1"), 1)], location=PROCESSOR, **{"sl:reason": "破损"}
        ),
        object_event(
            "destroying",
            [quantity(lgtin(w["pork"].gtin, "F1"), 1)],
            location=PROCESSOR,
            **{"https://shilian.org/epcis/reason": "变质"},
        ),
    ]
    plan = mapping.plan(events, context, user=w["operator"], header=farm_master_data())
    applied = mapping.apply(plan, acting_user=w["operator"])
    assert [e.detail for _, e in applied[1:]] == [{"reason": "破损"}, {"reason": "变质"}]
