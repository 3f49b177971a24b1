"""Receive by scanning (件件扫码): ``/w/receive/scan/``, from the photo or typed code to the
one-tap receipt that links the supplier's lot to the received one in the trace."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from PIL import Image

from shilian.chain.actions import ShipLine, receive_lot, ship_lots, void_event
from shilian.chain.models import Lot, LotEdge
from shilian.chain.queries.trace import Direction, trace
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, counts
from shilian.codes.actions import ensure_lot_code
from shilian.codes.digital_link import parse_uri
from shilian.codes.queries import uri_for_lot
from shilian.codes.scanning import views
from shilian.codes.tests.test_scanning_support import datamatrix, english, photo, png, qr, upload
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name

PAGE = "/w/receive/scan/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the photo rate limit counts per user id in the (process-wide) cache


@pytest.fixture
def shop(world):
    """The Xihu shop's operator: the workshop shipped 30 kg of rice cakes (``made``) to the shop."""
    return f.make_operator(world["shop"])


def _lookup(uri):
    return f"{PAGE}?{urlencode({'code': uri})}"


def _path(uri):
    """The code as the scan page carries it on: a bare path (the host is the platform's)."""
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _open(response):
    resolution = response.context["resolution"]
    assert resolution.outcome == "open"
    return [(i.line.event_id, i.line.lot_id, i.remaining) for i in resolution.lines]


def _error(response, field):
    return [str(m) for m in response.context[f"{field}_form"].errors[field]]


def test_the_page_opens_the_camera_without_javascript(world, shop):
    response = english(shop).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert re.search(
        r'<input type="file" name="photo" accept="image/\*" capture="environment"[^>]* id="id_photo"', html
    )
    assert re.search(r'<input type="text" name="code"[^>]*enterkeyhint="go"', html)
    assert '<form method="get" class="stack" id="code-form" action="/w/receive/scan/">' in html
    # the live scanner: inline, no library, no other origin
    assert "BarcodeDetector" in html
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/vendor/htmx/htmx.min.js", "/static/js/shilian.js"]
    assert "resolution" not in response.context


def test_a_typed_uri_offers_the_shipment_and_writes_nothing(world, shop):
    before = counts()
    uri = uri_for_lot(world["made"])
    response = english(shop).get(_lookup(uri))  # a scanner gun types the URI and Enter
    assert response.status_code == 200
    assert _open(response) == [(world["shipment"].pk, world["made"].pk, Decimal("30.000"))]
    assert response.context["code_uri"] == uri
    html = response.content.decode()
    assert f'action="/w/receive/shipments/{world["shipment"].pk}/"' in html
    assert f'<input type="hidden" name="lot" value="{world["made"].pk}">' in html
    assert 'name="quantity" value="30"' in html
    assert "石塘年糕作坊" in html  # who shipped it
    assert counts() == before


@pytest.mark.parametrize("kind", ["qr-png", "qr-photo", "datamatrix-png", "datamatrix-photo"])
def test_a_photo_of_the_code_leads_to_the_shipment(world, shop, kind):
    uri = uri_for_lot(world["made"])
    key = parse_uri(uri)
    image = qr(uri) if kind.startswith("qr") else datamatrix(key)
    data = png(image) if kind.endswith("png") else photo(image, code_px=300 if kind.startswith("qr") else 220, angle=21)
    name = "code.png" if kind.endswith("png") else "IMG_0412.jpg"
    before = counts()
    client = english(shop)
    response = client.post(PAGE, {"photo": upload(data, name)})
    assert response.status_code == 302
    assert response["Location"] == _lookup(_path(uri))
    assert _open(client.get(response["Location"])) == [(world["shipment"].pk, world["made"].pk, Decimal("30.000"))]
    assert counts() == before


def test_scan_then_confirm_links_the_supplier_lot_to_the_received_lot(world, shop):
    """End to end: the workshop shipped on the platform → the shop photographs the code →
    confirms the filled-in receipt → the receipt is linked to the shipment in the trace."""
    made, shipment = world["made"], world["shipment"]
    client = english(shop)
    scanned = client.post(PAGE, {"photo": upload(photo(qr(uri_for_lot(made))))})
    page = client.get(scanned["Location"])
    html = page.content.decode()
    action = re.search(r'<form method="post" action="(/w/receive/shipments/\d+/)"', html)[1]
    lot_field = re.search(r'<input type="hidden" name="lot" value="(\d+)">', html)[1]
    quantity = re.search(r'name="quantity" value="([\d.]+)"', html)[1]
    assert f'<input type="hidden" name="next" value="{PAGE}">' in html
    confirmed = client.post(action, {"lot": lot_field, "quantity": quantity, "next": PAGE})
    received = Lot.objects.get(enterprise=world["shop"])
    assert confirmed.status_code == 302
    assert confirmed["Location"] == PAGE  # straight back to the scanner for the next item
    # the receipt took the supplier's lot code, product and dates
    assert (
        received.code,
        received.product_id,
        received.produced_on,
        received.expires_on,
        received.quantity_on_hand,
    ) == (
        made.code,
        made.product_id,
        made.produced_on,
        made.expires_on,
        Decimal("30.000"),
    )
    edge = LotEdge.objects.get(dst=received)
    assert (edge.src_id, edge.kind, edge.event.shipment_id, edge.quantity) == (
        made.pk,
        "ship",
        shipment.pk,
        Decimal("30.000"),
    )
    forward = trace([world["raw"].pk], Direction.FORWARD)
    assert {world["raw"].pk, made.pk, received.pk} <= set(forward.lots)
    assert (made.pk, received.pk, "ship") in forward.edges
    backward = trace([received.pk], Direction.BACKWARD)
    assert set(backward.lots) == {received.pk, made.pk, world["raw"].pk}
    # scanning the same code again: already received, with the way to the received lot
    again = client.get(scanned["Location"])
    assert again.context["resolution"].outcome == "received"
    assert again.context["resolution"].received == [received]
    assert str(again.context["outcome_message"]) == "This lot was shipped to you and is already received."
    assert f'href="/w/lots/{received.pk}/"' in again.content.decode()


def test_a_partial_receipt_leaves_the_rest_to_receive(world, shop):
    receive_lot(
        world["shop"], acting_user=shop, occurred_at=f.now(), quantity="12", unit="kg", shipment=world["shipment"]
    )
    response = english(shop).get(_lookup(uri_for_lot(world["made"])))
    assert _open(response) == [(world["shipment"].pk, world["made"].pk, Decimal("18.000"))]


BAD_PHOTOS = [
    (
        "not-an-image",
        lambda: upload(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n", "code.jpg"),  # the name lies
        "上传的文件不是图片（支持JPEG、PNG、WebP、GIF、BMP） / the file is not a picture (JPEG, PNG, WebP, GIF or BMP)",
    ),
    (
        "oversized",
        lambda: upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)),
        "照片太大（10.0 MB，上限 10 MB） / the photo is too large (10.0 MB, at most 10 MB)",
    ),
    (
        "no-code",
        lambda: upload(photo(Image.new("L", (300, 300), 255))),
        "照片中没有找到二维码或条码：请对准追溯码、靠近并保持清晰后重拍 / "
        "no code found in the photo: hold the camera closer to the code, in focus, and try again",
    ),
    (
        "not-gs1",
        lambda: upload(png(qr("hello")), "hello.png", "image/png"),
        "这不是食链追溯码或GS1码：“hello” / this is not a shilian trace code or a GS1 code: “hello”",
    ),
    (
        "malformed",
        lambda: upload(png(qr("http://127.0.0.1:8000/01/06901234567893/10/X1")), "bad.png", "image/png"),
        "GTIN '06901234567893': GTIN校验位错误 / wrong check digit",
    ),
    (
        "empty-file",
        lambda: upload(b"", "empty.jpg"),
        "请拍照或选择一张照片 / take or choose a photo",
    ),
    ("no-file", lambda: None, "请拍照或选择一张照片 / take or choose a photo"),
]


@pytest.mark.parametrize(("name", "make", "message"), BAD_PHOTOS, ids=[row[0] for row in BAD_PHOTOS])
def test_bad_photos_say_what_is_wrong_and_write_nothing(world, shop, name, make, message):
    before = counts()
    data = make()
    response = english(shop).post(PAGE, {"photo": data} if data is not None else {})
    assert response.status_code == 200
    assert _error(response, "photo") == [message]
    assert message.split(" / ")[1] in response.content.decode().replace("&#x27;", "'")
    assert counts() == before


BAD_TEXTS = [
    ("empty", "", "请扫码或输入追溯码 / scan or type a code"),
    ("not-gs1", "hello", "这不是食链追溯码或GS1码：“hello” / this is not a shilian trace code or a GS1 code: “hello”"),
    (
        "order",
        "http://127.0.0.1:8000/10/X1/01/06901234567892",
        "限定符顺序错误：/10/ 须在 /01/{GTIN} 之后 / qualifier /10/ must follow /01/{gtin}",
    ),
    ("check-digit", "6901234567893", "GTIN '6901234567893': GTIN校验位错误 / wrong check digit"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_TEXTS, ids=[row[0] for row in BAD_TEXTS])
def test_bad_typed_codes_say_what_is_wrong(world, shop, name, text, message):
    before = counts()
    response = english(shop).get(_lookup(text))
    assert response.status_code == 200
    assert _error(response, "code") == [message]
    assert "resolution" not in response.context
    assert counts() == before


def test_an_unknown_lot_points_to_the_form_with_what_the_code_tells(world, shop):
    uri = "http://127.0.0.1:8000/01/06901234567892/10/NOPE-1?11=250401&17=251001"
    response = english(shop).get(_lookup(uri))
    resolution = response.context["resolution"]
    assert resolution.outcome == "unknown"
    assert str(response.context["outcome_message"]) == (
        "This code is not known on the platform: the supplier may not use Shilian. Record the receipt with the form."
    )
    assert response.context["receive_url"] == "/w/receive/?lot_code=NOPE-1&produced_on=2025-04-01&expires_on=2025-10-01"
    assert 'href="/w/receive/?lot_code=NOPE-1&amp;produced_on=2025-04-01&amp;expires_on=2025-10-01"' in (
        response.content.decode()
    )


def test_an_unknown_gtin_and_an_unknown_short_code_are_unknown(world, shop):
    client = english(shop)
    unknown_gtin = client.get(_lookup("/01/06970000000000/10/A1"))
    assert unknown_gtin.context["resolution"].outcome == "unknown"
    unknown_short = client.get(_lookup("/t/0123456789" + _check("0123456789")))
    assert unknown_short.context["resolution"].outcome == "unknown"
    assert unknown_short.context["receive_url"] == "/w/receive/"


def _check(body):
    from shilian.codes.shortcodes import check_character

    return check_character(body)


def test_a_lot_not_shipped_here_reveals_nothing_about_it(world):
    """Another enterprise scans the workshop's code: only what the public code page shows
    (name, lot code, dates) is offered for the form; not its stock, nor where it went."""
    made = world["made"]
    other = world["users"]["other_operator"]
    response = english(other).get(_lookup(uri_for_lot(made)))
    resolution = response.context["resolution"]
    assert resolution.outcome == "not_shipped"
    assert (resolution.lines, resolution.received) == ([], [])
    assert str(response.context["outcome_message"]) == (
        "This lot was not shipped to you on the platform. If the goods are here, record the receipt with the form."
    )
    assert parse_qs(urlsplit(response.context["receive_url"]).query) == {
        "product_name": ["年糕"],
        "lot_code": [made.code],
        "produced_on": [made.produced_on.isoformat()],
        "expires_on": [made.expires_on.isoformat()],
    }
    html = response.content.decode()
    for secret in ("西湖副食店", "石塘年糕作坊", "/w/receive/shipments/", 'name="quantity"'):
        assert secret not in html
    assert not re.search(r"\b(50|30)(\.0+)? ?(kg|千克)", html)  # neither its stock nor what was shipped


def test_a_supplier_linked_on_the_platform_is_prefilled(world):
    other = world["users"]["other_operator"]
    partner = f.make_partner(world["other"], linked=world["workshop"])
    response = english(other).get(_lookup(uri_for_lot(world["made"])))
    assert parse_qs(urlsplit(response.context["receive_url"]).query)["supplier"] == [str(partner.pk)]


def test_a_voided_shipment_is_no_longer_offered(world, shop):
    void_event(world["shipment"], reason="客户取消", acting_user=world["users"]["operator"])
    response = english(shop).get(_lookup(uri_for_lot(world["made"])))
    assert response.context["resolution"].outcome == "not_shipped"


def test_a_product_barcode_offers_the_open_shipments_of_that_product(world, shop):
    response = english(shop).get(_lookup("6901234567892"))  # the EAN-13 on the pack
    assert _open(response) == [(world["shipment"].pk, world["made"].pk, Decimal("30.000"))]
    elsewhere = english(world["users"]["other_operator"]).get(_lookup("6901234567892"))
    assert elsewhere.context["resolution"].outcome == "product_not_shipped"
    assert elsewhere.context["receive_url"] == "/w/receive/?product_name=%E5%B9%B4%E7%B3%95"


def test_goods_passed_on_by_a_distributor_are_found_by_the_producers_code(world):
    """Workshop → distributor (booked in as the distributor's lot) → shop: the shop scans the
    producer's code on the pack and is offered the distributor's shipment."""
    distributor = f.make_enterprise(jurisdiction="331081104", kind="retailer", name="泽国批发部")
    to_distributor = f.make_partner(world["workshop"], linked=distributor)
    first = f.ship(world["workshop"], world["made"], "20", to_distributor)
    booked = receive_lot(distributor, acting_user=None, occurred_at=f.now(), quantity="20", unit="kg", shipment=first)
    theirs = booked.lines.get().lot
    to_shop = f.make_partner(distributor, linked=world["shop"])
    onward = ship_lots(
        distributor, lines=[ShipLine(theirs, "8", "kg")], customer=to_shop, occurred_at=f.now(), acting_user=None
    )
    shop_user = f.make_operator(world["shop"])
    response = english(shop_user).get(_lookup(uri_for_lot(world["made"])))
    assert sorted(_open(response)) == sorted(
        [(world["shipment"].pk, world["made"].pk, Decimal("30.000")), (onward.pk, theirs.pk, Decimal("8.000"))]
    )


def test_a_short_code_of_a_lot_without_gtin_is_found(world, shop):
    workshop = world["workshop"]
    cakes = f.make_product(workshop, name="麦芽糖")  # no GTIN: a workshop's own product
    lot = f.produce(workshop, [(world["raw"], "5")], cakes, "10")
    uri = ensure_lot_code(lot, acting_user=None)
    assert "/t/" in uri
    shipment = f.ship(workshop, lot, "4", world["to_shop"])
    client = english(shop)
    response = client.post(PAGE, {"photo": upload(photo(qr(uri)))})
    assert response["Location"] == _lookup(_path(uri))
    assert _open(client.get(response["Location"])) == [(shipment.pk, lot.pk, Decimal("4.000"))]


def test_several_codes_in_one_photo_are_offered_to_pick(world, shop):
    made_uri = uri_for_lot(world["made"])
    other_uri = "http://127.0.0.1:8000/01/06901234567892/10/OTHER"
    canvas = Image.new("L", (1100, 520), 255)
    canvas.paste(qr(made_uri), (10, 10))
    canvas.paste(qr(other_uri), (560, 10))
    canvas.paste(qr("hello"), (960, 10))  # not ours: left out
    response = english(shop).post(PAGE, {"photo": upload(png(canvas), "two.png", "image/png")})
    assert response.status_code == 200
    assert sorted(response.context["choices"]) == sorted(
        [(made_uri, _lookup(_path(made_uri))), (other_uri, _lookup(_path(other_uri)))]
    )


def test_photos_are_rate_limited_per_user(world, shop, monkeypatch):
    monkeypatch.setattr(views, "PHOTO_RATE", "2/m")
    client = english(shop)
    data = png(qr(uri_for_lot(world["made"])))
    assert [client.post(PAGE, {"photo": upload(data, "c.png")}).status_code for _ in range(2)] == [302, 302]
    limited = client.post(PAGE, {"photo": upload(data, "c.png")})
    assert limited.status_code == 429
    assert limited.context["limit_error"] == "拍照识别太频繁，请稍等一分钟 / too many photos in a minute: wait a moment"
    assert "too many photos in a minute" in limited.content.decode()
    # another user is not held back, and typing a code still works
    assert english(world["users"]["operator"]).post(PAGE, {"photo": upload(data, "c.png")}).status_code == 302
    assert client.get(_lookup(uri_for_lot(world["made"]))).status_code == 200


def test_pages_are_chinese_by_default(world, shop):
    from django.test import Client

    client = Client()
    client.force_login(shop)
    html = client.get(_lookup("hello")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "这不是食链追溯码或GS1码：“hello”" in html


def test_the_lookup_query_count_does_not_grow_with_shipments(world, shop, django_assert_num_queries):
    client = english(shop)
    url = _lookup(uri_for_lot(world["made"]))
    client.get(url)  # session warm-up
    # session, user, roles, enterprise, the lot the code names, ship edges (one hop, none
    # onwards: 1 query), open lines with their shipment, shipper and lot
    with django_assert_num_queries(QUERIES):
        client.get(url)
    for _ in range(5):
        f.ship(world["workshop"], world["made"], "1", world["to_shop"])
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert len(response.context["resolution"].lines) == 6


QUERIES = 7

# --- permission matrix -----------------------------------------------------------------

LOGIN = 302
# anyone who operates an enterprise scans for their own; inspectors and admins have no /w/
OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)


def test_permission_matrix_get(world):
    uri = uri_for_lot(world["made"])
    for url in (PAGE, _lookup(uri)):
        for actor, expected in zip(ACTORS, OWN_WORKSPACE, strict=True):
            response = english(world["users"][actor]).get(url)
            assert (url, actor, response.status_code) == (url, actor, expected)
            if actor == "anonymous":
                assert response["Location"] == "/accounts/login/?" + urlencode({"next": url}, safe="/")
    # the workshop's own operator: its lot was not shipped to the workshop
    own = english(world["users"]["operator"]).get(_lookup(uri))
    assert own.context["resolution"].outcome == "not_shipped"


def test_permission_matrix_post_writes_nothing(world):
    before = counts()
    data = png(qr(uri_for_lot(world["made"])))
    for actor, expected in zip(ACTORS, OWN_WORKSPACE, strict=True):
        response = english(world["users"][actor]).post(PAGE, {"photo": upload(data, "c.png")})
        assert (actor, response.status_code) == (actor, 302 if expected == 200 else expected)
        if actor == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")
    assert counts() == before


def test_only_the_receiver_can_confirm_what_the_scan_offered(world, shop):
    """The card posts to the chain's one-tap receipt, which checks the shipment is for the
    enterprise: the other actors get 404 and nothing is written."""
    body = {"lot": world["made"].pk, "quantity": "30"}
    url = f"/w/receive/shipments/{world['shipment'].pk}/"
    before = counts()
    for actor in ("operator", "other_operator", "inspector_in", "inspector_out", "admin"):
        assert (actor, english(world["users"][actor]).post(url, body).status_code) == (actor, 404)
    assert counts() == before
    assert english(shop).post(url, body).status_code == 302
