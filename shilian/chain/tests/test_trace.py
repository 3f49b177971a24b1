from decimal import Decimal

import pytest

from shilian.chain.access import find_lot
from shilian.chain.actions import receive_lot, start_recall
from shilian.chain.lotref import lgtin_urn, parse_lot_ref
from shilian.chain.queries.report import build_trace_report, recall_notice_rows
from shilian.chain.queries.trace import Direction, trace
from shilian.core.errors import NotFoundError
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def _chain():
    """farm → workshop (Shitang) → shop (Hangzhou, outside Wenling) + an off-platform customer."""
    farm = f.make_enterprise(kind="farm", jurisdiction="331081104")
    workshop = f.make_enterprise(jurisdiction="331081102")
    shop = f.make_enterprise(kind="retailer", jurisdiction="330106001")
    mushrooms = f.make_product(farm, name="香菇", unit="kg")
    harvest = f.produce(farm, [(f.receive(farm, quantity="1000", product_name="菌棒"), "1000")], mushrooms, "500")
    shipment = f.ship(farm, harvest, "100", f.make_partner(farm, linked=workshop))
    raw = receive_lot(workshop, acting_user=None, occurred_at=f.now(), quantity="100", unit="kg", shipment=shipment).lines.get().lot
    cake = f.make_product(workshop, name="香菇年糕", gtin="6901234567892", unit="kg")
    made = f.produce(workshop, [(raw, "40")], cake, "80")
    to_shop = f.ship(workshop, made, "30", f.make_partner(workshop, linked=shop))
    at_shop = receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="30", unit="kg", shipment=to_shop).lines.get().lot
    f.ship(workshop, made, "10", f.make_partner(workshop, name="农贸市场摊位"))
    f.ship(shop, at_shop, "2")  # retail
    return farm, workshop, shop, harvest, raw, made, at_shop


def test_forward_trace_reaches_every_derived_lot_holder_and_customer():
    farm, workshop, shop, harvest, raw, made, at_shop = _chain()
    result = trace([harvest.pk], Direction.FORWARD)
    assert set(result.lots) == {harvest.pk, raw.pk, made.pk, at_shop.pk}
    holders = {e: dict(u) for e, u in result.holders().items()}
    assert holders == {
        farm.pk: {"kg": Decimal("400.000")},
        workshop.pk: {"kg": Decimal("100.000")},
        shop.pk: {"kg": Decimal("28.000")},
    }
    kinds = sorted((s.enterprise_id, str(s.quantity), s.retail, s.counterparty_id) for s in result.shipments)
    assert kinds == sorted(
        [
            (farm.pk, "100.000", False, workshop.pk),
            (workshop.pk, "30.000", False, shop.pk),
            (workshop.pk, "10.000", False, None),
            (shop.pk, "2.000", True, None),
        ]
    )
    received = {s.event_id: s.in_transit for s in result.shipments}
    assert all(v == 0 for v in received.values())


def test_backward_trace_reaches_inputs_and_suppliers():
    farm, workshop, shop, harvest, raw, made, at_shop = _chain()
    result = trace([at_shop.pk], Direction.BACKWARD)
    assert harvest.pk in result.lots
    assert raw.pk in result.lots
    assert made.pk in result.lots
    inspector = f.make_inspector("330000")
    report = build_trace_report(inspector, at_shop, Direction.BACKWARD)
    assert [s["partner"] for s in report.suppliers]  # the farm's off-platform supplier of 菌棒


def test_trace_report_redacts_enterprises_outside_scope():
    farm, workshop, shop, harvest, *_ = _chain()
    wenling = f.make_inspector("331081")
    report = build_trace_report(wenling, harvest, Direction.FORWARD)
    cards = report.enterprises
    assert cards[workshop.pk].in_scope
    assert cards[workshop.pk].uscc == workshop.uscc
    assert not cards[shop.pk].in_scope
    assert (cards[shop.pk].name, cards[shop.pk].uscc, cards[shop.pk].address) == (shop.name, None, None)
    assert report.counts["lots"] == 4


def test_lot_references_resolve_by_id_lgtin_and_digital_link():
    _farm, workshop, _shop, _harvest, _raw, made, _at = _chain()
    admin = f.make_admin()
    assert find_lot(admin, str(made.pk)) == made
    urn = lgtin_urn("06901234567892", made.code)
    assert find_lot(admin, urn) == made
    assert find_lot(admin, f"https://example.org/01/6901234567892/10/{made.code}?17=260101") == made
    with pytest.raises(ValueError, match="check digit"):
        parse_lot_ref("https://example.org/01/6901234567893/10/X")
    with pytest.raises(NotFoundError):
        find_lot(f.make_inspector("330106"), str(made.pk))


def test_recall_notice_lists_holders_and_shipments():
    _farm, workshop, shop, harvest, *_ = _chain()
    inspector = f.make_inspector("331081")
    recall = start_recall(harvest, reason="农残超标", acting_user=inspector)
    rows = recall_notice_rows(inspector, recall)
    holders = {(r["enterprise"], r["quantity"]) for r in rows if r["type"] == "holder"}
    assert (shop.name, "28.000") in holders
    assert sum(1 for r in rows if r["type"] == "shipment") == 4
    shop_row = next(r for r in rows if r["enterprise"] == shop.name)
    assert shop_row["contact"] == ""  # outside Wenling: no contact data shown


def test_recall_impact_groups_customers_and_counts_goods_in_transit():
    from shilian.chain.queries.recall import recall_impact

    maker = f.make_enterprise()
    shop = f.make_enterprise(kind="retailer")
    raw = f.receive(maker, quantity="100")
    market = f.make_partner(maker, name="农贸市场")
    f.ship(maker, raw, "5", market)
    f.ship(maker, raw, "7", market)
    f.ship(maker, raw, "1")
    f.ship(maker, raw, "2")
    pending = f.ship(maker, raw, "10", f.make_partner(maker, linked=shop))
    receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="4", unit="kg", shipment=pending)
    impact = recall_impact([raw.pk])
    rows = {(c.partner_id, c.counterparty_id, c.retail, c.shipments, str(c.quantity), str(c.in_transit)) for c in impact.customers}
    assert rows == {
        (market.pk, None, False, 2, "12.000", "0"),
        (None, None, True, 2, "3.000", "0"),
        (pending.partner_id, shop.pk, False, 1, "10.000", "6.000"),
    }
    assert impact.shipment_count == 5
    assert impact.lot_count == 2  # the raw lot and what the shop booked in
