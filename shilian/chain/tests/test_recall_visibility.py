"""Who sees what of a recall. Inspectors and admins see all of it (a recall crosses jurisdictions,
as a trace does); an inspector sees a recall that reaches a holder in their jurisdiction; an
operator sees their own enterprises' part only: not other holders' stock, not the producer's
customers. The JSON, the list and the notice (CSV and Excel) say the same."""

import io

import pytest
from openpyxl import load_workbook

from shilian.chain.actions import receive_lot, start_recall
from shilian.core.testing import factories as f
from shilian.core.testing.api import call

pytestmark = pytest.mark.django_db


@pytest.fixture(name="recall")
def recall_fixture():
    producer = f.make_enterprise(jurisdiction="331081102", name="上游作坊")
    shop = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="下游小店")
    rival = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="别家超市")
    product = f.make_product(producer, name="虾干", gtin="6901234567892")
    raw = f.receive(producer, quantity="100", product_name="鲜虾", lot_code="R1")
    made = f.produce(producer, [(raw, "60")], product, "40")
    for target, quantity in ((shop, "5"), (rival, "7")):
        shipment = f.ship(producer, made, quantity, f.make_partner(producer, linked=target))
        receive_lot(target, acting_user=None, occurred_at=f.now(), quantity=quantity, unit="kg", shipment=shipment)
    f.ship(producer, made, "9", f.make_partner(producer, name="大客户王老板"))
    recall = start_recall(made, reason="抽检不合格", acting_user=f.make_inspector("331081"))
    return {"recall": recall, "producer": producer, "shop": shop, "rival": rival}


def _notice(user, recall, fmt="csv"):
    response = call("get", f"/api/v1/recalls/{recall.pk}/notice?format={fmt}", user)
    assert response.status_code == 200, response.content
    if fmt == "csv":
        return response.content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(",".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))


def test_an_operator_downstream_sees_only_their_own_part(recall):
    shop_operator = f.make_operator(recall["shop"])
    for fmt in ("csv", "xlsx"):
        notice = _notice(shop_operator, recall["recall"], fmt)
        assert "下游小店" in notice
        assert "别家超市" not in notice  # another retailer's stock
        assert "大客户王老板" not in notice  # the producer's customer
        assert "上游作坊" in notice  # who shipped to the shop: on the shop's own delivery note
    [seen] = call("get", "/api/v1/recalls", shop_operator).json()["items"]
    single = call("get", f"/api/v1/recalls/{recall['recall'].pk}", shop_operator).json()
    for impact in (seen["impact"], single["impact"]):
        assert [h["enterprise"] for h in impact["holders"]] == [recall["shop"].pk]
        assert {(c["from"], c["counterparty"]) for c in impact["customers"]} == {
            (recall["producer"].pk, recall["shop"].pk)
        }
        assert impact["lots"] == 1


def test_the_producer_sees_its_stock_and_its_customers_not_theirs(recall):
    notice = _notice(f.make_operator(recall["producer"]), recall["recall"])
    assert "大客户王老板" in notice  # its own shipments, by destination
    assert "别家超市" in notice
    [holder] = [line for line in notice.splitlines() if line.startswith("holder")]  # not the shops' stock
    assert "上游作坊" in holder


@pytest.mark.parametrize("who", ["admin", "inspector-upstream", "inspector-downstream"])
def test_inspectors_and_admins_see_every_holder_and_customer(recall, who):
    user = {
        "admin": f.make_admin,
        "inspector-upstream": lambda: f.make_inspector("331081"),
        "inspector-downstream": lambda: f.make_inspector("330106"),  # a holder is in Hangzhou
    }[who]()
    notice = _notice(user, recall["recall"])
    for name in ("上游作坊", "下游小店", "别家超市", "大客户王老板"):
        assert name in notice
    assert [r["id"] for r in call("get", "/api/v1/recalls", user).json()["items"]] == [recall["recall"].pk]


def test_an_inspector_the_recall_does_not_reach_does_not_see_it(recall):
    elsewhere = f.make_inspector("331081104")  # the next town: neither started there nor reaching it
    assert call("get", "/api/v1/recalls", elsewhere).json()["items"] == []
    assert call("get", f"/api/v1/recalls/{recall['recall'].pk}/notice", elsewhere).status_code == 404
