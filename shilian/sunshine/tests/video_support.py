"""Shared pieces of the video tests: short timings, clips, simulated cameras, a stepping loop."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shilian.core.testing import factories as f
from shilian.sunshine.choices import Ingest, Room
from shilian.sunshine.models import Camera
from shilian.sunshine.testing.rtsp_camera import make_clip
from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.video.supervisor import Supervisor

CLIPS = Path(tempfile.gettempdir()) / "shilian-video-clips"

# Everything short, so the whole end-to-end run stays well under a minute.
FAST = VideoConfig(
    stall_seconds=3.0,
    startup_grace_seconds=8.0,
    backoff_max_seconds=2.0,
    frozen_seconds=3.0,
    debounce_seconds=2.0,
    flush_seconds=0.4,
    reconcile_seconds=1.0,
    segment_seconds=3,
    index_seconds=1.0,
    retention_seconds=1.0,
    min_free_bytes=0,
)


def config(**changes: Any) -> VideoConfig:
    return dataclasses.replace(FAST, **changes)


def clip(pattern: str = "moving", codec: str = "h264", seconds: int = 60) -> Path:
    CLIPS.mkdir(exist_ok=True)
    name = f"{pattern}-{seconds}s.{'hevc' if codec == 'h265' else 'h264'}.mkv"
    return make_clip(CLIPS / name, pattern=pattern, seconds=seconds, codec=codec)


def make_camera(enterprise: Any = None, **fields: Any) -> Camera:
    enterprise = enterprise or f.make_enterprise()
    fields.setdefault("name", "加工间")
    fields.setdefault("room", Room.PROCESSING)
    fields.setdefault("ingest", Ingest.PULL)
    fields.setdefault("analyses", False)
    return Camera.objects.create(enterprise=enterprise, **fields)


def run_until(supervisor: Supervisor, done: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Step the supervisor until ``done()`` is truthy (checked after each step); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.step(0.2)
        supervisor.flush()
        result = done()
        if result:
            return result
    states = {c.pk: (c.name, c.state, c.state_message) for c in Camera.objects.all()}
    pytest.fail(f"timed out after {timeout} s waiting for {what}: {states}")


def state(camera: Camera) -> tuple[str, str]:
    camera.refresh_from_db()
    return camera.state, camera.state_message
