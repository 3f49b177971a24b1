"""Which ffmpeg binary the video workers run.

Order: the ``SHILIAN_FFMPEG`` environment variable, then ``ffmpeg`` on PATH (Debian's, with
the system's codecs), then the static binary shipped in the ``imageio-ffmpeg`` wheel, so that
``make run`` works on a machine without a system ffmpeg.
"""

import os
import shutil


def ffmpeg_exe() -> str:
    """The path of the ffmpeg executable to run."""
    configured = os.environ.get("SHILIAN_FFMPEG", "").strip()
    if configured:
        return configured
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg  # noqa: PLC0415 — only the fallback

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def ffprobe_exe() -> str | None:
    """ffprobe beside the chosen ffmpeg, or on PATH; None when there is none (the static wheel has none)."""
    beside = os.path.join(os.path.dirname(ffmpeg_exe()), "ffprobe")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("ffprobe")
