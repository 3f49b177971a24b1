"""Setting up a workshop's cameras: add, change, and renew a push camera's stream key."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.registry.models import Enterprise
from shilian.sunshine.choices import Ingest, Room
from shilian.sunshine.models import Camera
from shilian.sunshine.models.cameras import new_stream_key

NAME_MAX = 100
URL_MAX = 500
URL_SCHEMES = ("rtsp", "rtsps")


@dataclass(frozen=True)
class CameraSpec:
    """What an operator sets on a camera (the state fields belong to the video supervisor)."""

    name: str
    room: str = Room.PROCESSING
    ingest: str = Ingest.PUSH
    source_url: str = ""
    enabled: bool = True
    public: bool = True
    work_days: str = "123456"
    work_start: dt.time = dt.time(7, 0)
    work_end: dt.time = dt.time(19, 0)
    staffed: bool = False
    analyses: bool = True
    recording: bool = True


def _checked(spec: CameraSpec) -> dict[str, Any]:
    """The spec's fields, normalised; DomainError naming the field otherwise."""
    values = asdict(spec)
    values["name"] = spec.name.strip()
    if not values["name"]:
        raise DomainError("missing_field", "请填写摄像头名称 / name the camera", field="name")
    if len(values["name"]) > NAME_MAX:
        raise DomainError("too_long", f"名称最多{NAME_MAX}字 / at most {NAME_MAX} characters", field="name")
    if spec.room not in Room.values:
        raise DomainError("bad_choice", "请选择区域 / pick a room", field="room")
    if spec.ingest not in Ingest.values:
        raise DomainError("bad_choice", "请选择接入方式 / pick how video arrives", field="ingest")
    url = spec.source_url.strip()
    if spec.ingest == Ingest.PULL:
        parts = urlsplit(url)
        if parts.scheme not in URL_SCHEMES or not parts.hostname or len(url) > URL_MAX or any(c.isspace() for c in url):
            raise DomainError(
                "bad_url",
                "拉流需要摄像头的RTSP地址，如 rtsp://192.168.1.64:554/Streaming/Channels/102 "
                "/ a pull camera needs its RTSP address, e.g. rtsp://192.168.1.64:554/Streaming/Channels/102",
                field="source_url",
            )
    else:
        url = ""  # a push camera publishes to us: no address to keep
    values["source_url"] = url
    days = "".join(sorted(set(spec.work_days)))
    if not days or any(day not in "1234567" for day in days):
        raise DomainError("bad_days", "请至少选择一个工作日 / pick at least one working day", field="work_days")
    values["work_days"] = days  # work_start == work_end: around the clock (a cold store, a 24-hour shop)
    return values


@transaction.atomic
def create_camera(enterprise: Enterprise, spec: CameraSpec, *, acting_user: Any) -> Camera:
    """Add a camera to the enterprise; push cameras get a fresh stream key."""
    values = _checked(spec)
    camera = Camera.objects.create(enterprise=enterprise, **values)
    record(
        "sunshine.camera.create",
        camera,
        acting_user=acting_user,
        jurisdiction_code=enterprise.jurisdiction_id,
        **_loggable(values),
    )
    return camera


@transaction.atomic
def update_camera(camera: Camera, spec: CameraSpec, *, acting_user: Any) -> Camera:
    """Change what the operator sets; the history row keeps what changed (before → after)."""
    values = _checked(spec)
    locked = Camera.objects.select_for_update().get(pk=camera.pk)
    values["source_url"] = _keeping_password(values["source_url"], locked.source_url)
    before = {name: getattr(locked, name) for name in values}
    changed = {name: value for name, value in values.items() if before[name] != value}
    if changed:
        Camera.objects.filter(pk=locked.pk).update(**changed)
        record(
            "sunshine.camera.update",
            locked,
            acting_user=acting_user,
            jurisdiction_code=camera.enterprise.jurisdiction_id,
            before=_loggable({name: before[name] for name in changed}),
            after=_loggable(changed),
        )
    for name, value in changed.items():
        setattr(camera, name, value)
    return camera


@transaction.atomic
def renew_stream_key(camera: Camera, *, acting_user: Any) -> Camera:
    """A new stream key: the old one stops working (the next publish with it is refused)."""
    key = new_stream_key()
    Camera.objects.filter(pk=camera.pk).update(stream_key=key)
    camera.stream_key = key
    record(
        "sunshine.camera.renew_key",
        camera,
        acting_user=acting_user,
        jurisdiction_code=camera.enterprise.jurisdiction_id,
    )
    return camera


HIDDEN = "***"  # where a page shows an address's password


def without_password(url: str) -> str:
    """The RTSP address with any password left out (history rows and pages never show it)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:{HIDDEN}@{host}").geturl()


def _keeping_password(url: str, stored: str) -> str:
    """The address as sent back by the edit page, which showed the password as ``***``: the stored
    password goes back in, for the same user at the same host only (never sent to a new address)."""
    new = urlsplit(url)
    if new.password != HIDDEN:
        return url
    old = urlsplit(stored)
    try:
        same = old.password is not None and (new.username, new.hostname, new.port) == (
            old.username,
            old.hostname,
            old.port,
        )
    except ValueError:  # a port that is not a number
        same = False
    if not same:
        raise DomainError(
            "bad_url", "新地址请重新输入密码 / enter the password for the new address", field="source_url"
        )
    host = new.netloc.rsplit("@", 1)[1]
    return new._replace(netloc=f"{new.username}:{old.password}@{host}").geturl()


def _loggable(values: dict[str, Any]) -> dict[str, Any]:
    out = {name: value.isoformat() if isinstance(value, dt.time) else value for name, value in values.items()}
    if out.get("source_url"):
        out["source_url"] = without_password(out["source_url"])
    return out
