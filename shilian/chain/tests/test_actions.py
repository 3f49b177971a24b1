from decimal import Decimal

import pytest

from shilian.chain.actions import (
    InputSpec,
    OutputSpec,
    dispose_lot,
    receive_lot,
    record_inspection,
    record_transformation,
    start_recall,
    void_event,
)
from shilian.chain.models import EventLine, Lot, LotEdge, TraceEvent
from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def test_receive_creates_lot_with_stock_and_history():
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="25", unit="kg", product_name="面粉", lot_code="240501")
    assert (lot.code, lot.unit, lot.quantity_on_hand, lot.quantity_in) == ("240501", "kg", Decimal("25.000"), Decimal("25.000"))
    assert HistoryEntry.objects.filter(action="chain.receive", subject_id=str(lot.event_lines.get().event_id)).count() == 1


def test_receive_same_lot_twice_adds_up_and_converts_units():
    shop = f.make_enterprise()
    supplier = f.make_partner(shop)
    f.receive(shop, quantity="25", unit="kg", lot_code="A1", supplier=supplier)
    lot = f.receive(shop, quantity="500", unit="g", lot_code="A1", supplier=supplier)
    assert f.stock(lot) == Decimal("25.500")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"unit": "furlong"}, "unit", "unknown_unit"),
        ({"unit": "L"}, "unit", None),  # a new lot in litres is fine
        ({"quantity": "-1"}, "quantity", "invalid_quantity"),
        ({"quantity": "abc"}, "quantity", "invalid_quantity"),
        ({"lot_code": "批号一"}, "lot_code", "invalid_lot_code"),
        ({"lot_code": "X" * 21}, "lot_code", "invalid_lot_code"),
    ],
)
def test_receive_bad_input_names_field_and_writes_nothing(kwargs, field, code):
    shop = f.make_enterprise()
    supplier = f.make_partner(shop)
    before = (Lot.objects.count(), TraceEvent.objects.count(), HistoryEntry.objects.count())
    args = {"quantity": "5", "unit": "kg", "lot_code": "OK1"} | kwargs
    if code is None:
        receive_lot(shop, acting_user=None, occurred_at=f.now(), product_name="油", supplier=supplier, **args)
        return
    with pytest.raises(DomainError) as exc:
        receive_lot(shop, acting_user=None, occurred_at=f.now(), product_name="油", supplier=supplier, **args)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert (Lot.objects.count(), TraceEvent.objects.count(), HistoryEntry.objects.count()) == before


def test_expiry_before_production_is_refused():
    shop = f.make_enterprise()
    import datetime as dt

    with pytest.raises(DomainError) as exc:
        f.receive(shop, produced_on=dt.date(2024, 5, 2), expires_on=dt.date(2024, 5, 1))
    assert exc.value.field == "expires_on"
    assert Lot.objects.count() == 0


def test_transformation_consumes_inputs_generates_code_and_expiry():
    shop = f.make_enterprise()
    flour = f.receive(shop, quantity="100", product_name="面粉")
    sugar = f.receive(shop, quantity="20", product_name="白糖")
    cake = f.make_product(shop, name="麻糍", shelf_life_days=3, unit="kg")
    event = record_transformation(
        shop,
        inputs=[InputSpec(flour, "30", "kg"), InputSpec(sugar, "2000", "g")],
        outputs=[OutputSpec(cake, "31", "kg")],
        occurred_at=f.now(),
        acting_user=None,
    )
    out = event.lines.get(role="output").lot
    assert (f.stock(flour), f.stock(sugar), out.quantity_on_hand) == (Decimal("70.000"), Decimal("18.000"), Decimal("31.000"))
    assert out.code.endswith("01")
    assert len(out.code) == 10
    assert out.expires_on - out.produced_on == __import__("datetime").timedelta(days=3)
    assert set(LotEdge.objects.filter(dst=out).values_list("src_id", flat=True)) == {flour.pk, sugar.pk}
    second = f.produce(shop, [(flour, "1")], cake)
    assert second.code.endswith("02")


def test_transformation_over_stock_rolls_back_everything():
    shop = f.make_enterprise()
    flour = f.receive(shop, quantity="10")
    sugar = f.receive(shop, quantity="1", product_name="白糖")
    cake = f.make_product(shop)
    with pytest.raises(DomainError) as exc:
        record_transformation(
            shop,
            inputs=[InputSpec(flour, "5", "kg"), InputSpec(sugar, "2", "kg")],
            outputs=[OutputSpec(cake, "6", "kg")],
            occurred_at=f.now(),
            acting_user=None,
        )
    assert (exc.value.code, exc.value.field) == ("insufficient_stock", "inputs[1].quantity")
    assert f.stock(flour) == Decimal("10.000")
    assert not Lot.objects.filter(product=cake).exists()
    assert not TraceEvent.objects.filter(event_type="transform").exists()


def test_ship_and_receive_on_platform_links_the_trace():
    maker = f.make_enterprise()
    shop = f.make_enterprise(kind="retailer")
    product = f.make_product(maker)
    raw = f.receive(maker, quantity="50")
    made = f.produce(maker, [(raw, "50")], product, "40")
    customer = f.make_partner(maker, linked=shop)
    shipment = f.ship(maker, made, "15", customer)
    assert shipment.counterparty_id == shop.pk
    received = receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="15", unit="kg", shipment=shipment)
    lot = received.lines.get().lot
    assert (lot.code, lot.product_id, lot.expires_on) == (made.code, product.pk, made.expires_on)
    assert LotEdge.objects.filter(src=made, dst=lot, kind="ship").exists()
    with pytest.raises(DomainError) as exc:
        receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", shipment=shipment)
    assert exc.value.code == "over_shipped"


def test_receiving_someone_elses_shipment_is_refused():
    maker = f.make_enterprise()
    shop = f.make_enterprise()
    other = f.make_enterprise()
    made = f.receive(maker, quantity="5")
    shipment = f.ship(maker, made, "5", f.make_partner(maker, linked=shop))
    with pytest.raises(DomainError) as exc:
        receive_lot(other, acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", shipment=shipment)
    assert exc.value.code == "shipment_not_for_you"


def test_void_shipment_restores_stock_and_void_twice_refused():
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="10")
    shipment = f.ship(shop, lot, "4")
    assert f.stock(lot) == Decimal("6.000")
    void = void_event(shipment, reason="录错了", acting_user=None)
    assert void.voids_id == shipment.pk
    assert f.stock(lot) == Decimal("10.000")
    with pytest.raises(DomainError) as exc:
        void_event(shipment, reason="again", acting_user=None)
    assert exc.value.code == "already_voided"


def test_void_transformation_removes_outputs_and_edges():
    shop = f.make_enterprise()
    raw = f.receive(shop, quantity="10")
    out = f.produce(shop, [(raw, "4")], f.make_product(shop), "3")
    event = out.event_lines.get().event
    void_event(event, reason="错批", acting_user=None)
    assert (f.stock(raw), f.stock(out)) == (Decimal("10.000"), Decimal("0.000"))
    assert not LotEdge.objects.filter(dst=out).exists()


def test_void_receive_after_use_is_refused():
    shop = f.make_enterprise()
    raw = f.receive(shop, quantity="10")
    f.ship(shop, raw, "8")
    with pytest.raises(DomainError) as exc:
        void_event(raw.event_lines.get(role="output").event, reason="x", acting_user=None)
    assert exc.value.code == "cannot_void"
    assert f.stock(raw) == Decimal("2.000")


def test_dispose_and_inspection_status():
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="10")
    dispose_lot(lot, quantity="1", unit="kg", reason="破损", occurred_at=f.now(), acting_user=None)
    assert f.stock(lot) == Decimal("9.000")
    record_inspection(lot, kind="self", passed=True, occurred_at=f.now(), acting_user=None)
    assert Lot.objects.get(pk=lot.pk).test_status == "passed"
    failed = record_inspection(lot, kind="official", passed=False, occurred_at=f.now(), acting_user=None)
    assert Lot.objects.get(pk=lot.pk).test_status == "failed"
    void_event(failed, reason="样品错", acting_user=None)
    assert Lot.objects.get(pk=lot.pk).test_status == "passed"


def test_recall_marks_downstream_lots_across_enterprises():
    maker = f.make_enterprise()
    shop = f.make_enterprise(jurisdiction="330106001", kind="retailer")
    raw = f.receive(maker, quantity="100")
    product = f.make_product(maker)
    made = f.produce(maker, [(raw, "60")], product, "50")
    shipment = f.ship(maker, made, "20", f.make_partner(maker, linked=shop))
    lot_at_shop = receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="20", unit="kg", shipment=shipment).lines.get().lot
    f.ship(maker, made, "5", f.make_partner(maker, name="路边店"))
    inspector = f.make_inspector("331081")
    recall = start_recall(raw, reason="抽检不合格", acting_user=inspector)
    assert set(Lot.objects.filter(status="recalled").values_list("pk", flat=True)) == {raw.pk, made.pk, lot_at_shop.pk}
    assert recall.impact["lots"] == 3
    holders = {(h["enterprise"], h["quantity"]) for h in recall.impact["holders"]}
    assert holders == {(maker.pk, "65.000"), (shop.pk, "20.000")}
    assert TraceEvent.objects.filter(recall=recall).count() == 2
    assert EventLine.objects.filter(event__recall=recall).count() == 3
    with pytest.raises(DomainError) as exc:
        f.ship(maker, made, "1")
    assert exc.value.code == "lot_recalled"
    with pytest.raises(DomainError):
        start_recall(raw, reason="again", acting_user=inspector)


def test_two_producers_lots_with_the_same_code_stay_apart_at_the_receiver():
    shop = f.make_enterprise(kind="retailer")
    lots = []
    for _ in range(2):
        maker = f.make_enterprise()
        product = f.make_product(maker, name="麻糍")
        made = f.produce(maker, [(f.receive(maker, quantity="5"), "5")], product, "5")
        shipment = f.ship(maker, made, "2", f.make_partner(maker, linked=shop))
        lots.append(receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="2", unit="kg", shipment=shipment).lines.get().lot)
    assert lots[0].code == lots[1].code
    assert lots[0].pk != lots[1].pk
    assert [f.stock(lot) for lot in lots] == [Decimal("2.000"), Decimal("2.000")]
