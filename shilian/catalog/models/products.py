"""Products an enterprise makes, sells or buys in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.catalog.choices import Category, ProductKind


class Product(models.Model):
    """A product line: what goes on the label. Lots are batches of it."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, null=True, blank=True, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices, default=ProductKind.FINISHED)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    unit = models.CharField(_("unit"), max_length=10, default="kg")
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    ingredients = models.TextField(_("ingredients"), blank=True)
    storage = models.CharField(_("storage conditions"), max_length=200, blank=True)
    standard = models.CharField(_("product standard"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name", "specification"],
                name="product_unique_name",
                violation_error_message=_("This enterprise already has a product with this name and specification."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.specification}".strip()
