"""What the cameras leave behind: recordings (segments) and snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.sunshine.choices import SnapshotPurpose


class Recording(models.Model):
    """One recorded segment (MP4, copied, never transcoded) of one camera.

    ``path`` is relative to the video directory (``DATA_DIR/video``). ``keep_until`` is set
    when a lot's production falls in the segment: it is kept as long as that lot is on the
    market, whatever the retention by age says (free-disk retention may still remove it
    last, and says so).
    """

    camera = models.ForeignKey(
        "sunshine.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="recordings"
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    path = models.CharField(_("file"), max_length=300, unique=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    keep_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["camera_id", "started_at"]
        indexes = [models.Index(fields=["camera", "started_at"], name="recording_by_time")]

    def __str__(self) -> str:
        return self.path


class Snapshot(models.Model):
    """A JPEG frame kept as evidence (patrol), for a detection, or by hand."""

    camera = models.ForeignKey(
        "sunshine.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_at = models.DateTimeField(_("frame time"))
    image = models.FileField(_("image"), upload_to="snapshots/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=10, choices=SnapshotPurpose.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.taken_at:%Y-%m-%d %H:%M:%S}"
