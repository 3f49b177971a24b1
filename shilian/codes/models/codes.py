"""Codes issued for lots: short platform codes and ranges of item serial numbers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShortCode(models.Model):
    """The ``/t/{code}`` trace code of a lot whose product has no GTIN (most workshops).

    Issued once per lot by ``ensure_lot_code``; the code is random with a check character
    (see ``codes.shortcodes``) and never changes or moves to another lot.
    """

    lot = models.OneToOneField("chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="short_code")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("trace code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("short trace code")
        verbose_name_plural = _("short trace codes")

    def __str__(self) -> str:
        return self.code


class SerialRange(models.Model):
    """Item serial numbers ``first``…``last`` issued for one lot (AI 21), in one go.

    Serials are decimal numbers without leading zeros, counted per lot from 1; ranges of
    a lot never overlap (``issue_serials`` appends after the last one under a row lock).
    """

    lot = models.ForeignKey(
        "chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="serial_ranges", db_index=False
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    first = models.PositiveBigIntegerField(_("first serial"))
    last = models.PositiveBigIntegerField(_("last serial"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("serial range")
        verbose_name_plural = _("serial ranges")
        constraints = [
            models.CheckConstraint(
                name="serialrange_ordered",
                condition=models.Q(first__gte=1) & models.Q(last__gte=models.F("first")),
                violation_error_message=_("A serial range runs from a first serial ≥ 1 to a last one not before it."),
            ),
            models.UniqueConstraint(
                fields=["lot", "first"],
                name="serialrange_unique_start",
                violation_error_message=_("Two serial ranges of a lot cannot start at the same serial."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1
