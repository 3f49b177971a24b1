"""Cameras of a workshop (阳光作坊), what the video worker last saw, and every outage."""

from __future__ import annotations

import secrets
from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.sunshine.choices import WEEKDAYS, CameraState, Ingest, OutageKind, Room


def new_stream_key() -> str:
    """A push camera's secret (part of its RTMP URL); 32 URL-safe characters."""
    return secrets.token_urlsafe(24)


class Camera(models.Model):
    """One camera in one room of an enterprise.

    Consumers see it only when ``public`` and within the working hours (``work_days`` are ISO
    weekday digits, 1 = Monday; the hours are local time, ``work_end`` exclusive, an end before the
    start a night shift, the same time as the start around the clock); inspectors
    of the enterprise's jurisdiction always. Push cameras publish RTMP with ``stream_key``;
    pull cameras are read from ``source_url`` (RTSP over TCP). The state fields are written
    by the video supervisor (``shilian video``), never by pages.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="cameras"
    )
    name = models.CharField(_("name"), max_length=100)
    room = models.CharField(_("room"), max_length=12, choices=Room.choices, default=Room.PROCESSING)
    ingest = models.CharField(_("how video arrives"), max_length=4, choices=Ingest.choices, default=Ingest.PUSH)
    source_url = models.CharField(_("RTSP address"), max_length=500, blank=True)
    stream_key = models.CharField(_("stream key"), max_length=64, unique=True, default=new_stream_key)
    enabled = models.BooleanField(_("enabled"), default=True)
    public = models.BooleanField(_("shown to consumers"), default=True)
    work_days = models.CharField(_("working days"), max_length=7, default="123456")
    work_start = models.TimeField(_("working hours from"), default=time(7, 0))
    work_end = models.TimeField(_("working hours until"), default=time(19, 0))
    staffed = models.BooleanField(_("a workstation that should be staffed"), default=False)
    analyses = models.BooleanField(_("assistive detection on"), default=True)
    recording = models.BooleanField(_("record"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Written by the video supervisor.
    state = models.CharField(_("state"), max_length=10, choices=CameraState.choices, default=CameraState.UNKNOWN)
    state_message = models.CharField(_("state message"), max_length=300, blank=True)
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=20, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=20, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    black = models.BooleanField(_("black picture"), default=False)
    frozen = models.BooleanField(_("frozen picture"), default=False)
    last_frame_at = models.DateTimeField(_("last frame"), null=True, blank=True)
    restarts = models.PositiveIntegerField(_("restarts"), default=0)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["enterprise_id", "room", "name"]
        indexes = [models.Index(fields=["enterprise", "room"], name="camera_by_room")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.name}"

    def working_days(self) -> list[str]:
        """The working days' short names in the active language (一 二 … / Mon Tue …)."""
        return [str(label) for value, label in WEEKDAYS if value in self.work_days]


class CameraOutage(models.Model):
    """One outage of one camera: from its start to its end (open while ``ended_at`` is NULL).

    Stored only when it outlasted the debounce interval; ``started_at`` is when the last
    good frame was seen, so the stored length is the real one.
    """

    camera = models.ForeignKey(Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="outages")
    kind = models.CharField(_("kind"), max_length=10, choices=OutageKind.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("camera outage")
        verbose_name_plural = _("camera outages")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["camera", "started_at"], name="outage_by_camera")]
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "kind"], condition=models.Q(ended_at__isnull=True), name="one_open_outage_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"
