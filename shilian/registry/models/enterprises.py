"""Food business operators on the platform (主体)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.registry.choices import EnterpriseKind


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def for_user(self, user: object, perm: str = "view") -> EnterpriseQuerySet:
        from shilian.registry.access import enterprise_filter  # noqa: PLC0415 — access imports models

        return self.filter(enterprise_filter(user, perm))


class Enterprise(models.Model):
    """A workshop, producer, distributor, shop, farm or restaurant that records its food chain.

    ``jurisdiction`` is the township (or county) it is registered in; inspectors of any
    ancestor division see it.
    """

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    licence_no = models.CharField(_("licence or registration number"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EnterpriseKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="enterprises"
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def division_code(self) -> str:
        return str(self.jurisdiction_id)
