"""Capture jobs: one EPCIS document (or one event) sent to be stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.interop.choices import CaptureBehaviour, CaptureStatus


class CaptureJob(models.Model):
    """One capture request and what became of it: the GS1 capture job.

    The document waits in ``payload`` until the task worker captures it (then it is
    dropped: the stored events keep what it said). ``document_sha256`` finds a retried
    identical document, so that it gets the same job instead of a second capture.
    ``errors`` holds one RFC 7807 problem per refused event.
    """

    status = models.CharField(_("status"), max_length=10, choices=CaptureStatus.choices, default=CaptureStatus.RUNNING)
    behaviour = models.CharField(
        _("error behaviour"), max_length=10, choices=CaptureBehaviour.choices, default=CaptureBehaviour.ROLLBACK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("captured by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    document_size = models.PositiveIntegerField(_("document size (bytes)"))
    payload = models.TextField(_("document awaiting capture"), blank=True)
    event_count = models.PositiveIntegerField(_("events"), default=0)
    stored_count = models.PositiveIntegerField(_("events stored"), default=0)
    chain_count = models.PositiveIntegerField(_("events recorded on the chain"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # what the job did beyond storing: events stored without chain effect, and why
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "document_sha256"], name="capturejob_retry")]
        constraints = [
            models.CheckConstraint(
                name="capturejob_stored_within_count",
                condition=models.Q(stored_count__lte=models.F("event_count")),
                violation_error_message=_("A job cannot store more events than it was sent."),
            )
        ]

    def __str__(self) -> str:
        return f"capture {self.pk} ({self.status})"

    @property
    def running(self) -> bool:
        return self.status == CaptureStatus.RUNNING
