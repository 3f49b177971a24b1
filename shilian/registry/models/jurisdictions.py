"""Administrative divisions (GB/T 2260) that bound an inspector's reach."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.registry.choices import JurisdictionLevel


class Jurisdiction(models.Model):
    """A province, city, county or township. Its subtree is every code starting with ``prefix``."""

    code = models.CharField(_("division code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    prefix = models.CharField(_("subtree prefix"), max_length=9, db_index=True)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
