"""CPU per camera of the video supervisor, beside a bare ``ffmpeg -c copy`` relay of the same streams.

    .venv/bin/python bench/video.py --cameras 10 --seconds 30

N simulated SD cameras (640x360, 15 fps, ~500 kbit/s, key frame every second) are served
over RTSP by one gst-rtsp-server process (not measured). Then, one after the other in the
same run, for ``--seconds`` each:

1. **bare**: N plain ``ffmpeg -rtsp_transport tcp -i … -c copy -f hls`` processes (the reference), and N bare
   ffmpeg processes running the worker's own command line (same outputs, no supervisor: the second reference);
2. **relay only** (`--relay-only`: nothing decoded; liveness from ffmpeg's progress report), then
   **relay + snapshots + health**: ``shilian video`` (the real supervisor and its ffmpeg
   per camera: HLS copy, keyframe JPEG, 32x18 thumbnails, watchdog, DB writes), analyses off;
3. **+ recording**: the same with the 4th output (60 s MP4 segments, copied);
4. **+ detection**: the same with assistive detection on, at its default rate (one frame
   per camera every 5 s; the clip has no faces, so this is the "nobody there" cost).

CPU is user+sys from ``wait4()`` rusage of each process tree (the supervisor waits its
ffmpeg children, so theirs is included), as % of one core per camera. The supervisor's fixed
start-up (Django, OpenCV import) is measured with no camera and subtracted (printed).
Goal: 50 SD cameras with relay + snapshots + health in 2/3 of this 2-core box (≤ 2.67 % of a
core per camera), and the supervisor under 2x the bare relay.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "out" / "video"
sys.path.insert(0, str(ROOT))


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shilian.config.settings.base",
            "SHILIAN_DATA_DIR": str(WORK / "data"),
            "DATABASE_URL": f"sqlite:///{WORK / 'video.sqlite3'}",
            "SHILIAN_SECRET_KEY": env.get("SHILIAN_SECRET_KEY", "bench-only-not-secret"),
            "SHILIAN_DEBUG": "0",
            "SHILIAN_LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def cpu_of(argv_list: list[list[str]], seconds: float, env: dict[str, str]) -> float:
    """Run the commands together for ``seconds``, stop them (SIGINT), return their CPU seconds."""
    processes = [
        subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        for argv in argv_list
    ]
    time.sleep(seconds)
    for process in processes:
        process.send_signal(signal.SIGINT)
    total = 0.0
    for process in processes:
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = 0
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--skip-detection", action="store_true")
    args = parser.parse_args()
    env = environment()
    os.environ.update(env)
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "data").mkdir(parents=True)

    import django  # noqa: PLC0415 — settings from environment()
    from django.core.management import call_command  # noqa: PLC0415

    django.setup()
    from shilian.core.testing import factories as f  # noqa: PLC0415
    from shilian.sunshine.models import Camera  # noqa: PLC0415
    from shilian.sunshine.testing.rtsp_camera import free_port, make_clip, start_rtsp_camera, stop  # noqa: PLC0415
    from shilian.sunshine.video.command import Source, build_command  # noqa: PLC0415
    from shilian.sunshine.video.config import VideoConfig  # noqa: PLC0415
    from shilian.sunshine.video.ffmpeg import ffmpeg_exe  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    clip = make_clip(WORK / "sd.mkv", seconds=max(60, int(args.seconds) + 30))
    n, seconds = args.cameras, args.seconds
    port = free_port()
    server = start_rtsp_camera({f"cam{i}": clip for i in range(n)}, port=port)
    enterprise = f.make_enterprise(name="基准作坊")
    cameras = [
        Camera.objects.create(
            enterprise=enterprise, name=f"cam{i}", ingest="pull", source_url=f"rtsp://127.0.0.1:{port}/cam{i}",
            analyses=False, recording=False,
        )
        for i in range(n)
    ]  # fmt: skip
    ids = [a for c in cameras for a in ("--camera", str(c.pk))]
    video = [sys.executable, str(ROOT / "manage.py"), "video"]
    print(f"{n} SD cameras (640x360, 15 fps, 500 kbit/s), {seconds:.0f} s per case, {os.cpu_count()} cores")
    try:
        bare_dir = WORK / "bare"
        argv = []
        for i in range(n):
            (bare_dir / str(i)).mkdir(parents=True)
            argv.append(
                [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i",
                 f"rtsp://127.0.0.1:{port}/cam{i}", "-map", "0:v:0", "-c", "copy", "-f", "hls", "-hls_time", "1",
                 "-hls_list_size", "6", "-hls_flags", "delete_segments", str(bare_dir / str(i) / "index.m3u8")]
            )  # fmt: skip
        bare = cpu_of(argv, seconds, env)
        # the worker's own ffmpeg command lines (HLS copy + keyframe JPEG + thumbnails), run bare: no supervisor
        same_dir = WORK / "same"
        same = []
        for i in range(n):
            (same_dir / str(i)).mkdir(parents=True)
            source = Source(f"rtsp://127.0.0.1:{port}/cam{i}")
            same.append(
                build_command(source, live=same_dir / str(i), rec=None, thumb_fd=1, run=1, config=VideoConfig())
            )
        bare_same = cpu_of(same, seconds, env)
        fixed = cpu_of([[*video, "--camera", "999999999", "--no-detection"]], seconds, env)
        relay = cpu_of([[*video, *ids, "--no-detection", "--relay-only"]], seconds, env) - fixed
        worker = cpu_of([[*video, *ids, "--no-detection"]], seconds, env) - fixed
        Camera.objects.update(recording=True)
        recording = cpu_of([[*video, *ids, "--no-detection"]], seconds, env) - fixed
        Camera.objects.update(recording=False, analyses=True)
        detection = None
        if not args.skip_detection:
            fixed_cv = cpu_of([[*video, "--camera", "999999999"]], seconds, env)
            detection = cpu_of([[*video, *ids]], seconds, env) - max(fixed, fixed_cv)
    finally:
        stop(server)

    def pct(cpu: float) -> float:
        return 100.0 * cpu / seconds / n

    rows = [
        ("bare ffmpeg -c copy → HLS (reference)", pct(bare)),
        ("shilian video: relay only (no decoding)", pct(relay)),
        ("bare ffmpeg, the worker's own outputs (reference)", pct(bare_same)),
        ("shilian video: relay + snapshots + health", pct(worker)),
        ("  + recording (4th output)", pct(recording)),
    ]
    if detection is not None:
        rows.append(("  + detection at its default rate", pct(detection)))
    print(f"supervisor fixed cost (no camera): {100 * fixed / seconds:.2f} % of a core (subtracted)")
    for name, value in rows:
        print(f"{name:52s} {value:6.2f} % of a core per camera")
    budget = 200.0 * 2 / 3
    print(f"relay only, overhead over bare relay: {pct(relay) / max(pct(bare), 1e-9):.2f}x (goal < 2x)")
    print(f"relay + snapshots + health over bare relay: {pct(worker) / max(pct(bare), 1e-9):.2f}x")
    print(
        f"relay + snapshots + health over bare ffmpeg doing the same outputs: "
        f"{pct(worker) / max(pct(bare_same), 1e-9):.2f}x (goal < 2x)"
    )
    print(
        f"cameras in 2/3 of 2 cores (133 % of a core) with relay + snapshots + health: {budget / pct(worker):.0f} (goal ≥ 50)"
    )


if __name__ == "__main__":
    main()
