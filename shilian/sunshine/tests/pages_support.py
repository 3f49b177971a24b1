"""Helpers for the pages' tests (this module holds no tests): two Wenling workshops with
cameras, one user per actor of the permission matrix, frames on disk, row counts."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.sunshine.actions.cameras import CameraSpec, create_camera
from shilian.sunshine.models import Camera, CameraOutage, Finding, FindingReply, Patrol, Recording, Snapshot
from shilian.sunshine.paths import latest_jpeg

ACTORS = ("anonymous", "operator", "other_operator", "inspector_in", "inspector_out", "admin")
ALL_DAYS = "1234567"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def jpeg(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (64, 36)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def put_frame(camera: Camera, data: bytes | None = None, *, age: float = 0.0) -> Path:
    """Write the camera's latest.jpg as the worker would, ``age`` seconds old."""
    path = latest_jpeg(camera.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data or jpeg())
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def make_camera(enterprise: Any, **kwargs: Any) -> Camera:
    spec = CameraSpec(**{"name": "加工间1", "work_days": ALL_DAYS, **kwargs})
    return create_camera(enterprise, spec, acting_user=None)


def all_day(**kwargs: Any) -> dict[str, Any]:
    """Working hours that include any moment (00:00 → 23:59:59 every day)."""
    return {"work_days": ALL_DAYS, "work_start": dt.time(0, 0), "work_end": dt.time(0, 0), **kwargs}  # around the clock


def never(**kwargs: Any) -> dict[str, Any]:
    """Working hours outside which every test runs: a one-second window a day is close enough
    to never; tests needing certainty pass ``when``."""
    return {"work_days": ALL_DAYS, "work_start": dt.time(3, 0), "work_end": dt.time(3, 0, 1), **kwargs}


def counts() -> dict[str, int]:
    return {
        "cameras": Camera.objects.count(),
        "outages": CameraOutage.objects.count(),
        "snapshots": Snapshot.objects.count(),
        "recordings": Recording.objects.count(),
        "patrols": Patrol.objects.count(),
        "findings": Finding.objects.count(),
        "replies": FindingReply.objects.count(),
        "history": HistoryEntry.objects.count(),
        "keys": len(set(Camera.objects.values_list("stream_key", flat=True))),
        "states": hash(tuple(Camera.objects.order_by("pk").values_list("name", "enabled", "public", "stream_key"))),
        "finding_states": hash(tuple(Finding.objects.order_by("pk").values_list("status", "deadline"))),
    }


@pytest.fixture
def video_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path / "video"


@pytest.fixture
def world(video_dir: Path) -> dict[str, Any]:
    """Shitang workshop (Wenling, 331081102) with a public processing-room camera and a
    private storage-room one; Zeguo workshop (331081104) with one camera; the actors."""
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    other = f.make_enterprise(jurisdiction="331081104", name="泽国糕点作坊")
    users = f.make_actors(workshop, other)
    camera = make_camera(workshop, **all_day(name="加工间"))
    storage = make_camera(workshop, **all_day(name="仓库", room="storage", public=False))
    elsewhere = make_camera(other, **all_day(name="泽国加工间"))
    return {
        "workshop": workshop,
        "other": other,
        "users": users,
        "camera": camera,
        "storage": storage,
        "elsewhere": elsewhere,
        "video_dir": video_dir,
    }
