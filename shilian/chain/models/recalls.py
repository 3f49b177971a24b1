"""Recalls (召回): a lot and everything made from it taken off the market."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Recall(models.Model):
    """One recall, started on a root lot; its impact is frozen when it starts.

    The recall events it records (one per enterprise reached) point back at it.
    """

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    root_lot = models.ForeignKey(
        "chain.Lot", verbose_name=_("root lot"), on_delete=models.PROTECT, related_name="recalls"
    )
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9)
    impact = models.JSONField(_("impact"), default=dict)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.reference
