"""The consumer page in a real browser on a phone-sized screen (issue 3, "done when").

A consumer opens a lot's code URI on a 390×844 viewport: the page is in Chinese, fits the
screen and carries no script; they switch to English and back without JavaScript; after an
inspector recalls the rice the lot was made from, the page opens with the red recall
notice; they file a report with a photo, which an inspector then sees. Playwright drives
Debian's Chromium (``SHILIAN_CHROMIUM``) against pytest-django's live server, with
JavaScript turned off for the consumer (the page must not need it).
"""

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from shilian.chain.actions import start_recall
from shilian.core.testing import factories as f
from shilian.core.testing.browser import playwright
from shilian.scan.models import ConsumerReport
from shilian.scan.tests.factories import make_world

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SHILIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SHOTS = Path("/tmp/shilian-shots")


@pytest.fixture
def browser_env(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"scan-{name}.png"), full_page=True)


def _fits_the_phone(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def test_consumer_scans_switches_language_sees_the_recall_and_reports(live_server, browser_env, tmp_path):
    world = make_world()
    inspector = f.make_inspector("331081", username="li")
    photo = tmp_path / "hair.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    base = live_server.url

    with playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            consumer = browser.new_context(java_script_enabled=False, **PHONE)
            consumer.set_default_timeout(15_000)
            page = consumer.new_page()

            # 1. the scan: the page at the code's own address, in Chinese
            response = page.goto(f"{base}{world.path}?17=241107")
            assert response is not None
            assert response.status == 200
            assert page.url == f"{base}{world.path}?17=241107"  # no redirect
            expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
            expect(page.locator("h1")).to_contain_text("年糕")
            expect(page.locator("#sources")).to_contain_text("温岭粮油批发")
            expect(page.locator("#sources")).to_contain_text("QC-0917")
            expect(page.locator("#room")).to_contain_text("暂未接入摄像头")
            assert page.locator("script").count() == 0
            assert page.locator("#recall").count() == 0
            _fits_the_phone(page)
            _shot(page, "01-page-zh")

            # 2. English and back, by plain links
            page.click("#lang-switch")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#product")).to_contain_text("Production date")
            expect(page.locator("#lang-switch")).to_have_text("中文")
            _fits_the_phone(page)
            _shot(page, "02-page-en")
            page.click("#lang-switch")
            expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

            # 3. the rice is recalled upstream: the page opens with the notice
            start_recall(world.rice, reason="大米黄曲霉毒素超标", acting_user=inspector)
            page.goto(f"{base}{world.path}")
            notice = page.locator("main > section").first
            expect(notice).to_have_attribute("id", "recall")
            expect(notice).to_contain_text("此批次已召回")
            expect(notice).to_contain_text("大米黄曲霉毒素超标")
            expect(notice).to_contain_text("请立即停止食用")
            expect(notice.locator("a[href='tel:12315']")).to_have_count(1)
            _fits_the_phone(page)
            _shot(page, "03-recalled")

            # 4. report a problem, with a photo
            page.click("summary:has-text('举报问题')")
            kind = page.locator("select[name=kind]")
            expect(kind).to_have_value("")  # nothing chosen for the reporter
            assert kind.evaluate("select => select.validity.valueMissing")  # the browser asks first
            page.select_option("select[name=kind]", "foreign")
            page.fill("textarea[name=description]", "吃到一根头发")
            page.set_input_files("input[name=photo]", str(photo))
            page.fill("input[name=contact]", "13800000000")
            _fits_the_phone(page)
            _shot(page, "04-report-form")
            page.click("button:has-text('提交举报')")
            expect(page.locator("#report-done")).to_contain_text("感谢您的举报")
            _shot(page, "05-report-sent")
            report = ConsumerReport.objects.get()
            assert (report.lot_id, report.kind, report.contact, report.photo_type) == (
                world.cake.pk, "foreign", "13800000000", "image/jpeg",
            )
            consumer.close()

            # 5. the inspector sees it
            staff = browser.new_context(**PHONE)
            staff.set_default_timeout(15_000)
            page = staff.new_page()
            page.goto(f"{base}/accounts/login/?next=/r/reports/")
            page.fill("input[name=username]", "li")
            page.fill("input[name=password]", "pw-li")
            page.click("button.primary")
            page.wait_for_url(f"{base}/r/reports/")
            expect(page.locator(".card.report")).to_contain_text("有异物")
            page.click(".card.report a.title")
            expect(page.locator("dl.facts")).to_contain_text("吃到一根头发")
            page.wait_for_function("document.querySelector('img').complete")
            assert page.locator("img").evaluate("img => img.naturalWidth") == 320
            _fits_the_phone(page)
            _shot(page, "06-inspector-report")
            staff.close()
        finally:
            browser.close()
