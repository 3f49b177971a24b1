"""Shipments to receive: ``access.incoming_shipments_for`` and the lines the receive page offers."""

from decimal import Decimal

import pytest

from shilian.chain.access import incoming_shipments_for
from shilian.chain.actions import ShipLine, receive_lot, ship_lots, void_event
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import client_for
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name


def _book_in(w, quantity, shipment=None, lot=None):
    return receive_lot(
        w["shop"],
        acting_user=None,
        occurred_at=f.now(),
        quantity=quantity,
        unit="kg",
        shipment=shipment or w["shipment"],
        source_lot=lot,
    )


def test_only_who_operates_the_receiver_gets_its_shipments(world):
    shop_operator = f.make_operator(world["shop"])
    shop = world["shop"]
    assert list(incoming_shipments_for(shop_operator, shop)) == [world["shipment"]]
    assert list(incoming_shipments_for(world["users"]["admin"], shop)) == [world["shipment"]]
    for actor in ("anonymous", "operator", "other_operator", "inspector_in", "inspector_out"):
        assert (actor, list(incoming_shipments_for(world["users"][actor], shop))) == (actor, [])
    # the shipper operates the workshop: nothing was sent to the workshop
    assert list(incoming_shipments_for(world["users"]["operator"], world["workshop"])) == []


def test_a_shipment_leaves_the_list_once_every_line_is_booked_in(world):
    shop_operator = f.make_operator(world["shop"])
    sugar = f.receive(world["workshop"], product_name="白糖", lot_code="S1", quantity="10")
    two_lines = ship_lots(
        world["workshop"],
        lines=[ShipLine(world["made"], "5", "kg"), ShipLine(sugar, "2", "kg")],
        customer=world["to_shop"],
        occurred_at=f.now(),
        acting_user=None,
    )
    assert set(incoming_shipments_for(shop_operator, world["shop"])) == {world["shipment"], two_lines}
    _book_in(world, "30")  # the first shipment in full
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == [two_lines]
    _book_in(world, "5", shipment=two_lines, lot=world["made"])  # one line of two
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == [two_lines]
    lines = client_for(shop_operator).get("/w/receive/").context["incoming"]
    assert [(i.line.lot_id, i.remaining) for i in lines] == [(sugar.pk, Decimal("2.000"))]
    _book_in(world, "2", shipment=two_lines, lot=sugar)
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == []
    assert client_for(shop_operator).get("/w/receive/").context["incoming"] == []


def test_voided_shipments_are_left_out_and_a_voided_receipt_reopens_one(world):
    shop_operator = f.make_operator(world["shop"])
    receipt = _book_in(world, "30")
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == []
    void_event(receipt, reason="收错了", acting_user=shop_operator)
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == [world["shipment"]]
    void_event(world["shipment"], reason="客户取消", acting_user=world["users"]["operator"])
    assert list(incoming_shipments_for(shop_operator, world["shop"])) == []
    assert client_for(shop_operator).get("/w/receive/").context["incoming"] == []


def test_receive_page_query_count_does_not_grow_with_shipments(world, django_assert_num_queries):
    client = client_for(f.make_operator(world["shop"]))
    client.get("/w/receive/")  # session warm-up
    # session, user, roles, enterprise, products, suppliers (x2: select and "add a supplier" check),
    # incoming lines with what is booked in (the LotShipment projection)
    with django_assert_num_queries(8):
        client.get("/w/receive/")
    for _ in range(5):
        f.ship(world["workshop"], world["made"], "1", world["to_shop"])
    with django_assert_num_queries(8):
        response = client.get("/w/receive/")
    assert len(response.context["incoming"]) == 6
