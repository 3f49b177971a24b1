"""An enterprise's suppliers and customers, on the platform or off it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.registry.choices import PartnerKind


class Partner(models.Model):
    """A supplier or customer in one enterprise's address book.

    ``linked_enterprise`` is set when the partner is itself on the platform, so that a
    shipment to it can be received there and the trace crosses over.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PartnerKind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # the partner's GS1 Global Location Number, when it has one: its party id in EPCIS (pgln)
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    linked_enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("on-platform enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name"],
                name="partner_unique_name",
                violation_error_message=_("This enterprise already has a partner with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name
