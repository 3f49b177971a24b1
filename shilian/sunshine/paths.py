"""Where camera video lives on disk: ``settings.DATA_DIR / "video"``.

``live/<camera id>/`` holds the rolling HLS playlist (``index.m3u8`` + ``seg*.ts``) and
``latest.jpg`` (the last keyframe, replaced atomically by rename, about once a second);
``rec/<camera id>/`` holds the finished recording segments (MP4). The web pages serve these
through Django views with the access checks (embedded mode); nginx serves them in production.
"""

from pathlib import Path

from django.conf import settings


def video_root() -> Path:
    """The root folder of all camera video."""
    return Path(settings.DATA_DIR) / "video"


def live_dir(camera_id: int) -> Path:
    """The camera's live folder: index.m3u8, seg*.ts and latest.jpg."""
    return video_root() / "live" / str(int(camera_id))


def latest_jpeg(camera_id: int) -> Path:
    """The camera's latest keyframe as JPEG (may be missing or stale: check its mtime)."""
    return live_dir(camera_id) / "latest.jpg"


def playlist(camera_id: int) -> Path:
    """The camera's rolling HLS playlist."""
    return live_dir(camera_id) / "index.m3u8"


def recordings_dir(camera_id: int) -> Path:
    """The camera's finished recording segments."""
    return video_root() / "rec" / str(int(camera_id))
