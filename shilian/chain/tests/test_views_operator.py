"""Operator pages: stock with expiry warnings, receiving, production, shipping, lot page, void."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from shilian.chain.models import Document, Lot, TraceEvent
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import PNG, client_for, counts, pdf
from shilian.core.testing import factories as f
from shilian.registry.actions import add_staff_member

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name


def _produced_expires():
    """Sugar made a month ago, good for eleven months more: the dates on a bag received today."""
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today + dt.timedelta(days=335)


def _receive_body(w, **overrides):
    produced_on, expires_on = _produced_expires()
    body = {
        "product_name": "白糖",
        "supplier": w["supplier"].pk,
        "quantity": "25.5",
        "unit": "kg",
        "lot_code": "S-2024",
        "produced_on": produced_on.isoformat(),
        "expires_on": expires_on.isoformat(),
        "check_packaging_intact": "on",
        "check_label_complete": "on",
    }
    body.update(overrides)
    return body


def test_home_sends_each_role_to_its_pages(world):
    users = world["users"]
    assert client_for(users["operator"]).get("/")["Location"] == "/w/"
    assert client_for(users["inspector_in"]).get("/")["Location"] == "/r/"
    assert client_for(users["admin"]).get("/")["Location"] == "/r/"
    assert client_for(None).get("/")["Location"] == "/accounts/login/?next=/"
    nobody = client_for(f.make_user()).get("/")
    assert nobody.status_code == 200
    assert "no role" in nobody.content.decode() or "没有角色" in nobody.content.decode()


def test_dashboard_marks_expired_and_soon_expiring_lots(world):
    today = timezone.localdate()
    workshop = world["workshop"]
    f.receive(workshop, product_name="过期面粉", lot_code="OLD", expires_on=today - dt.timedelta(days=1),
              produced_on=today - dt.timedelta(days=100), occurred_at=f.now() - dt.timedelta(days=20))  # good then
    f.receive(workshop, product_name="将到期面粉", lot_code="SOON", expires_on=today + dt.timedelta(days=7),
              produced_on=today - dt.timedelta(days=100))
    f.receive(workshop, product_name="新面粉", lot_code="NEW", expires_on=today + dt.timedelta(days=8),
              produced_on=today)
    response = client_for(world["users"]["operator"]).get("/w/")
    assert response.status_code == 200
    states = {lot.code: lot.expiry for lot in response.context["page"]}
    assert states["OLD"] == "expired"
    assert states["SOON"] == "soon"
    assert states["NEW"] == "ok"
    assert [lot.code for lot in response.context["page"]][:3] == ["OLD", "SOON", "NEW"]
    assert response.context["warnings"] == {"expired": 1, "soon": 1}
    html = response.content.decode()
    assert 'class="card expired"' in html
    assert 'class="card soon"' in html
    warnings_only = client_for(world["users"]["operator"]).get("/w/?show=warnings")
    assert {lot.code for lot in warnings_only.context["page"]} == {"OLD", "SOON"}


def test_dashboard_search_answers_htmx_with_the_stock_fragment(world):
    client = client_for(world["users"]["operator"])
    full = client.get("/w/?q=大米")
    assert full.content.decode().count("<html") == 1
    fragment = client.get("/w/?q=大米", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<div id="stock">')
    assert [lot.code for lot in fragment.context["page"]] == ["R1"]
    assert "HX-Request" in fragment["Vary"]


def test_stock_list_query_count_does_not_grow_with_rows(world, django_assert_num_queries):
    client = client_for(world["users"]["operator"])
    client.get("/w/")  # session warm-up
    # session, user, roles, enterprise, warnings, count, page, incoming lines, certificate warnings
    with django_assert_num_queries(9):
        client.get("/w/")
    for i in range(30):
        f.receive(world["workshop"], product_name="面粉", lot_code=f"F{i}")
    with django_assert_num_queries(9):
        response = client.get("/w/")
    assert len(response.context["page"].object_list) == 30


def test_receive_with_documents_and_acceptance_check(world):
    client = client_for(world["users"]["operator"])
    body = _receive_body(world, certificate=pdf(), certificate_no="HG-001",
                         invoice=pdf("invoice.png", PNG), invoice_no="FP-9")
    response = client.post("/w/receive/", body)
    lot = Lot.objects.get(code="S-2024")
    assert response.status_code == 302
    assert response["Location"] == f"/w/lots/{lot.pk}/"
    assert (lot.product_name, lot.quantity_on_hand, lot.unit, lot.supplier) == ("白糖", Decimal("25.500"), "kg", world["supplier"])
    assert (lot.produced_on, lot.expires_on) == _produced_expires()
    event = TraceEvent.objects.get(lines__lot=lot)
    assert event.detail["acceptance"] == {
        "packaging_intact": True, "label_complete": True, "sensory_normal": False, "temperature_ok": False,
    }
    assert event.reference_no == "FP-9"
    docs = sorted(event.documents.values_list("kind", "number", "content_type"))
    assert docs == [("certificate", "HG-001", "application/pdf"), ("invoice", "FP-9", "image/png")]
    page = client.get(response["Location"])
    html = page.content.decode()
    for document in event.documents.all():
        assert f'href="/documents/{document.pk}/"' in html


def test_receive_form_takes_what_a_scanned_code_told(world):
    """Receive by scanning sends a code's product, lot and dates when no shipment is open."""
    client = client_for(world["users"]["operator"])
    page = client.get("/w/receive/?product_name=虾干&lot_code=L-77&expires_on=2027-01-31").content.decode()
    assert 'name="product_name" value="虾干"' in page
    assert 'name="lot_code" value="L-77"' in page
    assert 'value="2027-01-31"' in page


def test_receive_with_a_product_of_the_enterprise(world):
    client = client_for(world["users"]["operator"])
    response = client.post("/w/receive/", _receive_body(world, product_name="", product=world["product"].pk))
    assert response.status_code == 302
    lot = Lot.objects.get(code="S-2024")
    assert (lot.product, lot.product_name) == (world["product"], "年糕")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"product_name": ""}, "product_name"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"lot_code": "批号#1"}, "lot_code"),
        ({"expires_on": "2024-01-01"}, "expires_on"),
        ({"supplier": ""}, "supplier"),
    ],
)
def test_receive_edge_validation_names_the_field_and_writes_nothing(world, overrides, field):
    before = counts()
    response = client_for(world["users"]["operator"]).post("/w/receive/", _receive_body(world, **overrides))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert counts() == before


def test_receive_refuses_a_file_that_is_not_pdf_or_image(world):
    before = counts()
    body = _receive_body(world, certificate=pdf("cert.pdf", b"MZ\x90\x00 not a pdf"))
    response = client_for(world["users"]["operator"]).post("/w/receive/", body)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["certificate"]
    assert "PDF" in response.context["form"].errors["certificate"][0]
    assert counts() == before


def test_receive_in_jin_from_the_page(world):
    client = client_for(world["users"]["operator"])
    assert '<option value="jin">斤</option>' in client.get("/w/receive/").content.decode()
    assert client.post("/w/receive/", _receive_body(world, unit="jin", quantity="20")).status_code == 302
    lot = Lot.objects.get(code="S-2024")
    assert (lot.unit, lot.quantity_on_hand) == ("kg", Decimal("10.000"))


def test_receive_domain_error_lands_on_its_field(world):
    """A unit the product's stock unit cannot be converted to: the action refuses on ``unit``."""
    piece = f.make_product(world["workshop"], name="礼盒", unit="box")
    before = counts()
    body = _receive_body(world, product_name="", product=piece.pk, unit="kg")
    response = client_for(world["users"]["operator"]).post("/w/receive/", body)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["unit"]
    assert 'id="attach-again"' not in response.content.decode()  # nothing was attached
    with_file = client_for(world["users"]["operator"]).post("/w/receive/", {**body, "certificate": pdf()})
    assert 'id="attach-again"' in with_file.content.decode()  # a browser cannot keep it: said so
    assert counts() == before


def test_incoming_shipment_is_listed_and_received_in_one_tap(world):
    shop_operator = f.make_operator(world["shop"])
    client = client_for(shop_operator)
    page = client.get("/w/receive/")
    incoming = page.context["incoming"]
    assert [(i.line.event_id, i.line.lot_id, i.remaining) for i in incoming] == [
        (world["shipment"].pk, world["made"].pk, Decimal("30.000"))
    ]
    assert client.get("/w/").context["incoming"][0].remaining == Decimal("30.000")
    part = client.post(f"/w/receive/shipments/{world['shipment'].pk}/", {"lot": world["made"].pk, "quantity": "10"})
    received = Lot.objects.get(enterprise=world["shop"])
    assert part["Location"] == f"/w/lots/{received.pk}/"
    assert (received.code, received.product_name, received.quantity_on_hand) == (world["made"].code, "年糕", Decimal("10.000"))
    assert [i.remaining for i in client.get("/w/receive/").context["incoming"]] == [Decimal("20.000")]
    before = counts()
    over = client.post(f"/w/receive/shipments/{world['shipment'].pk}/", {"lot": world["made"].pk, "quantity": "25"})
    assert over.status_code == 200
    assert over.context["tap_error"]["event"] == world["shipment"].pk
    assert "超过" in over.context["tap_error"]["message"]
    assert counts() == before
    url = f"/w/receive/shipments/{world['shipment'].pk}/"
    # receiving by scanning asks to go back to the scanner; another host is never followed
    evil = client.post(url, {"lot": world["made"].pk, "quantity": "5", "next": "https://evil.example/"})
    assert evil["Location"] == f"/w/lots/{received.pk}/"
    back = client.post(url, {"lot": world["made"].pk, "quantity": "15", "next": "/w/receive/scan/"})
    assert back["Location"] == "/w/receive/scan/"
    assert client.get("/w/receive/").context["incoming"] == []


def _produce_body(w, rows, **main):
    body = {"inputs-TOTAL_FORMS": str(len(rows)), "inputs-INITIAL_FORMS": "0", "inputs-MIN_NUM_FORMS": "1",
            "inputs-MAX_NUM_FORMS": "20", "product": w["product"].pk, "quantity": "50"}
    for i, (lot, quantity) in enumerate(rows):
        body[f"inputs-{i}-lot"] = lot.pk if lot else ""
        body[f"inputs-{i}-quantity"] = quantity
    body.update(main)
    return body


def test_produce_from_picked_lots_shows_the_generated_lot_code(world):
    sugar = f.receive(world["workshop"], product_name="白糖", lot_code="S1", quantity="10")
    client = client_for(world["users"]["operator"])
    body = _produce_body(world, [(world["raw"], "20"), (None, ""), (sugar, "1.5")])
    response = client.post("/w/produce/", body, follow=True)
    made = Lot.objects.filter(product=world["product"]).order_by("-pk").first()
    assert response.redirect_chain == [(f"/w/lots/{made.pk}/", 302)]
    assert re.fullmatch(r"\d{8}02", made.code)  # the world already made lot 01 today
    assert made.quantity_on_hand == Decimal("50.000")
    assert made.expires_on == made.produced_on + dt.timedelta(days=30)
    assert made.code in [str(m) for m in response.context["messages"]][0]
    assert (f.stock(world["raw"]), f.stock(sugar)) == (Decimal("40.000"), Decimal("8.500"))


def test_produce_insufficient_stock_lands_on_the_row_and_writes_nothing(world):
    sugar = f.receive(world["workshop"], product_name="白糖", lot_code="S1", quantity="10")
    before = counts()
    body = _produce_body(world, [(sugar, "1"), (None, ""), (world["raw"], "61")])
    response = client_for(world["users"]["operator"]).post("/w/produce/", body)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [list(row.errors) for row in rows] == [[], [], ["quantity"]]
    assert "库存不足" in rows[2].errors["quantity"][0]
    assert counts() == before


def test_produce_duplicate_output_lot_code_lands_on_the_main_form(world):
    before = counts()
    body = _produce_body(world, [(world["raw"], "1")], lot_code=world["made"].code)
    response = client_for(world["users"]["operator"]).post("/w/produce/", body)
    assert list(response.context["form"].errors) == ["lot_code"]
    assert counts() == before


def test_produce_needs_an_input_lot(world):
    before = counts()
    response = client_for(world["users"]["operator"]).post("/w/produce/", _produce_body(world, [(None, "")]))
    assert response.status_code == 200
    assert [list(row.errors) for row in response.context["rows"]] == [["lot", "quantity"]]
    assert response.context["rows"].non_form_errors() == ["请至少选择一个批次并填写数量。"]
    html = response.content.decode()
    lot_at, quantity_at = html.index('name="inputs-0-lot"'), html.index('name="inputs-0-quantity"')
    assert 'class="errorlist"' in html[lot_at:quantity_at]  # the lot's error under the lot, not after both
    assert counts() == before


def test_production_offers_raw_materials_first_and_no_expired_lot(world):
    workshop, today = world["workshop"], timezone.localdate()
    expired = f.receive(workshop, product_name="旧糯米", lot_code="OLD", expires_on=today - dt.timedelta(days=1),
                        occurred_at=f.now() - dt.timedelta(days=20))  # fmt: skip
    page = client_for(world["users"]["operator"]).get("/w/produce/")
    offered = list(page.context["rows"].forms[0].fields["lot"].queryset)
    assert expired not in offered
    origins = [lot.origin for lot in offered]
    assert origins == sorted(origins, key=lambda origin: origin != "received")  # received first
    assert {"received", "produced"} <= set(origins)
    shipping = client_for(world["users"]["operator"]).get("/w/ship/")
    assert expired in list(shipping.context["rows"].forms[0].fields["lot"].queryset)  # it may go back


def test_add_row_answers_htmx_with_one_row_and_out_of_band_counters(world):
    client = client_for(world["users"]["operator"])
    fragment = client.get("/w/produce/?rows=3", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count('class="lot-row"') == 1
    assert 'name="inputs-2-lot"' in fragment
    assert re.search(r'name="inputs-TOTAL_FORMS" value="3" id="id_inputs-TOTAL_FORMS" hx-swap-oob="true"', fragment)
    assert 'href="?rows=4"' in fragment
    assert 'hx-swap-oob="true">+' in fragment
    full = client.get("/w/produce/?rows=3").content.decode()  # without JavaScript: the page with three rows
    assert full.count('class="lot-row"') == 3
    assert 'name="inputs-TOTAL_FORMS" value="3"' in full


def test_use_in_production_link_presets_the_lot(world):
    page = client_for(world["users"]["operator"]).get(f"/w/produce/?lot={world['raw'].pk}")
    assert page.context["rows"].forms[0]["lot"].value() == world["raw"].pk


def _ship_body(rows, **main):
    body = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, (lot, quantity) in enumerate(rows):
        body[f"lines-{i}-lot"] = lot.pk
        body[f"lines-{i}-quantity"] = quantity
    body.update(main)
    return body


def test_ship_to_a_customer_and_at_retail(world):
    client = client_for(world["users"]["operator"])
    response = client.post("/w/ship/", _ship_body([(world["made"], "5")], customer=world["to_shop"].pk, reference_no="D-7"))
    assert response["Location"] == "/w/"
    event = TraceEvent.objects.filter(event_type="ship").order_by("-pk").first()
    assert (event.partner, event.counterparty, event.reference_no) == (world["to_shop"], world["shop"], "D-7")
    client.post("/w/ship/", _ship_body([(world["made"], "2"), (world["raw"], "3")]))
    retail = TraceEvent.objects.filter(event_type="ship").order_by("-pk").first()
    assert (retail.partner, retail.detail["retail"], retail.lines.count()) == (None, True, 2)
    assert (f.stock(world["made"]), f.stock(world["raw"])) == (Decimal("43.000"), Decimal("57.000"))


def test_ship_refuses_the_same_lot_twice_and_too_much(world):
    client = client_for(world["users"]["operator"])
    before = counts()
    twice = client.post("/w/ship/", _ship_body([(world["made"], "1"), (world["made"], "1")]))
    assert [list(row.errors) for row in twice.context["rows"]] == [[], ["lot"]]
    too_much = client.post("/w/ship/", _ship_body([(world["made"], "51")]))
    assert [list(row.errors) for row in too_much.context["rows"]] == [["quantity"]]
    assert counts() == before


def test_lot_page_shows_history_origins_and_documents(world):
    client = client_for(world["users"]["operator"])
    response = client.get(f"/w/lots/{world['made'].pk}/")
    assert [e.event_type for e in response.context["history"]] == ["ship", "transform"]
    assert [link["lot"] for link in response.context["sources"]] == [world["raw"]]
    assert [link["lot"].pk for link in response.context["uses"]] == []  # the shop has not booked it in yet
    raw_page = client.get(f"/w/lots/{world['raw'].pk}/").content.decode()
    assert f'href="/documents/{world["document"].pk}/"' in raw_page
    assert "QC-1" in raw_page


def test_document_download_is_the_stored_file(world):
    response = client_for(world["users"]["operator"]).get(f"/documents/{world['document'].pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert Document.objects.count() == 1


def test_void_with_a_reason_restores_stock(world):
    client = client_for(world["users"]["operator"])
    response = client.post(f"/w/events/{world['shipment'].pk}/void/", {"lot": world["made"].pk, "reason": "客户取消"})
    assert response["Location"] == f"/w/lots/{world['made'].pk}/"
    assert f.stock(world["made"]) == Decimal("80.000")
    page = client.get(response["Location"])
    voided = next(e for e in page.context["history"] if e.pk == world["shipment"].pk)
    assert (voided.voided, voided.voidable) == (True, False)


def test_void_errors_show_on_the_events_form_and_write_nothing(world):
    client = client_for(world["users"]["operator"])
    before = counts()
    empty = client.post(f"/w/events/{world['shipment'].pk}/void/", {"lot": world["made"].pk, "reason": ""})
    assert empty.status_code == 200
    event = next(e for e in empty.context["history"] if e.pk == world["shipment"].pk)
    assert list(event.void_form.errors) == ["reason"]
    # the input was used since: voiding the receipt of raw rice is refused by the action
    used = client.post(f"/w/events/{world['receipt'].pk}/void/", {"lot": world["raw"].pk, "reason": "录错了"})
    event = next(e for e in used.context["history"] if e.pk == world["receipt"].pk)
    assert list(event.void_form.errors) == ["__all__"]
    assert "作废" in event.void_form.non_field_errors()[0]
    assert counts() == before


def test_picker_for_someone_who_operates_two_enterprises(world):
    user = world["users"]["operator"]
    from shilian.registry.actions import grant_role

    grant_role(user, "operator", enterprise=world["other"], acting_user=None)
    client = client_for(user)
    response = client.get("/w/ship/")
    assert response["Location"] == "/w/pick/?next=%2Fw%2Fship%2F"
    picker = client.get(response["Location"])
    assert [e.pk for e in picker.context["enterprises"]] == sorted([world["workshop"].pk, world["other"].pk])
    picked = client.post("/w/pick/", {"enterprise": world["other"].pk, "next": "/w/ship/"})
    assert picked["Location"] == "/w/ship/"
    assert client.get("/w/").context["enterprise"] == world["other"]
    assert client.get(f"/w/lots/{world['made'].pk}/").status_code == 404  # the workshop's lot, not this session's
    evil = client.post("/w/pick/", {"enterprise": world["workshop"].pk, "next": "https://evil.example/"})
    assert evil["Location"] == "/w/"


def test_pages_are_chinese_by_default_and_english_after_the_switch(world):
    client = client_for(world["users"]["operator"])
    chinese = client.get(f"/w/lots/{world['raw'].pk}/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert '<b class="kind">进货</b>' in chinese
    assert '<button name="language" value="en" lang="en">English</button>' in chinese
    switched = client.post("/i18n/setlang/", {"language": "en", "next": f"/w/lots/{world['raw'].pk}/"})
    assert switched["Location"] == f"/w/lots/{world['raw'].pk}/"
    english = client.get(f"/w/lots/{world['raw'].pk}/").content.decode()
    assert '<html lang="en">' in english
    assert '<b class="kind">Receive</b>' in english  # a Chinese choice label, translated
    assert "History" in english


def test_lot_page_warns_of_expiry(world):
    today = timezone.localdate()
    soon = f.receive(world["workshop"], product_name="面粉", lot_code="SOON", expires_on=today + dt.timedelta(days=3))
    old = f.receive(world["workshop"], product_name="面粉", lot_code="OLD", expires_on=today - dt.timedelta(days=3),
                    occurred_at=f.now() - dt.timedelta(days=20))  # received while still good
    client = client_for(world["users"]["operator"])
    assert client.get(f"/w/lots/{soon.pk}/").context["expiry"] == "soon"
    assert client.get(f"/w/lots/{old.pk}/").context["expiry"] == "expired"
    assert client.get(f"/w/lots/{world['raw'].pk}/").context["expiry"] == "ok"


def test_dashboard_counts_expired_and_expiring_health_certificates(world):
    today = timezone.localdate()
    client = client_for(world["users"]["operator"])
    assert client.get("/w/").context["certificates"] == {"expired": 0, "expiring": 0}
    assert 'id="certificates"' not in client.get("/w/").content.decode()
    for name, expires in [("陈一", today - dt.timedelta(days=1)), ("王二", today - dt.timedelta(days=400)),
                          ("张三", today + dt.timedelta(days=30)), ("李四", today + dt.timedelta(days=31)),
                          ("赵五", None)]:
        add_staff_member(world["workshop"], name=name, health_certificate_expires=expires, acting_user=None)
    add_staff_member(world["other"], name="别家员工", health_certificate_expires=today, acting_user=None)
    response = client.get("/w/")
    assert response.context["certificates"] == {"expired": 2, "expiring": 1}
    html = response.content.decode()
    assert '<a class="badge expired" href="/w/staff/">2 份健康证已过期</a>' in html
    assert '<a class="badge expiring" href="/w/staff/">1 份健康证将在 30 天内到期</a>' in html


def test_quantities_are_shown_without_trailing_zeros(world):
    sugar = f.receive(world["workshop"], product_name="白糖", lot_code="S1", quantity="12.5")
    client = client_for(world["users"]["operator"])
    stock = client.get("/w/?q=白糖").content.decode()
    assert '<span class="qty">12.5 kg</span>' in stock
    lot_page = client.get(f"/w/lots/{world['made'].pk}/").content.decode()
    assert "<b>50 kg</b>" in lot_page  # 80.000 made, 30.000 shipped
    assert "— 30 kg</li>" in lot_page
    assert "— 12.5 kg</li>" in client.get(f"/w/lots/{sugar.pk}/").content.decode()
    receive_page = client_for(f.make_operator(world["shop"])).get("/w/receive/").content.decode()
    assert '<span class="qty">30 kg</span>' in receive_page
    assert 'name="quantity" value="30"' in receive_page
