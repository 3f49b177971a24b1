"""Problems consumers report from the product page (消费者投诉举报)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.scan.choices import ReportKind


class ConsumerReport(models.Model):
    """A consumer's report about one lot: what was wrong, an optional photo and contact.

    Seen by the inspectors of the producing enterprise's jurisdiction. The contact is
    whatever the consumer chose to give; nothing else about them is kept except the
    same hashed client key as the scan log (to spot a flood from one client).
    """

    lot = models.ForeignKey("chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9)
    kind = models.CharField(_("what happened"), max_length=10, choices=ReportKind.choices)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    photo = models.FileField(_("photo"), upload_to="reports/", blank=True)
    photo_type = models.CharField(_("photo type"), max_length=20, blank=True)
    photo_size = models.PositiveIntegerField(_("photo size (bytes)"), default=0)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True)
    client = models.CharField(_("client (hashed)"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consumer report")
        verbose_name_plural = _("consumer reports")
        indexes = [models.Index(fields=["jurisdiction_code", "created_at"], name="report_by_jurisdiction")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · lot {self.lot_id}"
