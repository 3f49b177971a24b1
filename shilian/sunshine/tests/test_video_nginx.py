"""Production push ingest: the real nginx with libnginx-mod-rtmp and deploy/nginx/rtmp.conf.

nginx asks the hooks (live server) on every publish: a wrong key is refused (403, the pusher
is dropped), the right one is accepted, the supervisor (``SHILIAN_RTMP_INGEST=nginx``)
reads the stream back from nginx and the camera goes online; when the pusher stops,
``on_publish_done`` marks it offline.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from shilian.core.testing import factories as f
from shilian.sunshine.choices import CameraState, Ingest
from shilian.sunshine.models import Camera
from shilian.sunshine.testing.rtsp_camera import free_port, push_rtmp, stop, wait_for_port
from shilian.sunshine.tests.video_support import clip, config, make_camera
from shilian.sunshine.video.supervisor import Supervisor

NGINX = os.environ.get("SHILIAN_NGINX", "/usr/sbin/nginx")
MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
CONF = Path(django_settings.BASE_DIR) / "deploy" / "nginx" / "rtmp.conf"

needs_nginx_rtmp = pytest.mark.skipif(
    not (Path(NGINX).exists() and MODULE.exists()), reason="needs nginx and libnginx-mod-rtmp (CI installs them)"
)


def start_nginx(workdir: Path, *, port: int, hooks: str) -> subprocess.Popen[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "rtmp.conf"
    site.write_text(CONF.read_text().replace("@RTMP_LISTEN@", f"127.0.0.1:{port}").replace("@HOOKS@", hooks))
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(
        f"load_module {MODULE};\n{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} info;\nevents {{ worker_connections 256; }}\ninclude {site};\n"
    )
    process = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(workdir),
            "-c",
            str(workdir / "nginx.conf"),
            "-e",
            str(workdir / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port)
    except TimeoutError:
        process.kill()
        _, err = process.communicate(timeout=5)
        raise RuntimeError(f"nginx did not start: {err.decode()} {(workdir / 'error.log').read_text()}") from None
    return process


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    states = {c.pk: (c.state, c.state_message) for c in Camera.objects.all()}
    pytest.fail(f"timed out waiting for {what}: {states}")


@needs_nginx_rtmp
def test_nginx_rtmp_push_with_hooks(live_server, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    camera = make_camera(f.make_enterprise(), name="推流", ingest=Ingest.PUSH, recording=False)
    port = free_port()
    nginx = start_nginx(tmp_path / "nginx", port=port, hooks=live_server.url)
    base = f"rtmp://127.0.0.1:{port}/live"
    supervisor = Supervisor(config(rtmp_ingest="nginx", nginx_rtmp_url=base), detection=False, camera_ids=[camera.pk])
    done = threading.Event()
    thread = threading.Thread(target=supervisor.run, kwargs={"until": done.is_set}, daemon=True)
    thread.start()
    pushers = []
    try:
        wrong = push_rtmp(clip(), f"{base}/not-a-key")
        pushers.append(wrong)
        assert wrong.wait(timeout=10) != 0  # nginx dropped it after the hook's 403
        camera.refresh_from_db()
        assert camera.state != CameraState.ONLINE

        pushers.append(push_rtmp(clip(), f"{base}/{camera.stream_key}"))
        wait_for(lambda: Camera.objects.get(pk=camera.pk).state == CameraState.ONLINE, timeout=25, what="online")
        stop(pushers[-1])
        wait_for(
            lambda: "stopped pushing" in Camera.objects.get(pk=camera.pk).state_message,
            timeout=10,
            what="on_publish_done",
        )
        assert Camera.objects.get(pk=camera.pk).state == CameraState.OFFLINE
    finally:
        done.set()
        thread.join(timeout=15)
        for pusher in pushers:
            stop(pusher)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=10)


@pytest.mark.django_db
def test_hooks_refuse_unknown_keys_and_callers_other_than_nginx(settings):
    camera = make_camera(f.make_enterprise(), ingest=Ingest.PUSH)
    pull = make_camera(f.make_enterprise(), name="拉流", source_url="rtsp://10.0.0.9/s")
    client = Client()
    assert client.post("/hooks/rtmp/publish", {"name": camera.stream_key, "addr": "1.2.3.4"}).status_code == 200
    camera.refresh_from_db()
    assert camera.state == CameraState.STARTING
    assert "1.2.3.4" in camera.state_message
    assert client.post("/hooks/rtmp/publish", {"name": "wrong"}).status_code == 403
    assert client.post("/hooks/rtmp/publish", {"name": pull.stream_key}).status_code == 403  # not a push camera
    Camera.objects.filter(pk=camera.pk).update(enabled=False)
    assert client.post("/hooks/rtmp/publish", {"name": camera.stream_key}).status_code == 403  # switched off
    Camera.objects.filter(pk=camera.pk).update(enabled=True)
    # from elsewhere than nginx on this host: refused, nothing written
    before = Camera.objects.get(pk=camera.pk).state_message
    assert Client(REMOTE_ADDR="203.0.113.5").post("/hooks/rtmp/publish", {"name": camera.stream_key}).status_code == 403
    assert (
        client.post("/hooks/rtmp/publish", {"name": camera.stream_key}, HTTP_X_REAL_IP="203.0.113.5").status_code == 403
    )
    assert client.get("/hooks/rtmp/publish").status_code == 405
    assert Camera.objects.get(pk=camera.pk).state_message == before
    # with a shared secret nginx may be elsewhere
    settings.SHILIAN_RTMP_HOOK_SECRET = "s3cret"
    remote = Client(REMOTE_ADDR="203.0.113.5")
    assert remote.post("/hooks/rtmp/publish?secret=nope", {"name": camera.stream_key}).status_code == 403
    assert remote.post("/hooks/rtmp/publish-done?secret=s3cret", {"name": camera.stream_key}).status_code == 200
    camera.refresh_from_db()
    assert camera.state == CameraState.OFFLINE
    assert "stopped pushing" in camera.state_message
