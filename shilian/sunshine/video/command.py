"""The one ffmpeg command line per camera: relay (HLS, copied), keyframes, thumbnails, recording.

::

    camera ─RTSP/TCP, or RTMP (listened for, or read back from nginx-rtmp)─> ffmpeg -skip_frame nokey
        ├─ -c copy ─> live/<id>/index.m3u8 + seg<n>.ts        (1 s segments, 6 in the playlist)
        ├─ keyframes ≥ 1 s apart ─> mjpeg ─> live/<id>/latest.jpg   (written to a temp file, renamed)
        ├─ same frames ─> 32x18 gray ─> pipe:<fd>              (health: black, frozen, frame times)
        └─ -c copy ─> rec/<id>/<UTC start>-r<run>.mp4          (fragmented MP4 segments, optional)

Nothing is transcoded; only keyframes are decoded. Only the first video stream is relayed:
audio is dropped (G.711 cannot be carried to browsers, and kitchens need no sound).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.video.ffmpeg import ffmpeg_exe

THUMB_W, THUMB_H = 32, 18
THUMB_BYTES = THUMB_W * THUMB_H
PULL_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps")


@dataclass(frozen=True)
class Source:
    """Where one camera's video comes from."""

    url: str
    listen: bool = False  # an embedded RTMP listener waiting for the camera to push
    push: bool = False  # a push camera (embedded listener or read back from nginx-rtmp)


def source_for(camera_id: int, ingest: str, source_url: str, stream_key: str, config: VideoConfig) -> Source:
    """The ffmpeg input of a camera. Raises ValueError on a pull URL ffmpeg must not open."""
    if ingest == "push":
        if config.rtmp_ingest == "nginx":
            return Source(f"{config.nginx_rtmp_url}/{stream_key}", push=True)
        # ffmpeg's listen mode refuses a publisher whose RTMP application differs: the key is the application
        return Source(
            f"rtmp://{config.rtmp_host}:{push_port(camera_id, config)}/{stream_key}/live", listen=True, push=True
        )
    scheme = urlsplit(source_url).scheme.lower()
    if scheme not in PULL_SCHEMES:
        raise ValueError(f"unsupported address scheme {scheme or '(none)'!r}: use rtsp://")
    return Source(source_url)


def push_port(camera_id: int, config: VideoConfig) -> int:
    return config.rtmp_port_base + int(camera_id)


def build_command(
    source: Source, *, live: Path, rec: Path | None, thumb_fd: int, run: int, config: VideoConfig, relay: bool = True
) -> list[str]:
    """The ffmpeg argv for one camera worker run (``run`` keeps recording file names unique).

    ``relay=False`` (a codec browsers cannot play) leaves out the HLS output: keyframes and health only.
    """
    argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", "-loglevel", "level+info"]
    if not config.snapshots:  # relay only: frames relayed, reported once a second on the pipe (no decoding)
        argv += ["-progress", f"pipe:{thumb_fd}", "-stats_period", "1"]
    scheme = urlsplit(source.url).scheme.lower()
    if scheme.startswith("rtsp"):
        argv += ["-rtsp_transport", "tcp", "-timeout", str(int(config.stall_seconds * 2 * 1_000_000))]
    if source.listen:
        argv += ["-listen", "1"]
    if config.snapshots:
        argv += ["-skip_frame", "nokey"]
    argv += ["-analyzeduration", "1000000", "-probesize", "500000"]
    argv += ["-protocol_whitelist", "rtsp,rtsps,rtmp,rtmps,tcp,udp,rtp,tls,srtp", "-i", source.url]
    if config.snapshots:
        pick = "select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,1)'"
        argv += [
            "-filter_complex", f"[0:v:0]{pick},split=2[jpeg][t0];[t0]scale={THUMB_W}:{THUMB_H},format=gray[thumb]"
        ]  # fmt: skip
    argv += [] if not relay else [
        "-map", "0:v:0", "-c", "copy", "-f", "hls",
        "-hls_time", "1", "-hls_list_size", str(config.hls_list_size),
        "-hls_flags", "delete_segments+temp_file+independent_segments+omit_endlist",
        "-hls_start_number_source", "epoch",
        "-hls_segment_filename", str(live / "seg%d.ts"), str(live / "index.m3u8"),
    ]  # fmt: skip
    if config.snapshots:
        argv += [
            "-map", "[jpeg]", "-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", "5",
            "-f", "image2", "-update", "1", "-atomic_writing", "1", str(live / "latest.jpg"),
        ]  # fmt: skip
        argv += ["-map", "[thumb]", "-fps_mode", "passthrough", "-f", "rawvideo", f"pipe:{thumb_fd}"]
    elif not relay:  # nothing to relay and nothing decoded: count the camera's frames all the same
        argv += ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    if rec is not None:
        argv += [
            "-map", "0:v:0", "-c", "copy", "-f", "segment",
            "-segment_time", str(config.segment_seconds), "-segment_format", "mp4",
            "-segment_format_options", "movflags=+frag_keyframe+empty_moov+default_base_moof",
            "-reset_timestamps", "1", "-strftime", "1", str(rec / f"%Y%m%d-%H%M%S-r{run}.mp4"),
        ]  # fmt: skip
    return argv
