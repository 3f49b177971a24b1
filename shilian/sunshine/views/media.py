"""Camera media through Django (the embedded mode; nginx serves the same files in production).

Who may fetch what: operators their own cameras, inspectors every camera of their area,
at any hour; anyone else (consumers) only a camera the workshop made public, within its
working hours (``access.consumer_may_watch``), and outside them only its consumer still
(a frame taken within them). Recordings are played by consumers only through the signed
links of the consumer page's "how this lot was made". Missing and forbidden answer the
same 404. Playlists are never cached; segments, frames and recordings briefly.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from shilian.core.errors import NotFoundError
from shilian.sunshine.access import (
    access_camera,
    access_finding,
    cameras_for,
    consumer_may_watch,
    within_working_hours,
)
from shilian.sunshine.actions.snapshots import refresh_public_still, still_jpeg
from shilian.sunshine.models import Camera, FindingReply, Recording, Snapshot
from shilian.sunshine.paths import latest_jpeg, live_dir, playlist, video_root
from shilian.sunshine.views.ratelimit import MEDIA_RATE, too_many

SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(ts|m4s|mp4)$")
SEGMENT_TYPES = {"ts": "video/mp2t", "m4s": "video/iso.segment", "mp4": "video/mp4"}
RECORDING_SALT = "sunshine.recording"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def staff_camera(user: Any, pk: int) -> Camera | None:
    """The camera when the user may view it as its operator or an inspector."""
    if not user.is_authenticated:
        return None
    try:
        return access_camera(user, pk)
    except NotFoundError:
        return None


def watchable_camera(request: HttpRequest, pk: int, *, now: dt.datetime | None = None) -> tuple[Camera, bool]:
    """The camera and whether the viewer is staff (operator/inspector); consumers only while
    ``consumer_may_watch``. Http404 otherwise."""
    camera = staff_camera(request.user, pk)
    if camera is not None:
        return camera, True
    camera = Camera.objects.filter(pk=pk).first()
    if camera is None or not consumer_may_watch(camera, now):
        raise Http404("camera")
    return camera, False


def _limited(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    return too_many(request, "sunshine.media", MEDIA_RATE)


def _cache(response: HttpResponseBase, staff: bool, seconds: int) -> HttpResponseBase:
    response["Cache-Control"] = f"{'private' if staff else 'public'}, max-age={seconds}" if seconds else "no-cache"
    return response


def _file(path: Path, content_type: str) -> FileResponse:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("file") from None
    response = FileResponse(handle, content_type=content_type)
    response["Last-Modified"] = http_date(os.fstat(handle.fileno()).st_mtime)
    return response


@require_safe
def live_playlist(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The rolling HLS playlist (segment names relative to it), never cached."""
    limited = _limited(request)
    if limited is not None:
        return limited
    camera, staff = watchable_camera(request, pk)
    try:
        body = playlist(camera.pk).read_bytes()
    except FileNotFoundError:
        raise Http404("playlist") from None
    return _cache(HttpResponse(body, content_type="application/vnd.apple.mpegurl"), staff, 0)


@require_safe
def live_segment(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    limited = _limited(request)
    if limited is not None:
        return limited
    match = SEGMENT.match(name)
    if match is None:
        raise Http404("segment")
    camera, staff = watchable_camera(request, pk)
    return _cache(_file(live_dir(camera.pk) / name, SEGMENT_TYPES[match[1]]), staff, 30)


@require_safe
def latest_frame(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The camera's last keyframe as JPEG (``X-Frame-Time`` says when); for the wall's tiles."""
    limited = _limited(request)
    if limited is not None:
        return limited
    camera, staff = watchable_camera(request, pk)
    refresh_public_still(camera)
    response = _file(latest_jpeg(camera.pk), "image/jpeg")
    response["X-Frame-Time"] = response["Last-Modified"]
    return _cache(response, staff, 0)


@require_safe
def consumer_still(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The picture consumers see outside working hours: the last frame taken within them."""
    limited = _limited(request)
    if limited is not None:
        return limited
    camera = Camera.objects.filter(pk=pk, enabled=True, public=True).first()
    if camera is None:
        raise Http404("camera")
    path = still_jpeg(camera.pk)
    try:
        taken_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    except FileNotFoundError:
        raise Http404("still") from None
    if not within_working_hours(camera, taken_at):
        raise Http404("still")
    return _cache(_file(path, "image/jpeg"), False, 60)


def recording_signature(recording: Recording) -> str:
    return signing.Signer(salt=RECORDING_SALT).signature(str(recording.pk))


def consumer_may_play(recording: Recording) -> bool:
    """A consumer plays a recording of a public camera made within its working hours."""
    camera = recording.camera
    return (
        camera.public
        and within_working_hours(camera, recording.started_at)
        and within_working_hours(camera, max(recording.started_at, recording.ended_at - dt.timedelta(seconds=1)))
    )


@require_safe
def recording_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A recorded MP4 segment, with byte ranges (browsers seek in it)."""
    limited = _limited(request)
    if limited is not None:
        return limited
    recording = Recording.objects.select_related("camera").filter(pk=pk).first()
    if recording is None:
        raise Http404("recording")
    staff = staff_camera(request.user, recording.camera_id) is not None
    if not staff:
        given = request.GET.get("s", "")
        if not given or not constant_time_compare(given, recording_signature(recording)):
            raise Http404("recording")
        if not consumer_may_play(recording):
            raise Http404("recording")
    path = (video_root() / recording.path).resolve()
    if video_root().resolve() not in path.parents:
        raise Http404("recording")
    return _cache(ranged_file(request, path, "video/mp4"), staff, 3600)


def ranged_file(request: HttpRequest, path: Path, content_type: str) -> HttpResponseBase:
    """The file, or the one byte range asked for (206); 416 for a range past its end."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise Http404("file") from None
    match = _RANGE.match(request.META.get("HTTP_RANGE", "").strip())
    if match is None or not (match[1] or match[2]):
        response: HttpResponseBase = _file(path, content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:  # the last N bytes
        start, end = max(0, size - int(match[2])), size - 1
    if start >= size or end < start:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with open(path, "rb") as handle:
        handle.seek(start)
        body = handle.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response


@require_safe
def snapshot_image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A kept snapshot: for the camera's operator and the inspectors of its area."""
    if not request.user.is_authenticated:
        raise Http404("snapshot")
    snapshot = Snapshot.objects.filter(pk=pk, camera__in=cameras_for(request.user)).first()
    if snapshot is None:
        raise Http404("snapshot")
    return _stored(str(snapshot.image.name), "image/jpeg")


@require_safe
def reply_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The photo of a workshop's answer: whoever may view the finding."""
    reply = FindingReply.objects.filter(pk=pk).exclude(photo="").first()
    if reply is None or not request.user.is_authenticated:
        raise Http404("photo")
    try:
        access_finding(request.user, reply.finding_id)
    except NotFoundError:
        raise Http404("photo") from None
    name = str(reply.photo.name)
    extension = name.rsplit(".", 1)[-1]
    content_type = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}.get(extension)
    return _stored(name, content_type or "application/octet-stream")


def _stored(name: str, content_type: str) -> HttpResponseBase:
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("file") from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def frame_version(camera_id: int) -> str:
    """A cache-busting token for the camera's latest frame (its modification time)."""
    try:
        return str(int(latest_jpeg(camera_id).stat().st_mtime))
    except FileNotFoundError:
        return "0"


def frame_age(camera_id: int, now: dt.datetime | None = None) -> float | None:
    try:
        mtime = latest_jpeg(camera_id).stat().st_mtime
    except FileNotFoundError:
        return None
    return (now or timezone.now()).timestamp() - mtime
