"""The detection part of the video benchmark: CPU of one analysis, and per camera at the interval.

``bench/video.py`` calls ``cost_per_analysis`` with a frame like the cameras send; the
figure it returns is measured from rusage (user + sys of this process), like the others.
"""

from __future__ import annotations

import resource
import time
from datetime import datetime, timedelta
from datetime import time as clock

import cv2
from django.utils import timezone

from shilian.sunshine.choices import Room
from shilian.sunshine.detection.config import detection_interval
from shilian.sunshine.detection.rules import Analyser
from shilian.sunshine.models import Camera


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cost_per_analysis(
    jpeg: bytes,
    *,
    room: str = Room.PROCESSING,
    staffed: bool = True,
    working: bool = True,
    repeat: int = 20,
    interval: float | None = None,
) -> dict[str, float]:
    """Run the rules ``repeat`` times on ``jpeg`` for an unsaved camera of ``room``.

    ``working`` puts the frames inside (True) or outside the camera's working hours; the
    default (processing room, staffed, working) runs every model: face, mask and motion.
    Returns wall and CPU milliseconds per analysis and the CPU % of one core per camera
    at ``interval`` (default: the configured one).
    """
    cv2.setNumThreads(1)
    interval = interval if interval is not None else detection_interval()
    hours = (clock(0, 0), clock(23, 59, 59)) if working else (clock(0, 0), clock(0, 0, 1))
    camera = Camera(pk=-1, room=room, staffed=staffed, work_days="1234567", work_start=hours[0], work_end=hours[1])
    analyser = Analyser()
    start: datetime = timezone.now().replace(hour=12)
    analyser.analyse(camera, jpeg, start)  # loads the models: not part of the steady cost
    wall0, cpu0 = time.perf_counter(), _cpu()
    for index in range(repeat):
        analyser.analyse(camera, jpeg, start + timedelta(seconds=interval * (index + 1)))
    wall, cpu = (time.perf_counter() - wall0) / repeat, (_cpu() - cpu0) / repeat
    return {
        "ms_per_analysis": round(wall * 1000, 1),
        "cpu_ms_per_analysis": round(cpu * 1000, 1),
        "cpu_pct_per_camera_at_interval": round(100 * cpu / interval, 2),
        "interval_s": interval,
    }
