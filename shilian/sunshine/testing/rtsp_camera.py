"""Simulated cameras: pre-made clips served over RTSP (gst-rtsp-server) or pushed over RTMP.

The RTSP server runs under the *system* Python (``/usr/bin/python3`` with python3-gi and
gir1.2-gst-rtsp-server-1.0), as its own process, so a test can SIGSTOP it to simulate a
camera that hangs with its TCP connection open::

    /usr/bin/python3 rtsp_camera.py --port 18554 --mount cam=/tmp/clip.mkv --mount hevc=/tmp/h265.mkv

Each mount serves a Matroska file (H.264 or H.265, made by ``make_clip``) at real-time speed
to every client, from its start; nothing is encoded while serving. The functions below run
in the project's venv and only start processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SYSTEM_PYTHON = os.environ.get("SHILIAN_GST_PYTHON", "/usr/bin/python3")

PATTERNS = {
    "moving": "testsrc2=size={w}x{h}:rate={fps}",
    "black": "color=c=black:size={w}x{h}:rate={fps}",
    "frozen": "color=c=0x808080:size={w}x{h}:rate={fps}",
}


def make_clip(
    path: Path, *, pattern: str = "moving", seconds: int = 60, codec: str = "h264", size: str = "640x360", fps: int = 15
) -> Path:
    """Encode a test clip once (key frame every second, ~500 kbit/s) into ``path`` (.mkv or .mp4)."""
    from shilian.sunshine.video.ffmpeg import ffmpeg_exe  # noqa: PLC0415 — this file also runs without Django

    if path.exists() and path.stat().st_size > 0:
        return path
    w, h = size.split("x")
    source = PATTERNS[pattern].format(w=w, h=h, fps=fps)
    encoder = (
        ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "main"]
        if codec == "h264"
        else ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"]
    )
    part = path.with_name(f".{os.getpid()}.{path.name}")  # renamed when whole: parallel test runs share clips
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
         *encoder, "-g", str(fps), "-keyint_min", str(fps), "-pix_fmt", "yuv420p", "-b:v", "500k", str(part)],
        check=True,
    )  # fmt: skip
    part.replace(path)
    return path


def gst_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = (
        "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstRtspServer','1.0');"
        "from gi.repository import Gst, GstRtspServer; Gst.init(None);"
        "import sys; sys.exit(0 if all(Gst.ElementFactory.find(e) for e in "
        "('matroskademux','rtph264pay','rtph265pay')) else 1)"
    )
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, timeout: float = 15.0) -> None:
    """Wait until something listens on TCP ``port`` without connecting to it (a connection would
    use up an ``ffmpeg -listen 1``): read the kernel's socket tables (Linux)."""
    suffix = f":{port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                rows = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                fields = row.split()
                if fields[1].endswith(suffix) and fields[3] == "0A":  # local address, state LISTEN
                    return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port}")


def start_rtsp_camera(mounts: dict[str, Path], *, port: int) -> subprocess.Popen[bytes]:
    """Serve ``mounts`` (name → clip) at rtsp://127.0.0.1:<port>/<name>; stop it with ``stop``."""
    argv = [SYSTEM_PYTHON, __file__, "--port", str(port)]
    for name, clip in mounts.items():
        argv += ["--mount", f"{name}={clip}"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_port(port)
    except TimeoutError:
        process.kill()
        _, err = process.communicate(timeout=5)
        raise RuntimeError(f"the RTSP camera did not start: {err.decode()[-2000:]}") from None
    return process


def push_rtmp(clip: Path, url: str, *, loop: bool = True) -> subprocess.Popen[bytes]:
    """Push ``clip`` (H.264) to ``url`` in real time, copied, as a camera or edge box would."""
    from shilian.sunshine.video.ffmpeg import ffmpeg_exe  # noqa: PLC0415 — this file also runs without Django

    loop_args = ["-stream_loop", "-1"] if loop else []
    return subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", *loop_args, "-i", str(clip),
         "-map", "0:v:0", "-c", "copy", "-f", "flv", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a simulated camera (also one that was SIGSTOPped)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGCONT)
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            process.kill()
            process.wait()
    if process.stderr is not None:
        process.stderr.close()


def _serve(port: int, mounts: dict[str, str]) -> None:  # pragma: no cover — runs under the system Python
    import gi  # noqa: PLC0415 — the system Python's, not the venv's

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer  # noqa: PLC0415

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    points = server.get_mount_points()
    for name, clip in mounts.items():
        payloader = "rtph265pay" if "265" in os.path.basename(clip) or "hevc" in clip else "rtph264pay"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            f'( filesrc location="{clip}" ! matroskademux ! {payloader} name=pay0 pt=96 config-interval=1 )'
        )
        factory.set_shared(False)
        points.add_factory(f"/{name}", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on {port}")
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    loop.run()


def main(argv: list[str]) -> None:  # pragma: no cover — runs under the system Python
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", default=[], help="name=clip.mkv")
    args = parser.parse_args(argv)
    _serve(args.port, dict(m.split("=", 1) for m in args.mount))


if __name__ == "__main__":
    main(sys.argv[1:])
