"""The pages in a real browser on a phone-sized screen (Playwright driving Debian's Chromium).

1. An inspector looks at the video wall, opens a camera and watches it live (hls.js, through
   the access-checked media views: decoded frames counted), starts an online patrol, keeps a
   snapshot as evidence and records an issue with a deadline; the workshop answers with a
   photo on its own pages; the inspector sends it back once, then closes it.
2. A consumer opens a lot's page and plays "how this lot was made" from the production room.

Video is made once per test with ffmpeg (lavfi test pattern, H.264), no camera workers.
Screenshots go to /tmp/shilian-shots/sunshine-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Frame, Page, expect

from shilian.chain.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, SHOTS, _fits_the_phone, _log_in
from shilian.core.testing import factories as f
from shilian.core.testing.browser import playwright
from shilian.sunshine.choices import CameraState
from shilian.sunshine.models import Camera, Finding
from shilian.sunshine.paths import live_dir
from shilian.sunshine.recordings import add_recording
from shilian.sunshine.tests.pages_support import all_day, make_camera, put_frame
from shilian.sunshine.video.ffmpeg import ffmpeg_exe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_env(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DATA_DIR = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    return tmp_path


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"sunshine-{name}.png"), full_page=True)


def make_hls(folder: Path, seconds: int = 4) -> None:
    """A short H.264 HLS (1 s segments) like the relay writes, ended so it plays as a whole."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", "-f", "hls", "-hls_time", "1",
         "-hls_list_size", "0", "-hls_segment_filename", str(folder / "seg%d.ts"), str(folder / "index.m3u8")],
        check=True, timeout=60,
    )  # fmt: skip


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 160, 60)).save(out, "PNG")
    return out.getvalue()


def _frames(page: Page | Frame, selector: str) -> int:
    script = (
        "s => { const v = document.querySelector(s); return v ? v.getVideoPlaybackQuality().totalVideoFrames : 0; }"
    )
    return int(page.evaluate(script, selector))


def test_patrol_finding_walks_to_closure(live_server, browser_env):
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    f.make_operator(workshop, username="wang")
    f.make_inspector("331081", username="li")
    camera = make_camera(workshop, **all_day(name="加工间"))
    Camera.objects.filter(pk=camera.pk).update(state=CameraState.ONLINE, state_since=timezone.now())
    put_frame(camera)
    make_hls(live_dir(camera.pk))
    base = live_server.url

    with playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        try:
            inspector = browser.new_context(**PHONE).new_page()
            inspector.set_default_timeout(15_000)
            _log_in(inspector, base, "li")
            inspector.goto(f"{base}/r/video/")
            tile = inspector.locator(f"#camera-{camera.pk}")
            expect(tile).to_have_class("tile ok")
            inspector.wait_for_function(f"() => document.querySelector('#camera-{camera.pk} img').naturalWidth > 0")
            assert inspector.evaluate(f"document.querySelector('#camera-{camera.pk} img').naturalWidth") == 64
            _fits_the_phone(inspector)
            _shot(inspector, "01-wall")

            tile.locator("a").click()
            inspector.wait_for_url(f"{base}/r/video/cameras/{camera.pk}/")
            inspector.wait_for_function(
                "() => { const v = document.querySelector('video.live'); "
                "return v && v.getVideoPlaybackQuality().totalVideoFrames >= 10; }"
            )
            assert _frames(inspector, "video.live") >= 10
            _shot(inspector, "02-live")

            inspector.goto(f"{base}/r/patrols/")
            inspector.click("details summary")
            inspector.select_option("select[name=jurisdiction]", "331081")
            inspector.check(f"input[name=enterprises][value='{workshop.pk}']")
            _fits_the_phone(inspector)
            inspector.click("form.stack button.primary")
            inspector.wait_for_url(f"{base}/r/patrols/*/")
            put_frame(camera)  # a fresh frame, as the worker keeps writing
            inspector.click("form[action$='/snapshot/'] button")
            expect(inspector.locator("figure img.evidence")).to_be_visible()
            inspector.select_option("select[name=item]", "caps_masks")
            inspector.check("input[name=result][value=issue]")
            inspector.fill("textarea[name=note]", "操作人员未戴口罩")
            inspector.fill("input[name=deadline]", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
            _shot(inspector, "03-finding-form")
            inspector.click("#finding-form button.primary")
            expect(inspector.locator(".cards .status-open")).to_be_visible()
            _fits_the_phone(inspector)
            _shot(inspector, "04-finding-recorded")
            finding = Finding.objects.get()
            assert (finding.status, finding.item, finding.snapshot.purpose) == ("open", "caps_masks", "patrol")

            operator = browser.new_context(**PHONE).new_page()
            operator.set_default_timeout(15_000)
            _log_in(operator, base, "wang")
            operator.goto(f"{base}/w/findings/")
            operator.click(f"a[href='/w/findings/{finding.pk}/']")
            expect(operator.locator("figure img.evidence")).to_be_visible()
            operator.set_input_files(
                "input[name=photo]", {"name": "fix.png", "mimeType": "image/png", "buffer": _png()}
            )
            operator.fill("textarea[name=note]", "已整改，全员佩戴口罩")
            _fits_the_phone(operator)
            operator.click("#answer-form button.primary")
            expect(operator.locator("#finding-status")).to_have_class("badge status-answered")
            _shot(operator, "05-answered")

            inspector.goto(f"{base}/r/findings/{finding.pk}/")
            expect(inspector.locator(".history img.evidence")).to_be_visible()
            inspector.fill("textarea[name=note]", "照片看不清，请重拍")
            inspector.click("#review-form button[value=reopen]")
            expect(inspector.locator("#finding-status")).to_have_class("badge status-reopened")

            operator.reload()
            operator.set_input_files(
                "input[name=photo]", {"name": "fix2.png", "mimeType": "image/png", "buffer": _png()}
            )
            operator.click("#answer-form button.primary")
            expect(operator.locator("#finding-status")).to_have_class("badge status-answered")

            inspector.reload()
            inspector.fill("textarea[name=note]", "已复核")
            inspector.click("#review-form button[value=close]")
            expect(inspector.locator("#finding-status")).to_have_class("badge status-closed")
            _fits_the_phone(inspector)
            _shot(inspector, "06-closed")
        finally:
            browser.close()
    finding.refresh_from_db()
    assert finding.status == "closed"
    assert list(finding.replies.values_list("status_after", flat=True)) == [
        "answered",
        "reopened",
        "answered",
        "closed",
    ]


def make_mp4(path: Path, seconds: int = 3) -> None:
    """A short H.264 MP4 like a recorded segment (copied camera video is H.264 too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", "-movflags", "+frag_keyframe+empty_moov",
         str(path)],
        check=True, timeout=60,
    )  # fmt: skip


def test_consumer_watches_the_room_live_and_plays_how_the_lot_was_made(live_server, browser_env):
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    product = f.make_product(workshop, name="年糕", gtin="6901234567892", shelf_life_days=30)
    camera = make_camera(workshop, **all_day(name="加工间"))
    Camera.objects.filter(pk=camera.pk).update(state=CameraState.ONLINE)
    put_frame(camera)
    make_hls(live_dir(camera.pk))
    raw = f.receive(workshop, quantity="10", product_name="大米", lot_code="R1")
    lot = f.produce(workshop, [(raw, "5")], product, "20")
    clip = browser_env / "video" / "rec" / str(camera.pk) / "20260101-000000-r1.mp4"
    make_mp4(clip)
    now = timezone.now()
    recording = add_recording(camera, clip, started_at=now - dt.timedelta(minutes=1), ended_at=now)
    base = live_server.url

    with playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        try:
            page = browser.new_context(**PHONE).new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{base}/01/06901234567892/10/{lot.code}")
            assert page.locator("main script").count() == 0  # the page itself stays script-free
            page.locator("#room iframe").scroll_into_view_if_needed()
            room = page.frame_locator("#room iframe")
            expect(room.locator("video.live")).to_be_visible()
            frame = next(fr for fr in page.frames if "/v/room/" in fr.url)
            frame.wait_for_function(
                "() => document.querySelector('video.live').getVideoPlaybackQuality().totalVideoFrames >= 10"
            )
            _fits_the_phone(page)
            _shot(page, "07-consumer-live")

            room.locator("#making-tab").click()
            expect(room.locator("video.making")).to_be_visible()
            frame = next(fr for fr in page.frames if "tab=making" in fr.url)
            assert str(recording.pk) in frame.locator("video.making").get_attribute("src")
            frame.evaluate("() => document.querySelector('video.making').play()")
            frame.wait_for_function(
                "() => document.querySelector('video.making').getVideoPlaybackQuality().totalVideoFrames >= 10"
            )
            assert _frames(frame, "video.making") >= 10
            _shot(page, "08-consumer-making-of")
        finally:
            browser.close()
