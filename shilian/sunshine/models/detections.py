"""Assistive detection hits (智能识别): always "suspected" until a person confirms or dismisses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.sunshine.choices import DetectionRule, DetectionStatus


class Detection(models.Model):
    camera = models.ForeignKey(
        "sunshine.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="detections"
    )
    rule = models.CharField(_("rule"), max_length=20, choices=DetectionRule.choices)
    detected_at = models.DateTimeField(_("detected"))
    score = models.FloatField(_("score"), default=0.0)
    snapshot = models.ForeignKey(
        "sunshine.Snapshot", verbose_name=_("snapshot"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DetectionStatus.choices, default=DetectionStatus.SUSPECTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("detection")
        verbose_name_plural = _("detections")
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["camera", "rule", "status"], name="detection_by_rule")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.rule} {self.status}"
