from decimal import Decimal

import pytest

from shilian.chain.actions import dispose_lot, receive_lot, record_inspection, start_recall, void_event
from shilian.chain.models import Lot, LotEdge, LotShipment
from shilian.chain.projections import Difference, EdgeKey, rebuild_projections, repair_projections
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def _history():
    """A workshop and a shop with every kind of event, voids included."""
    maker = f.make_enterprise()
    shop = f.make_enterprise(kind="retailer", jurisdiction="331081104")
    product = f.make_product(maker, name="麻糍", unit="kg")
    flour = f.receive(maker, quantity="100", product_name="糯米")
    sugar = f.receive(maker, quantity="10", product_name="白糖")
    made = f.produce(maker, [(flour, "40"), (sugar, "2")], product, "45")
    wrong = f.produce(maker, [(flour, "5")], product, "6")
    void_event(wrong.event_lines.get(role="output").event, reason="重复录入", acting_user=None)
    customer = f.make_partner(maker, linked=shop)
    shipment = f.ship(maker, made, "20", customer)
    receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="12", unit="kg", shipment=shipment)
    at_shop = receive_lot(
        shop, acting_user=None, occurred_at=f.now(), quantity="8000", unit="g", shipment=shipment
    ).lines.get().lot
    mistake = f.ship(maker, made, "3")
    void_event(mistake, reason="数量错误", acting_user=None)
    f.ship(shop, at_shop, "1.5")
    passed = record_inspection(made, kind="self", passed=True, occurred_at=f.now(), acting_user=None)
    failed = record_inspection(sugar, kind="official", passed=False, occurred_at=f.now(), acting_user=None)
    void_event(failed, reason="样品编号错误", acting_user=None)
    record_inspection(flour, kind="official", passed=False, occurred_at=f.now(), acting_user=None)
    record_inspection(flour, kind="self", passed=True, occurred_at=f.now(), acting_user=None)
    dispose_lot(sugar, quantity="1", unit="kg", reason="受潮", occurred_at=f.now(), acting_user=None)
    start_recall(made, reason="抽检不合格", acting_user=f.make_admin())
    return {"maker": maker, "shop": shop, "flour": flour, "sugar": sugar, "made": made, "wrong": wrong,
            "at_shop": at_shop, "shipment": shipment, "passed": passed}


def test_projections_match_the_events_after_voids_recalls_and_shipments():
    lots = _history()
    assert rebuild_projections() == []
    at_shop = Lot.objects.get(pk=lots["at_shop"].pk)
    assert (at_shop.quantity_on_hand, at_shop.quantity_in, at_shop.status) == (Decimal("18.500"), Decimal("20.000"), "recalled")
    assert Lot.objects.get(pk=lots["flour"].pk).test_status == "failed"
    assert Lot.objects.get(pk=lots["sugar"].pk).test_status == "untested"
    assert Lot.objects.get(pk=lots["wrong"].pk).quantity_in == 0


def test_an_empty_database_has_no_differences():
    assert rebuild_projections() == []


def test_corrupted_lot_fields_are_reported_and_repaired():
    lots = _history()
    made, flour = lots["made"], lots["flour"]
    Lot.objects.filter(pk=made.pk).update(quantity_on_hand=Decimal("99"), status="active")
    Lot.objects.filter(pk=flour.pk).update(test_status="passed", quantity_in=Decimal("1"))
    differences = rebuild_projections()
    assert sorted((d.lot_id, d.field, d.stored, d.rebuilt) for d in differences) == sorted(
        [
            (made.pk, "quantity_on_hand", Decimal("99.000"), Decimal("25.000")),
            (made.pk, "status", "active", "recalled"),
            (flour.pk, "quantity_in", Decimal("1.000"), Decimal("100.000")),
            (flour.pk, "test_status", "passed", "failed"),
        ]
    )
    before = HistoryEntry.objects.filter(action="chain.projection.repair").count()
    repaired = repair_projections(acting_user=None)
    assert len(repaired) == 4
    assert rebuild_projections() == []
    assert Lot.objects.filter(pk=made.pk).values_list("quantity_on_hand", "status").get() == (Decimal("25.000"), "recalled")
    assert HistoryEntry.objects.filter(action="chain.projection.repair").count() == before + 2


def test_missing_extra_and_wrong_edges_are_reported_and_repaired():
    lots = _history()
    flour, made, at_shop = lots["flour"], lots["made"], lots["at_shop"]
    transform_edge = LotEdge.objects.get(src=flour, dst=made)
    ship_edges = list(LotEdge.objects.filter(src=made, dst=at_shop).order_by("pk"))
    assert [e.quantity for e in ship_edges] == [Decimal("12.000"), Decimal("8.000")]
    shop_lot_event = ship_edges[1].event_id
    LotEdge.objects.filter(pk=transform_edge.pk).delete()
    LotEdge.objects.filter(pk=ship_edges[1].pk).update(quantity=Decimal("7"))
    LotEdge.objects.create(
        src=lots["sugar"], dst=at_shop, kind="ship", event_id=shop_lot_event, quantity=Decimal("1"),
        dst_enterprise=at_shop.enterprise_id, dst_unit=at_shop.unit, dst_on_hand=f.stock(at_shop), dst_shipped=True,
    )  # fmt: skip
    differences = rebuild_projections()
    transform_key = EdgeKey(transform_edge.event_id, flour.pk, made.pk, "transform")
    assert sorted(differences, key=lambda d: d.lot_id) == sorted(
        [
            Difference(flour.pk, f"edge transform → lot {made.pk} (event {transform_key.event_id})", (), (Decimal("40.000"),), transform_key),
            Difference(
                made.pk, f"edge ship → lot {at_shop.pk} (event {shop_lot_event})", (Decimal("7.000"),), (Decimal("8.000"),),
                EdgeKey(shop_lot_event, made.pk, at_shop.pk, "ship"),
            ),
            Difference(
                lots["sugar"].pk, f"edge ship → lot {at_shop.pk} (event {shop_lot_event})", (Decimal("1.000"),), (),
                EdgeKey(shop_lot_event, lots["sugar"].pk, at_shop.pk, "ship"),
            ),
        ],
        key=lambda d: d.lot_id,
    )
    repair_projections(acting_user=None)
    assert rebuild_projections() == []
    assert LotEdge.objects.get(src=flour, dst=made).quantity == Decimal("40.000")
    assert not LotEdge.objects.filter(src=lots["sugar"], dst=at_shop).exists()


def test_every_arrow_copies_the_lot_it_leads_to_through_the_actions():
    lots = _history()  # receipts, transformations, shipments, receipts of one, voids, a recall
    arrows = LotEdge.objects.values_list("dst_id", "dst_enterprise", "dst_unit", "dst_on_hand", "dst_shipped")
    assert arrows
    for dst, enterprise, unit, on_hand, shipped in arrows:
        lot = Lot.objects.get(pk=dst)
        has_shipments = LotShipment.objects.filter(lot=lot).exists()
        assert (enterprise, unit, on_hand, shipped) == (lot.enterprise_id, lot.unit, lot.quantity_on_hand, has_shipments)
    assert set(LotEdge.objects.filter(dst=lots["made"]).values_list("dst_shipped", flat=True)) == {True}
    # the shop's lot was received (its arrows made) and then shipped from: the copy followed the take
    assert set(LotEdge.objects.filter(dst=lots["at_shop"]).values_list("dst_on_hand", flat=True)) == {Decimal("18.500")}
    assert rebuild_projections() == []


def test_a_wrong_arrow_copy_is_reported_and_repaired():
    lots = _history()
    made, at_shop = lots["made"], lots["at_shop"]
    LotEdge.objects.filter(dst=at_shop).update(dst_on_hand=Decimal("99"))
    LotEdge.objects.filter(dst=made).update(dst_enterprise=0, dst_unit="")
    differences = rebuild_projections()
    assert sorted((d.lot_id, d.stored, d.rebuilt) for d in differences) == sorted(
        [
            (at_shop.pk, (at_shop.enterprise_id, at_shop.unit, Decimal("99.000"), True), (at_shop.enterprise_id, at_shop.unit, f.stock(at_shop), True)),
            (made.pk, (0, "", f.stock(made), True), (made.enterprise_id, made.unit, f.stock(made), True)),
        ]
    )  # fmt: skip
    assert all(d.arrow and "arrows into the lot" in d.describe() for d in differences)
    before = HistoryEntry.objects.filter(action="chain.projection.repair").count()
    assert len(repair_projections(acting_user=None)) == 2
    assert rebuild_projections() == []
    assert HistoryEntry.objects.filter(action="chain.projection.repair").count() == before + 2
    assert set(LotEdge.objects.filter(dst=at_shop).values_list("dst_on_hand", flat=True)) == {f.stock(at_shop)}


def test_arrows_say_whether_their_lot_has_shipments_out():
    """A shipment marks the arrows into the shipped lot; voiding its only shipment clears them;
    a wrong mark is reported and repaired (ADR 0011)."""
    maker = f.make_enterprise()
    product = f.make_product(maker, name="年糕", unit="kg")
    rice = f.receive(maker, quantity="50", product_name="粳米")
    cake = f.produce(maker, [(rice, "20")], product, "25")
    assert LotEdge.objects.get(dst=cake).dst_shipped is False
    sale = f.ship(maker, cake, "5")
    assert LotEdge.objects.get(dst=cake).dst_shipped is True
    void_event(sale, reason="录错", acting_user=None)
    assert LotEdge.objects.get(dst=cake).dst_shipped is False
    assert rebuild_projections() == []
    f.ship(maker, Lot.objects.get(pk=cake.pk), "2")
    LotEdge.objects.filter(dst=cake).update(dst_shipped=False)
    (diff,) = rebuild_projections()
    assert (diff.lot_id, diff.arrow, diff.stored[-1], diff.rebuilt[-1]) == (cake.pk, True, False, True)
    repair_projections(acting_user=None)
    assert LotEdge.objects.get(dst=cake).dst_shipped is True
    assert rebuild_projections() == []


def test_describe_names_lot_field_and_both_values():
    text = Difference(7, "quantity_on_hand", Decimal("1.000"), Decimal("2.000")).describe()
    assert text == "lot 7  quantity_on_hand: stored 1.000, rebuilt 2.000"
    edge = Difference(7, "edge ship → lot 9 (event 3)", (), (Decimal("2.000"),), EdgeKey(3, 7, 9, "ship"))
    assert edge.describe() == "lot 7  edge ship → lot 9 (event 3): stored —, rebuilt 2.000"


def test_the_last_tenth_of_a_kilo_can_be_sold_and_stock_stays_exact():
    """SQLite stores decimals as floats: 1 − 0.9 must not leave 0.0999…98 behind."""
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="1")
    f.ship(shop, lot, "0.9")
    f.ship(shop, Lot.objects.get(pk=lot.pk), "0.1")
    assert f.stock(lot) == Decimal("0.000")
    assert Lot.objects.filter(pk=lot.pk, quantity_on_hand=0).exists()
    assert rebuild_projections() == []


def test_shipment_projection_tracks_receipts_and_voids_and_is_repaired():
    from shilian.chain.models import LotShipment

    lots = _history()
    row = LotShipment.objects.get(event=lots["shipment"])
    assert (row.quantity, row.received) == (Decimal("20.000"), Decimal("20.000"))
    receipt = lots["at_shop"].event_lines.filter(role="output").order_by("pk").first().event
    LotShipment.objects.filter(pk=row.pk).update(received=Decimal("1"))
    LotShipment.objects.filter(event__event_type="ship").exclude(pk=row.pk).first().delete()
    differences = rebuild_projections()
    assert sorted(d.field.split(" ")[0] for d in differences) == ["shipment", "shipment"]
    repair_projections(acting_user=None)
    assert rebuild_projections() == []
    assert LotShipment.objects.get(event=lots["shipment"]).received == Decimal("20.000")
    assert receipt.shipment_id == lots["shipment"].pk
