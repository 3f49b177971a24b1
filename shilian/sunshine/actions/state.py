"""Camera state as the video supervisor (and the nginx-rtmp hooks) saw it.

The only writer of ``Camera.state…`` fields and of ``CameraOutage`` rows. The supervisor calls
``apply_reports`` with the cameras whose report changed, a few seconds apart, in one
transaction; outages are opened only once they have lasted the debounce interval (the
supervisor decides: it passes the outages that should be open now with their start).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from shilian.sunshine.choices import CameraState, OutageKind
from shilian.sunshine.models import Camera, CameraOutage

STATE_FIELDS = [
    "state",
    "state_message",
    "state_since",
    "video_codec",
    "audio_codec",
    "width",
    "height",
    "black",
    "frozen",
    "last_frame_at",
    "restarts",
]


@dataclass(frozen=True)
class CameraReport:
    """What one worker says about its camera now."""

    state: str
    message: str = ""
    video_codec: str = ""
    audio_codec: str = ""
    width: int = 0
    height: int = 0
    black: bool = False
    frozen: bool = False
    last_frame_at: dt.datetime | None = None
    restarts: int = 0
    # the outages that should be open now (lasted the debounce interval): kind → (started at, message)
    outages: dict[str, tuple[dt.datetime, str]] = field(default_factory=dict)
    # every condition present now, debounced or not: an open outage of one of these kinds stays open
    active: frozenset[str] = frozenset()

    def same_as(self, other: CameraReport | None, *, frame_slack: float = 30.0) -> bool:
        """Equal but for a last-frame time that moved less than ``frame_slack`` seconds."""
        if other is None:
            return False
        mine = {k: v for k, v in vars(self).items() if k != "last_frame_at"}
        theirs = {k: v for k, v in vars(other).items() if k != "last_frame_at"}
        if mine != theirs:
            return False
        if (self.last_frame_at is None) != (other.last_frame_at is None):
            return False
        if self.last_frame_at is None or other.last_frame_at is None:
            return True
        return abs((self.last_frame_at - other.last_frame_at).total_seconds()) < frame_slack


def apply_reports(reports: dict[int, CameraReport], *, now: dt.datetime | None = None) -> int:
    """Write the reports of these cameras and open/close their outages; returns cameras written.

    Cameras deleted meanwhile are skipped. An outage whose condition is gone is closed at ``now``
    (for ``offline``: at the first frame seen again, which is the report's ``last_frame_at``).
    """
    if not reports:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        cameras = list(Camera.objects.filter(pk__in=list(reports)).only("pk", *STATE_FIELDS))
        open_rows: dict[tuple[int, str], CameraOutage] = {
            (o.camera_id, o.kind): o
            for o in CameraOutage.objects.filter(camera_id__in=list(reports), ended_at__isnull=True)
        }
        to_close: list[CameraOutage] = []
        to_open: list[CameraOutage] = []
        for camera in cameras:
            report = reports[camera.pk]
            if camera.state != report.state:
                camera.state_since = now
            camera.state = report.state
            camera.state_message = report.message[:300]
            camera.video_codec = report.video_codec[:20]
            camera.audio_codec = report.audio_codec[:20]
            camera.width, camera.height = report.width, report.height
            camera.black, camera.frozen = report.black, report.frozen
            if report.last_frame_at is not None:
                camera.last_frame_at = report.last_frame_at
            camera.restarts = report.restarts
            for kind in OutageKind.values:
                row = open_rows.get((camera.pk, kind))
                wanted = report.outages.get(kind)
                if wanted and row is None:
                    started, message = wanted
                    to_open.append(CameraOutage(camera=camera, kind=kind, started_at=started, message=message[:300]))
                elif row is not None and not wanted and kind not in report.active:
                    end = now
                    if kind == OutageKind.OFFLINE and report.last_frame_at and report.last_frame_at > row.started_at:
                        end = min(now, report.last_frame_at)
                    row.ended_at = end
                    to_close.append(row)
        Camera.objects.bulk_update(cameras, STATE_FIELDS)
        CameraOutage.objects.bulk_update(to_close, ["ended_at"])
        CameraOutage.objects.bulk_create(to_open)
    return len(cameras)


def mark_disabled(camera_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Cameras switched off: state ``disabled``, their open outages closed (an off camera is no outage)."""
    if not camera_ids:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        CameraOutage.objects.filter(camera_id__in=camera_ids, ended_at__isnull=True).update(ended_at=now)
        return (
            Camera.objects.filter(pk__in=camera_ids)
            .exclude(state=CameraState.DISABLED)
            .update(
                state=CameraState.DISABLED,
                state_since=now,
                state_message="",
                black=False,
                frozen=False,
            )
        )


def record_publish(camera: Camera, *, addr: str, now: dt.datetime | None = None) -> None:
    """nginx-rtmp accepted the camera's push (``on_publish``): connecting until frames arrive."""
    now = now or timezone.now()
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).exclude(state=CameraState.ONLINE).update(
            state=CameraState.STARTING,
            state_since=now,
            state_message=f"摄像头已开始推流（{addr}），等待画面 / the camera started pushing from {addr}, waiting for video"[
                :300
            ],
        )


def record_publish_done(camera: Camera, *, now: dt.datetime | None = None) -> None:
    """nginx-rtmp says the push ended (``on_publish_done``: closed, or idle past drop_idle_publisher)."""
    now = now or timezone.now()
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).exclude(state=CameraState.DISABLED).update(
            state=CameraState.OFFLINE,
            state_since=now,
            state_message="摄像头已停止推流 / the camera stopped pushing",
        )
