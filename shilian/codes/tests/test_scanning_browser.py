"""Receive by scanning in a real browser on a phone-sized screen (Debian's Chromium).

Two ways in: the photo button (a file chosen is sent at once, decoded on the server),
and live scanning where the browser has ``BarcodeDetector``. Headless Chromium on Linux
has no ``BarcodeDetector`` of its own, so the second test gives it a stand-in that
"sees" the code after a few frames, and a fake camera (Chromium's fake media device):
what is tested is our script's wiring — button, camera, detect loop, fill and submit.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shilian.chain.models import Lot, LotEdge
from shilian.codes.queries import uri_for_lot
from shilian.codes.tests.test_scanning_support import photo, qr
from shilian.core.testing import factories as f
from shilian.core.testing.browser import playwright

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SHILIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SHOTS = Path("/tmp/shilian-shots-scan")
FAKE_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "data_matrix", "ean_13"]); }
  constructor(options) { window.__formats = options.formats; this.calls = 0; }
  detect(video) {
    this.calls += 1;
    if (this.calls < 3 || !video.videoWidth) return Promise.resolve([]);
    return Promise.resolve([{rawValue: window.__code, format: "qr_code"}]);
  }
};
"""


@pytest.fixture
def browser_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return tmp_path


def _chain():
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    shop = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="西湖副食店")
    product = f.make_product(workshop, name="年糕", gtin="6901234567892", shelf_life_days=30)
    rice = f.receive(workshop, product_name="大米", lot_code="R1", quantity="100")
    made = f.produce(workshop, [(rice, "40")], product, "80")
    shipment = f.ship(workshop, made, "30", f.make_partner(workshop, linked=shop))
    return shop, made, shipment


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/w/receive/scan/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button.primary")
    page.wait_for_url(f"{base}/w/receive/scan/")


def _fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen. Measured against the viewport asked for: on a mobile
    context Chromium widens ``innerWidth`` to the content, which would hide an overflow."""
    overflow = page.evaluate("document.documentElement.scrollWidth") - PHONE["viewport"]["width"]
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def _receive_from_the_card(page: Page, shop, made, shipment) -> None:
    card = page.locator("#result .card")
    expect(card).to_contain_text("年糕")
    expect(card).to_contain_text("石塘年糕作坊")
    expect(card.locator("input[name=quantity]")).to_have_value("30")
    _fits_the_phone(page)
    card.locator("button.primary").click()
    page.wait_for_url("**/w/receive/scan/")  # back to the scanner for the next item
    expect(page.locator(".messages")).to_contain_text("年糕")
    received = Lot.objects.get(enterprise=shop)
    assert LotEdge.objects.filter(src=made, dst=received, kind="ship", event__shipment=shipment).exists()


def test_a_photo_is_sent_as_soon_as_it_is_taken(live_server, browser_env):
    shop, made, shipment = _chain()
    operator = f.make_operator(shop)
    picture = browser_env / "IMG_0412.jpg"
    picture.write_bytes(photo(qr(uri_for_lot(made)), angle=17))
    with playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(**PHONE).new_page()
        _log_in(page, live_server.url, operator.username)
        expect(page.locator("#photo-send")).to_be_hidden()  # the script sends the photo itself
        expect(page.locator("#live")).to_be_hidden()  # no BarcodeDetector here
        _fits_the_phone(page)
        page.screenshot(path=str(SHOTS / "1-scan-page.png"), full_page=True)
        page.set_input_files("#id_photo", str(picture))
        page.wait_for_url("**/w/receive/scan/?code=*")
        page.screenshot(path=str(SHOTS / "2-shipment-found.png"), full_page=True)
        _receive_from_the_card(page, shop, made, shipment)
        page.screenshot(path=str(SHOTS / "3-received.png"), full_page=True)
        # a scanner gun types into the empty field and presses Enter: an unknown code
        page.goto(f"{live_server.url}/w/receive/scan/")
        page.locator("#id_code").fill("/01/06901234567892/10/NOPE-1?17=251001")
        page.locator("#id_code").press("Enter")
        expect(page.locator("#outcome")).to_contain_text("平台上没有这个追溯码")  # the phone speaks Chinese
        expect(page.locator("#id_code")).to_have_value("")  # ready for the next scan
        expect(page.locator("#receive-by-hand")).to_have_attribute(
            "href", "/w/receive/?lot_code=NOPE-1&expires_on=2025-10-01"
        )
        _fits_the_phone(page)
        page.screenshot(path=str(SHOTS / "4-unknown-code.png"), full_page=True)
        browser.close()


def test_live_scanning_fills_the_field_and_looks_the_code_up(live_server, browser_env):
    shop, made, shipment = _chain()
    operator = f.make_operator(shop)
    uri = uri_for_lot(made)
    with playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE, permissions=["camera"])
        context.add_init_script(FAKE_DETECTOR + f"window.__code = {uri!r};")
        page = context.new_page()
        _log_in(page, live_server.url, operator.username)
        expect(page.locator("#live")).to_be_visible()
        page.locator("#live-start").click()
        page.wait_for_url("**/w/receive/scan/?code=*")
        assert page.evaluate("window.__formats") == ["qr_code", "data_matrix"]
        expect(page.locator("#result .scan-code")).to_contain_text(uri)
        _receive_from_the_card(page, shop, made, shipment)
        browser.close()
