"""The issue's "done when", video part: simulated cameras through the real supervisor and ffmpeg.

Pull cameras are gst-rtsp-server processes (system Python) serving pre-made clips; push
cameras push RTMP with ffmpeg to the embedded listener (one ``ffmpeg -listen 1`` per push
camera). One supervisor watches them all at once, as in production; the test steps its
loop in this thread and reads the database between steps.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from shilian.core.testing import factories as f
from shilian.sunshine import paths
from shilian.sunshine.choices import CameraState, Ingest, OutageKind
from shilian.sunshine.consumer import room_token
from shilian.sunshine.models import CameraOutage, Recording
from shilian.sunshine.recordings import making_of
from shilian.sunshine.testing.rtsp_camera import (
    free_port,
    gst_available,
    push_rtmp,
    start_rtsp_camera,
    stop,
    wait_listening,
)
from shilian.sunshine.tests.video_support import clip, config, make_camera, run_until, state
from shilian.sunshine.video.ffmpeg import ffmpeg_exe, ffprobe_exe
from shilian.sunshine.video.supervisor import Supervisor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not gst_available(), reason="needs gst-rtsp-server under /usr/bin/python3 (CI installs it)"),
]


@pytest.fixture
def video_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def processes():
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)


def test_cameras_online_snapshot_hls_recording_health_and_hang(video_dir, processes):
    enterprise = f.make_enterprise(name="阳光豆腐坊")
    rtsp_port, hang_port, closed_port = free_port(), free_port(), free_port()
    processes.append(
        start_rtsp_camera(
            {"cam": clip(), "black": clip("black"), "frozen": clip("frozen"), "hevc": clip(codec="h265", seconds=30)},
            port=rtsp_port,
        )
    )
    hanging = start_rtsp_camera({"cam": clip()}, port=hang_port)
    processes.append(hanging)
    pull = make_camera(
        enterprise,
        name="加工间",
        source_url=f"rtsp://127.0.0.1:{rtsp_port}/cam",
        work_days="1234567",  # consumers may watch (and play its recordings) at any hour the test runs
        work_start=dt.time(0, 0),
        work_end=dt.time(0, 0),  # the same as the start: around the clock
    )
    black = make_camera(enterprise, name="黑屏", source_url=f"rtsp://127.0.0.1:{rtsp_port}/black", recording=False)
    frozen = make_camera(enterprise, name="冻结", source_url=f"rtsp://127.0.0.1:{rtsp_port}/frozen", recording=False)
    hevc = make_camera(enterprise, name="H265", source_url=f"rtsp://127.0.0.1:{rtsp_port}/hevc", recording=False)
    hang = make_camera(enterprise, name="会卡死", source_url=f"rtsp://127.0.0.1:{hang_port}/cam", recording=False)
    gone = make_camera(enterprise, name="地址错", source_url=f"rtsp://127.0.0.1:{closed_port}/x", recording=False)
    push = make_camera(enterprise, name="推流", ingest=Ingest.PUSH, recording=False)
    bad = make_camera(enterprise, name="file", source_url="file:///etc/passwd", recording=False)
    port_base = free_port() - push.pk
    cfg = config(rtmp_port_base=port_base)
    supervisor = Supervisor(
        cfg, detection=False, camera_ids=[c.pk for c in (pull, black, frozen, hevc, hang, gone, push, bad)]
    )
    push_url = f"rtmp://127.0.0.1:{port_base + push.pk}"
    try:
        supervisor.step(0.1)  # starts every worker (the listener too)
        wait_listening(port_base + push.pk)
        wrong = push_rtmp(clip(), f"{push_url}/not-the-key/live", loop=False)
        processes.append(wrong)
        run_until(
            supervisor,
            lambda: "wrong stream key" in state(push)[1],
            timeout=15,
            what="a push with a wrong key refused",
        )
        assert push.state != CameraState.ONLINE
        assert not paths.latest_jpeg(push.pk).exists()
        assert not paths.playlist(push.pk).exists()
        stop(wrong)
        run_until(supervisor, lambda: supervisor.workers[push.pk].running, timeout=5, what="listening again")
        wait_listening(port_base + push.pk)  # ffmpeg binds its port again (a probe connection would use it up)
        processes.append(push_rtmp(clip(), f"{push_url}/{push.stream_key}/live"))

        run_until(
            supervisor,
            lambda: all(state(c)[0] == CameraState.ONLINE for c in (pull, push, black, frozen, hang)),
            timeout=20,
            what="pull and push cameras online",
        )
        pull.refresh_from_db()
        assert (pull.video_codec, pull.width, pull.height) == ("h264", 640, 360)
        assert pull.last_frame_at is not None

        # the latest keyframe as JPEG, and the rolling HLS playlist
        jpeg = paths.latest_jpeg(pull.pk).read_bytes()
        assert jpeg.startswith(b"\xff\xd8")
        with Image.open(paths.latest_jpeg(pull.pk)) as image:
            assert (image.format, image.size) == ("JPEG", (640, 360))
        run_until(
            supervisor,
            lambda: paths.playlist(push.pk).exists() and paths.playlist(push.pk).read_text().count(".ts") >= 3,
            timeout=10,
            what="3 HLS segments of the push camera",
        )
        for camera in (pull, push):
            playlist = paths.playlist(camera.pk).read_text()
            assert "#EXT-X-TARGETDURATION:1" in playlist or "#EXT-X-TARGETDURATION:2" in playlist
            assert "#EXT-X-ENDLIST" not in playlist
            assert playlist.count(".ts") <= 6  # rolling

        # black and frozen pictures flagged, H.265 and an unreachable camera in clear states
        run_until(
            supervisor,
            lambda: state(black) and black.black and state(frozen) and frozen.frozen,
            timeout=15,
            what="black and frozen flagged",
        )
        assert not black.frozen
        assert not frozen.black
        assert "black picture" in black.state_message
        assert "frozen picture" in frozen.state_message
        pull.refresh_from_db()
        assert not pull.black
        assert not pull.frozen
        run_until(
            supervisor,
            lambda: state(hevc)[0] == CameraState.UNPLAYABLE and paths.latest_jpeg(hevc.pk).exists(),
            timeout=10,
            what="H.265 unplayable, snapshots still kept",
        )
        assert "H.265" in hevc.state_message
        assert "H.264" in hevc.state_message
        assert state(gone)[0] == CameraState.OFFLINE
        assert "connection refused" in gone.state_message
        assert state(bad)[0] == CameraState.ERROR
        assert "unsupported address scheme 'file'" in bad.state_message

        # a camera that hangs with its connection open: offline, then back online
        os.killpg(hanging.pid, signal.SIGSTOP)
        run_until(supervisor, lambda: state(hang)[0] == CameraState.OFFLINE, timeout=10, what="hung camera offline")
        assert "no frames for 3 s" in hang.state_message
        assert not paths.playlist(hang.pk).exists()  # players stop instead of waiting on a stale playlist
        run_until(
            supervisor,
            lambda: CameraOutage.objects.filter(camera=hang, kind=OutageKind.OFFLINE, ended_at=None).exists(),
            timeout=6,
            what="the outage stored once it outlasted the debounce",
        )
        os.killpg(hanging.pid, signal.SIGCONT)
        run_until(supervisor, lambda: state(hang)[0] == CameraState.ONLINE, timeout=20, what="hung camera back")
        outage = CameraOutage.objects.get(camera=hang, kind=OutageKind.OFFLINE)
        assert outage.ended_at is not None
        assert outage.ended_at > outage.started_at
        assert hang.restarts >= 1
        assert not CameraOutage.objects.filter(camera=pull).exists()  # no blips stored for a healthy camera

        # recordings: segments finished, indexed, moved to their day folder, playable
        run_until(supervisor, lambda: Recording.objects.filter(camera=pull).count() >= 2, timeout=15, what="recordings")
        recording = Recording.objects.filter(camera=pull).first()
        assert recording.path.startswith(f"rec/{pull.pk}/")
        file = paths.video_root() / recording.path
        assert file.stat().st_size == recording.size > 10_000
        assert 1 <= (recording.ended_at - recording.started_at).total_seconds() <= 10
        probe = subprocess.run(
            [
                ffprobe_exe() or "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name",
                "-of",
                "csv=p=0",
                str(file),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout.strip() == "h264"

        # a production event recorded while the room was filmed: "how this lot was made" on the
        # consumer page plays that very recording
        soy = f.receive(enterprise, product_name="黄豆")
        lot = f.produce(enterprise, [(soy, "5")], f.make_product(enterprise, name="豆腐干"))
        made = making_of(lot)
        assert recording in made
        assert all(r.camera_id == pull.pk for r in made)  # the processing room, not the other rooms
        room = Client().get(reverse("sunshine:room", args=[room_token(lot.pk)]) + "?tab=making")
        assert room.status_code == 200
        links = re.findall(r'data-seg href="([^"]+)"', room.content.decode())
        assert len(links) == len(made)
        played = Client().get(html.unescape(links[0]))
        assert played.status_code == 200
        assert played["Content-Type"] == "video/mp4"
        assert b"".join(played.streaming_content if played.streaming else [played.content]) == (
            paths.video_root() / made[0].path
        ).read_bytes()

        # a full disk: old segments go first, then recording stops with a clear state; live goes on
        supervisor.config = config(rtmp_port_base=port_base, min_free_bytes=10**18)
        for worker in supervisor.workers.values():
            worker.config = supervisor.config
        run_until(
            supervisor,
            lambda: CameraOutage.objects.filter(camera=pull, kind=OutageKind.DISK_FULL, ended_at=None).exists(),
            timeout=10,
            what="disk full outage",
        )
        assert not Recording.objects.filter(camera=pull).exists()
        assert state(pull)[0] == CameraState.ONLINE
        assert "recording stopped" in pull.state_message
        assert not CameraOutage.objects.filter(camera=black, kind=OutageKind.DISK_FULL).exists()  # not recording
    finally:
        supervisor.close()
    assert not supervisor.workers
    assert state(pull)[0] == CameraState.OFFLINE
    assert "stopped" in pull.state_message
    assert not any(Path(paths.live_dir(pull.pk)).glob("*.ts"))


def test_relay_only_decodes_nothing_yet_sees_a_hung_camera(video_dir, processes):
    """``--relay-only``: no snapshot, no thumbnail; liveness comes from ffmpeg's progress report."""
    port = free_port()
    hanging = start_rtsp_camera({"cam": clip()}, port=port)
    processes.append(hanging)
    camera = make_camera(source_url=f"rtsp://127.0.0.1:{port}/cam", recording=False)
    supervisor = Supervisor(config(snapshots=False), detection=False, camera_ids=[camera.pk])
    try:
        run_until(supervisor, lambda: state(camera)[0] == CameraState.ONLINE, timeout=15, what="relay-only online")
        run_until(
            supervisor,
            lambda: paths.playlist(camera.pk).exists() and paths.playlist(camera.pk).read_text().count(".ts") >= 2,
            timeout=10,
            what="HLS segments",
        )
        assert not paths.latest_jpeg(camera.pk).exists()  # nothing decoded
        assert "-filter_complex" not in supervisor.workers[camera.pk].proc.args
        os.killpg(hanging.pid, signal.SIGSTOP)
        run_until(supervisor, lambda: state(camera)[0] == CameraState.OFFLINE, timeout=10, what="hung → offline")
        os.killpg(hanging.pid, signal.SIGCONT)
        run_until(supervisor, lambda: state(camera)[0] == CameraState.ONLINE, timeout=20, what="back online")
    finally:
        supervisor.close()


def test_g711_audio_is_named_and_dropped_while_the_video_plays(video_dir, processes):
    """A camera pushing G.711 audio (which browsers cannot play): the video is relayed, the
    audio is dropped, and the camera's message says so."""
    camera = make_camera(ingest=Ingest.PUSH, recording=False)
    port_base = free_port() - camera.pk
    supervisor = Supervisor(config(rtmp_port_base=port_base), detection=False, camera_ids=[camera.pk])
    try:
        supervisor.step(0.1)
        wait_listening(port_base + camera.pk)
        pusher = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1",
             "-i", str(clip()), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
             "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1",
             "-f", "flv", f"rtmp://127.0.0.1:{port_base + camera.pk}/{camera.stream_key}/live"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        processes.append(pusher)
        run_until(supervisor, lambda: state(camera)[0] == CameraState.ONLINE, timeout=20, what="push online")
        run_until(supervisor, lambda: "G.711" in state(camera)[1], timeout=10, what="G.711 named")
        assert camera.audio_codec == "pcm_alaw"
        assert camera.video_codec == "h264"
        assert "not relayed" in camera.state_message
        run_until(supervisor, lambda: paths.playlist(camera.pk).exists(), timeout=10, what="video relayed")
    finally:
        supervisor.close()
