"""An inspector reviews detections on a phone: a real frame's no-mask hit, dismiss a false alarm."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shilian.core.testing.browser import playwright
from shilian.sunshine.choices import DetectionRule, DetectionStatus
from shilian.sunshine.detection import testing as t
from shilian.sunshine.detection.runner import DetectionRunner
from shilian.sunshine.models import Detection
from shilian.sunshine.tests import pages_support

video_dir = pages_support.video_dir  # the fixtures, under their own names
world = pages_support.world
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("SHILIAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
SHOTS = Path("/tmp/shilian-shots")


def test_inspector_reviews_detections_on_a_phone(world, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    runner = DetectionRunner(interval=5, threaded=False)
    now = timezone.now()
    runner.submit(world["camera"], t.jpeg(t.with_person(t.kitchen(), masked=False)), now)
    runner.submit(world["elsewhere"], t.jpeg(t.with_person(t.kitchen(3), masked=False, at=(60, 30))), now)
    first, second = Detection.objects.order_by("camera_id")
    assert (first.rule, second.rule) == (DetectionRule.NO_MASK, DetectionRule.NO_MASK)

    inspector = world["users"]["inspector_in"]
    inspector.set_password("pw-for-browser")
    inspector.save()
    with playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
            ).new_page()
            page.goto(f"{live_server.url}/accounts/login/?next=/r/detections/")
            page.fill("input[name=username]", inspector.get_username())
            page.fill("input[name=password]", "pw-for-browser")
            page.click("button.primary")
            page.wait_for_url("**/r/detections/")
            card = page.locator(f"#detection-{first.pk}")
            expect(card).to_be_visible()
            shot = card.locator("img.detection-shot")
            expect(shot).to_be_visible()
            page.wait_for_function(f"document.querySelector('#detection-{first.pk} img').naturalWidth > 0")
            assert page.evaluate(f"document.querySelector('#detection-{first.pk} img').naturalWidth") == 640
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(SHOTS / "detections-list.png"), full_page=True)
            card.locator("button[value=dismiss]").click()
            expect(page.locator(f"#detection-{first.pk}.dismissed")).to_be_visible()
            expect(page.locator(f"#detection-{first.pk} button")).to_have_count(0)
            page.locator(f"#detection-{second.pk} a.title").click()
            page.wait_for_url(f"**/r/detections/{second.pk}/")
            page.locator("button[value=confirm]").click()
            page.wait_for_url(f"**/r/detections/{second.pk}/")
            page.goto(f"{live_server.url}/r/detections/?status=all")
            expect(page.locator("#rates li[data-rule=no_mask] .badge b")).to_have_text("50 %")
            page.screenshot(path=str(SHOTS / "detections-reviewed.png"), full_page=True)
        finally:
            browser.close()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DetectionStatus.DISMISSED, DetectionStatus.CONFIRMED)
    assert first.reviewed_by == second.reviewed_by == inspector
    assert first.reviewed_at is not None
    assert abs(first.reviewed_at - timezone.now()) < dt.timedelta(minutes=5)
