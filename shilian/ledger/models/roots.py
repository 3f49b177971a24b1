"""Daily roots: each day's chain heads combined in one Merkle tree, signed and published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyRoot(models.Model):
    """The signed Merkle root over the heads of the chains that grew on one day (local time).

    ``statement`` is the exact text signed (JSON: day, root, size, entries, previous root,
    key, closing time); each root names the one before it, so the roots form a chain too.
    """

    day = models.DateField(_("day"), unique=True)
    root_hash = models.CharField(_("Merkle root"), max_length=64)
    size = models.PositiveIntegerField(_("chain heads (leaves)"))
    entries = models.PositiveIntegerField(_("entries recorded that day"))
    previous_hash = models.CharField(_("previous day's root"), max_length=64)
    statement = models.TextField(_("signed statement"))
    signature = models.CharField(_("signature (base64)"), max_length=100)
    key = models.ForeignKey(
        "ledger.SigningKey", verbose_name=_("signing key"), on_delete=models.PROTECT, related_name="roots"
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("daily root")
        verbose_name_plural = _("daily roots")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.root_hash[:12]}"


class RootLeaf(models.Model):
    """One leaf of a daily root: an enterprise's chain head (seq, hash) at the day's end."""

    root = models.ForeignKey(DailyRoot, verbose_name=_("daily root"), on_delete=models.PROTECT, related_name="leaves")
    position = models.PositiveIntegerField(_("position"))
    enterprise_id = models.BigIntegerField(_("enterprise"))
    seq = models.PositiveBigIntegerField(_("sequence number"))
    entry_hash = models.CharField(_("entry hash"), max_length=64)

    class Meta:
        verbose_name = _("root leaf")
        verbose_name_plural = _("root leaves")
        constraints = [
            models.UniqueConstraint(
                fields=["root", "position"],
                name="ledger_leaf_position",
                violation_error_message=_("A root has one leaf per position."),
            ),
            models.UniqueConstraint(
                fields=["root", "enterprise_id"],
                name="ledger_leaf_enterprise",
                violation_error_message=_("A root has one leaf per enterprise's chain."),
            ),
        ]
        indexes = [models.Index(fields=["enterprise_id", "seq"], name="ledger_leaf_head")]

    def __str__(self) -> str:
        return f"{self.root_id}[{self.position}] {self.enterprise_id}#{self.seq}"
