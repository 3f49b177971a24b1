"""Running the rules for the video supervisor: at most one frame per camera per interval, off its loop.

The supervisor hands frames over with ``submit`` (never blocks); one background thread
analyses them in turn and stores the hits. Inference runs in OpenCV with the GIL released,
single-threaded so its cost is predictable, inside the supervisor's own process (its rusage).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

import cv2
from django.db import close_old_connections, connection

from shilian.sunshine.actions.detections import record_hits
from shilian.sunshine.detection.config import detection_interval
from shilian.sunshine.detection.rules import Analyser
from shilian.sunshine.models import Detection

logger = logging.getLogger("shilian.sunshine.detection")


class DetectionRunner:
    """Rate-limits, queues and runs the analyses of many cameras (one per supervisor)."""

    def __init__(self, *, interval: float | None = None, threaded: bool = True) -> None:
        cv2.setNumThreads(1)
        self.interval = interval if interval is not None else detection_interval()
        self.analyser = Analyser()
        self.last: dict[int, datetime] = {}
        self.pending: OrderedDict[int, tuple[Any, bytes, datetime]] = OrderedDict()
        self.analysed = 0
        self.replaced = 0  # frames superseded before the thread got to them (it is behind)
        self.failed = 0
        self._logged: set[str] = set()
        self._wake = threading.Condition()
        self._stopping = False
        self._busy = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._loop, name="shilian-detection", daemon=True)
            self._thread.start()

    def due(self, camera_id: int, now: datetime) -> bool:
        """Whether this camera's next analysis is due (a dict lookup; no DB, no decoding)."""
        last = self.last.get(camera_id)
        return last is None or now < last or (now - last).total_seconds() >= self.interval

    def submit(self, camera: Any, jpeg: bytes, now: datetime) -> bool:
        """Queue a frame of ``camera`` if its analysis is due; False when not due or analyses are off."""
        if not camera.analyses or not camera.enabled:
            self.forget(camera.pk)
            return False
        if not self.due(camera.pk, now):
            return False
        self.last[camera.pk] = now
        if self._thread is None:
            self.run_now(camera, jpeg, now)
            return True
        with self._wake:
            if camera.pk in self.pending:
                self.replaced += 1
                del self.pending[camera.pk]
            self.pending[camera.pk] = (camera, jpeg, now)
            self._wake.notify()
        return True

    def forget(self, camera_id: int) -> None:
        """Drop a camera's memory (disabled, deleted, or analyses switched off)."""
        self.last.pop(camera_id, None)
        with self._wake:
            self.pending.pop(camera_id, None)
        self.analyser.forget(camera_id)

    def run_now(self, camera: Any, jpeg: bytes, now: datetime) -> list[Detection]:
        """Analyse and store in the calling thread; errors are logged (once per kind), never raised."""
        try:
            hits = self.analyser.analyse(camera, jpeg, now)
            self.analysed += 1
            return record_hits(camera, hits, jpeg, now=now) if hits else []
        except Exception as exc:  # a bad frame or a missing model must not stop the supervisor
            self.failed += 1
            key = f"{camera.pk}:{type(exc).__name__}"
            if key not in self._logged:
                self._logged.add(key)
                logger.exception("detection failed on camera %s: %s", camera.pk, exc)
            return []

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread (the frame being analysed is finished; pending ones are dropped)."""
        with self._wake:
            self._stopping = True
            self.pending.clear()
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            while True:
                with self._wake:
                    while not self.pending and not self._stopping:
                        self._wake.wait()
                    if self._stopping:
                        return
                    _, (camera, jpeg, now) = self.pending.popitem(last=False)
                    self._busy = True
                try:
                    close_old_connections()
                    self.run_now(camera, jpeg, now)
                finally:
                    with self._wake:
                        self._busy = False
                        self._wake.notify_all()
        finally:
            connection.close()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is pending or being analysed (tests, the bench)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self.pending and not self._busy, timeout)
