"""Documents attached to events: certificates, invoices, test reports (电子索证索票)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.chain.choices import DocumentKind


class Document(models.Model):
    """A PDF or image kept as evidence for an event, with its SHA-256."""

    event = models.ForeignKey(
        "chain.TraceEvent", verbose_name=_("event"), on_delete=models.PROTECT, related_name="documents"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"
