"""Suspected counterfeits (疑似假冒): item codes scanned in a way one real pack is not."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.scan.choices import FlagReason


class CounterfeitFlag(models.Model):
    """An item code (GTIN + lot + serial, or short code + serial) whose scans look copied.

    Raised once per item and reason by the scan log (``scan.counterfeit``), with the counts
    that crossed the threshold; shown to the inspectors of the lot's jurisdiction.
    """

    lot = models.ForeignKey("chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9)
    serial = models.CharField(_("serial number"), max_length=20)
    reason = models.CharField(_("reason"), max_length=10, choices=FlagReason.choices)
    scans = models.PositiveIntegerField(_("scans counted"))
    clients = models.PositiveIntegerField(_("distinct clients counted"))
    window_start = models.DateTimeField(_("counted from"))
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("suspected counterfeit")
        verbose_name_plural = _("suspected counterfeits")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "serial", "reason"],
                name="flag_once_per_item_and_reason",
                violation_error_message=_("This item is already flagged for this reason."),
            )
        ]
        indexes = [models.Index(fields=["jurisdiction_code", "raised_at"], name="flag_by_jurisdiction")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · lot {self.lot_id} / {self.serial}"
