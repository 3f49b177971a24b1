"""The audit history: one row for every write, in the same transaction as the write."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryEntry(models.Model):
    """Who did what to which row, when, and in which request (an audit log row).

    Named "history" so that it never clashes with traceability *events*.
    """

    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    operation_id = models.UUIDField(_("operation"), db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="history_subject")]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"
