"""The scan log (扫码记录): every time a trace code was resolved, with coarse client facts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.scan.choices import ScanKind, ScanSource


class Scan(models.Model):
    """One resolution of a trace code: when, which code and lot, and what kind of client.

    No personal data: the client is a keyed hash of the truncated IP address (/24, /48)
    and the user-agent string, kept only to count distinct clients; the user agent is
    reduced to its family and platform, the language to its primary tag. ``enterprise``,
    ``product`` and ``jurisdiction_code`` are copied from the lot so that the inspectors'
    statistics are one grouped scan of this table.
    """

    scanned_at = models.DateTimeField(_("scanned at"))
    source = models.CharField(_("source"), max_length=10, choices=ScanSource.choices, default=ScanSource.APP)
    kind = models.CharField(_("kind"), max_length=10, choices=ScanKind.choices, default=ScanKind.PAGE)
    lot = models.ForeignKey(
        "chain.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # scan_by_item covers it
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    lot_code = models.CharField(_("lot code"), max_length=20, blank=True)
    serial = models.CharField(_("serial number"), max_length=20, blank=True)
    short_code = models.CharField(_("short code"), max_length=11, blank=True)
    ua_family = models.CharField(_("browser or app"), max_length=20, blank=True)
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    client = models.CharField(_("client (hashed)"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [
            models.Index(fields=["jurisdiction_code", "scanned_at"], name="scan_by_jurisdiction"),
            models.Index(fields=["lot", "serial", "scanned_at"], name="scan_by_item"),
        ]

    def __str__(self) -> str:
        return f"{self.gtin or self.short_code} {self.lot_code} {self.serial} @ {self.scanned_at:%Y-%m-%d %H:%M}"
