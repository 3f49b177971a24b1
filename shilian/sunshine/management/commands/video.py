"""``shilian video``: run the camera supervisor (started by ``shilian serve`` with the web server).

One process for all cameras: relay to HLS, latest frame, health, watchdog, recording,
retention, and the assistive detection at its low rate. Stops cleanly on Ctrl-C / SIGTERM
(every ffmpeg is stopped, the cameras are marked offline).
"""

from __future__ import annotations

import dataclasses
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.video.ffmpeg import ffmpeg_exe
from shilian.sunshine.video.supervisor import Supervisor


class Command(BaseCommand):
    help = "Supervise the cameras: HLS relay, snapshots, health, recording (Ctrl-C stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seconds", type=float, default=0, help="stop after this many seconds (0: run until stopped)"
        )
        parser.add_argument("--camera", type=int, action="append", help="only this camera (repeatable)")
        parser.add_argument("--no-detection", action="store_true", help="do not run the assistive detection")
        parser.add_argument(
            "--relay-only",
            action="store_true",
            help="relay only: decode nothing (no snapshots, no black/frozen checks; SHILIAN_VIDEO_SNAPSHOTS=0)",
        )
        parser.add_argument("--stall", type=float, help="seconds without a frame before a camera is offline")
        parser.add_argument("--debounce", type=float, help="seconds an outage must last to be stored")

    def handle(self, *args: Any, **options: Any) -> None:
        config = VideoConfig.from_settings()
        if options["relay_only"]:
            config = dataclasses.replace(config, snapshots=False)
        if options["stall"] is not None:
            config = dataclasses.replace(config, stall_seconds=options["stall"])
        if options["debounce"] is not None:
            config = dataclasses.replace(config, debounce_seconds=options["debounce"])
        supervisor = Supervisor(config, detection=not options["no_detection"], camera_ids=options["camera"])
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        deadline = time.monotonic() + options["seconds"] if options["seconds"] else None
        self.stdout.write(f"shilian video: supervising cameras with {ffmpeg_exe()} (push ingest: {config.rtmp_ingest})")
        supervisor.run(until=lambda: stopping or (deadline is not None and time.monotonic() >= deadline))
