"""One camera's worker: its ffmpeg process, the frames it reports, the watchdog and backoff.

Not a process of its own: the supervisor owns many workers and reads their pipes with one
selector (``supervisor.py``). Times are ``time.monotonic()`` for intervals and aware UTC
datetimes for what is stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from shilian.sunshine import paths
from shilian.sunshine.actions.state import CameraReport
from shilian.sunshine.choices import CameraState, OutageKind
from shilian.sunshine.video import messages
from shilian.sunshine.video.command import THUMB_BYTES, Source, build_command, source_for
from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.video.health import PictureHealth

log = logging.getLogger("shilian.sunshine.video")
WRONG_KEY = "拒绝了一次推流：推流密钥错误 / refused a push with a wrong stream key"
_WRONG_KEY = re.compile(r"App field don't match up|Unexpected stream")


@dataclass(frozen=True)
class CameraSpec:
    """The camera settings a worker runs with; a change restarts the worker."""

    id: int
    ingest: str
    source_url: str
    stream_key: str
    record: bool


def wall(now_utc: dt.datetime | None = None) -> dt.datetime:
    return now_utc or dt.datetime.now(dt.UTC)


class CameraWorker:
    def __init__(self, spec: CameraSpec, config: VideoConfig, *, now: float, now_wall: dt.datetime) -> None:
        self.spec = spec
        self.config = config
        self.proc: subprocess.Popen[bytes] | None = None
        self.thumb_fd: int | None = None
        self.err_fd: int | None = None
        self._thumbs = bytearray()
        self._relayed = 0  # relay only: frames ffmpeg reported relayed in this run
        self._err = bytearray()
        self.errors: list[str] = []  # ffmpeg's last warning/error lines of this run
        self.run = 0
        self.restarts = 0
        self.backoff = 1.0
        self.next_start = now
        self.started = now
        self.frames = 0  # frames of this run
        self.last_frame: float | None = None
        self.last_frame_wall: dt.datetime | None = None
        self.down_since: dt.datetime = now_wall  # start of the current "no live video" spell
        self.problem: tuple[str, str] | None = None  # why there is no video (state, message)
        self.video_codec = ""
        self.audio_codec = ""
        self.width = self.height = 0
        self.unplayable_since: dt.datetime | None = None
        self.health = PictureHealth(config.black_luma, config.frozen_diff, config.frozen_seconds)
        self.black_since: dt.datetime | None = None
        self.frozen_since: dt.datetime | None = None
        self.disk_full_since: dt.datetime | None = None
        self._restart_soon = False
        self.refused = False  # this run's publisher used a wrong key
        self.relay = True  # False while the camera sends a codec browsers cannot play
        self._in_input = False
        self.source: Source | None = None

    # ----- process

    @property
    def running(self) -> bool:
        return self.proc is not None

    @property
    def recording(self) -> bool:
        return self.spec.record and self.disk_full_since is None and self.relay

    def fds(self) -> list[int]:
        return [fd for fd in (self.thumb_fd, self.err_fd) if fd is not None]

    def start(self, now: float) -> list[int]:
        """Start ffmpeg; returns the file descriptors to watch (none when it could not start)."""
        self.run += 1
        self.frames = 0
        self.errors = []
        self.refused = False
        self._in_input = False
        self._thumbs = bytearray()
        self._relayed = 0
        self.started = now
        self.health.reset()
        try:
            self.source = source_for(
                self.spec.id, self.spec.ingest, self.spec.source_url, self.spec.stream_key, self.config
            )
        except ValueError as exc:
            self._fail(now, CameraState.ERROR, f"摄像头地址无效：{exc} / invalid camera address: {exc}", retry=300)
            return []
        live = paths.live_dir(self.spec.id)
        live.mkdir(parents=True, exist_ok=True)
        clear_live(live)
        rec: Path | None = None
        if self.recording:
            rec = paths.recordings_dir(self.spec.id)
            rec.mkdir(parents=True, exist_ok=True)
        read_end, write_end = os.pipe()
        argv = build_command(
            self.source, live=live, rec=rec, thumb_fd=write_end, run=self.run, config=self.config, relay=self.relay
        )
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=(write_end,),
                env={**os.environ, "TZ": "UTC"},  # recording file names are UTC start times
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            self._fail(now, CameraState.ERROR, f"无法启动 ffmpeg：{exc} / cannot start ffmpeg: {exc}", retry=60)
            return []
        os.close(write_end)
        os.set_blocking(read_end, False)
        assert self.proc.stderr is not None
        self.thumb_fd = read_end
        self.err_fd = self.proc.stderr.fileno()
        os.set_blocking(self.err_fd, False)
        log.info("camera %s: ffmpeg run %s started (pid %s)", self.spec.id, self.run, self.proc.pid)
        return self.fds()

    def stop(self, *, timeout: float = 3.0) -> None:
        """Stop ffmpeg for good (camera removed, disabled or changed, or supervisor exit)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self._close()
        clear_live(paths.live_dir(self.spec.id))

    def restart_soon(self) -> None:
        """Ask ffmpeg to finish (its files closed properly) and start again at once."""
        if self.proc is not None and self.proc.poll() is None:
            self._restart_soon = True
            self.proc.terminate()

    def kill(self, now: float, state: str, message: str) -> None:
        """A hung run: SIGKILL (a stopped peer can keep SIGTERM waiting), then back off."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._ended(now, forced=(state, message))

    def _close(self) -> None:
        if self.thumb_fd is not None:
            os.close(self.thumb_fd)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        self.thumb_fd = self.err_fd = None
        self.proc = None

    def _fail(self, now: float, state: str, message: str, *, retry: float | None = None) -> None:
        self.problem = (state, message)
        delay = retry if retry is not None else self.backoff
        self.next_start = now + delay
        self.backoff = min(self.backoff * 2, self.config.backoff_max_seconds)

    # ----- input

    def on_readable(self, fd: int, now: float, now_wall: dt.datetime) -> bool:
        """Read what is there; returns False when that pipe hit end of file."""
        if fd not in self.fds():
            return True  # closed meanwhile (killed while handling the same select() batch)
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if fd == self.thumb_fd:
            if not data:
                return False
            self._thumbs += data
            if not self.config.snapshots:
                self._progress(now, now_wall)
                return True
            while len(self._thumbs) >= THUMB_BYTES:
                frame = bytes(self._thumbs[:THUMB_BYTES])
                del self._thumbs[:THUMB_BYTES]
                self._frame(frame, now, now_wall)
            return True
        if not data:
            return False
        self._err += data
        *lines, rest = self._err.split(b"\n")
        self._err = bytearray(rest[-4096:])
        for line in lines:
            self._stderr_line(line.decode("utf-8", "replace").rstrip())
        if self.refused and self.proc is not None:
            # ffmpeg's listen mode only warns about a wrong application (the key): end the run before
            # any frame is relayed, and forget whatever it may have written
            self.kill(now, CameraState.OFFLINE, WRONG_KEY)
            paths.latest_jpeg(self.spec.id).unlink(missing_ok=True)
        return True

    def _progress(self, now: float, now_wall: dt.datetime) -> None:
        """Relay only: ffmpeg's progress report (``frame=N`` … ``progress=continue``) once a second."""
        *lines, rest = self._thumbs.split(b"\n")
        self._thumbs = bytearray(rest[-4096:])
        for line in lines:
            key, _, value = line.decode("ascii", "replace").strip().partition("=")
            if key == "frame" and value.isdigit() and int(value) > self._relayed:
                self._relayed = int(value)
                self._alive(now, now_wall)

    def _alive(self, now: float, now_wall: dt.datetime) -> bool:
        """A frame arrived: the camera is live. False for a refused (wrong-key) publisher."""
        if self.refused:
            return False
        self.frames += 1
        self.last_frame, self.last_frame_wall = now, now_wall
        self.backoff = 1.0
        if self.problem is not None and self.problem[0] != CameraState.UNPLAYABLE:
            self.problem = None
        return True

    def _frame(self, thumb: bytes, now: float, now_wall: dt.datetime) -> None:
        if not self._alive(now, now_wall):
            return
        self.health.observe(thumb, now)
        black = self.health.black
        frozen = not black and self.health.frozen(now)
        self.black_since = (self.black_since or now_wall) if black else None
        if frozen and self.frozen_since is None and self.health.same_since is not None:
            self.frozen_since = now_wall - dt.timedelta(seconds=now - self.health.same_since)
        elif not frozen:
            self.frozen_since = None

    def _stderr_line(self, line: str) -> None:
        if not line or line.startswith("[info]") and "Stream #" not in line and "Input #" not in line:
            if line.startswith("[info] Output #"):
                self._in_input = False
            return
        if line.startswith("[info] Input #"):
            self._in_input = True
            return
        if self._in_input and (match := messages.STREAM_LINE.search(line)):
            kind, codec = match.group(1), match.group(2)
            if kind == "Video" and not self.video_codec_seen_this_run():
                self.video_codec = codec
                self.width, self.height = int(match.group(3) or 0), int(match.group(4) or 0)
                self._video_seen = self.run
                playable = codec in messages.PLAYABLE_VIDEO
                if playable != self.relay:  # H.265: keep snapshots and health, no relay nor recording
                    self.relay = playable
                    self.restart_soon()
            elif kind == "Audio":
                self.audio_codec = codec
            return
        if any(level in line[:60] for level in ("[warning]", "[error]", "[fatal]")):
            if "deprecated pixel format" in line or "Opening '" in line:
                return
            self.errors = [*self.errors[-15:], line]
            if self.source is not None and self.source.listen and _WRONG_KEY.search(line):
                self.refused = True

    _video_seen = 0

    def video_codec_seen_this_run(self) -> bool:
        return self._video_seen == self.run

    # ----- exit and watchdog

    def poll(self, now: float) -> None:
        """Notice that ffmpeg exited (its pipes are closed)."""
        if self.proc is not None and not self.fds():
            self._ended(now)

    def pipe_closed(self, fd: int) -> None:
        if fd == self.thumb_fd:
            os.close(fd)
            self.thumb_fd = None
        elif fd == self.err_fd:
            self.err_fd = None  # closed with proc.stderr

    def _ended(self, now: float, *, forced: tuple[str, str] | None = None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.wait()
        code = self.proc.returncode if self.proc is not None else None
        self._flush_stderr()
        self._close()
        clear_live(paths.live_dir(self.spec.id))
        self.restarts += 1
        if self.last_frame_wall is not None and self.frames:
            self.down_since = self.last_frame_wall
        if self._restart_soon:
            self._restart_soon = False
            self.next_start = now
            return
        classified = messages.classify(self.errors)
        if forced is not None:
            state, message = forced
        elif classified is not None:
            state, message = classified
        elif self.spec.ingest == "push" and self.frames:
            state, message = CameraState.OFFLINE, "摄像头已停止推流 / the camera stopped pushing"
        else:
            why = messages.last_error(self.errors) or f"exit {code}"
            state, message = CameraState.OFFLINE, f"视频中断：{why} / video stopped: {why}"
        if self.spec.ingest == "push" and self.source is not None and self.source.listen:
            # a listener: listen again at once (a refused publisher must not lock the camera out)
            self.problem = (state, message)
            self.next_start = now + (0.5 if state == CameraState.OFFLINE else self.backoff)
            if state != CameraState.OFFLINE:
                self.backoff = min(self.backoff * 2, self.config.backoff_max_seconds)
            return
        self._fail(now, state, message)
        log.info("camera %s: run %s ended (%s): %s", self.spec.id, self.run, code, message)

    def _flush_stderr(self) -> None:
        if self.err_fd is not None:
            with contextlib.suppress(OSError):
                while data := os.read(self.err_fd, 65536):
                    self._err += data
        for line in self._err.split(b"\n"):
            self._stderr_line(line.decode("utf-8", "replace").rstrip())
        self._err = bytearray()

    def tick(self, now: float) -> list[int]:
        """The watchdog and the restart timer; returns new fds when a run was started."""
        if self.proc is not None:
            if self.frames and self.last_frame is not None and now - self.last_frame > self.config.stall_seconds:
                seconds = int(self.config.stall_seconds)
                self.kill(
                    now,
                    CameraState.OFFLINE,
                    f"{seconds}秒没有画面（摄像头卡死或断网），正在重连 / no frames for {seconds} s (camera hung or "
                    "network lost): reconnecting",
                )
            elif (
                not self.frames
                and not (self.source is not None and self.source.push)
                and now - self.started > self.config.startup_grace_seconds
            ):
                seconds = int(self.config.startup_grace_seconds)
                classified = messages.classify(self.errors)
                state, message = classified or (
                    CameraState.OFFLINE,
                    f"连接后{seconds}秒内没有画面 / no video within {seconds} s of connecting",
                )
                self.kill(now, state, message)
            return []
        if now >= self.next_start:
            return self.start(now)
        return []

    # ----- what to store

    def has_video(self, now: float) -> bool:
        return (
            self.proc is not None
            and self.last_frame is not None
            and self.frames > 0
            and now - self.last_frame <= self.config.stall_seconds
        )

    def report(self, now: float, now_wall: dt.datetime) -> CameraReport:
        conditions: dict[str, tuple[dt.datetime, str]] = {}
        state: str
        codec_bad = bool(self.video_codec) and self.video_codec not in messages.PLAYABLE_VIDEO
        notes: list[str] = []
        if self.has_video(now):
            if codec_bad:
                state, message = CameraState.UNPLAYABLE, messages.unplayable_message(self.video_codec)
                self.unplayable_since = self.unplayable_since or now_wall
                conditions[OutageKind.UNPLAYABLE] = (self.unplayable_since, message)
            else:
                state, message = CameraState.ONLINE, ""
                self.unplayable_since = None
            self.down_since = now_wall
        elif codec_bad:
            state, message = CameraState.UNPLAYABLE, messages.unplayable_message(self.video_codec)
            conditions[OutageKind.OFFLINE] = (self.down_since, message)
        else:
            if self.problem is not None:
                state, message = self.problem
                if self.proc is not None and not (self.source is not None and self.source.listen):
                    message = f"{message}（重试中 / retrying）"
            elif self.spec.ingest == "push":
                state, message = CameraState.OFFLINE, "等待摄像头推流 / waiting for the camera to push"
            else:
                state, message = CameraState.STARTING, "正在连接摄像头 / connecting to the camera"
            conditions[OutageKind.OFFLINE] = (self.down_since, message)
        if self.has_video(now):
            if self.black_since is not None:
                notes.append("画面全黑（关灯或镜头被遮挡？） / black picture (lights off or lens covered?)")
                conditions[OutageKind.BLACK] = (self.black_since, notes[-1])
            if self.frozen_since is not None:
                notes.append("画面冻结 / frozen picture")
                conditions[OutageKind.FROZEN] = (self.frozen_since, notes[-1])
            if self.audio_codec and self.audio_codec not in messages.PLAYABLE_AUDIO:
                notes.append(messages.audio_message(self.audio_codec))
        if self.disk_full_since is not None and self.spec.record:
            disk = "磁盘空间不足，录像已停止 / disk nearly full: recording stopped"
            notes.append(disk)
            conditions[OutageKind.DISK_FULL] = (self.disk_full_since, disk)
        if notes:
            message = "；".join([m for m in [message, *notes] if m])
        return CameraReport(
            state=state,
            message=message,
            video_codec=self.video_codec,
            audio_codec=self.audio_codec,
            width=self.width,
            height=self.height,
            black=self.has_video(now) and self.black_since is not None,
            frozen=self.has_video(now) and self.frozen_since is not None,
            last_frame_at=self.last_frame_wall,
            restarts=self.restarts,
            outages=conditions,
        )

    def set_disk_full(self, full: bool, now_wall: dt.datetime) -> None:
        """Recording off (disk full) or back on: the run is restarted with or without its 4th output."""
        if full == (self.disk_full_since is not None):
            return
        self.disk_full_since = now_wall if full else None
        if self.spec.record:
            self.restart_soon()


def clear_live(live: Path) -> None:
    """Remove a run's playlist and segments (a stale playlist would make players wait forever)."""
    if not live.is_dir():
        return
    for entry in live.iterdir():
        if entry.name != "latest.jpg" and (entry.suffix in {".ts", ".m3u8", ".tmp"} or entry.name.endswith(".tmp")):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
