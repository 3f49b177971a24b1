"""The chain of evidence (一链存证): per-enterprise hash chains over every recorded event."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """One link of an enterprise's chain of evidence: the fingerprint of a record (the
    SHA-256 of its canonical form), chained to the link before it.

    Written in the transaction that records the event; never changed. ``enterprise_id``
    is a plain number (core sits below the registry), like ``subject_id`` (the event's id).
    """

    enterprise_id = models.BigIntegerField(_("enterprise"))
    seq = models.PositiveBigIntegerField(_("sequence number"))
    kind = models.CharField(_("kind of record"), max_length=32)
    subject_id = models.BigIntegerField(_("record id"))
    digest = models.CharField(_("SHA-256 of the canonical form"), max_length=64)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_id", "seq"],
                name="ledger_entry_seq",
                violation_error_message=_("An enterprise's chain has one entry per sequence number."),
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_id"],
                name="ledger_entry_subject",
                violation_error_message=_("A record is sealed once."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}#{self.seq} {self.kind}:{self.subject_id}"


class LedgerHead(models.Model):
    """The last entry of an enterprise's chain: the row appends lock, one writer at a time."""

    enterprise_id = models.BigIntegerField(_("enterprise"), primary_key=True)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    head_hash = models.CharField(_("hash of the last entry"), max_length=64)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")

    def __str__(self) -> str:
        return f"{self.enterprise_id}#{self.seq}"
