"""Recording events through the API: each write, and bad input naming the field with
nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from shilian.chain.models import Document, Lot, LotEdge, TraceEvent
from shilian.chain.tests.test_api_support import (
    PDF,
    PNG,
    counts,
    problem_fields,
    upload,
    world_fixture,  # noqa: F401 — the `world` fixture
)
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.core.testing.api import call

pytestmark = pytest.mark.django_db


def _receive_body(w, **change):
    body = {
        "enterprise": w["shop"].pk, "quantity": 12.5, "unit": "kg", "product_name": "白糖", "lot_code": "S-240501",
        "supplier": w["supplier"].pk, "produced_on": "2024-05-01", "expires_on": "2025-05-01",
        "occurred_at": "2024-06-01T09:30:00", "reference_no": "FP-001", "acceptance": {"appearance": "ok"},
    }
    return body | change


def test_receive_records_the_lot_and_answers_with_the_event(world):
    operator = world["users"]["operator"]
    response = call("post", "/api/v1/events/receive", operator, _receive_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["event_type"], body["occurred_at"], body["recorded_by"]) == (
        "receive", "2024-06-01T09:30:00+08:00", operator.username
    )
    assert (body["reference_no"], body["detail"], body["voided"]) == ("FP-001", {"acceptance": {"appearance": "ok"}}, False)
    [line] = body["lines"]
    assert (line["lot_code"], line["quantity"], line["unit"], line["role"]) == ("S-240501", "12.500", "kg", "output")
    lot = Lot.objects.get(pk=line["lot"])
    assert (lot.quantity_on_hand, lot.supplier_id, str(lot.expires_on)) == (Decimal("12.500"), world["supplier"].pk, "2025-05-01")
    assert HistoryEntry.objects.filter(action="chain.receive", acting_user=operator, subject_id=str(body["id"])).count() == 1


def test_receive_a_platform_shipment_links_the_two_lots(world):
    shop, other = world["shop"], world["other"]
    customer = f.make_partner(shop, linked=other)
    shipment = f.ship(shop, world["made"], "5", customer)
    receiver = world["users"]["other_operator"]
    body = {"enterprise": other.pk, "quantity": "5", "unit": "kg", "shipment": shipment.pk, "source_lot": world["made"].pk}
    response = call("post", "/api/v1/events/receive", receiver, body)
    assert response.status_code == 201, response.content
    received = response.json()
    assert (received["shipment"], received["counterparty"]) == (shipment.pk, {"id": shop.pk, "name": shop.name})
    lot = Lot.objects.get(pk=received["lines"][0]["lot"])
    assert (lot.code, lot.product_id, lot.enterprise_id) == (world["made"].code, world["product"].pk, other.pk)
    assert LotEdge.objects.filter(src=world["made"], dst=lot, kind="ship").exists()
    # the shipper's operator cannot book it in for the receiver, and a lot not in the shipment is refused
    stranger = call("post", "/api/v1/events/receive", world["users"]["operator"], body | {"enterprise": shop.pk})
    assert (stranger.status_code, problem_fields(stranger)) == (404, ["shipment"])
    wrong = call("post", "/api/v1/events/receive", receiver, body | {"source_lot": world["raw"].pk})
    assert (wrong.status_code, problem_fields(wrong)) == (422, ["source_lot"])
    over = call("post", "/api/v1/events/receive", receiver, body | {"quantity": "0.5"})
    assert (over.status_code, over.json()["code"], problem_fields(over)) == (409, "over_shipped", ["quantity"])


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"unit": "furlong"}, 422, "unknown_unit", "unit"),
        ({"unit": "L"}, 201, None, None),  # a new lot may be kept in litres
        ({"quantity": "abc"}, 422, "validation_error", "quantity"),
        ({"quantity": "-3"}, 422, "invalid_quantity", "quantity"),
        ({"quantity": "NaN"}, 422, "validation_error", "quantity"),
        ({"unit": "bag", "quantity": "2.5"}, 422, "invalid_quantity", "quantity"),  # counted: whole bags only
        ({"unit": "bag", "quantity": "3"}, 201, None, None),
        ({"expires_on": "2024-04-30"}, 422, "expiry_before_production", "expires_on"),
        ({"expires_on": "2024-05-31"}, 422, "expired", "expires_on"),  # received 2024-06-01: bought in expired
        ({"expires_on": "2024-06-01"}, 201, None, None),  # its last day
        ({"produced_on": "2024-06-02"}, 422, "produced_later", "produced_on"),
        ({"lot_code": "批号一"}, 422, "invalid_lot_code", "lot_code"),
        ({"lot_code": "A#1"}, 422, "invalid_lot_code", "lot_code"),
        ({"lot_code": "X" * 21}, 422, "invalid_lot_code", "lot_code"),
        ({"lot_code": ""}, 422, "invalid_lot_code", "lot_code"),
        ({"product_name": ""}, 422, "missing_field", "product_name"),
        ({"occurred_at": "yesterday"}, 422, "validation_error", "occurred_at"),
        ("in-an-hour", 422, "in_the_future", "occurred_at"),
        ("a-fast-clock", 201, None, None),  # two minutes ahead: a phone's clock, not a mistake
        ({"source_lot": 1}, 422, "validation_error", "source_lot"),
        ("other-product", 404, "not_found", "product"),
        ("other-supplier", 404, "not_found", "supplier"),
        ("other-enterprise", 404, "not_found", "enterprise"),
    ],
)
def test_receive_bad_input_names_the_field_and_writes_nothing(world, change, status, code, field):
    other = world["other"]
    if change == "other-product":
        change = {"product": f.make_product(other).pk}
    elif change == "other-supplier":
        change = {"supplier": f.make_partner(other).pk}
    elif change == "other-enterprise":
        change = {"enterprise": other.pk}
    elif change in ("in-an-hour", "a-fast-clock"):
        ahead = dt.timedelta(hours=1) if change == "in-an-hour" else dt.timedelta(minutes=2)
        today = timezone.localdate()
        change = {
            "occurred_at": (timezone.now() + ahead).isoformat(),
            "produced_on": (today - dt.timedelta(days=1)).isoformat(),
            "expires_on": (today + dt.timedelta(days=365)).isoformat(),
        }
    before = counts()
    response = call("post", "/api/v1/events/receive", world["users"]["operator"], _receive_body(world, **change))
    if code is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert problem_fields(response) == [field]
    assert counts() == before


def test_receive_upload_keeps_the_certificate_and_invoice(world):
    body = _receive_body(world, certificate_no="HG-7", invoice_no="FP-9")
    response = upload(
        "/api/v1/events/receive/upload", world["users"]["operator"], body,
        certificate=("合格证.pdf", PDF), invoice=("invoice.png", PNG),
    )
    assert response.status_code == 201, response.content
    documents = {d["kind"]: d for d in response.json()["documents"]}
    assert (documents["certificate"]["number"], documents["certificate"]["content_type"]) == ("HG-7", "application/pdf")
    assert (documents["invoice"]["original_name"], documents["invoice"]["content_type"]) == ("invoice.png", "image/png")
    assert documents["certificate"]["size"] == len(PDF)
    stored = Document.objects.get(kind="certificate")
    assert stored.file.read() == PDF
    assert stored.event_id == response.json()["id"]


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ({"certificate": ("cert.pdf", b"<html>not a pdf</html>")}, "certificate"),
        ({"certificate": ("cert.pdf", PDF), "invoice": ("big.pdf", PDF + b"0" * 200)}, "invoice"),
        ({"invoice": ("empty.pdf", b"")}, "invoice"),
    ],
    ids=["not-pdf", "oversized", "empty"],
)
@override_settings(SHILIAN_MAX_DOCUMENT_BYTES=200)
def test_receive_upload_refuses_bad_files_and_writes_nothing(world, files, field):
    before = counts()
    response = upload("/api/v1/events/receive/upload", world["users"]["operator"], _receive_body(world), **files)
    assert response.status_code == 422, response.content
    assert (response.json()["code"], problem_fields(response)) == ("invalid_document", [field])
    assert counts() == before


def test_receive_upload_payload_errors_name_the_field(world):
    response = upload(
        "/api/v1/events/receive/upload", world["users"]["operator"], _receive_body(world, unit="furlong"),
        certificate=("cert.pdf", PDF),
    )
    assert (response.status_code, problem_fields(response)) == (422, ["unit"])
    assert Document.objects.count() == 0


def test_transform_consumes_inputs_and_makes_lots(world):
    body = {
        "enterprise": world["shop"].pk, "room": "加工间",
        "inputs": [{"lot": world["raw"].pk, "quantity": "10000", "unit": "g"}],
        "outputs": [{"product": world["product"].pk, "quantity": 6, "unit": "kg", "lot_code": "B240601",
                     "produced_on": "2024-06-01", "expires_on": "2024-12-01"}],
    }
    response = call("post", "/api/v1/events/transform", world["users"]["operator"], body)
    assert response.status_code == 201, response.content
    lines = {(line["role"], line["lot_code"], line["quantity"]) for line in response.json()["lines"]}
    assert lines == {("input", "R1", "10.000"), ("output", "B240601", "6.000")}
    assert f.stock(world["raw"]) == Decimal("30.000")
    made = Lot.objects.get(code="B240601")
    assert LotEdge.objects.filter(src=world["raw"], dst=made).exists()


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"inputs": [{"lot": "raw", "quantity": "41", "unit": "kg"}]}, 409, "insufficient_stock", "inputs[0].quantity"),
        ({"inputs": [{"lot": "raw", "quantity": "1", "unit": "piece"}]}, 422, "incompatible_unit", "inputs[0].unit"),
        ({"inputs": [{"lot": "elsewhere", "quantity": "1", "unit": "kg"}]}, 404, "not_found", "inputs[0].lot"),
        ({"inputs": []}, 422, "no_inputs", "inputs"),
        ({"outputs": [{"product": "product", "quantity": 1, "unit": "kg", "lot_code": "B 1/Ω"}]}, 422, "invalid_lot_code",
         "outputs[0].lot_code"),
        ({"outputs": [{"product": "product", "quantity": 1, "unit": "kg", "produced_on": "2024-06-02",
                       "expires_on": "2024-06-01"}]}, 422, "expiry_before_production", "outputs[0].expires_on"),
        ({"outputs": [{"product": 999999, "quantity": 1, "unit": "kg"}]}, 404, "not_found", "outputs[0].product"),
        ({"outputs": [{"product": "product", "quantity": 1, "unit": "kg", "produced_on": "2099-01-01"}]}, 422,
         "produced_later", "outputs[0].produced_on"),
    ],
)
def test_transform_bad_input_names_the_field_and_writes_nothing(world, change, status, code, field):
    def resolve(items):
        return [{k: (world[v].pk if k in ("lot", "product") and isinstance(v, str) else v) for k, v in i.items()} for i in items]

    body = {
        "enterprise": world["shop"].pk,
        "inputs": [{"lot": world["raw"].pk, "quantity": "1", "unit": "kg"}],
        "outputs": [{"product": world["product"].pk, "quantity": 1, "unit": "kg"}],
    } | {k: resolve(v) for k, v in change.items()}
    user = world["users"]["admin"] if field == "inputs[0].lot" else world["users"]["operator"]
    if user is world["users"]["admin"]:
        status, code = 422, "wrong_enterprise"  # the admin sees the lot: it belongs to another enterprise
    before = counts()
    response = call("post", "/api/v1/events/transform", user, body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], problem_fields(response)) == (code, [field])
    assert counts() == before


def test_transform_with_another_enterprises_lot_is_404_for_its_operator(world):
    body = {
        "enterprise": world["shop"].pk,
        "inputs": [{"lot": world["elsewhere"].pk, "quantity": "1", "unit": "kg"}],
        "outputs": [{"product": world["product"].pk, "quantity": 1, "unit": "kg"}],
    }
    before = counts()
    response = call("post", "/api/v1/events/transform", world["users"]["operator"], body)
    assert (response.status_code, problem_fields(response)) == (404, ["inputs[0].lot"])
    assert counts() == before


def test_ship_to_a_customer_and_over_stock(world):
    customer = f.make_partner(world["shop"], name="路桥农贸市场")
    made = world["made"]
    body = {"enterprise": world["shop"].pk, "customer": customer.pk, "reference_no": "CK-1",
            "lines": [{"lot": made.pk, "quantity": "9", "unit": "kg"}]}
    response = call("post", "/api/v1/events/ship", world["users"]["operator"], body)
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == {"id": customer.pk, "name": "路桥农贸市场"}
    assert f.stock(made) == Decimal("30.000")
    before = counts()
    over = call("post", "/api/v1/events/ship", world["users"]["operator"], body | {"lines": [
        {"lot": made.pk, "quantity": "1", "unit": "kg"}, {"lot": made.pk, "quantity": "30", "unit": "kg"}]})
    assert over.status_code == 409
    assert (over.json()["code"], problem_fields(over)) == ("insufficient_stock", ["lines[1].quantity"])
    assert counts() == before
    assert f.stock(made) == Decimal("30.000")
    foreign = call("post", "/api/v1/events/ship", world["users"]["operator"], body | {"customer": f.make_partner(world["other"]).pk})
    assert (foreign.status_code, problem_fields(foreign)) == (404, ["customer"])


def test_an_expired_lot_is_not_used_or_sold_but_may_go_back_to_its_supplier(world):
    shop, operator = world["shop"], world["users"]["operator"]
    today = timezone.localdate()
    supplier = f.make_partner(shop, name="粮油批发")
    old = f.receive(shop, quantity="5", product_name="糯米粉", lot_code="OLD", supplier=supplier,
                    produced_on=today - dt.timedelta(days=60), expires_on=today - dt.timedelta(days=1),
                    occurred_at=f.now() - dt.timedelta(days=30))  # fmt: skip
    customer = f.make_partner(shop, name="路桥农贸市场")
    before = counts()
    used = call("post", "/api/v1/events/transform", operator, {
        "enterprise": shop.pk, "inputs": [{"lot": old.pk, "quantity": "1", "unit": "kg"}],
        "outputs": [{"product": world["product"].pk, "quantity": 1, "unit": "kg"}],
    })  # fmt: skip
    assert (used.status_code, used.json()["code"], problem_fields(used)) == (422, "expired", ["inputs[0].lot"])
    sold = call("post", "/api/v1/events/ship", operator, {
        "enterprise": shop.pk, "customer": customer.pk, "lines": [{"lot": old.pk, "quantity": "1", "unit": "kg"}],
    })  # fmt: skip
    assert (sold.status_code, sold.json()["code"], problem_fields(sold)) == (422, "expired", ["lines[0].lot"])
    assert counts() == before
    returned = call("post", "/api/v1/events/ship", operator, {
        "enterprise": shop.pk, "customer": supplier.pk, "reference_no": "退货-7",
        "lines": [{"lot": old.pk, "quantity": "5", "unit": "kg"}],
    })  # fmt: skip
    assert returned.status_code == 201, returned.content
    assert f.stock(old) == Decimal("0.000")


def test_a_weight_in_jin_is_kept_in_kilograms(world):
    """斤 (half a kilogram), as market ledgers write it: taken as given, kept as kg (EPCIS and
    labels speak kg); a product cannot be kept in 斤."""
    operator = world["users"]["operator"]
    body = _receive_body(world, unit="斤", quantity="10", lot_code="J1")
    response = call("post", "/api/v1/events/receive", operator, body)
    assert response.status_code == 201, response.content
    lot = Lot.objects.get(pk=response.json()["lines"][0]["lot"])
    assert (lot.unit, lot.quantity_on_hand) == ("kg", Decimal("5.000"))
    shipped = call("post", "/api/v1/events/ship", operator, {
        "enterprise": world["shop"].pk, "lines": [{"lot": lot.pk, "quantity": "3", "unit": "jin"}],
        "occurred_at": "2024-06-02T10:00:00",  # the receipt's dates are of 2024
    })  # fmt: skip
    assert shipped.status_code == 201, shipped.content
    assert f.stock(lot) == Decimal("3.500")
    product = call("post", "/api/v1/products", world["users"]["operator"], {
        "enterprise": world["shop"].pk, "name": "散装糖", "unit": "jin",
    })  # fmt: skip
    assert (product.status_code, problem_fields(product)) == (422, ["unit"])


def test_shipping_a_recalled_lot_is_a_conflict(world):
    before = counts()
    response = call("post", "/api/v1/events/ship", world["users"]["operator"],
                    {"enterprise": world["shop"].pk, "lines": [{"lot": world["spoiled"].pk, "quantity": 1, "unit": "kg"}]})
    assert response.status_code == 409
    assert (response.json()["code"], problem_fields(response)) == ("lot_recalled", ["lines[0].lot"])
    assert counts() == before


def test_dispose_and_over_stock(world):
    raw = world["raw"]
    response = call("post", "/api/v1/events/dispose", world["users"]["operator"],
                    {"lot": raw.pk, "quantity": "500", "unit": "g", "reason": "变质"})
    assert response.status_code == 201, response.content
    assert response.json()["detail"] == {"reason": "变质"}
    assert f.stock(raw) == Decimal("39.500")
    before = counts()
    over = call("post", "/api/v1/events/dispose", world["users"]["operator"], {"lot": raw.pk, "quantity": "40", "unit": "kg",
                                                                               "reason": "变质"})
    assert (over.status_code, problem_fields(over)) == (409, ["quantity"])
    blank = call("post", "/api/v1/events/dispose", world["users"]["operator"], {"lot": raw.pk, "quantity": "1", "unit": "kg",
                                                                                "reason": " "})
    assert (blank.status_code, problem_fields(blank)) == (422, ["reason"])
    assert counts() == before


def test_official_inspection_by_an_inspector_fails_the_lot(world):
    made = world["made"]
    body = {"lot": made.pk, "kind": "official", "passed": False, "lab": "温岭市食品检验所", "report_no": "JC-1",
            "items": [{"name": "菌落总数", "result": "1.2e5 CFU/g", "limit": "≤1e4", "passed": False}]}
    response = call("post", "/api/v1/events/inspect", world["users"]["inspector_in"], body)
    assert response.status_code == 201, response.content
    event = response.json()
    assert event["detail"]["kind"] == "official"
    assert event["detail"]["passed"] is False
    assert event["detail"]["items"] == [{"name": "菌落总数", "result": "1.2e5 CFU/g", "limit": "≤1e4", "passed": False}]
    assert Lot.objects.get(pk=made.pk).test_status == "failed"
    bad = call("post", "/api/v1/events/inspect", world["users"]["inspector_in"], body | {"kind": "rumour"})
    assert (bad.status_code, problem_fields(bad)) == (422, ["kind"])


def test_void_restores_stock_and_cannot_be_repeated(world):
    sale = world["sale"]
    response = call("post", f"/api/v1/events/{sale.pk}/void", world["users"]["operator"], {"reason": "录错了"})
    assert response.status_code == 201, response.content
    assert (response.json()["event_type"], response.json()["voids"]) == ("void", sale.pk)
    assert f.stock(world["made"]) == Decimal("40.000")
    detail = call("get", f"/api/v1/events/{sale.pk}", world["users"]["operator"]).json()
    assert detail["voided"] is True
    before = counts()
    again = call("post", f"/api/v1/events/{sale.pk}/void", world["users"]["operator"], {"reason": "再来"})
    assert (again.status_code, again.json()["code"], problem_fields(again)) == (409, "already_voided", ["event"])
    missing_reason = call("post", f"/api/v1/events/{sale.pk}/void", world["users"]["operator"], {})
    assert (missing_reason.status_code, problem_fields(missing_reason)) == (422, ["reason"])
    assert counts() == before
    assert TraceEvent.objects.filter(voids=sale).count() == 1
