"""Recorded segments: indexing the files the workers finish, retention, and "how this lot was made".

Workers write ``rec/<camera id>/<UTC start>-r<run>.mp4`` (fragmented MP4, so a segment cut
short by a killed ffmpeg still plays). Once finished, a segment is moved into a folder per
day, ``rec/<id>/<YYYY-MM-DD>/``, and gets a ``Recording`` row: the camera's top folder only
ever holds the one or two files being written.

Retention goes by age (``retention_days``) and by free disk (``min_free_bytes``). A segment of
a processing room that overlaps the making of a lot still on the market (not past its
expiry; lots without expiry count as on the market) is pinned (``keep_until``) and survives
the age rule; when the disk is short, unpinned segments go first, oldest first, then pinned
ones (logged), and if that is not enough the supervisor stops recording.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shilian.chain.choices import EventType, LineRole
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.sunshine.choices import Room
from shilian.sunshine.models import Camera, Recording
from shilian.sunshine.paths import recordings_dir, video_root
from shilian.sunshine.video.config import VideoConfig

log = logging.getLogger("shilian.sunshine.video")

AFTER_EVENT = dt.timedelta(minutes=5)
NO_EXPIRY = dt.date(9999, 12, 31)  # keep_until of a segment pinned by a lot without expiry date
MIN_SEGMENT_BYTES = 1024  # smaller: ffmpeg was killed before the first fragment


def making_window(occurred_at: dt.datetime, *, minutes: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The time around a transformation event its recording covers."""
    before = minutes if minutes is not None else VideoConfig.from_settings().making_window_minutes
    return occurred_at - dt.timedelta(minutes=before), occurred_at + AFTER_EVENT


def making_of(lot: Lot) -> list[Recording]:
    """Recordings of the maker's processing rooms during the (not voided) transformation that made ``lot``."""
    occurred = list(
        TraceEvent.objects.filter(
            event_type=EventType.TRANSFORM,
            lines__lot=lot,
            lines__role=LineRole.OUTPUT,
            voided_by__isnull=True,
        )
        .values_list("enterprise_id", "occurred_at")
        .distinct()
    )
    if not occurred:
        return []
    overlap = Q()
    for enterprise_id, occurred_at in occurred:
        start, end = making_window(occurred_at)
        overlap |= Q(camera__enterprise_id=enterprise_id, started_at__lt=end, ended_at__gt=start)
    return list(
        Recording.objects.filter(overlap, camera__room=Room.PROCESSING)
        .select_related("camera")
        .order_by("camera_id", "started_at")
    )


# ----- indexing


def parse_start(name: str) -> dt.datetime | None:
    """The UTC start time in a worker's file name ``YYYYmmdd-HHMMSS-r<run>.mp4``."""
    try:
        return dt.datetime.strptime(name[:15], "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def add_recording(camera: Camera, file: Path, *, started_at: dt.datetime, ended_at: dt.datetime) -> Recording:
    """Move a finished MP4 segment into the camera's day folder and index it (returns the row).

    Also what tests use to register a clip made without a worker.
    """
    day = timezone.localdate(started_at)
    folder = recordings_dir(camera.pk) / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file.name
    if file.resolve() != target.resolve():
        shutil.move(str(file), target)
    relative = target.relative_to(video_root()).as_posix()
    size = target.stat().st_size
    with transaction.atomic():
        recording, _ = Recording.objects.update_or_create(
            path=relative,
            defaults={"camera": camera, "started_at": started_at, "ended_at": ended_at, "size": size},
        )
    return recording


def index_finished(camera_ids: list[int], *, settle_seconds: float, now: float | None = None) -> list[Recording]:
    """Index the segments workers have finished (not written to for ``settle_seconds``, or not the newest)."""
    now = now if now is not None else time.time()
    found: list[tuple[int, Path, dt.datetime, dt.datetime]] = []
    for camera_id in camera_ids:
        top = recordings_dir(camera_id)
        try:
            files = sorted(entry for entry in top.iterdir() if entry.suffix == ".mp4" and entry.is_file())
        except FileNotFoundError:
            continue
        newest = max(files, key=lambda f: f.stat().st_mtime, default=None)
        for file in files:
            stat = file.stat()
            if file == newest and now - stat.st_mtime < settle_seconds:
                continue  # still being written
            started = parse_start(file.name)
            if started is None or stat.st_size < MIN_SEGMENT_BYTES:
                file.unlink(missing_ok=True)
                continue
            ended = max(dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC), started + dt.timedelta(seconds=1))
            found.append((camera_id, file, started, ended))
    if not found:
        return []
    cameras = Camera.objects.in_bulk([c for c, *_ in found])
    made = []
    for camera_id, file, started, ended in found:
        camera = cameras.get(camera_id)
        if camera is None:
            file.unlink(missing_ok=True)  # the camera was deleted
            continue
        made.append(add_recording(camera, file, started_at=started, ended_at=ended))
    return made


# ----- retention


def _pins(recordings: list[Recording], *, today: dt.date, window_minutes: int) -> dict[int, dt.date]:
    """keep_until for those of ``recordings`` that show the making of a lot still on the market."""
    processing = [r for r in recordings if r.camera.room == Room.PROCESSING]
    if not processing:
        return {}
    before = dt.timedelta(minutes=window_minutes)
    start = min(r.started_at for r in processing) - AFTER_EVENT
    end = max(r.ended_at for r in processing) + before
    lines = (
        EventLine.objects.filter(
            role=LineRole.OUTPUT,
            event__event_type=EventType.TRANSFORM,
            event__voided_by__isnull=True,
            event__enterprise_id__in={r.camera.enterprise_id for r in processing},
            event__occurred_at__gte=start,
            event__occurred_at__lte=end,
        )
        .filter(Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=today))
        .values_list("event__enterprise_id", "event__occurred_at", "lot__expires_on")
    )
    pins: dict[int, dt.date] = {}
    for enterprise_id, occurred_at, expires_on in lines:
        w_start, w_end = occurred_at - before, occurred_at + AFTER_EVENT
        until = expires_on or NO_EXPIRY
        for r in processing:
            if r.camera.enterprise_id == enterprise_id and r.started_at < w_end and r.ended_at > w_start:
                pins[r.pk] = max(pins.get(r.pk, until), until)
    return pins


def _delete(recordings: list[Recording]) -> int:
    freed = 0
    root = video_root()
    for r in recordings:
        try:
            freed += (root / r.path).stat().st_size
            (root / r.path).unlink()
        except FileNotFoundError:
            pass
    Recording.objects.filter(pk__in=[r.pk for r in recordings]).delete()
    return freed


@dataclass
class RetentionResult:
    deleted_by_age: int = 0
    pinned: int = 0
    deleted_for_space: int = 0
    pinned_deleted_for_space: int = 0
    free_bytes: int = 0
    disk_full: bool = False


def apply_retention(
    config: VideoConfig, *, now: dt.datetime | None = None, free_bytes: int | None = None, batch: int = 500
) -> RetentionResult:
    """Delete segments past the age limit (unless pinned), then oldest ones while the disk is short."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = RetentionResult()
    cutoff = now - dt.timedelta(days=config.retention_days)
    old = list(
        Recording.objects.filter(ended_at__lt=cutoff)
        .filter(Q(keep_until__isnull=True) | Q(keep_until__lt=today))
        .select_related("camera")
        .order_by("started_at")[:batch]
    )
    pins = _pins(old, today=today, window_minutes=config.making_window_minutes)
    if pins:
        with transaction.atomic():
            for pk, until in pins.items():
                Recording.objects.filter(pk=pk).update(keep_until=until)
        result.pinned = len(pins)
    result.deleted_by_age = len(old) - len(pins)
    _delete([r for r in old if r.pk not in pins])

    free = free_bytes if free_bytes is not None else disk_free()
    short = config.min_free_bytes - free
    if short > 0:
        for pinned in (False, True):
            if short <= 0:
                break
            pinned_q = Q(keep_until__gte=today) if pinned else Q(keep_until__isnull=True) | Q(keep_until__lt=today)
            while short > 0:
                chunk = list(Recording.objects.filter(pinned_q).order_by("started_at")[:50])
                if not chunk:
                    break
                take, need = [], short
                for r in chunk:
                    take.append(r)
                    need -= max(r.size, 1)
                    if need <= 0:
                        break
                _delete(take)
                short = need if free_bytes is not None else config.min_free_bytes - disk_free()
                if pinned:
                    result.pinned_deleted_for_space += len(take)
                    log.warning("disk short: deleted %s pinned recordings (lots on the market)", len(take))
                else:
                    result.deleted_for_space += len(take)
    result.free_bytes = free
    result.disk_full = short > 0
    return result


def disk_free() -> int:
    root = video_root()
    root.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(root).free
