"""``shilian video``: one process supervising every enabled camera's ffmpeg.

No Python process per camera: one selector reads all the thumbnail and stderr pipes; the
camera list is re-read every few seconds; changed camera states are written in one
transaction every few seconds; finished recording segments are indexed, and retention
(age, free disk) applied, on their own timers. The assistive detection runs in the
detection runner's one background thread, fed the latest JPEG of cameras with analyses on
at its own low rate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import selectors
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from django.db import close_old_connections, connection

from shilian.sunshine import paths, recordings
from shilian.sunshine.actions.snapshots import refresh_public_still
from shilian.sunshine.actions.state import CameraReport, apply_reports, mark_disabled
from shilian.sunshine.choices import CameraState
from shilian.sunshine.models import Camera
from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.video.worker import CameraSpec, CameraWorker

log = logging.getLogger("shilian.sunshine.video")
STILL_SECONDS = 30.0  # how often the consumer still of each public camera is renewed
T = TypeVar("T")


def spec_of(camera: Camera) -> CameraSpec:
    return CameraSpec(
        id=camera.pk,
        ingest=camera.ingest,
        source_url=camera.source_url,
        stream_key=camera.stream_key,
        record=camera.recording,
    )


def _fresh_connection() -> None:
    """Drop a broken or expired DB connection (the supervisor lives for days); not inside a transaction."""
    if not connection.in_atomic_block:
        close_old_connections()


def now_wall() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Supervisor:
    def __init__(self, config: VideoConfig, *, detection: bool = True, camera_ids: list[int] | None = None) -> None:
        self.config = config
        self.only = set(camera_ids) if camera_ids is not None else None  # tests and the bench: these cameras only
        self.selector = selectors.DefaultSelector()
        self.workers: dict[int, CameraWorker] = {}
        self.cameras: dict[int, Camera] = {}
        self.flushed: dict[int, CameraReport] = {}
        self.disk_full = False
        self.detection = detection
        self.runner: Any = None
        self._due: dict[str, float] = {}
        self.writes = 0  # transactions written (for the bench and tests)

    # ----- the loop

    def run(self, *, until: Callable[[], bool] = lambda: False) -> None:
        try:
            while not until():
                self.step()
        finally:
            self.close()
            if not connection.in_atomic_block:
                connection.close()  # this thread's connection (the supervisor may run in a thread)

    def step(self, timeout: float = 0.5) -> None:
        now = time.monotonic()
        if self._every("reconcile", self.config.reconcile_seconds, now):
            self.reconcile()
        for key, _ in self.selector.select(timeout):
            worker: CameraWorker = key.data
            now, wall = time.monotonic(), now_wall()
            frames = worker.frames
            open_ = self._call(worker, worker.on_readable, key.fd, now, wall)
            if not open_:
                self.selector.unregister(key.fd)
                worker.pipe_closed(key.fd)
            if worker.frames != frames:
                self._detect(worker, wall)
        now = time.monotonic()
        for worker in list(self.workers.values()):
            self._call(worker, worker.poll, now)
            self._call(worker, worker.tick, now)
        if self._every("flush", self.config.flush_seconds, now):
            self.flush()
        if self._every("index", self.config.index_seconds, now):
            self.index()
        if self._every("retention", self.config.retention_seconds, now):
            self.retention()
        if self._every("stills", STILL_SECONDS, now):
            self.stills()

    def _every(self, name: str, seconds: float, now: float) -> bool:
        if now >= self._due.get(name, 0.0):
            self._due[name] = now + seconds
            return True
        return False

    def _call(self, worker: CameraWorker, fn: Callable[..., T], *args: Any) -> T:
        """Run a worker method and keep the selector in step with the worker's pipes."""
        before = set(worker.fds())
        result = fn(*args)
        after = set(worker.fds())
        for fd in before - after:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(fd)
        for fd in after - before:
            self.selector.register(fd, selectors.EVENT_READ, worker)
        return result

    # ----- cameras

    def reconcile(self) -> None:
        _fresh_connection()
        rows = Camera.objects.select_related("enterprise")
        if self.only is not None:
            rows = rows.filter(pk__in=self.only)
        cameras = list(rows)
        enabled = {c.pk: c for c in cameras if c.enabled}
        for pk, worker in list(self.workers.items()):
            if pk not in enabled or spec_of(enabled[pk]) != worker.spec:
                self._remove(pk)
        now, wall = time.monotonic(), now_wall()
        for pk, camera in enabled.items():
            if pk not in self.workers:
                worker = CameraWorker(spec_of(camera), self.config, now=now, now_wall=wall)
                worker.restarts = camera.restarts
                if self.disk_full:
                    worker.disk_full_since = wall
                self.workers[pk] = worker
            if self.runner is not None and not camera.analyses:
                self.runner.forget(pk)
        self.cameras = enabled
        off = [c.pk for c in cameras if not c.enabled and c.state != CameraState.DISABLED]
        if off:
            mark_disabled(off)

    def _remove(self, pk: int) -> None:
        worker = self.workers.pop(pk)
        self._call(worker, worker.stop)
        self.flushed.pop(pk, None)
        if self.runner is not None:
            self.runner.forget(pk)

    # ----- state

    def reports(self) -> dict[int, CameraReport]:
        now, wall = time.monotonic(), now_wall()
        debounce = dt.timedelta(seconds=self.config.debounce_seconds)
        out = {}
        for pk, worker in self.workers.items():
            report = worker.report(now, wall)
            due = {kind: v for kind, v in report.outages.items() if wall - v[0] >= debounce}
            out[pk] = replace(report, outages=due, active=frozenset(report.outages))
        return out

    def flush(self) -> int:
        """Write the cameras whose report changed (one transaction); returns how many."""
        changed = {pk: r for pk, r in self.reports().items() if not r.same_as(self.flushed.get(pk))}
        if not changed:
            return 0
        _fresh_connection()
        try:
            apply_reports(changed)
        except Exception:
            log.exception("could not write camera states")
            return 0
        self.flushed.update(changed)
        self.writes += 1
        return len(changed)

    # ----- recordings

    def index(self) -> None:
        try:
            recordings.index_finished(list(self.workers), settle_seconds=self.config.stall_seconds + 5)
        except Exception:
            log.exception("could not index recordings")

    def retention(self) -> None:
        try:
            _fresh_connection()
            result = recordings.apply_retention(self.config)
        except Exception:
            log.exception("retention failed")
            return
        if result.disk_full != self.disk_full:
            self.disk_full = result.disk_full
            log.warning(
                "disk %s: recording %s",
                "full" if result.disk_full else "ok",
                "stopped" if result.disk_full else "resumed",
            )
            wall = now_wall()
            for worker in self.workers.values():
                self._call(worker, worker.set_disk_full, result.disk_full, wall)

    def stills(self) -> None:
        """Keep the still consumers see outside working hours fresh (a file copy per public camera)."""
        for pk in list(self.workers):
            camera = self.cameras.get(pk)
            if camera is None or not camera.public:
                continue
            try:
                refresh_public_still(camera)
            except Exception:
                log.exception("could not refresh the public still of camera %s", pk)

    # ----- detection

    def _detect(self, worker: CameraWorker, wall: dt.datetime) -> None:
        camera = self.cameras.get(worker.spec.id)
        if not self.detection or camera is None or not camera.analyses:
            return
        if self.runner is None:
            try:
                from shilian.sunshine.detection import DetectionRunner  # noqa: PLC0415 — OpenCV: only when needed

                self.runner = DetectionRunner(interval=self.config.detection_seconds)
            except Exception:
                log.exception("detection is not available")
                self.detection = False
                return
        if not self.runner.due(camera.pk, wall):
            return
        try:
            jpeg = paths.latest_jpeg(camera.pk).read_bytes()
        except OSError:
            return
        if jpeg.startswith(b"\xff\xd8"):
            self.runner.submit(camera, jpeg, wall)

    # ----- shutdown

    def close(self) -> None:
        for pk in list(self.workers):
            worker = self.workers[pk]
            self._call(worker, worker.stop)
        self.flush_stopped()
        if self.runner is not None:
            self.runner.close()
        self.selector.close()

    def flush_stopped(self) -> None:
        """On exit, say so: the cameras are offline while no supervisor runs."""
        message = "视频服务已停止 / the video service is stopped"
        reports = {
            pk: CameraReport(
                state=CameraState.OFFLINE, message=message, restarts=w.restarts, last_frame_at=w.last_frame_wall
            )
            for pk, w in self.workers.items()
        }
        with contextlib.suppress(Exception):
            _fresh_connection()
            apply_reports(
                {pk: replace(r, active=frozenset(self.flushed.get(pk, r).active)) for pk, r in reports.items()}
            )
        self.workers.clear()
