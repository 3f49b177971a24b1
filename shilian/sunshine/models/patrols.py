"""Online patrol (线上巡查): an inspector looks through cameras and records findings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.sunshine.choices import ChecklistItem, FindingResult, FindingStatus


class Patrol(models.Model):
    """One inspector's round of workshops, picked by hand or at random (双随机) in a jurisdiction."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    random = models.BooleanField(_("picked at random"), default=False)
    enterprises = models.ManyToManyField("registry.Enterprise", verbose_name=_("workshops"), related_name="+")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("online patrol")
        verbose_name_plural = _("online patrols")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"patrol {self.pk}"


class Finding(models.Model):
    """One checklist finding about one workshop: compliant, or an issue with a deadline.

    An issue is ``open`` until the workshop answers (``answered``); the inspector then closes
    it or reopens it (``reopened``, the workshop answers again).
    """

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=9)
    camera = models.ForeignKey(
        "sunshine.Camera", verbose_name=_("camera"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.ForeignKey(
        "sunshine.Snapshot", verbose_name=_("snapshot"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("checklist item"), max_length=12, choices=ChecklistItem.choices)
    result = models.CharField(_("result"), max_length=10, choices=FindingResult.choices)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("fix by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="finding_by_enterprise"),
            models.Index(fields=["jurisdiction_code", "status"], name="finding_by_jurisdiction"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} · {self.get_result_display()}"


class FindingReply(models.Model):
    """The workshop's answer (with a photo) or the inspector's close/reopen, in order."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="replies")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    status_after = models.CharField(_("status after"), max_length=10, choices=FindingStatus.choices)
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("photo"), upload_to="findings/%Y/%m/", blank=True)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding reply")
        verbose_name_plural = _("finding replies")
        ordering = ["finding_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.status_after}"
