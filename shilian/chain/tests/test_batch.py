import datetime as dt
import math
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.chain.actions import (
    BatchRef,
    InputSpec,
    OutputSpec,
    ReceiveOp,
    ShipLine,
    ShipOp,
    TransformOp,
    receive_lot,
    record_batch,
    record_transformation,
    ship_lots,
    start_recall,
)
from shilian.chain.models import EventLine, Lot, LotEdge, LotShipment, TraceEvent
from shilian.chain.projections import rebuild_projections
from shilian.core.bulk import rows_per_insert
from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.models import Partner

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
T1 = dt.datetime(2024, 5, 1, 8, 0, tzinfo=TZ)
T2 = dt.datetime(2024, 5, 1, 10, 0, tzinfo=TZ)
T3 = dt.datetime(2024, 5, 1, 15, 0, tzinfo=TZ)
T4 = dt.datetime(2024, 5, 2, 9, 0, tzinfo=TZ)
WRITTEN = (Lot, TraceEvent, EventLine, LotEdge, LotShipment, HistoryEntry)


def _counts():
    return tuple(model.objects.count() for model in WRITTEN)


def _world():
    """A workshop with a supplier, an on-platform shop as customer, old sugar in stock and a
    lot of 麻糍 already made on 1 May (so the next generated code that day is …02)."""
    maker = f.make_enterprise()
    shop = f.make_enterprise(kind="retailer", jurisdiction="331081104")
    w = {
        "maker": maker,
        "shop": shop,
        "maker_user": f.make_operator(maker),
        "shop_user": f.make_operator(shop),
        "product": f.make_product(maker, name="麻糍", unit="kg", shelf_life_days=30),
        "grower": f.make_partner(maker, name="稻农"),
        "customer": f.make_partner(maker, linked=shop, name="小店"),
    }
    f.make_partner(shop, linked=maker, name="作坊")  # the default supplier of the shop's receipts
    w["sugar"] = (
        receive_lot(
            maker,
            acting_user=None,
            occurred_at=T1,
            quantity="10",
            unit="kg",
            product_name="白糖",
            lot_code="OLD1",
            supplier=w["grower"],
        )
        .lines.get()
        .lot
    )
    record_transformation(
        maker,
        inputs=[InputSpec(w["sugar"], "1", "kg")],
        outputs=[OutputSpec(w["product"], "1", "kg", "2024050101")],
        occurred_at=T1,
        acting_user=None,
    )
    return w


def _maker_ops(w):
    return [
        ReceiveOp(T1, "100", "kg", "R1", product_name="糯米", supplier=w["grower"]),
        ReceiveOp(T1, "500", "g", "R1", product_name="糯米", supplier=w["grower"], reference_no="IN-2"),
        ReceiveOp(T1, "20", "kg", "R2", product_name="红豆", produced_on=dt.date(2024, 4, 1)),
        TransformOp(
            T2,
            inputs=[InputSpec(BatchRef(0), "40", "kg"), InputSpec(w["sugar"], "2000", "g")],
            outputs=[OutputSpec(w["product"], "45", "kg")],
            room="一号车间",
        ),
        TransformOp(
            T2,
            inputs=[InputSpec(BatchRef(2), "5000", "g"), InputSpec(BatchRef(1), "0.5", "kg")],
            outputs=[OutputSpec(w["product"], "6", "kg"), OutputSpec(w["product"], "3", "kg", lot_code="SPECIAL")],
        ),
        ShipOp(
            T3,
            lines=[ShipLine(BatchRef(3), "20", "kg"), ShipLine(BatchRef(4, 1), "1", "kg")],
            customer=w["customer"],
            reference_no="SO-1",
        ),
        ShipOp(T3, lines=[ShipLine(BatchRef(4), "2", "kg")]),
    ]


def _shop_ops(shipment, made, special):
    return [
        ReceiveOp(T4, "12", "kg", shipment=shipment, source_lot=made),
        ReceiveOp(T4, "8000", "g", shipment=shipment, source_lot=made),
        ReceiveOp(T4, "1", "kg", shipment=shipment, source_lot=special),
        ShipOp(T4, lines=[ShipLine(BatchRef(0), "1.5", "kg")]),
    ]


def _run_single(w):
    """The same operations through the single actions, one by one."""
    maker, user = w["maker"], w["maker_user"]
    made: list[Lot] = []
    events = []
    for op in _maker_ops(w):
        if isinstance(op, ReceiveOp):
            event = receive_lot(
                maker,
                acting_user=user,
                occurred_at=op.occurred_at,
                quantity=op.quantity,
                unit=op.unit,
                lot_code=op.lot_code,
                product_name=op.product_name,
                supplier=op.supplier,
                produced_on=op.produced_on,
                reference_no=op.reference_no,
            )
            made.append([event.lines.get().lot])
        elif isinstance(op, TransformOp):
            event = record_transformation(
                maker,
                inputs=[InputSpec(_resolve(s.lot, made), s.quantity, s.unit) for s in op.inputs],
                outputs=op.outputs,
                occurred_at=op.occurred_at,
                acting_user=user,
                room=op.room,
            )
            made.append([line.lot for line in event.lines.filter(role="output").order_by("pk")])
        else:
            event = ship_lots(
                maker,
                lines=[ShipLine(_resolve(s.lot, made), s.quantity, s.unit) for s in op.lines],
                occurred_at=op.occurred_at,
                acting_user=user,
                customer=op.customer,
                reference_no=op.reference_no,
            )
            made.append([])
        events.append(event)
    shop_made = []
    for op in _shop_ops(events[5], made[3][0], made[4][1]):
        if isinstance(op, ReceiveOp):
            event = receive_lot(
                w["shop"],
                acting_user=w["shop_user"],
                occurred_at=op.occurred_at,
                quantity=op.quantity,
                unit=op.unit,
                shipment=op.shipment,
                source_lot=op.source_lot,
            )
            shop_made.append([event.lines.get().lot])
        else:
            ship_lots(
                w["shop"],
                lines=[ShipLine(_resolve(s.lot, shop_made), s.quantity, s.unit) for s in op.lines],
                occurred_at=op.occurred_at,
                acting_user=w["shop_user"],
            )


def _resolve(ref, made):
    return made[ref.index][ref.line] if isinstance(ref, BatchRef) else ref


def _run_batch(w):
    events = record_batch(w["maker"], _maker_ops(w), acting_user=w["maker_user"])
    assert [e.event_type for e in events] == ["receive"] * 3 + ["transform"] * 2 + ["ship"] * 2
    made = events[3].lines.get(role="output").lot
    special = events[4].lines.get(role="output", lot__code="SPECIAL").lot
    shop_events = record_batch(w["shop"], _shop_ops(events[5], made, special), acting_user=w["shop_user"])
    assert [e.shipment_id for e in shop_events] == [events[5].pk] * 3 + [None]
    return events, shop_events


def _snapshot(w):
    """Every row the two enterprises' events wrote, with ids replaced by what they name."""
    names = {w["maker"].pk: "maker", w["shop"].pk: "shop"}
    users = {w["maker_user"].pk: "maker_user", w["shop_user"].pk: "shop_user", None: None}
    partners = dict(Partner.objects.filter(enterprise_id__in=names).values_list("pk", "name"))
    lots = {lot.pk: lot for lot in Lot.objects.filter(enterprise_id__in=names)}

    def lot_name(pk):
        lot = lots[pk]
        kind, _, ref = lot.source_key.partition(":")
        source = {"lot": lambda: lot_name(int(ref)), "partner": lambda: partners[int(ref)]}.get(kind, lambda: "")()
        return (names[lot.enterprise_id], lot.product_name, lot.code, source)

    events = list(TraceEvent.objects.filter(enterprise_id__in=names).order_by("pk"))
    seen: dict[int, int] = {}
    event_names = {}
    for event in events:
        seen[event.enterprise_id] = seen.get(event.enterprise_id, 0) + 1
        event_names[event.pk] = (names[event.enterprise_id], seen[event.enterprise_id])
    event_names[None] = None

    def detail(row):
        out = dict(row)
        if "lot" in out:
            out["lot"] = lot_name(out["lot"])
        for key in ("inputs", "outputs"):
            if key in out:
                out[key] = [lot_name(pk) for pk in out[key]]
        if out.get("customer") is not None:
            out["customer"] = partners[out["customer"]]
        return out

    history = HistoryEntry.objects.filter(subject_type="chain.traceevent", subject_id__in=[str(e.pk) for e in events])
    return {
        "lots": sorted(
            (
                lot_name(lot.pk),
                lot.unit,
                lot.origin,
                lot.produced_on,
                lot.expires_on,
                partners.get(lot.supplier_id),
                lot.status,
                lot.test_status,
                lot.quantity_on_hand,
                lot.quantity_in,
                lot.product_id is not None,
            )
            for lot in lots.values()
        ),
        "events": [
            (
                event_names[e.pk],
                e.event_type,
                e.occurred_at,
                users[e.recorded_by_id],
                partners.get(e.partner_id),
                names.get(e.counterparty_id),
                event_names[e.shipment_id],
                e.reference_no,
                e.room,
                e.detail,
            )
            for e in events
        ],
        "lines": [
            (
                event_names[line.event_id],
                names[line.enterprise_id],
                lot_name(line.lot_id),
                line.role,
                line.quantity,
                line.unit,
            )
            for line in EventLine.objects.filter(event__in=events).order_by("event_id", "pk")
        ],
        "edges": sorted(
            (event_names[e.event_id], lot_name(e.src_id), lot_name(e.dst_id), e.kind, e.quantity)
            for e in LotEdge.objects.filter(event__in=events)
        ),
        "shipments": sorted(
            (
                event_names[s.event_id],
                lot_name(s.lot_id),
                names[s.enterprise_id],
                partners.get(s.partner_id),
                names.get(s.counterparty_id),
                s.occurred_at,
                s.quantity,
                s.unit,
                s.received,
            )
            for s in LotShipment.objects.filter(event__in=events)
        ),
        "history": sorted(
            (
                event_names[int(h.subject_id)],
                h.action,
                h.jurisdiction_code,
                users[h.acting_user_id],
                repr(detail(h.detail)),
            )
            for h in history
        ),
    }


def test_a_batch_writes_the_rows_of_the_single_actions():
    single, batch = _world(), _world()
    _run_single(single)
    maker_events, shop_events = _run_batch(batch)
    expected = _snapshot(single)
    assert _snapshot(batch) == expected
    assert rebuild_projections() == []
    # and what those rows say
    stock = {name[:3]: row[7] for name, *row in expected["lots"]}
    assert stock == {
        ("maker", "白糖", "OLD1"): Decimal("7.000"),
        ("maker", "糯米", "R1"): Decimal("60.000"),
        ("maker", "红豆", "R2"): Decimal("15.000"),
        ("maker", "麻糍", "2024050101"): Decimal("1.000"),
        ("maker", "麻糍", "2024050102"): Decimal("25.000"),
        ("maker", "麻糍", "2024050103"): Decimal("4.000"),
        ("maker", "麻糍", "SPECIAL"): Decimal("2.000"),
        ("shop", "麻糍", "2024050102"): Decimal("18.500"),
        ("shop", "麻糍", "SPECIAL"): Decimal("1.000"),
    }
    assert [(s[1][2], s[6], s[8]) for s in expected["shipments"]] == [
        ("2024050102", Decimal("20.000"), Decimal("20.000")),
        ("SPECIAL", Decimal("1.000"), Decimal("1.000")),
        ("2024050103", Decimal("2.000"), Decimal("0.000")),
        ("2024050102", Decimal("1.500"), Decimal("0.000")),
    ]
    # the setup's transformation 1×1, the batch's 2×1 and 2×2, one ship edge per receipt at the shop
    assert len(expected["edges"]) == 1 + 2 + 4 + 3
    assert Counter(h[1] for h in expected["history"]) == {"chain.receive": 7, "chain.transform": 3, "chain.ship": 3}
    batch_history = HistoryEntry.objects.filter(subject_id__in=[str(e.pk) for e in maker_events])
    assert batch_history.values("operation_id").distinct().count() == 1
    assert batch_history.count() == len(maker_events) == 7
    assert len(shop_events) == 4


@pytest.mark.parametrize(
    ("ops", "field", "code"),
    [
        # the second shipment takes more than the first left
        (
            lambda w: [
                ReceiveOp(T1, "10", "kg", "X1", product_name="糯米", supplier=w["grower"]),
                ShipOp(T2, lines=[ShipLine(BatchRef(0), "6", "kg")]),
                ShipOp(T2, lines=[ShipLine(BatchRef(0), "4", "kg"), ShipLine(BatchRef(0), "0.001", "kg")]),
            ],
            "operations[2].lines[1].quantity",
            "insufficient_stock",
        ),
        # a lot in stock before the batch: 9 kg of sugar, 8 used, then 2 shipped
        (
            lambda w: [
                TransformOp(
                    T2, inputs=[InputSpec(w["sugar"], "8", "kg")], outputs=[OutputSpec(w["product"], "8", "kg")]
                ),
                ShipOp(T2, lines=[ShipLine(w["sugar"], "2", "kg")]),
            ],
            "operations[1].lines[0].quantity",
            "insufficient_stock",
        ),
        (
            lambda w: [
                ReceiveOp(T1, "10", "kg", "X1", product_name="糯米"),
                ReceiveOp(T1, "10", "furlong", "X2", product_name="糯米"),
            ],
            "operations[1].unit",
            "unknown_unit",
        ),
        (
            lambda w: [
                ReceiveOp(T1, "10", "kg", "X1", product_name="糯米"),
                TransformOp(
                    T2, inputs=[InputSpec(BatchRef(0), "1", "L")], outputs=[OutputSpec(w["product"], "1", "kg")]
                ),
            ],
            "operations[1].inputs[0].unit",
            "incompatible_unit",
        ),
        (
            lambda w: [ReceiveOp(T1, "10", "kg", "批号一", product_name="糯米")],
            "operations[0].lot_code",
            "invalid_lot_code",
        ),
        (
            lambda w: [
                ReceiveOp(T1, "10", "kg", "X1", product_name="糯米"),
                TransformOp(
                    T2,
                    inputs=[InputSpec(BatchRef(0), "1", "kg")],
                    outputs=[OutputSpec(w["product"], "1", "kg", "2024050101")],
                ),
            ],
            "operations[1].outputs[0].lot_code",
            "duplicate_lot_code",
        ),
        (
            lambda w: [
                TransformOp(
                    T2, inputs=[InputSpec(w["sugar"], "1", "kg")], outputs=[OutputSpec(w["product"], "1", "kg", "N1")]
                ),
                TransformOp(
                    T2, inputs=[InputSpec(w["sugar"], "1", "kg")], outputs=[OutputSpec(w["product"], "1", "kg", "N1")]
                ),
            ],
            "operations[1].outputs[0].lot_code",
            "duplicate_lot_code",
        ),
        (
            lambda w: [
                ReceiveOp(T1, "10", "kg", "X1", product_name="糯米"),
                TransformOp(
                    T2, inputs=[InputSpec(BatchRef(2), "1", "kg")], outputs=[OutputSpec(w["product"], "1", "kg")]
                ),
                ShipOp(T2, lines=[ShipLine(BatchRef(0), "1", "kg")]),
            ],
            "operations[1].inputs[0].lot",
            "missing_field",
        ),
        (
            lambda w: [
                ShipOp(T2, lines=[ShipLine(w["sugar"], "1", "kg")]),
                ShipOp(T2, lines=[ShipLine(BatchRef(0), "1", "kg")]),
            ],
            "operations[1].lines[0].lot",
            "missing_field",
        ),
        (lambda w: [ReceiveOp(T1, "0", "kg", "X1", product_name="糯米")], "operations[0].quantity", "invalid_quantity"),
        (  # half a bottle of the bottles received
            lambda w: [
                ReceiveOp(T1, "12", "bottle", "X1", product_name="酱油"),
                ShipOp(T2, lines=[ShipLine(BatchRef(0), "0.5", "bottle")], customer=w["customer"]),
            ],
            "operations[1].lines[0].quantity",
            "invalid_quantity",
        ),
        (  # bought in already expired (食品安全法 第三十四条)
            lambda w: [ReceiveOp(T1, "1", "kg", "X1", product_name="糯米", expires_on=dt.date(2024, 4, 30))],
            "operations[0].expires_on",
            "expired",
        ),
        (
            lambda w: [ReceiveOp(T1, "1", "kg", "X1", product_name="糯米", produced_on=dt.date(2024, 5, 2))],
            "operations[0].produced_on",
            "produced_later",
        ),
        (  # good on 1 May, its last day; used on 2 May
            lambda w: [
                ReceiveOp(T1, "5", "kg", "X1", product_name="糯米", expires_on=dt.date(2024, 5, 1)),
                TransformOp(T4, inputs=[InputSpec(BatchRef(0), "1", "kg")], outputs=[OutputSpec(w["product"], "1", "kg")]),
            ],
            "operations[1].inputs[0].lot",
            "expired",
        ),
        (  # and sold on 2 May to a customer
            lambda w: [
                ReceiveOp(T1, "5", "kg", "X1", product_name="糯米", expires_on=dt.date(2024, 5, 1)),
                ShipOp(T4, lines=[ShipLine(BatchRef(0), "1", "kg")], customer=w["customer"]),
            ],
            "operations[1].lines[0].lot",
            "expired",
        ),
        (
            lambda w: [
                TransformOp(
                    T2,
                    inputs=[InputSpec(w["sugar"], "1", "kg")],
                    outputs=[OutputSpec(w["product"], "1", "kg", produced_on=dt.date(2024, 5, 3))],
                ),
            ],
            "operations[0].outputs[0].produced_on",
            "produced_later",
        ),
        (
            lambda w: [
                ReceiveOp(T1, "1", "kg", "X1", product_name="糯米"),
                ReceiveOp(timezone.now() + dt.timedelta(days=1), "1", "kg", "X2", product_name="糯米"),
            ],
            "operations[1].occurred_at",
            "in_the_future",
        ),
        (lambda w: [ReceiveOp(T1, "1", "kg", "X1")], "operations[0].product_name", "missing_field"),
        (
            lambda w: [ShipOp(T2, lines=[ShipLine(w["sugar"], "1", "kg")], customer=f.make_partner(w["shop"]))],
            "operations[0].customer",
            "wrong_enterprise",
        ),
        (
            lambda w: [TransformOp(T2, outputs=[OutputSpec(w["product"], "1", "kg")])],
            "operations[0].inputs",
            "no_inputs",
        ),
    ],
)
def test_a_bad_operation_names_its_field_and_nothing_is_written(ops, field, code):
    w = _world()
    operations = ops(w)
    before = _counts()
    sugar = Lot.objects.values_list("quantity_on_hand", flat=True).get(pk=w["sugar"].pk)
    with pytest.raises(DomainError) as exc:
        record_batch(w["maker"], operations, acting_user=w["maker_user"])
    assert (exc.value.field, exc.value.code) == (field, code)
    assert _counts() == before
    assert Lot.objects.values_list("quantity_on_hand", flat=True).get(pk=w["sugar"].pk) == sugar == Decimal("9.000")


def test_an_expired_lot_goes_back_to_its_supplier():
    """Past its date a lot may not be used or sold, but it may be returned to where it came from."""
    w = _world()
    [received, returned] = record_batch(
        w["maker"],
        [
            ReceiveOp(T1, "5", "kg", "X1", product_name="糯米", supplier=w["grower"], expires_on=dt.date(2024, 5, 1)),
            ShipOp(T4, lines=[ShipLine(BatchRef(0), "5", "kg")], customer=w["grower"], reference_no="退货-1"),
        ],
        acting_user=w["maker_user"],
    )
    lot = received.lines.get().lot
    assert (returned.partner_id, Lot.objects.get(pk=lot.pk).quantity_on_hand) == (w["grower"].pk, Decimal("0.000"))


def test_the_message_gives_the_stock_left_at_that_point_of_the_batch():
    w = _world()
    with pytest.raises(DomainError) as exc:
        record_batch(
            w["maker"],
            [
                ShipOp(T2, lines=[ShipLine(w["sugar"], "8.5", "kg")]),
                ShipOp(T2, lines=[ShipLine(w["sugar"], "1", "kg")]),
            ],
            acting_user=None,
        )
    assert exc.value.message == "库存不足：白糖 OLD1 现有 0.500 kg / only 0.500 kg in stock"


def test_receipts_of_one_shipment_cannot_add_up_to_more_than_was_shipped():
    w = _world()
    shipment = ship_lots(
        w["maker"], lines=[ShipLine(w["sugar"], "5", "kg")], customer=w["customer"], occurred_at=T2, acting_user=None
    )
    receive_lot(w["shop"], acting_user=None, occurred_at=T3, quantity="1", unit="kg", shipment=shipment)
    before = _counts()
    with pytest.raises(DomainError) as exc:
        record_batch(
            w["shop"],
            [ReceiveOp(T3, "3", "kg", shipment=shipment), ReceiveOp(T3, "1001", "g", shipment=shipment)],
            acting_user=None,
        )
    assert (exc.value.field, exc.value.code) == ("operations[1].quantity", "over_shipped")
    assert _counts() == before
    assert LotShipment.objects.get(event=shipment).received == Decimal("1.000")
    record_batch(
        w["shop"],
        [ReceiveOp(T3, "3", "kg", shipment=shipment), ReceiveOp(T3, "1", "kg", shipment=shipment)],
        acting_user=None,
    )
    assert LotShipment.objects.get(event=shipment).received == Decimal("5.000")
    assert rebuild_projections() == []


def test_a_recalled_lot_cannot_be_used_and_a_shipment_must_be_for_the_receiver():
    w = _world()
    retail = ship_lots(
        w["maker"], lines=[ShipLine(w["product"].lots.get(), "1", "kg")], occurred_at=T2, acting_user=None
    )
    start_recall(w["sugar"], reason="抽检不合格", acting_user=f.make_admin())
    with pytest.raises(DomainError) as exc:
        record_batch(w["maker"], [ShipOp(T2, lines=[ShipLine(w["sugar"], "1", "kg")])], acting_user=None)
    assert (exc.value.field, exc.value.code) == ("operations[0].lines[0].lot", "lot_recalled")
    with pytest.raises(DomainError) as exc:
        record_batch(w["shop"], [ReceiveOp(T3, "1", "kg", shipment=retail)], acting_user=None)
    assert (exc.value.field, exc.value.code) == ("operations[0].shipment", "shipment_not_for_you")


def _chunks(model, rows):
    """How many INSERT statements ``record_batch`` needs for ``rows`` rows: chunks of
    ``insert_objects`` for rows whose ids it reads back, one ``executemany`` for the others."""
    if not rows:
        return 0
    if model in (LotEdge, LotShipment, HistoryEntry):
        return 1
    return math.ceil(rows / rows_per_insert(model))


def _measured(enterprise, operations):
    """(statements run, bulk INSERTs needed for the rows written) by one batch, and its events."""
    before = _counts()
    with CaptureQueriesContext(connection) as queries:
        events = record_batch(enterprise, operations, acting_user=None)
    rows = [after - b for after, b in zip(_counts(), before, strict=True)]
    return (len(queries), sum(_chunks(model, n) for model, n in zip(WRITTEN, rows, strict=True))), events


def _measured_batches(w, units):
    """``units`` × (3 receipts, 1 transformation, 1 shipment) at the maker, then the shop's receipts."""
    ops = []
    for u in range(units):
        base = 5 * u
        ops += [
            ReceiveOp(T1, "10", "kg", f"B{units}x{u}x{k}", product_name="糯米", supplier=w["grower"]) for k in range(3)
        ]
        ops.append(
            TransformOp(
                T2,
                inputs=[
                    *(InputSpec(BatchRef(base + k), "1", "kg") for k in range(3)),
                    InputSpec(w["sugar"], "0.01", "kg"),
                ],
                outputs=[OutputSpec(w["product"], "3", "kg")],
            )
        )
        ops.append(ShipOp(T3, lines=[ShipLine(BatchRef(base + 3), "2", "kg")], customer=w["customer"]))
    maker, events = _measured(w["maker"], ops)
    receipts = [ReceiveOp(T4, "2", "kg", shipment=e) for e in events if e.event_type == "ship"]
    shop, _ = _measured(w["shop"], receipts)
    assert len(events) == 5 * units
    return [maker, shop]


def test_the_statement_count_does_not_grow_with_the_batch():
    w = _world()
    small = _measured_batches(w, 2)  # 10 operations, then 2 receipts
    big = _measured_batches(w, 20)  # 100 operations, then 20 receipts
    for (small_statements, small_inserts), (big_statements, big_inserts) in zip(small, big, strict=True):
        # the same statements; only bulk inserts longer than the database takes in one are split
        assert big_statements - big_inserts == small_statements - small_inserts
        assert small_statements <= 17  # 16, and one UPDATE of the arrows into the touched lots (ADR 0008)
    assert rebuild_projections() == []
    assert Lot.objects.get(pk=w["sugar"].pk).quantity_on_hand == Decimal("8.780")
