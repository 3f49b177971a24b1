"""Live HLS from the supervisor, played by hls.js (vendored) in headless Chromium.

A pull camera (gst-rtsp-server) goes through the real supervisor (in a thread, against the
live server's database); an operator of the workshop opens the access-checked playlist
(``/v/cameras/<pk>/live/index.m3u8``) with hls.js and the test counts decoded frames. Then a
lot is produced while the room is recorded, and a consumer plays the worker's recording from
the consumer page's "how this lot was made".
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from shilian.core.testing import factories as f
from shilian.core.testing.browser import playwright
from shilian.sunshine import paths
from shilian.sunshine.choices import CameraState
from shilian.sunshine.consumer import room_token
from shilian.sunshine.models import Recording
from shilian.sunshine.testing.rtsp_camera import free_port, gst_available, start_rtsp_camera, stop
from shilian.sunshine.tests.video_support import clip, config, make_camera
from shilian.sunshine.video.supervisor import Supervisor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not gst_available(), reason="needs gst-rtsp-server under /usr/bin/python3 (CI installs it)"),
]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
HLS_JS = Path(django_settings.BASE_DIR) / "shilian" / "static" / "vendor" / "hlsjs" / "hls.light.min.js"
VIDEO = '<video id="v" muted autoplay playsinline width="320"></video>'
PLAYER = """
  window.hlsErrors = [];
  const hls = new Hls({liveSyncDurationCount: 2});
  hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) window.hlsErrors.push(d.details); });
  hls.loadSource(SOURCE);
  hls.attachMedia(document.getElementById("v"));
  hls.on(Hls.Events.MANIFEST_PARSED, () => document.getElementById("v").play());
"""


def test_live_hls_plays_in_chromium(live_server, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DATA_DIR = tmp_path
    port = free_port()
    server = start_rtsp_camera({"cam": clip()}, port=port)
    enterprise = f.make_enterprise(name="阳光面馆")
    camera = make_camera(
        enterprise,
        source_url=f"rtsp://127.0.0.1:{port}/cam",
        work_days="1234567",  # consumers may watch at any hour the test runs
        work_start=dt.time(0, 0),
        work_end=dt.time(0, 0),  # the same as the start: around the clock
    )
    operator = f.make_operator(enterprise)
    supervisor = Supervisor(config(), detection=False, camera_ids=[camera.pk])
    done = threading.Event()
    thread = threading.Thread(target=supervisor.run, kwargs={"until": done.is_set}, daemon=True)
    thread.start()
    try:
        with playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", operator.username)
            page.fill("input[name=password]", "pw-" + operator.username)
            page.click("button.primary")
            page.wait_for_load_state()
            # wait for the playlist to hold 3 segments
            playlist = paths.playlist(camera.pk)
            for _ in range(100):
                if playlist.exists() and playlist.read_text().count(".ts") >= 3:
                    break
                page.wait_for_timeout(200)
            camera.refresh_from_db()
            assert camera.state == CameraState.ONLINE
            page.add_script_tag(path=str(HLS_JS))
            source = f"/v/cameras/{camera.pk}/live/index.m3u8"
            page.evaluate("html => { document.body.innerHTML = html; }", VIDEO)
            page.add_script_tag(content=PLAYER.replace("SOURCE", repr(source)))
            page.wait_for_function(
                "() => { const v = document.getElementById('v');"
                " return v && v.getVideoPlaybackQuality().totalVideoFrames >= 20; }",
                timeout=20_000,
            )
            frames = page.evaluate("document.getElementById('v').getVideoPlaybackQuality().totalVideoFrames")
            assert frames >= 20
            assert page.evaluate("window.hlsErrors") == []

            # the worker's own recording, played by a consumer from "how this lot was made"
            for _ in range(100):
                if Recording.objects.filter(camera=camera).exists():
                    break
                page.wait_for_timeout(200)
            soy = f.receive(enterprise, product_name="黄豆")
            lot = f.produce(enterprise, [(soy, "5")], f.make_product(enterprise, name="豆腐干"))
            consumer = browser.new_page()
            consumer.goto(f"{live_server.url}/v/room/{room_token(lot.pk)}/?tab=making")
            consumer.evaluate("document.querySelector('video.making').muted = true")
            consumer.evaluate("document.querySelector('video.making').play()")
            consumer.wait_for_function(
                "() => document.querySelector('video.making').getVideoPlaybackQuality().totalVideoFrames >= 10",
                timeout=20_000,
            )
            assert consumer.evaluate("document.querySelector('video.making').videoWidth") == 640
            browser.close()
    finally:
        done.set()
        thread.join(timeout=15)
        stop(server)
