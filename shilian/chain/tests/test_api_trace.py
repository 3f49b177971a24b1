"""Trace, recall impact and recalls through the API."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shilian.chain.actions import receive_lot
from shilian.chain.lotref import lgtin_urn
from shilian.chain.models import Lot, Recall
from shilian.chain.queries.report import NOTICE_COLUMNS
from shilian.chain.tests.test_api_support import (
    counts,
    problem_fields,
    world_fixture,  # noqa: F401 — the `world` fixture
)
from shilian.core.testing import factories as f
from shilian.core.testing.api import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """The workshop's shrimp goes to the Xihu shop (on the platform, outside Wenling) and to
    an off-platform market stall; the shop sells some at retail."""
    shop, other, made = world["shop"], world["other"], world["made"]
    to_shop = f.ship(shop, made, "10", f.make_partner(shop, linked=other))
    at_shop = receive_lot(other, acting_user=None, occurred_at=f.now(), quantity="10", unit="kg", shipment=to_shop)
    at_shop = at_shop.lines.get().lot
    stall = f.ship(shop, made, "4", f.make_partner(shop, name="菜场摊位"))
    f.ship(other, at_shop, "3")
    return world | {"to_shop": to_shop, "at_shop": at_shop, "stall": stall}


def test_forward_trace_report(chain):
    shop, other, raw, made, at_shop = chain["shop"], chain["other"], chain["raw"], chain["made"], chain["at_shop"]
    response = call("get", f"/api/v1/trace?lot={raw.pk}&direction=forward", chain["users"]["inspector_in"])
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["direction"], report["root"]) == ("forward", raw.pk)
    assert {lot["id"] for lot in report["lots"]} == {raw.pk, made.pk, at_shop.pk}
    assert sorted((e["from"], e["to"]) for e in report["edges"]) == sorted([(raw.pk, made.pk), (made.pk, at_shop.pk)])
    cards = {e["id"]: e for e in report["enterprises"]}
    assert cards[shop.pk]["in_scope"] is True
    assert cards[shop.pk]["uscc"] == shop.uscc
    # the Hangzhou shop is outside a Wenling inspector's scope: name, kind and jurisdiction only
    assert cards[other.pk] | {} == {
        "id": other.pk, "name": "西湖副食店", "kind": "retailer", "jurisdiction_code": "330106001",
        "jurisdiction_name": "北山街道", "in_scope": False, "uscc": None, "licence_no": None, "address": None,
        "contact_phone": None,
    }
    holders = {(h["enterprise"], h["quantity"]) for h in report["holders"]}
    assert holders == {(shop.pk, "65.000"), (other.pk, "7.000")}
    shipments = {(s["from_enterprise"], s["quantity"], s["customer"], s["to_enterprise"], s["retail"]) for s in report["shipments"]}
    assert shipments == {
        (shop.pk, "1.000", None, None, True),
        (shop.pk, "10.000", "西湖副食店", other.pk, False),
        (shop.pk, "4.000", "菜场摊位", None, False),
        (other.pk, "3.000", None, None, True),
    }
    assert [s["occurred_at"][-6:] for s in report["shipments"]] == ["+08:00"] * 4
    assert report["counts"] == {"lots": 3, "enterprises": 2, "holders": 2, "shipments": 4, "suppliers": 0}


def test_backward_trace_reaches_the_supplier(chain):
    at_shop = chain["at_shop"]
    ref = lgtin_urn("06901234567892", at_shop.code)
    # the shop's lot carries the workshop's GTIN: the URN names the producer's lot
    response = call("get", f"/api/v1/trace?lot={ref}&direction=backward", chain["users"]["admin"])
    report = response.json()
    assert report["root"] == chain["made"].pk
    response = call("get", f"/api/v1/trace?lot={at_shop.pk}&direction=backward", chain["users"]["admin"])
    report = response.json()
    assert {lot["id"] for lot in report["lots"]} == {at_shop.pk, chain["made"].pk, chain["raw"].pk}
    assert report["suppliers"] == [
        {"partner": "渔港批发", "on_platform": False, "lot": chain["raw"].pk, "enterprise": chain["shop"].pk}
    ]
    assert report["shipments"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lot={raw}&direction=sideways", "direction"),
        ("lot=urn:epc:class:lgtin:1.2.X", "lot"),
        ("lot=not-a-lot", "lot"),
        ("direction=forward", "lot"),
    ],
)
def test_trace_bad_input_names_the_field(world, query, field):
    response = call("get", "/api/v1/trace?" + query.format(raw=world["raw"].pk), world["users"]["inspector_in"])
    assert response.status_code == 422
    assert problem_fields(response) == [field]


def test_recall_impact_previews_without_writing(chain):
    shop, other = chain["shop"], chain["other"]
    before = counts()
    response = call("get", f"/api/v1/recalls/impact?lot={chain['raw'].pk}", chain["users"]["inspector_in"])
    assert response.status_code == 200, response.content
    impact = response.json()
    assert (impact["lot"], impact["lot_count"]) == (chain["raw"].pk, 3)
    holders = sorted((h["enterprise"]["id"], h["enterprise"]["name"], h["lots"], h["quantity"]) for h in impact["holders"])
    assert holders == sorted([(shop.pk, "石塘虾干作坊", 2, "65.000"), (other.pk, "西湖副食店", 1, "7.000")])
    assert all(set(h["enterprise"]) == {"id", "name"} for h in impact["holders"])
    customers = {(c["from_enterprise"]["name"], c["quantity"], c["customer"], (c["to_enterprise"] or {}).get("name"),
                  c["retail"], c["shipments"]) for c in impact["customers"]}
    assert customers == {
        ("石塘虾干作坊", "1.000", None, None, True, 1),
        ("石塘虾干作坊", "10.000", "西湖副食店", "西湖副食店", False, 1),
        ("石塘虾干作坊", "4.000", "菜场摊位", None, False, 1),
        ("西湖副食店", "3.000", None, None, True, 1),
    }
    assert counts() == before
    assert not Lot.objects.filter(pk=chain["raw"].pk, status="recalled").exists()


def _impact_queries(world, lot):
    with CaptureQueriesContext(connection) as ctx:
        response = call("get", f"/api/v1/recalls/impact?lot={lot.pk}", world["users"]["inspector_in"])
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_recall_impact_takes_a_fixed_number_of_queries(world):
    shop, raw = world["shop"], world["raw"]
    urn_product = world["product"]

    def spread(n):
        for _ in range(n):
            buyer = f.make_enterprise(jurisdiction="331081104", kind="retailer")
            lot = f.produce(shop, [(raw, "1")], urn_product, "1")
            shipment = f.ship(shop, lot, "1", f.make_partner(shop, linked=buyer))
            receive_lot(buyer, acting_user=None, occurred_at=f.now(), quantity="1", unit="kg", shipment=shipment)
            retail = f.produce(shop, [(raw, "1")], urn_product, "2")
            f.ship(shop, retail, "1")
            f.ship(shop, retail, "1", f.make_partner(shop))

    spread(1)
    small, before = _impact_queries(world, raw)
    spread(6)
    large, after = _impact_queries(world, raw)
    assert after["lot_count"] > before["lot_count"] + 10
    # token, roles, the lot, the answer (reach, holders, customers and their names in one statement)
    assert small == large == 4


def test_start_a_recall(world):
    made = world["made"]
    inspector = world["users"]["inspector_in"]
    ref = lgtin_urn("06901234567892", made.code)
    response = call("post", "/api/v1/recalls", inspector, {"lot": ref, "reason": "菌落总数超标"})
    assert response.status_code == 201, response.content
    recall = response.json()
    assert recall["reference"].startswith("RC")
    assert recall["reason"] == "菌落总数超标"
    assert recall["root_lot"] == {"id": made.pk, "enterprise_id": world["shop"].pk, "product_name": "虾干", "code": made.code}
    assert (recall["started_by"], recall["jurisdiction_code"]) == (inspector.username, "331081102")
    assert recall["impact"]["lots"] == 1
    assert recall["impact"]["holders"] == [{"enterprise": world["shop"].pk, "unit": "kg", "lots": 1, "quantity": "39.000"}]
    assert [c["from"] for c in recall["impact"]["customers"]] == [world["shop"].pk]
    assert Lot.objects.get(pk=made.pk).status == "recalled"
    assert call("get", f"/api/v1/recalls/{recall['id']}", world["users"]["operator"]).json() == recall
    before = counts()
    again = call("post", "/api/v1/recalls", inspector, {"lot": str(made.pk), "reason": "再次"})
    assert (again.status_code, again.json()["code"], problem_fields(again)) == (409, "already_recalled", ["lot"])
    no_reason = call("post", "/api/v1/recalls", inspector, {"lot": str(world["raw"].pk), "reason": ""})
    assert (no_reason.status_code, problem_fields(no_reason)) == (422, ["reason"])
    bad_ref = call("post", "/api/v1/recalls", inspector, {"lot": "urn:epc:class:lgtin:x", "reason": "x"})
    assert (bad_ref.status_code, problem_fields(bad_ref)) == (422, ["lot"])
    assert counts() == before


def test_recall_notice_downloads(chain):
    recall_response = call("post", "/api/v1/recalls", chain["users"]["admin"], {"lot": str(chain["raw"].pk), "reason": "抽检不合格"})
    recall = Recall.objects.get(pk=recall_response.json()["id"])
    response = call("get", f"/api/v1/recalls/{recall.pk}/notice?format=csv", chain["users"]["inspector_in"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{recall.reference}-notice.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == NOTICE_COLUMNS
    holders = {(r["enterprise"], r["quantity"]) for r in rows if r["type"] == "holder"}
    assert holders == {("石塘虾干作坊", "65.000"), ("西湖副食店", "7.000")}
    assert sum(1 for r in rows if r["type"] == "shipment") == 4
    xlsx = call("get", f"/api/v1/recalls/{recall.pk}/notice?format=xlsx", chain["users"]["inspector_in"])
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == NOTICE_COLUMNS
    assert len(table) == len(rows) + 1
    bad = call("get", f"/api/v1/recalls/{recall.pk}/notice?format=pdf", chain["users"]["inspector_in"])
    assert (bad.status_code, problem_fields(bad)) == (422, ["format"])


def test_api_impact_answers_what_recall_impact_says(chain):
    """The API's impact is written by the database (impact_doc); recall_impact (the recall
    action and its page) groups the same rows in Python: the same numbers, the names added."""
    from shilian.chain.queries.recall import recall_impact
    from shilian.chain.schemas import RecallImpactOut
    from shilian.registry.models import Enterprise, Partner

    for root in (chain["raw"], chain["made"]):
        api = call("get", f"/api/v1/recalls/impact?lot={root.pk}", chain["users"]["inspector_in"]).json()
        RecallImpactOut.model_validate(api)
        fn = recall_impact([root.pk])
        names = dict(Enterprise.objects.values_list("pk", "name"))
        partners = dict(Partner.objects.values_list("pk", "name"))
        assert api["lot_count"] == fn.lot_count
        assert api["holders"] == [
            {"enterprise": {"id": h.enterprise_id, "name": names[h.enterprise_id]}, "unit": h.unit, "lots": h.lots,
             "quantity": str(h.quantity_on_hand)}
            for h in fn.holders
        ]
        assert api["customers"] == [
            {
                "from_enterprise": {"id": c.enterprise_id, "name": names[c.enterprise_id]},
                "customer": partners.get(c.partner_id),
                "to_enterprise": {"id": c.counterparty_id, "name": names[c.counterparty_id]} if c.counterparty_id else None,
                "retail": c.retail, "shipments": c.shipments, "quantity": str(c.quantity), "in_transit": str(c.in_transit.quantize(Decimal("0.001"))),
                "unit": c.unit,
            }
            for c in fn.customers
        ]
        assert api["customers"]


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_api_trace_answers_what_the_page_report_says(chain, direction):
    """The API's trace is written by the database (trace_doc); the pages read the same walk into
    Python (build_trace_report). Both must say the same, whatever the direction or root."""
    import datetime as dt
    import json

    from django.utils import timezone

    from shilian.chain.queries.report import build_trace_report
    from shilian.chain.queries.trace import Direction
    from shilian.chain.schemas import TraceOut

    users = chain["users"]
    f.receive(chain["shop"], product_name="辣椒粉", quantity="3", supplier=f.make_partner(chain["shop"], name="调料行"))
    # the shop's inspector (the Xihu shop is outside the grant: name only), and an admin at the shop
    for root, user in ((chain["raw"], users["inspector_in"]), (chain["made"], users["inspector_in"]), (chain["at_shop"], users["admin"])):
        inspector = user
        api = call("get", f"/api/v1/trace?lot={root.pk}&direction={direction}", inspector).json()
        TraceOut.model_validate(api)  # the documented schema
        report = build_trace_report(inspector, root, Direction(direction)).as_dict()
        for s in report["shipments"]:
            s["occurred_at"] = s["occurred_at"].astimezone(timezone.get_current_timezone())
        page = json.loads(TraceOut.model_validate(report).model_dump_json(by_alias=True))

        def canon(doc):
            return {k: sorted(json.dumps(x, sort_keys=True) for x in v) if isinstance(v, list) else v for k, v in doc.items()}

        assert canon(api) == canon(page), root
        if direction == "backward" and root == chain["at_shop"]:
            assert api["suppliers"]
            assert api["counts"]["suppliers"] == len(api["suppliers"])
        for s in api["shipments"]:
            assert dt.datetime.fromisoformat(s["occurred_at"]).utcoffset() == dt.timedelta(hours=8)
        # a lot of a product with a GTIN is named as EPCIS names it, in both forms
        made = next((x for x in api["lots"] if x["id"] == chain["made"].pk), None)
        if made is not None:
            assert made["epc_class"] == f"urn:epc:class:lgtin:6901234.056789.{chain['made'].code}"
            assert made["digital_link"] == f"https://id.gs1.org/01/06901234567892/10/{chain['made'].code}"
        raw = next((x for x in api["lots"] if x["id"] == chain["raw"].pk), None)
        assert raw is None or (raw["gtin"], raw["epc_class"], raw["digital_link"]) == (None, None, None)
