"""The video supervisor's settings.

Each value comes from the Django setting of the same name if the lead adds it to
``settings/base.py``, else from the environment variable of that name, else the default.
Tests pass a ``VideoConfig`` built with ``dataclasses.replace`` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


@dataclass(frozen=True)
class VideoConfig:
    # push ingest: "embedded" = one `ffmpeg -listen 1` per push camera on port RTMP_PORT_BASE + camera id;
    # "nginx" = nginx-rtmp receives (deploy/nginx/rtmp.conf), the worker reads it back from NGINX_RTMP_URL/<key>
    rtmp_ingest: str = "embedded"
    rtmp_host: str = "127.0.0.1"  # the address embedded listeners bind (0.0.0.0 to accept cameras from outside)
    rtmp_port_base: int = 19000
    nginx_rtmp_url: str = "rtmp://127.0.0.1:1935/live"
    segment_seconds: int = 60  # recording segment length
    hls_list_size: int = 6  # 1 s segments in the rolling playlist
    stall_seconds: float = 8.0  # no frame for this long: offline, the hung ffmpeg is killed
    startup_grace_seconds: float = 12.0  # a pull camera must deliver its first frame within this
    backoff_max_seconds: float = 30.0  # restart backoff 1, 2, 4 … up to this
    frozen_seconds: float = 30.0  # identical thumbnails for this long: frozen
    black_luma: float = 20.0  # mean luma (0-255) below this: black
    frozen_diff: float = 0.3  # mean thumbnail difference below this: same picture
    debounce_seconds: float = 60.0  # an outage is stored only when it lasts this long
    flush_seconds: float = 3.0  # one DB transaction for the changed cameras at most this often
    reconcile_seconds: float = 5.0  # re-read the camera list this often
    retention_days: int = 30  # recordings older than this are deleted (unless a lot on the market pins them)
    min_free_bytes: int = 2 * 1024**3  # below this free space: oldest recordings go; if none left, recording stops
    index_seconds: float = 10.0  # look for finished recording segments this often
    retention_seconds: float = 60.0
    detection_seconds: float = 5.0  # one analysed frame per camera this often (cameras with analyses on)
    making_window_minutes: int = 30
    # False = relay only: no decoding at all (no snapshots, no black/frozen checks); liveness and the
    # watchdog then come from ffmpeg's progress report (frames relayed), once a second
    snapshots: bool = True

    @classmethod
    def from_settings(cls) -> VideoConfig:
        d = cls()
        return cls(
            rtmp_ingest=_get("SHILIAN_RTMP_INGEST", d.rtmp_ingest),
            rtmp_host=_get("SHILIAN_RTMP_HOST", d.rtmp_host),
            rtmp_port_base=int(_get("SHILIAN_RTMP_PORT_BASE", str(d.rtmp_port_base))),
            nginx_rtmp_url=_get("SHILIAN_NGINX_RTMP_URL", d.nginx_rtmp_url).rstrip("/"),
            segment_seconds=int(_get("SHILIAN_RECORDING_SEGMENT_S", str(d.segment_seconds))),
            stall_seconds=float(_get("SHILIAN_VIDEO_STALL_S", str(d.stall_seconds))),
            startup_grace_seconds=float(_get("SHILIAN_VIDEO_GRACE_S", str(d.startup_grace_seconds))),
            frozen_seconds=float(_get("SHILIAN_VIDEO_FROZEN_S", str(d.frozen_seconds))),
            debounce_seconds=float(_get("SHILIAN_VIDEO_DEBOUNCE_S", str(d.debounce_seconds))),
            retention_days=int(_get("SHILIAN_RECORDING_DAYS", str(d.retention_days))),
            min_free_bytes=int(float(_get("SHILIAN_VIDEO_MIN_FREE_MB", str(d.min_free_bytes / 1024**2))) * 1024**2),
            detection_seconds=float(_get("SHILIAN_DETECTION_INTERVAL_S", str(d.detection_seconds))),
            making_window_minutes=int(_get("SHILIAN_MAKING_WINDOW_MIN", str(d.making_window_minutes))),
            snapshots=_get("SHILIAN_VIDEO_SNAPSHOTS", "1") not in ("0", "false", "no", "off"),
        )
