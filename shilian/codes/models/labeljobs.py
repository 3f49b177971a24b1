"""Label print jobs: large label PDFs drawn in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.codes.choices import LabelJobStatus, Layout, Symbol


class LabelJob(models.Model):
    """One request for a label PDF too large to draw within the web request.

    The task worker draws it, counting ``done`` up to ``total``, and stores the PDF in
    ``file`` (default storage, under ``DATA_DIR/media`` by default).
    """

    lot = models.ForeignKey("chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="label_jobs")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices)
    symbol = models.CharField(_("symbol"), max_length=12, choices=Symbol.choices, default=Symbol.QR)
    serial_range = models.ForeignKey(
        "codes.SerialRange",
        verbose_name=_("serial range"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    copies = models.PositiveIntegerField(_("copies"), default=1)
    total = models.PositiveIntegerField(_("labels"))
    done = models.PositiveIntegerField(_("labels drawn"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=LabelJobStatus.choices, default=LabelJobStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="labels/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("label job")
        verbose_name_plural = _("label jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="labeljob_done_within_total",
                condition=models.Q(done__lte=models.F("total")),
                violation_error_message=_("A job cannot draw more labels than it was asked for."),
            )
        ]

    def __str__(self) -> str:
        return f"labels for lot {self.lot_id} ({self.total})"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100
