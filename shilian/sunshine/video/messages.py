"""What ffmpeg's error lines mean for the camera's owner, in Chinese first then English."""

from __future__ import annotations

import re

from shilian.sunshine.choices import CameraState

PLAYABLE_VIDEO = {"h264"}
PLAYABLE_AUDIO = {"aac", "mp3"}
CODEC_NAMES = {"hevc": "H.265 (HEVC)", "h265": "H.265 (HEVC)", "pcm_alaw": "G.711 A-law", "pcm_mulaw": "G.711 μ-law"}

# (pattern in ffmpeg's stderr, state, message)
_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"No space left on device", re.I),
        CameraState.ERROR,
        "磁盘已满，无法写入视频 / the disk is full: video cannot be written",
    ),
    (
        re.compile(r"App field don't match up", re.I),
        CameraState.OFFLINE,
        "拒绝了一次推流：推流密钥错误 / refused a push with a wrong stream key",
    ),
    (
        re.compile(r"Address already in use", re.I),
        CameraState.ERROR,
        "推流端口被占用 / the push port is already in use on the server",
    ),
    (
        re.compile(r"401 Unauthorized|authorization failed", re.I),
        CameraState.ERROR,
        "摄像头拒绝了用户名或密码（401） / the camera refused the user name or password (401)",
    ),
    (
        re.compile(r"404 Not Found|method DESCRIBE failed: 404", re.I),
        CameraState.ERROR,
        "摄像头上没有这个码流路径（404） / the camera has no stream at this path (404)",
    ),
    (
        re.compile(r"Connection refused", re.I),
        CameraState.OFFLINE,
        "无法连接摄像头：连接被拒绝，请检查地址和端口 / cannot reach the camera: connection refused (check address and port)",
    ),
    (
        re.compile(r"timed out|No route to host|Network is unreachable|Host is unreachable", re.I),
        CameraState.OFFLINE,
        "无法连接摄像头：网络不通或超时 / cannot reach the camera: no route or timed out",
    ),
    (
        re.compile(r"Name or service not known|Temporary failure in name resolution|Failed to resolve", re.I),
        CameraState.ERROR,
        "无法解析摄像头地址中的主机名 / the host name in the camera address does not resolve",
    ),
    (
        re.compile(r"Invalid data found|does not contain any stream|Output file #\d+ does not contain", re.I),
        CameraState.ERROR,
        "收到的不是可用的视频 / the data received is not usable video",
    ),
]

STREAM_LINE = re.compile(r"Stream #0:\d+.*?: (Video|Audio): (\w+)(?:.*?, (\d{2,5})x(\d{2,5}))?")


def classify(lines: list[str]) -> tuple[str, str] | None:
    """The state and message for the most telling error among ffmpeg's last lines, or None."""
    text = "\n".join(lines)
    for pattern, state, message in _RULES:
        if pattern.search(text):
            return state, message
    return None


def last_error(lines: list[str]) -> str:
    for line in reversed(lines):
        for level in ("[error]", "[fatal]"):
            if level in line[:60]:
                return line.split(level, 1)[1].strip()[:160]
    return ""


def unplayable_message(codec: str) -> str:
    name = CODEC_NAMES.get(codec, codec)
    return (
        f"摄像头发送的是 {name} 编码，浏览器无法播放：请把摄像头（子码流）设为 H.264 / "
        f"the camera sends {name}, which browsers cannot play: set its (sub)stream to H.264"
    )


def audio_message(codec: str) -> str:
    name = CODEC_NAMES.get(codec, codec)
    return f"音频 {name} 不转发 / audio ({name}) is not relayed"
