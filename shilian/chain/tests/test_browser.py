"""The issue's "done when", in a real browser on a phone-sized screen.

An operator logs in on a 390×844 viewport, records receiving (with a certificate),
a production using the received lot and a shipment to an on-platform shop; then an
inspector finds the produced lot, traces it backward (the supplier) and forward (the
customer), starts a recall and downloads the notice list as CSV.

Playwright's sync API drives Debian's Chromium (``SHILIAN_CHROMIUM``, default
/usr/bin/chromium; Playwright's own browser downloads are not used) against
pytest-django's live server. One screenshot per step goes to /tmp/shilian-shots/.
"""

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shilian.chain.models import Lot, Recall
from shilian.core.testing import factories as f
from shilian.core.testing.browser import playwright
from shilian.registry.actions import add_partner

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SHILIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SHOTS = Path("/tmp/shilian-shots")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def browser_env(monkeypatch):
    # The sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen: tables scroll inside their own box."""
    # against the viewport, not innerWidth: a mobile context widens innerWidth to fit the content
    overflow = page.evaluate("document.documentElement.scrollWidth") - PHONE["viewport"]["width"]
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button.primary")


def _option_value(page: Page, select: str, text: str) -> str:
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    assert value, f"no option {text!r} in {select}"
    return value


def test_operator_records_and_inspector_traces_and_recalls(live_server, browser_env, tmp_path):
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    shop = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="西湖副食店")
    f.make_operator(workshop, username="wang")
    f.make_inspector("331081", username="li")
    add_partner(workshop, name="温岭粮油批发", kind="supplier", acting_user=None)
    add_partner(workshop, name="西湖副食店", kind="customer", linked_enterprise=shop, acting_user=None)
    f.make_product(workshop, name="年糕", gtin="6901234567892", shelf_life_days=30)
    today = timezone.localdate()
    base = live_server.url

    with playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            operator = browser.new_context(**PHONE)
            operator.set_default_timeout(15_000)
            page = operator.new_page()

            # 1. log in: an operator lands on the stock page
            page.goto(f"{base}/accounts/login/?next=/")
            expect(page.locator("h1")).to_have_text("登录")
            _shot(page, "01-login")
            _log_in(page, base, "wang")
            page.wait_for_url(f"{base}/w/")
            expect(page.locator(".actions")).to_contain_text("进货")
            _fits_the_phone(page)
            # every menu item in sight, none hidden off to the side of a scrolling strip
            edges = page.eval_on_selector_all("nav.menu a, nav.menu button", "els => els.map(e => e.getBoundingClientRect().right)")
            assert len(edges) >= 12
            assert max(edges) <= PHONE["viewport"]["width"], edges
            _shot(page, "02-stock-empty")

            # 2. receiving, with a certificate and the acceptance check
            page.click(".actions a:has-text('进货')")
            page.wait_for_url(f"{base}/w/receive/")
            page.fill("input[name=product_name]", "大米")
            page.select_option("select[name=supplier]", label="温岭粮油批发")
            page.fill("input[name=quantity]", "100")
            page.fill("input[name=lot_code]", "DM2024")
            page.fill("input[name=produced_on]", (today - dt.timedelta(days=20)).isoformat())
            page.fill("input[name=expires_on]", (today + dt.timedelta(days=5)).isoformat())
            page.set_input_files(
                "input[name=certificate]", {"name": "合格证.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            page.fill("input[name=certificate_no]", "QC-0917")
            page.check("input[name=check_packaging_intact]")
            page.check("input[name=check_label_complete]")
            _fits_the_phone(page)
            _shot(page, "03-receive-form")
            page.click("button:has-text('记录进货')")
            expect(page.locator(".messages")).to_contain_text("已进货")
            expect(page.locator("h1")).to_contain_text("大米")
            expect(page.locator(".history")).to_contain_text("QC-0917")
            rice = Lot.objects.get(code="DM2024")
            assert (rice.quantity_on_hand, rice.enterprise) == (Decimal("100.000"), workshop)
            _fits_the_phone(page)
            _shot(page, "04-received-lot")

            # the stock page warns: the rice expires within 7 days
            page.click("nav.menu a:has-text('库存')")
            expect(page.locator(".card.soon")).to_contain_text("大米")
            _shot(page, "05-stock-warning")

            # 3. production from the received lot; one more row added with htmx, left empty
            page.click(".actions a:has-text('生产')")
            page.wait_for_url(f"{base}/w/produce/")
            page.select_option("select[name=inputs-0-lot]", _option_value(page, "select[name=inputs-0-lot]", "DM2024"))
            page.fill("input[name=inputs-0-quantity]", "40")
            page.click("#add-inputs")
            expect(page.locator(".lot-row")).to_have_count(2)
            expect(page.locator("#id_inputs-TOTAL_FORMS")).to_have_value("2")
            page.select_option("select[name=product]", _option_value(page, "select[name=product]", "年糕"))
            page.fill("input[name=quantity]", "80")
            _fits_the_phone(page)
            _shot(page, "06-produce-form")
            page.click("button:has-text('记录生产')")
            expect(page.locator(".messages")).to_contain_text("已生产 年糕")
            cake = Lot.objects.get(enterprise=workshop, product_name="年糕")
            assert cake.code == today.strftime("%Y%m%d") + "01"
            expect(page.locator(".messages")).to_contain_text(cake.code)
            assert Lot.objects.get(pk=rice.pk).quantity_on_hand == Decimal("60.000")
            _fits_the_phone(page)
            _shot(page, "07-produced-lot")
            lot_url = page.url  # its labels page fits the phone too: the long code wraps, the buttons too
            page.goto(f"{base}/w/lots/{cake.pk}/labels/")
            expect(page.locator("h1")).to_contain_text("标签")
            _fits_the_phone(page)
            page.goto(lot_url)

            # 4. shipping to the shop in Hangzhou
            page.click("nav.menu a:has-text('销售')")
            page.wait_for_url(f"{base}/w/ship/")
            page.select_option("select[name=lines-0-lot]", _option_value(page, "select[name=lines-0-lot]", cake.code))
            page.fill("input[name=lines-0-quantity]", "30")
            page.select_option("select[name=customer]", label="西湖副食店")
            _shot(page, "08-ship-form")
            page.click("button:has-text('记录销售')")
            page.wait_for_url(f"{base}/w/")
            expect(page.locator(".messages")).to_contain_text("已发货给 西湖副食店")
            assert Lot.objects.get(pk=cake.pk).quantity_on_hand == Decimal("50.000")
            _fits_the_phone(page)
            _shot(page, "09-shipped")
            operator.close()

            # 5. the inspector finds the produced lot and traces it
            inspector = browser.new_context(**PHONE)
            inspector.set_default_timeout(15_000)
            page = inspector.new_page()
            _log_in(page, base, "li")
            page.wait_for_url(f"{base}/r/")
            expect(page.locator("#results")).to_contain_text("石塘年糕作坊")
            _fits_the_phone(page)
            _shot(page, "10-inspector-enterprises")
            page.fill("#lot-ref", str(cake.pk))
            page.click("form.search button:has-text('查找')")
            page.wait_for_url(f"{base}/r/lots/{cake.pk}/")
            page.click("a:has-text('反向追溯')")
            expect(page.locator("#counts")).to_contain_text("2个批次")
            expect(page.locator("#counts")).to_contain_text("1个供应商")
            expect(page.locator("#suppliers")).to_contain_text("温岭粮油批发")
            _fits_the_phone(page)
            _shot(page, "11-trace-backward")
            page.click(".tabs a:has-text('正向')")  # htmx swaps the report in place
            expect(page.locator(".tabs a.on")).to_contain_text("正向")
            assert "direction=forward" in page.url
            expect(page.locator("#counts")).to_contain_text("1个批次")
            expect(page.locator("#counts")).to_contain_text("1次出库")
            expect(page.locator("#shipments")).to_contain_text("西湖副食店")
            expect(page.locator("#shipments")).to_contain_text("30 kg")
            _fits_the_phone(page)
            _shot(page, "12-trace-forward")

            # 6. recall, confirm, and the notice list as CSV
            page.click("summary:has-text('召回此批次')")
            page.fill("textarea[name=reason]", "监督抽检不合格，报告 2024-117")
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("button:has-text('发起召回')")
            recall = None
            expect(page.locator("h1")).to_contain_text("召回")
            recall = Recall.objects.get()
            page.wait_for_url(f"{base}/r/recalls/{recall.pk}/")
            expect(page.locator("#notice")).to_contain_text("石塘年糕作坊")
            expect(page.locator("#notice")).to_contain_text("西湖副食店")
            assert Lot.objects.get(pk=cake.pk).status == "recalled"
            _fits_the_phone(page)
            _shot(page, "13-recall")
            with page.expect_download() as download_info:
                page.click("a:has-text('下载CSV')")
            download = download_info.value
            assert download.suggested_filename == f"{recall.reference}.csv"
            target = tmp_path / "notice.csv"
            download.save_as(target)
            rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
            assert [(r["type"], r["enterprise"], r["quantity"], r["in_transit"]) for r in rows] == [
                ("holder", "石塘年糕作坊", "50.000", "0"),
                ("shipment", "石塘年糕作坊 → 西湖副食店", "30.000", "30.000"),
            ]
            inspector.close()
        finally:
            browser.close()
