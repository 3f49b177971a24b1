"""People: who may act for an enterprise or supervise a jurisdiction, and workshop staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.registry.choices import RoleKind


class Role(models.Model):
    """A grant: a user operates one enterprise, inspects a jurisdiction subtree, or administers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="shilian_roles"
    )
    kind = models.CharField(_("role"), max_length=10, choices=RoleKind.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                name="role_target_matches_kind",
                condition=(
                    models.Q(kind="operator", enterprise__isnull=False, jurisdiction__isnull=True)
                    | models.Q(kind="inspector", enterprise__isnull=True, jurisdiction__isnull=False)
                    | models.Q(kind="admin", enterprise__isnull=True, jurisdiction__isnull=True)
                ),
                violation_error_message=_("An operator needs an enterprise, an inspector a jurisdiction."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.enterprise or self.jurisdiction or ''}"


class StaffMember(models.Model):
    """A person working at an enterprise, with the health certificate food handlers must hold."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50, blank=True)
    health_certificate_no = models.CharField(_("health certificate number"), max_length=50, blank=True)
    health_certificate_expires = models.DateField(_("health certificate expires"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
