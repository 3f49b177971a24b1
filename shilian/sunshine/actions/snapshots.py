"""Keeping a camera's current frame as evidence (取证抓拍)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.sunshine.access import consumer_may_watch
from shilian.sunshine.choices import SnapshotPurpose
from shilian.sunshine.models import Camera, Snapshot
from shilian.sunshine.paths import latest_jpeg, video_root

# A frame older than this is not "the current picture": the camera is offline or hung.
FRESH_SECONDS = 10.0
JPEG_MAX_BYTES = 8 * 1024 * 1024
# How often the consumer still (the picture shown outside working hours) is renewed.
STILL_EVERY_SECONDS = 60.0


def read_latest_frame(camera: Camera, *, now: dt.datetime | None = None) -> tuple[bytes, dt.datetime]:
    """The camera's latest JPEG and its frame time, or ``camera_offline`` if none is recent.

    The worker replaces ``latest.jpg`` by rename, so the file opened is whole; its
    modification time is the frame time.
    """
    try:
        with open(latest_jpeg(camera.pk), "rb") as file:
            taken_at = dt.datetime.fromtimestamp(os.fstat(file.fileno()).st_mtime, tz=dt.UTC)
            data = file.read(JPEG_MAX_BYTES + 1)
    except FileNotFoundError:
        raise DomainError(
            "camera_offline", "摄像头尚无画面 / the camera has sent no picture yet", field="camera"
        ) from None
    age = ((now or timezone.now()) - taken_at).total_seconds()
    if age > FRESH_SECONDS:
        raise DomainError(
            "camera_offline",
            f"摄像头离线：最近画面在{int(age)}秒前 / the camera is offline: its last picture is {int(age)} s old",
            field="camera",
        )
    if not data.startswith(b"\xff\xd8\xff") or len(data) > JPEG_MAX_BYTES:
        raise DomainError("camera_offline", "摄像头画面无法读取 / the camera's picture is unreadable", field="camera")
    return data, taken_at


def store_snapshot(
    camera: Camera, data: bytes, *, taken_at: dt.datetime, purpose: str, acting_user: Any = None
) -> Snapshot:
    """Store the JPEG ``data`` as a Snapshot (content-addressed file) with its history row."""
    SnapshotPurpose(purpose)  # ValueError on a wrong purpose: a programming error
    sha256 = hashlib.sha256(data).hexdigest()
    path = f"snapshots/{sha256[:2]}/{sha256}.jpg"
    # Content-addressed: a rolled-back snapshot leaves at most a file the same frame reuses.
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(data))
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    with transaction.atomic():
        snapshot = Snapshot(camera=camera, taken_at=taken_at, sha256=sha256, purpose=purpose, taken_by=user)
        snapshot.image.name = path
        snapshot.save()
        record(
            "sunshine.snapshot",
            snapshot,
            acting_user=acting_user,
            jurisdiction_code=camera.enterprise.jurisdiction_id,
            camera=camera.pk,
            purpose=purpose,
            sha256=sha256,
        )
    return snapshot


def take_snapshot(camera: Camera, *, purpose: str, acting_user: Any = None) -> Snapshot:
    """Keep the camera's current frame (its ``latest.jpg``) as a Snapshot.

    Raises ``DomainError("camera_offline", field="camera")`` when there is no frame from the
    last ``FRESH_SECONDS`` seconds; nothing is written then.
    """
    data, taken_at = read_latest_frame(camera)
    return store_snapshot(camera, data, taken_at=taken_at, purpose=purpose, acting_user=acting_user)


def still_jpeg(camera_id: int) -> Path:
    """The consumer still: the camera's last frame from within its working hours."""
    return video_root() / "still" / f"{int(camera_id)}.jpg"


def refresh_public_still(camera: Camera, *, now: dt.datetime | None = None) -> Path | None:
    """Renew the consumer still from ``latest.jpg`` while consumers may watch the camera.

    Outside working hours consumers see this still, never a newer frame. A file copy (no
    database write), at most once a ``STILL_EVERY_SECONDS`` per camera; called when the
    camera's frame or the consumer slot is asked for, and by the video supervisor.
    Returns the still's path, or None when consumers may not watch now or no fresh frame exists.
    """
    now = now or timezone.now()
    if not consumer_may_watch(camera, now):
        return None
    target = still_jpeg(camera.pk)
    try:
        if now.timestamp() - target.stat().st_mtime < STILL_EVERY_SECONDS:
            return target
    except FileNotFoundError:
        pass
    try:
        data, taken_at = read_latest_frame(camera, now=now)
    except DomainError:
        return None
    if not consumer_may_watch(camera, taken_at):
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.utime(tmp, (taken_at.timestamp(), taken_at.timestamp()))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
