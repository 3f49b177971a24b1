"""The platform's signing keys: public halves only, with the time each was in use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An Ed25519 key that signed daily roots while it was current (``retired_at`` empty).

    Only the public key is stored; the private key lives outside the database
    (``SHILIAN_LEDGER_KEY`` or ``DATA_DIR/ledger_key``). Retired keys stay, so that every
    root ever published can still be checked.
    """

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=16, default="Ed25519")
    public_key = models.CharField(_("public key (base64, raw 32 bytes)"), max_length=44, unique=True)
    activated_at = models.DateTimeField(_("in use from"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["activated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=models.Q(retired_at__isnull=True),
                name="ledger_one_current_key",
                violation_error_message=_("Only one signing key is in use at a time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.key_id}"
